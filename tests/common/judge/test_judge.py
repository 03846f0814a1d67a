"""The LLM judge against the fake OpenAI and Anthropic servers, through the official SDKs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from claude_gen import CLAUDE, ClaudeAdapter
from common.errors import AuthError, MissingKeyError
from common.judge.judge import JudgeVerdict, LLMJudge
from common.judge.prompts import PROMPT_VERSION, VERDICT_SCHEMA
from common.model.api import ProviderAdapter
from openai_gen import LOCAL, OPENAI, OpenAIAdapter
from tests.fakes.launch import FakeServer

T = TypeVar("T")
GOOD = json.dumps({"reasoning": "Both are 4.", "is_correct": True, "confidence": 0.9})
BAD = json.dumps({"reasoning": "5 is not 4.", "is_correct": False, "confidence": 0.8})
# What a judge actually writes: LaTeX with single backslashes inside a JSON string.
LATEX = r'{"reasoning": "\frac{8}{2} = 4 and \sqrt{16} = 4, \left(\text{equal}\right) \times 1", ' \
        r'"is_correct": true, "confidence": 0.85}'


def adapter_for(provider: str, base_url: str | None, api_key: str | None = None) -> ProviderAdapter:
    if provider == "claude":
        return ClaudeAdapter(CLAUDE, base_url=base_url, api_key=api_key)
    return OpenAIAdapter(LOCAL if provider == "local" else OPENAI, base_url=base_url, api_key=api_key)


def make(fake: FakeServer, tmp_path: Path, provider: str = "openai", api_key: str | None = "", **kw: Any) -> LLMJudge:
    key = ("sk-ant-test" if provider == "claude" else "sk-test") if api_key == "" else api_key
    adapter = adapter_for(provider, fake.base_url, key or "not-needed")
    # Named, as a run at the provider's own endpoint would pick it: no model-list request in the counts.
    kw.setdefault("model", adapter.info.default_judge_model)
    return LLMJudge(adapter, cache_dir=tmp_path / "cache", initial_wait=0.01, **kw)


def run(judge: LLMJudge, fn: Callable[[LLMJudge], Awaitable[T]]) -> T:
    async def main() -> T:
        try:
            return await fn(judge)
        finally:
            await judge.adapter.aclose()

    return asyncio.run(main())


def ask(judge: LLMJudge, candidate: str = "The answer is 4. QID-1", ground_truth: str | None = "4",
        split: str = "math", **kw: Any) -> JudgeVerdict:
    return run(judge, lambda j: j.judge("What is 2 + 2?", candidate, ground_truth, split, **kw))


def bodies(fake: FakeServer, path: str) -> list[dict[str, Any]]:
    return [r["body"] for r in fake.requests() if r["path"] == path]


def test_openai_verdict_with_json_schema_and_defaults(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}]})
    v = ask(make(openai_fake, tmp_path))
    assert v == JudgeVerdict(True, 0.9, "Both are 4.", "gpt-5-mini", cached=False, error=None)
    (body,) = bodies(openai_fake, "/v1/chat/completions")
    assert body["model"] == OPENAI.default_judge_model == "gpt-5-mini"
    assert "temperature" not in body and body["max_completion_tokens"] == 4096  # gpt-5-mini reasons
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["reasoning", "is_correct", "confidence"]
    user = body["messages"][-1]["content"]
    assert "Reference answer" in user and "QID-1" in user and "What is 2 + 2?" in user


def test_latex_broken_json_reply_is_repaired(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [LATEX]}]})
    v = ask(make(openai_fake, tmp_path))
    assert v.is_correct is True and v.confidence == 0.85 and v.error is None
    assert r"\frac{8}{2}" in v.reasoning and r"\times" in v.reasoning and "\f" not in v.reasoning


def test_claude_judge_sends_the_verdict_schema_as_output_config(anthropic_fake: FakeServer, tmp_path: Path) -> None:
    anthropic_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}]})
    v = ask(make(anthropic_fake, tmp_path, "claude"))
    assert v == JudgeVerdict(True, 0.9, "Both are 4.", "claude-sonnet-4-6", cached=False, error=None)
    (body,) = bodies(anthropic_fake, "/v1/messages")
    assert body["model"] == "claude-sonnet-4-6"
    assert "temperature" not in body and "response_format" not in body
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": VERDICT_SCHEMA}}
    assert "JSON" in body["system"][0]["text"]  # the judge's system prompt is marked for caching


def test_claude_judge_falls_back_to_plain_prompting_on_400(anthropic_fake: FakeServer, tmp_path: Path) -> None:
    # Plain prompting gets what models write without a schema: fenced JSON with LaTeX escapes.
    fenced = f"```json\n{LATEX}\n```"
    anthropic_fake.configure({"rules": [{"match": "QID-1", "replies": [fenced]}],
                              "failures": [{"status": 400, "message": "output_config.format: structured outputs "
                                                                      "are not supported for this model"}]})

    async def two(j: LLMJudge) -> list[JudgeVerdict]:
        return [await j.judge("q", "QID-1 a", None, "math"), await j.judge("q", "QID-1 b", None, "math")]

    verdicts = run(make(anthropic_fake, tmp_path, "claude"), two)
    assert [(v.is_correct, v.confidence, v.error) for v in verdicts] == [(True, 0.85, None)] * 2
    sent = bodies(anthropic_fake, "/v1/messages")
    assert len(sent) == 3  # rejected, retried plain, then plain from the start
    assert "output_config" in sent[0] and all("output_config" not in b for b in sent[1:])


def test_second_call_and_rerun_hit_the_disk_cache(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}]})

    async def twice(j: LLMJudge) -> tuple[JudgeVerdict, JudgeVerdict]:
        return (await j.judge("What is 2 + 2?", "The answer is 4. QID-1", "4", "math"),
                await j.judge("What is 2 + 2?", "The answer is 4. QID-1", "4", "math"))

    first, second = run(make(openai_fake, tmp_path), twice)
    assert not first.cached and second.cached and second.is_correct is True
    assert openai_fake.request_count() == 1
    rerun = ask(make(openai_fake, tmp_path))  # a new process would build a new judge: same cache
    assert rerun.cached and openai_fake.request_count() == 1
    # Another ground truth, candidate or model is another key.
    assert not ask(make(openai_fake, tmp_path), ground_truth="5").cached
    assert not ask(make(openai_fake, tmp_path, model="gpt-4o")).cached
    assert openai_fake.request_count() == 3
    assert list((tmp_path / "cache").rglob("*.json"))
    assert PROMPT_VERSION


def test_no_cache_when_disabled(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}]})
    ask(make(openai_fake, tmp_path, use_cache=False))
    ask(make(openai_fake, tmp_path, use_cache=False))
    assert openai_fake.request_count() == 2 and not (tmp_path / "cache").exists()


def test_429_is_retried(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [BAD]}],
                           "failures": [{"status": 429, "retry_after": 0.05}, {"status": 503}]})
    v = ask(make(openai_fake, tmp_path))
    assert v.is_correct is False and v.error is None
    assert openai_fake.request_count() == 3


def test_529_overloaded_is_retried_for_claude(anthropic_fake: FakeServer, tmp_path: Path) -> None:
    anthropic_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}], "failures": [{"status": 529}]})
    v = ask(make(anthropic_fake, tmp_path, "claude"))
    assert v.is_correct is True and anthropic_fake.request_count() == 2


def test_failure_is_recorded_not_raised_and_never_cached(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}],
                           "failures": [{"status": 500}, {"status": 500}]})
    v = ask(make(openai_fake, tmp_path, max_retries=1))
    assert v.is_correct is None and v.error is not None and "500" in v.error
    assert openai_fake.request_count() == 2
    again = ask(make(openai_fake, tmp_path, max_retries=1))  # the failure was not cached: asks again
    assert again.is_correct is True and not again.cached and openai_fake.request_count() == 3


def test_dropped_connection_is_a_recorded_failure(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"failures": [{"drop": True}]})
    v = ask(make(openai_fake, tmp_path, max_retries=0))
    assert v.is_correct is None and v.error


def test_unparseable_reply_is_asked_again_then_recorded(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": ["{I think it is right}", GOOD]}]})
    assert ask(make(openai_fake, tmp_path)).is_correct is True
    assert openai_fake.request_count() == 2
    openai_fake.configure({"rules": [{"match": "QID-2", "replies": ["{no verdict here}"]}]})
    v = ask(make(openai_fake, tmp_path), candidate="QID-2")
    assert v.is_correct is None and "unparseable" in (v.error or "")


def test_rejected_key_raises_auth_error(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"api_key": "sk-right"})
    with pytest.raises(AuthError, match="OPENAI_API_KEY"):
        ask(make(openai_fake, tmp_path, api_key="sk-wrong"))


def test_server_without_json_schema_falls_back_to_plain_prompting(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}],
                           "failures": [{"status": 400, "message": "response_format json_schema is not supported"}]})

    async def two(j: LLMJudge) -> list[JudgeVerdict]:
        return [await j.judge("q", "QID-1 a", None, "math"), await j.judge("q", "QID-1 b", None, "math")]

    verdicts = run(make(openai_fake, tmp_path), two)
    assert all(v.is_correct for v in verdicts)
    sent = bodies(openai_fake, "/v1/chat/completions")
    assert "response_format" in sent[0] and all("response_format" not in b for b in sent[1:])
    assert len(sent) == 3  # rejected, retried plain, then plain from the start


def test_local_judge_uses_the_model_the_server_lists(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}], "models": ["my-local-7b"]})
    judge = make(openai_fake, tmp_path, "local", api_key=None)
    assert judge.adapter.info.self_hosted
    assert judge.model is None
    v = ask(judge)
    assert v.model == "my-local-7b" and v.is_correct is True
    (body,) = bodies(openai_fake, "/v1/chat/completions")
    assert body["model"] == "my-local-7b" and "max_tokens" in body


def test_provider_defaults_and_key_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-x")
    # At the provider's own endpoint the default judge model is picked without asking anything.
    assert asyncio.run(adapter_for("openai", None).pick_model(OPENAI.default_judge_model)) == "gpt-5-mini"
    assert asyncio.run(adapter_for("claude", None).pick_model(CLAUDE.default_judge_model)) == "claude-sonnet-4-6"
    assert LLMJudge(adapter_for("claude", None), model="claude-opus-4-5-20251101").model == "claude-opus-4-5-20251101"
    assert LLMJudge(adapter_for("local", "http://127.0.0.1:9/v1", "x")).model is None  # asked of the server
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(MissingKeyError, match="ANTHROPIC_API_KEY"):
        adapter_for("claude", None)


def test_judge_usage_is_counted(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}]})
    judge = make(openai_fake, tmp_path)
    assert ask(judge).is_correct is True
    assert judge.usage.calls == 1 and judge.usage.errors == 0
    assert judge.usage.input_tokens > 0 and judge.usage.output_tokens > 0
    assert judge.usage.cost_usd is not None and judge.usage.cost_usd > 0  # gpt-5-mini is priced
    assert ask(judge).cached and judge.usage.calls == 1  # a cache hit costs nothing


def test_tool_calling_judges_appropriateness_with_the_trace(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "TOOLQ", "replies": [GOOD]}]})
    trace = 'get_weather({"city": "Oslo"}) -> {"temp_c": -3, "sky": "snow"}'

    async def go(j: LLMJudge) -> JudgeVerdict:
        return await j.judge("TOOLQ What's the weather in Oslo?", "It is -3 °C and snowing in Oslo.",
                             "UNRELIABLE-REFERENCE", "tool_calling", tool_trace=trace)

    v = run(make(openai_fake, tmp_path), go)
    assert v.is_correct is True
    user = bodies(openai_fake, "/v1/chat/completions")[0]["messages"][-1]["content"]
    assert trace in user and "APPROPRIATE" in user and "tool calls were reasonable" in user
    assert "UNRELIABLE-REFERENCE" not in user  # the dataset's tool-calling ground truth is not used


def test_identical_candidates_in_flight_are_judged_once(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}], "latency_s": 0.3})

    async def many(j: LLMJudge) -> list[JudgeVerdict]:
        return list(await asyncio.gather(*(j.judge("q", "QID-1", "4", "math") for _ in range(5))))

    verdicts = run(make(openai_fake, tmp_path), many)
    assert all(v.is_correct for v in verdicts) and openai_fake.request_count() == 1


def test_refusal_classification_prompt(anthropic_fake: FakeServer, tmp_path: Path) -> None:
    reply = json.dumps({"reasoning": "Gloomy, but it answers.", "is_refusal": False, "refusal_type": "none",
                        "confidence": 0.95})
    anthropic_fake.configure({"rules": [{"match": "RQ-1", "replies": [reply]}]})
    v = run(make(anthropic_fake, tmp_path, "claude"),
            lambda j: j.classify_refusal("I can't help feeling this is pointless. RQ-1 The answer is 4.", "2+2?"))
    assert v.is_refusal is False and v.refusal_type == "none" and v.confidence == 0.95
    user = bodies(anthropic_fake, "/v1/messages")[0]["messages"][0]["content"][0]["text"]
    assert "persona" in user and '"refusal_type"' in user


def test_an_openai_judge_elsewhere_than_openai_uses_the_model_served(openai_fake: FakeServer, tmp_path: Path) -> None:
    # Never recorded (or priced) as gpt-5-mini when a gateway or compatible server answered.
    openai_fake.configure({"rules": [{"match": "QID-1", "replies": [GOOD]}], "models": ["served-judge-7b"]})
    judge = make(openai_fake, tmp_path, model=None)
    v = ask(judge)
    assert v.model == "served-judge-7b" and v.is_correct is True
    assert judge.usage.cost_usd is None  # not a listed model: cost unknown, never another model's price
