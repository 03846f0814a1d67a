"""The fakes' batch APIs, driven by the official SDKs: OpenAI Files + Batch, Anthropic Message Batches."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest
from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse
from openai.types import Batch
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from tests.fakes.launch import FakeServer, fixture_factory

QUESTION = "What is six times seven?"
RULES = [{"match": None, "replies": ["A is one", "B", "C c c"]}]
FAST = {"process_s": 0.1}

openai_server = pytest.fixture(scope="module", name="openai_server")(fixture_factory("openai"))
anthropic_server = pytest.fixture(scope="module", name="anthropic_server")(fixture_factory("anthropic"))


@pytest.fixture
def oai(openai_server: FakeServer) -> Iterator[FakeServer]:
    openai_server.reset()
    openai_server.configure({"rules": RULES, "batch": FAST})
    yield openai_server


@pytest.fixture
def ant(anthropic_server: FakeServer) -> Iterator[FakeServer]:
    anthropic_server.reset()
    anthropic_server.configure({"rules": RULES, "batch": FAST})
    yield anthropic_server


def oai_client(fake: FakeServer, api_key: str = "sk-test") -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.base_url, api_key=api_key, max_retries=0)


def ant_client(fake: FakeServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=fake.base_url, api_key="sk-ant-test", max_retries=0)


def wait_for(get: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"still {value}"
        time.sleep(0.03)


# ---------------------------------------------------------------- OpenAI


def chat_line(custom_id: str, question: str = QUESTION, **body: Any) -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}], **body}}


def submit(client: openai.OpenAI, lines: list[Any], endpoint: str = "/v1/chat/completions") -> Batch:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    upload = client.files.create(file=("input.jsonl", text.encode()), purpose="batch")
    return client.batches.create(input_file_id=upload.id, endpoint=endpoint,  # type: ignore[arg-type]
                                 completion_window="24h", metadata={"run": "test"})


def ended(client: openai.OpenAI, batch_id: str) -> Batch:
    return wait_for(lambda: client.batches.retrieve(batch_id),
                    lambda b: b.status in ("completed", "failed", "expired", "cancelled"))


def read_lines(client: openai.OpenAI, file_id: str | None) -> dict[str, dict[str, Any]]:
    if file_id is None:
        return {}
    return {(r := json.loads(line))["custom_id"]: r for line in client.files.content(file_id).text.splitlines()}


def test_openai_batch_lifecycle_answers_like_the_online_endpoint(oai: FakeServer) -> None:
    client = oai_client(oai)
    created = submit(client, [chat_line("a", n=2), chat_line("b", n=1)])
    assert created.status == "validating" and created.request_counts.total == 2  # type: ignore[union-attr]
    assert created.metadata == {"run": "test"} and created.model == "gpt-4o-mini"
    done = ended(client, created.id)
    assert done.status == "completed" and done.error_file_id is None and done.errors is None
    assert (done.request_counts.completed, done.request_counts.failed) == (2, 0)  # type: ignore[union-attr]
    assert done.in_progress_at and done.finalizing_at and done.completed_at and done.expires_at
    Batch.model_validate(httpx.get(f"{oai.base_url}/batches/{done.id}").json())  # nothing required is missing
    out = read_lines(client, done.output_file_id)
    assert set(out) == {"a", "b"} and all(r["error"] is None for r in out.values())
    first = ChatCompletion.model_validate(out["a"]["response"]["body"])
    assert out["a"]["response"]["status_code"] == 200 and out["a"]["id"].startswith("batch_req_")
    assert [c.message.content for c in first.choices] == ["A is one", "B"]  # the rules' round-robin
    assert out["b"]["response"]["body"]["choices"][0]["message"]["content"] == "C c c"
    # The same body online gives the same answer once the round-robin is back at its start.
    oai.configure({"rules": RULES})
    online = client.chat.completions.create(**chat_line("x", n=2)["body"])
    assert [c.message.content for c in online.choices] == ["A is one", "B"]
    assert online.usage.model_dump() == first.usage.model_dump()  # type: ignore[union-attr]
    assert done.usage is not None and done.usage.input_tokens == 2 * 5 and done.usage.output_tokens == 3 + 1 + 3
    assert oai.batch_stats() == {"batches": 1, "items": 2, "cancels": 0, "files": 1}
    upload = client.files.retrieve(done.input_file_id)
    assert upload.purpose == "batch" and upload.filename == "input.jsonl" and upload.status == "processed"
    assert client.files.retrieve(done.output_file_id).purpose == "batch_output"  # type: ignore[arg-type]


def test_openai_statuses_follow_the_clock(oai: FakeServer) -> None:
    oai.update({"batch": {"validate_s": 0.4, "process_s": 0.8, "finalize_s": 0.6}})  # margins for a busy machine
    client = oai_client(oai)
    batch = submit(client, [chat_line("a"), chat_line("b")])
    assert client.batches.retrieve(batch.id).status == "validating"
    running = wait_for(lambda: client.batches.retrieve(batch.id), lambda b: b.status != "validating")
    assert running.status == "in_progress" and running.request_counts.completed < 2  # type: ignore[union-attr]
    final = wait_for(lambda: client.batches.retrieve(batch.id), lambda b: b.status != "in_progress")
    assert final.status == "finalizing" and final.output_file_id is None
    assert ended(client, batch.id).status == "completed"


def test_openai_invalid_bodies_and_injected_errors_are_per_request_error_lines(oai: FakeServer) -> None:
    oai.update({"fail_when_match": [{"match": "poison", "status": 400, "message": "bad prompt"}],
                "batch": {"process_s": 0.1, "error_custom_ids": ["boom"]}})
    client = oai_client(oai)
    lines = [chat_line("ok"), chat_line("empty", messages=[]), chat_line("n0", n=0),
             chat_line("poisoned", "this is poison"), chat_line("boom")]
    done = ended(client, submit(client, lines).id)
    assert done.status == "completed"
    assert (done.request_counts.completed, done.request_counts.failed) == (1, 4)  # type: ignore[union-attr]
    errors = read_lines(client, done.error_file_id)
    assert set(errors) == {"empty", "n0", "poisoned", "boom"}
    assert errors["empty"]["response"]["status_code"] == 400 and errors["empty"]["error"] is None
    assert "non-empty" in errors["empty"]["response"]["body"]["error"]["message"]  # validate_chat's own words
    assert errors["poisoned"]["response"]["body"]["error"]["message"] == "bad prompt"
    assert errors["boom"]["response"]["status_code"] == 500
    assert set(read_lines(client, done.output_file_id)) == {"ok"}


@pytest.mark.parametrize(("lines", "code", "line_no"), [
    (["not json", chat_line("a")], "invalid_json_line", 1),
    ([chat_line("a"), chat_line("a")], "duplicate_custom_id", 2),
    ([chat_line("a"), {**chat_line("b"), "url": "/v1/responses"}], "invalid_url", 2),
    ([{**chat_line("a"), "method": "GET"}], "invalid_method", 1),
    ([{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions"}], "missing_required_parameter", 1),
    ([chat_line("a"), chat_line("b", model="gpt-4o")], "mismatched_model", 2),
    ([], "empty_file", None),
])
def test_openai_a_malformed_input_file_fails_the_batch(oai: FakeServer, lines: list[Any], code: str,
                                                        line_no: int | None) -> None:
    client = oai_client(oai)
    done = ended(client, submit(client, lines).id)
    assert done.status == "failed" and done.failed_at and done.output_file_id is None
    assert done.errors is not None and done.errors.data
    assert (done.errors.data[0].code, done.errors.data[0].line) == (code, line_no)


def test_openai_expiry_keeps_finished_answers_and_expires_the_rest(oai: FakeServer) -> None:
    oai.update({"batch": {"process_s": 0.1, "expire_custom_ids": ["late"]}})
    client = oai_client(oai)
    done = ended(client, submit(client, [chat_line("a"), chat_line("late"), chat_line("b")]).id)
    assert done.status == "expired" and done.expired_at
    assert (done.request_counts.completed, done.request_counts.failed) == (2, 0)  # type: ignore[union-attr]
    assert set(read_lines(client, done.output_file_id)) == {"a", "b"}
    late = read_lines(client, done.error_file_id)["late"]
    assert late["response"] is None and late["error"]["code"] == "batch_expired"
    # expire_after_s: what has not finished by then expires, whatever it is.
    oai.update({"batch": {"process_s": 30, "expire_after_s": 0.2}})
    expired = ended(client, submit(client, [chat_line("x"), chat_line("y")]).id)
    assert expired.status == "expired" and expired.request_counts.completed == 0  # type: ignore[union-attr]
    assert set(read_lines(client, expired.error_file_id)) == {"x", "y"}


def test_openai_cancel_keeps_finished_answers_and_cancels_the_rest(oai: FakeServer) -> None:
    oai.update({"batch": {"process_s": 0.05, "cancel_s": 0.2, "hold_custom_ids": ["held"]}})
    client = oai_client(oai)
    batch = submit(client, [chat_line("a"), chat_line("held")])
    wait_for(lambda: client.batches.retrieve(batch.id), lambda b: b.request_counts.completed == 1)
    cancelling = client.batches.cancel(batch.id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at
    assert client.batches.cancel(batch.id).status == "cancelling"  # a second cancel changes nothing
    done = ended(client, batch.id)
    assert done.status == "cancelled" and done.cancelled_at
    assert set(read_lines(client, done.output_file_id)) == {"a"}
    assert read_lines(client, done.error_file_id)["held"]["error"]["code"] == "batch_cancelled"
    assert oai.batch_stats()["cancels"] == 1
    with pytest.raises(openai.ConflictError):
        client.batches.cancel(batch.id)


def test_openai_responses_batch_and_list_pages(oai: FakeServer) -> None:
    client = oai_client(oai)
    line = {"custom_id": "r", "method": "POST", "url": "/v1/responses",
            "body": {"model": "gpt-5-mini", "input": QUESTION, "store": False}}
    bad = {"custom_id": "bad", "method": "POST", "url": "/v1/responses", "body": {"model": "gpt-5-mini", "n": 2,
                                                                                  "input": QUESTION}}
    done = ended(client, submit(client, [line, bad], endpoint="/v1/responses").id)
    resp = Response.model_validate(read_lines(client, done.output_file_id)["r"]["response"]["body"])
    assert resp.output_text == "A is one" and resp.output[0].type == "reasoning"
    assert "'n'" in read_lines(client, done.error_file_id)["bad"]["response"]["body"]["error"]["message"]
    second = ended(client, submit(client, [chat_line("a")]).id)
    assert [b.id for b in client.batches.list()] == [second.id, done.id]  # newest first
    first_page = client.batches.list(limit=1)
    assert [b.id for b in first_page.data] == [second.id] and first_page.has_more
    assert [b.id for b in client.batches.list(limit=1, after=second.id).data] == [done.id]
    assert [b.id for b in client.batches.list(limit=1)] == [second.id, done.id]  # auto-pagination


def test_openai_refusals(oai: FakeServer) -> None:
    client = oai_client(oai)
    with pytest.raises(openai.BadRequestError, match="jsonl"):
        client.files.create(file=("input.csv", b"a,b\n"), purpose="batch")
    with pytest.raises(openai.BadRequestError) as bad:
        client.files.create(file=("input.jsonl", b"{}\n"), purpose="nonsense")  # type: ignore[arg-type]
    assert bad.value.param == "purpose" and bad.value.code == "invalid_value"
    upload = client.files.create(file=("input.jsonl", json.dumps(chat_line("a")).encode()), purpose="batch")
    with pytest.raises(openai.BadRequestError, match="24h"):
        client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                              completion_window="1h")  # type: ignore[arg-type]
    with pytest.raises(openai.NotFoundError):
        client.batches.create(input_file_id="file-missing", endpoint="/v1/chat/completions", completion_window="24h")
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_missing")
    with pytest.raises(openai.NotFoundError):
        client.files.content("file-missing")
    oai.update({"api_key": "sk-right"})
    with pytest.raises(openai.AuthenticationError):
        oai_client(oai, api_key="sk-wrong").files.create(file=("input.jsonl", b"{}\n"), purpose="batch")
    with pytest.raises(openai.AuthenticationError):
        oai_client(oai, api_key="sk-wrong").batches.list()
    assert oai.batch_stats()["batches"] == 0


# ---------------------------------------------------------------- Anthropic


def request(custom_id: str, question: str = QUESTION, **params: Any) -> dict[str, Any]:
    params.setdefault("max_tokens", 256)
    return {"custom_id": custom_id, "params": {"model": "claude-haiku-4-5",
                                               "messages": [{"role": "user", "content": question}], **params}}


def ant_ended(client: anthropic.Anthropic, batch_id: str) -> MessageBatch:
    return wait_for(lambda: client.messages.batches.retrieve(batch_id), lambda b: b.processing_status == "ended")


def results(client: anthropic.Anthropic, batch_id: str) -> dict[str, MessageBatchIndividualResponse]:
    return {r.custom_id: r for r in client.messages.batches.results(batch_id)}


def test_anthropic_batch_lifecycle_answers_like_the_online_endpoint(ant: FakeServer) -> None:
    ant.update({"batch": {"process_s": 0.5}})
    client = ant_client(ant)
    system = [{"type": "text", "text": "A shared system prompt " * 5, "cache_control": {"type": "ephemeral"}}]
    batch = client.messages.batches.create(requests=[request("a", system=system), request("b", system=system)])
    assert batch.processing_status == "in_progress" and batch.results_url is None
    assert batch.request_counts.processing == 2 and batch.ended_at is None
    with pytest.raises(anthropic.AnthropicError, match="results_url"):
        client.messages.batches.results(batch.id)
    done = ant_ended(client, batch.id)
    assert done.request_counts.model_dump() == {"processing": 0, "succeeded": 2, "errored": 0, "canceled": 0,
                                                "expired": 0}
    assert done.ended_at is not None and done.results_url == f"{ant.url}/v1/messages/batches/{batch.id}/results"
    MessageBatch.model_validate(httpx.get(f"{ant.url}/v1/messages/batches/{batch.id}",
                                          headers={"anthropic-version": "2023-06-01"}).json())
    got = results(client, batch.id)
    first, second = got["a"].result, got["b"].result
    assert first.type == "succeeded" and second.type == "succeeded"
    assert first.message.content[0].text == "A is one" and second.message.content[0].text == "B"  # type: ignore[union-attr]
    # The same reply logic as online: the prompt cache was written by the first and read by the second.
    assert (first.message.usage.cache_creation_input_tokens, second.message.usage.cache_read_input_tokens) == (20, 20)
    online = client.messages.create(**request("x", system=system)["params"])
    assert online.content[0].text == "C c c" and online.usage.cache_read_input_tokens == 20  # type: ignore[union-attr]
    assert ant.batch_stats() == {"batches": 1, "items": 2, "cancels": 0, "files": 0}


def test_anthropic_invalid_params_error_per_request_and_injected_errors(ant: FakeServer) -> None:
    ant.update({"batch": {"process_s": 0.1, "error_custom_ids": ["boom"]}})
    client = ant_client(ant)
    no_max = request("no_max")
    del no_max["params"]["max_tokens"]
    thinking = request("thinking", max_tokens=1500, thinking={"type": "enabled", "budget_tokens": 2048})
    batch = client.messages.batches.create(requests=[request("ok"), no_max, thinking, request("boom")])
    done = ant_ended(client, batch.id)
    assert (done.request_counts.succeeded, done.request_counts.errored) == (1, 3)
    got = results(client, batch.id)
    assert got["ok"].result.type == "succeeded"
    err = got["no_max"].result
    assert err.type == "errored" and err.error.error.type == "invalid_request_error"
    assert err.error.error.message == "max_tokens: Field required"  # the online validator's words
    assert "budget_tokens" in got["thinking"].result.error.error.message  # type: ignore[union-attr]
    assert got["boom"].result.error.error.type == "api_error"  # type: ignore[union-attr]


def test_anthropic_expiry_and_cancel(ant: FakeServer) -> None:
    ant.update({"batch": {"process_s": 0.05, "expire_custom_ids": ["late"]}})
    client = ant_client(ant)
    expired = ant_ended(client, client.messages.batches.create(requests=[request("a"), request("late-1")]).id)
    assert (expired.request_counts.succeeded, expired.request_counts.expired) == (1, 1)
    assert results(client, expired.id)["late-1"].result.type == "expired"  # "late" names its parts too

    ant.update({"batch": {"process_s": 0.05, "cancel_s": 0.2, "hold_custom_ids": ["held"]}})
    batch = client.messages.batches.create(requests=[request("a"), request("held")])
    time.sleep(0.15)  # "a" is done by now; the batch waits for "held"
    assert client.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    canceling = client.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling" and canceling.cancel_initiated_at is not None
    done = ant_ended(client, batch.id)
    assert (done.request_counts.succeeded, done.request_counts.canceled) == (1, 1)
    got = results(client, batch.id)
    assert got["a"].result.type == "succeeded" and got["held"].result.type == "canceled"
    with pytest.raises(anthropic.BadRequestError, match="ended"):
        client.messages.batches.cancel(batch.id)
    assert ant.batch_stats()["cancels"] == 1

    ant.update({"batch": {"process_s": 30, "expire_after_s": 0.2}})
    slow = ant_ended(client, client.messages.batches.create(requests=[request("x")]).id)
    assert slow.request_counts.expired == 1


@pytest.mark.parametrize(("requests", "complaint"), [
    ([request("a.b")], "requests.0.custom_id: String should match pattern"),
    ([request("x" * 65)], "requests.0.custom_id: String should have at most 64 characters"),
    ([request("a"), request("a")], "requests.1.custom_id: Duplicate custom_id"),
    ([], "requests: List should have at least 1 item"),
    ([{"custom_id": "a"}], "requests.0.params: Field required"),
])
def test_anthropic_refuses_a_bad_create_as_a_whole(ant: FakeServer, requests: list[Any], complaint: str) -> None:
    with pytest.raises(anthropic.BadRequestError, match=complaint.replace(".", r"\.")):
        ant_client(ant).messages.batches.create(requests=requests)
    assert ant.batch_stats()["batches"] == 0


def test_anthropic_list_pages_and_unknown_ids(ant: FakeServer) -> None:
    client = ant_client(ant)
    ids = [client.messages.batches.create(requests=[request("a")]).id for _ in range(3)]
    assert [b.id for b in client.messages.batches.list()] == ids[::-1]  # newest first
    page = client.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == ids[:0:-1] and page.has_more and page.last_id == ids[1]
    assert [b.id for b in client.messages.batches.list(limit=2)] == ids[::-1]  # auto-pagination
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve("msgbatch_missing")
