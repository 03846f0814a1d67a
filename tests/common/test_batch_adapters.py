"""The adapters' batch methods (BatchAPI) against the fake servers, through the official SDKs:
submit -> poll -> results -> candidates, and the same requests and answers as online."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import openai
import pytest

from claude_gen import CLAUDE, ClaudeAdapter
from common.model.api import (
    STRUCTURED_OUTPUT_SCHEMA,
    BatchItem,
    BatchState,
    Candidate,
    GenRequest,
    parse_structured,
)
from openai_gen import LOCAL, OPENAI, OpenAIAdapter
from tests.fakes.launch import FakeServer

T = TypeVar("T")
RULES = [{"match": None, "replies": ["A is one", "B", "C c c"]}]
FAST = {"process_s": 0.1}
Adapter = OpenAIAdapter | ClaudeAdapter


def question(text: str = "What is six times seven?", **kw: Any) -> GenRequest:
    kw.setdefault("model", "claude-haiku-4-5")
    return GenRequest(messages=[{"role": "user", "content": text}], max_tokens=256, **kw)


def openai_adapter(fake: FakeServer, api: str = "chat") -> OpenAIAdapter:
    return OpenAIAdapter(OPENAI, api=api, base_url=fake.base_url, api_key="sk-test")


def claude_adapter(fake: FakeServer) -> ClaudeAdapter:
    return ClaudeAdapter(CLAUDE, base_url=fake.base_url, api_key="sk-ant-test")


def run(adapter: Adapter, fn: Callable[[Adapter], Awaitable[T]]) -> T:
    async def main() -> T:
        try:
            return await fn(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(main())


async def until_ended(adapter: Adapter, batch_id: str, timeout: float = 5.0) -> BatchState:
    deadline = time.monotonic() + timeout
    while True:
        state = await adapter.batch_state(batch_id)
        if state.status in ("ended", "failed"):
            return state
        assert time.monotonic() < deadline, f"batch still {state}"
        await asyncio.sleep(0.03)


async def collect(adapter: Adapter, batch_id: str) -> dict[str, list[Candidate]]:
    out: dict[str, list[Candidate]] = {}
    async for custom_id, cands in adapter.batch_results(batch_id):
        assert custom_id not in out, f"{custom_id} yielded twice"
        out[custom_id] = cands
    return out


def batch_run(adapter: Adapter, items: list[BatchItem]) -> tuple[BatchState, dict[str, list[Candidate]]]:
    async def go(a: Adapter) -> tuple[BatchState, dict[str, list[Candidate]]]:
        batch_id = await a.batch_submit(items)
        state = await until_ended(a, batch_id)
        return state, await collect(a, batch_id)

    return run(adapter, go)


def online(adapter: Adapter, req: GenRequest, n: int) -> list[Candidate]:
    return run(adapter, lambda a: a.generate(req, n))


def same_answer(batched: list[Candidate], live: list[Candidate]) -> None:
    """What a batch gave equals what the online call gave, but for how it was answered."""
    assert len(batched) == len(live)
    for b, o in zip(batched, live, strict=True):
        assert b.batched and b.latency_s is None and b.error is None
        assert not o.batched and o.latency_s is not None
        assert (b.text, b.reasoning, b.finish_reason, b.usage, b.tool_calls) == \
               (o.text, o.reasoning, o.finish_reason, o.usage, o.tool_calls)


def test_the_providers_declare_batch_support() -> None:
    assert OPENAI.supports_batch and CLAUDE.supports_batch
    assert not LOCAL.supports_batch  # vLLM / llama.cpp have no batch API


# ---------------------------------------------------------------- OpenAI


def test_openai_chat_batch_with_n_equals_online(openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "batch": FAST})
    req = question(model="gpt-4o-mini", seed=7, temperature=0.5)
    state, got = batch_run(openai_adapter(openai_fake), [BatchItem("q1", req, n=3), BatchItem("q2", req, n=1)])
    assert state.status == "ended" and state.counts["succeeded"] == 2 and state.counts["processing"] == 0
    assert state.created_at and state.expires_at and state.expires_at > state.created_at
    assert set(got) == {"q1", "q2"} and len(got["q1"]) == 3 and len(got["q2"]) == 1
    assert [c.text for c in got["q1"]] == ["A is one", "B", "C c c"]
    assert openai_fake.batch_stats() == {"batches": 1, "items": 2, "cancels": 0, "files": 1}
    # The request line holds the very body the online call sends, and the answer reads the same.
    client = openai.OpenAI(base_url=openai_fake.base_url, api_key="sk-test")
    (batch,) = client.batches.list().data
    lines = [json.loads(x) for x in client.files.content(batch.input_file_id).text.splitlines()]
    assert [x["custom_id"] for x in lines] == ["q1-0-3", "q2-0-1"] and batch.endpoint == "/v1/chat/completions"
    openai_fake.configure({"rules": RULES})
    live = online(openai_adapter(openai_fake), req, 3)
    (sent,) = [r["body"] for r in openai_fake.requests() if r["path"] == "/v1/chat/completions"]
    assert lines[0]["body"] == sent and sent["n"] == 3 and sent["seed"] == 7
    same_answer(got["q1"], live)
    assert got["q1"][0].usage.input_tokens == round(5 / 3)  # shared across the choices, as online


def test_openai_structured_output_and_truncation(openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": [{"match": None, "replies": ["The answer is \\boxed{42}."]}], "batch": FAST})
    structured = question(model="gpt-4o-mini", response_schema=STRUCTURED_OUTPUT_SCHEMA)
    short = GenRequest(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=2)
    _, got = batch_run(openai_adapter(openai_fake), [BatchItem("s", structured, 2), BatchItem("t", short)])
    assert [parse_structured(c.text)[1] for c in got["s"]] == ["42", "42"]
    assert got["t"][0].text == "The answer" and got["t"][0].finish_reason == "length"
    live = online(openai_adapter(openai_fake), structured, 2)
    same_answer(got["s"], live)


def test_openai_responses_api_one_request_per_candidate(openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "batch": FAST})
    req = question(model="gpt-5-mini", system="Be brief.")
    state, got = batch_run(openai_adapter(openai_fake, api="responses"), [BatchItem("r", req, n=2)])
    assert state.counts["succeeded"] == 2  # two requests
    assert [c.text for c in got["r"]] == ["A is one", "B"]
    assert all(c.reasoning and "six times seven" in c.reasoning for c in got["r"])  # the reasoning summary
    client = openai.OpenAI(base_url=openai_fake.base_url, api_key="sk-test")
    (batch,) = client.batches.list().data
    assert batch.endpoint == "/v1/responses"
    lines = [json.loads(x) for x in client.files.content(batch.input_file_id).text.splitlines()]
    assert [x["custom_id"] for x in lines] == ["r-0-2", "r-1-2"] and lines[0]["url"] == "/v1/responses"
    openai_fake.configure({"rules": RULES})
    live = online(openai_adapter(openai_fake, api="responses"), req, 1)
    (sent,) = [r["body"] for r in openai_fake.requests() if r["path"] == "/v1/responses"]
    assert lines[0]["body"] == sent and sent["instructions"] == "Be brief."
    same_answer(got["r"][:1], live)


def test_openai_expired_cancelled_and_errored_items_are_error_candidates(openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "batch": {"process_s": 0.1, "expire_custom_ids": ["late"],
                                                     "error_custom_ids": ["boom"]},
                           "fail_when_match": [{"match": "poison", "status": 400, "message": "bad prompt"}]})
    plain = question(model="gpt-4o-mini")
    items = [BatchItem("ok", plain, 2), BatchItem("late", plain, 2), BatchItem("boom", plain),
             BatchItem("bad", question("poison", model="gpt-4o-mini"))]
    state, got = batch_run(openai_adapter(openai_fake), items)
    assert state.status == "ended"
    assert state.counts == {"succeeded": 1, "errored": 2, "expired": 1, "canceled": 0, "processing": 0}
    assert [c.error for c in got["ok"]] == [None, None]
    assert len(got["late"]) == 2 and all((c.error or "").startswith("batch item expired: ") for c in got["late"])
    assert got["boom"][0].error is not None and got["boom"][0].error.startswith("batch item errored: 500")
    assert got["bad"][0].error == "batch item errored: 400 bad prompt"
    assert all(c.batched and c.text is None for c in got["late"] + got["boom"] + got["bad"])

    openai_fake.configure({"rules": RULES, "batch": {"process_s": 0.05, "hold_custom_ids": ["held"]}})

    async def cancel(a: Adapter) -> tuple[BatchState, BatchState, dict[str, list[Candidate]]]:
        batch_id = await a.batch_submit([BatchItem("a", question(model="gpt-4o-mini")),
                                         BatchItem("held", question(model="gpt-4o-mini"), 3)])
        while (await a.batch_state(batch_id)).counts["succeeded"] < 1:
            await asyncio.sleep(0.03)
        cancelling = await a.batch_cancel(batch_id)
        ended = await until_ended(a, batch_id)
        again = await a.batch_cancel(batch_id)  # an ended batch: nothing to cancel, no error
        assert again.status == "ended"
        return cancelling, ended, await collect(a, batch_id)

    cancelling, ended, got = run(openai_adapter(openai_fake), cancel)
    assert cancelling.status == "cancelling" and ended.status == "ended" and ended.counts["canceled"] == 1
    assert got["a"][0].error is None and got["a"][0].text == "A is one"
    assert [c.error for c in got["held"]] == ["batch item canceled"] * 3


def test_openai_a_rejected_batch_fails_with_the_reasons(openai_fake: FakeServer) -> None:
    openai_fake.configure({"batch": FAST})
    items = [BatchItem("a", question(model="gpt-4o-mini")), BatchItem("b", question(model="gpt-4o"))]
    with pytest.raises(ValueError, match="one model"):  # OpenAI would fail the whole batch
        run(openai_adapter(openai_fake), lambda a: a.batch_submit(items))
    # A file the API rejects (two models, uploaded by hand): the batch fails and says why.
    client = openai.OpenAI(base_url=openai_fake.base_url, api_key="sk-test")
    lines = [{"custom_id": item.custom_id, "method": "POST", "url": "/v1/chat/completions",
              "body": {"model": item.req.model, "messages": item.req.messages}} for item in items]
    upload = client.files.create(file=("in.jsonl", "\n".join(map(json.dumps, lines)).encode()), purpose="batch")
    rejected = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h")

    async def go(a: Adapter) -> BatchState:
        batch_id = rejected.id
        state = await until_ended(a, batch_id)
        with pytest.raises(ValueError, match="no results"):
            await collect(a, batch_id)
        return state

    state = run(openai_adapter(openai_fake), go)
    assert state.status == "failed" and state.counts["processing"] == 0
    assert state.error is not None and "line 2" in state.error and "mismatched_model" in state.error


def test_openai_results_of_a_running_batch_are_refused(openai_fake: FakeServer) -> None:
    openai_fake.configure({"batch": {"process_s": 30}})

    async def go(a: Adapter) -> BatchState:
        batch_id = await a.batch_submit([BatchItem("a", question(model="gpt-4o-mini"))])
        with pytest.raises(ValueError, match="no results"):
            await collect(a, batch_id)
        return await a.batch_cancel(batch_id)

    assert run(openai_adapter(openai_fake), go).status == "cancelling"


def test_openai_renamed_tools_are_read_back_and_limits_are_not_charged(openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": [{"match": None, "replies": [
        {"tool_calls": [{"name": "math_factorial", "arguments": {"n": 5}}]}]}], "batch": FAST})
    tool = {"name": "math.factorial", "description": "n!", "parameters": {
        "type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}
    adapter = openai_adapter(openai_fake)
    _, got = batch_run(adapter, [BatchItem("t", question(model="gpt-4o-mini", tools=[tool]))])
    (cand,) = got["t"]
    assert cand.finish_reason == "tool_calls" and cand.tool_calls is not None
    assert cand.tool_calls[0]["name"] == "math.factorial" and json.loads(cand.tool_calls[0]["arguments"]) == {"n": 5}
    assert cand.turn is not None and cand.turn["tool_calls"] == cand.tool_calls
    assert adapter.limits.by_model == {}  # batch calls are not paced by (nor charged to) the online limiter


# ---------------------------------------------------------------- Claude


def test_claude_batch_splits_n_into_requests_and_groups_them_back(anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": RULES, "batch": FAST})
    req = question(system="You are terse.")
    state, got = batch_run(claude_adapter(anthropic_fake), [BatchItem("q1", req, n=2), BatchItem("q2", req, n=1)])
    assert state.status == "ended" and state.counts["succeeded"] == 3  # requests, as the API counts them
    assert [c.text for c in got["q1"]] == ["A is one", "B"] and [c.text for c in got["q2"]] == ["C c c"]
    assert anthropic_fake.batch_stats() == {"batches": 1, "items": 3, "cancels": 0, "files": 0}
    (create,) = [r["body"] for r in anthropic_fake.requests() if r["path"] == "/v1/messages/batches"]
    assert [r["custom_id"] for r in create["requests"]] == ["q1-0-2", "q1-1-2", "q2-0-1"]
    anthropic_fake.reset()  # the round-robin and the prompt cache back to their start
    anthropic_fake.configure({"rules": RULES})
    live = online(claude_adapter(anthropic_fake), req, 1)
    (sent,) = [r["body"] for r in anthropic_fake.requests() if r["path"] == "/v1/messages"]
    assert create["requests"][0]["params"] == sent  # the very body the online call sends
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    same_answer(got["q1"][:1], live)


def test_claude_structured_output_and_thinking(anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"batch": FAST})
    req = GenRequest(model="claude-sonnet-4-6", messages=[{"role": "user", "content": "What is 6 x 7?"}],
                     max_tokens=4000, thinking_budget=2048, response_schema=STRUCTURED_OUTPUT_SCHEMA)
    _, got = batch_run(claude_adapter(anthropic_fake), [BatchItem("s", req, n=2)])
    for cand in got["s"]:
        assert parse_structured(cand.text)[1] == "42" and cand.reasoning and "6 x 7" in cand.reasoning
        assert cand.finish_reason == "stop" and cand.usage.output_tokens
    (create,) = [r["body"] for r in anthropic_fake.requests() if r["path"] == "/v1/messages/batches"]
    assert create["requests"][0]["params"]["output_config"]["format"]["type"] == "json_schema"
    anthropic_fake.reset()
    same_answer(got["s"][:1], online(claude_adapter(anthropic_fake), req, 1))


def test_claude_errored_expired_and_canceled_items(anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": RULES, "batch": {"process_s": 0.1, "expire_custom_ids": ["late"],
                                                        "error_custom_ids": ["boom-1-2"]}})
    bad = GenRequest(model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi"}], max_tokens=1500,
                     thinking_budget=2048)  # the API refuses a budget over max_tokens
    items = [BatchItem("ok", question()), BatchItem("late", question(), 2), BatchItem("boom", question(), 2),
             BatchItem("bad", bad)]
    state, got = batch_run(claude_adapter(anthropic_fake), items)
    assert state.counts == {"succeeded": 2, "errored": 2, "expired": 2, "canceled": 0, "processing": 0}
    assert got["ok"][0].error is None
    assert [(c.error or "").split(":")[0] for c in got["late"]] == ["batch item expired"] * 2
    assert got["boom"][0].error is None and got["boom"][0].text  # one part answered, the other failed
    assert got["boom"][1].error == "batch item errored: api_error: Internal server error"
    assert got["bad"][0].error is not None and "invalid_request_error" in got["bad"][0].error
    assert all(c.batched for cands in got.values() for c in cands)

    anthropic_fake.configure({"rules": RULES, "batch": {"process_s": 0.05, "hold_custom_ids": ["held"]}})

    async def cancel(a: Adapter) -> tuple[BatchState, dict[str, list[Candidate]]]:
        batch_id = await a.batch_submit([BatchItem("a", question()), BatchItem("held", question(), 2)])
        await asyncio.sleep(0.15)
        assert (await a.batch_state(batch_id)).status == "in_progress"
        assert (await a.batch_cancel(batch_id)).status == "cancelling"
        ended = await until_ended(a, batch_id)
        assert (await a.batch_cancel(batch_id)).status == "ended"  # ended meanwhile: no error
        return ended, await collect(a, batch_id)

    ended, got = run(claude_adapter(anthropic_fake), cancel)
    assert ended.counts["canceled"] == 2 and ended.counts["succeeded"] == 1
    assert got["a"][0].text == "A is one"
    assert [c.error for c in got["held"]] == ["batch item canceled"] * 2


def test_claude_tool_calls_keep_their_names_and_native_turn(anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": [{"match": None, "replies": [
        {"tool_calls": [{"name": "math_factorial", "arguments": {"n": 5}}]}]}], "batch": FAST})
    tool = {"name": "math.factorial", "description": "n!", "parameters": {
        "type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}
    _, got = batch_run(claude_adapter(anthropic_fake), [BatchItem("t", question(tools=[tool]))])
    (cand,) = got["t"]
    assert cand.finish_reason == "tool_calls" and cand.tool_calls is not None
    assert cand.tool_calls[0]["name"] == "math.factorial"
    assert cand.turn is not None and cand.turn["native"]["api"] == "messages"
