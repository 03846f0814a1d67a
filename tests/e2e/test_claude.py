"""`bestofn claude generate` end to end against the fake Anthropic server, through the official SDK."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import anthropic
import pandas as pd
import pytest

from claude_gen import CLAUDE, ClaudeAdapter
from common.model.api import STRUCTURED_OUTPUT_SCHEMA, Candidate, GenRequest
from tests.conftest import cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

RULES = [{"match": "What is 7 + 5?", "replies": ["Sigh. \\boxed{12}", "\\boxed{11}"]}]


def _generate(cfg: Path, fake: FakeServer, key: str = "sk-ant-test"):
    return run_cli("claude", "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet",
                   env=cli_env(ANTHROPIC_API_KEY=key))


def test_thinking_is_stored_apart_and_the_prompt_cache_is_read(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": RULES})
    cfg = write_config(
        tmp_path / "c.yaml", persona="personas/marvin.txt", thinking_budget=1024, max_tokens=2048,
        num_candidates=4, max_queries=1, concurrency=4,
    )
    r = _generate(cfg, anthropic_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet").sort_values("candidate_idx")
    assert len(df) == 4 and df.provider.eq("claude").all()
    assert df.reasoning.notna().all() and df.response.notna().all()
    assert not df.response.str.contains("signature").any()
    assert df.reasoning.ne(df.response).all()
    assert df.persona.eq("marvin").all() and df.system_prompt.str.contains("Marvin").all()
    assert sorted(df.is_verified.tolist()) == [False, False, True, True]

    bodies = [q["body"] for q in anthropic_fake.requests() if q["path"] == "/v1/messages"]
    assert len(bodies) == 4  # no `n` in the Messages API
    for body in bodies:
        assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
        assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
        assert body["thinking"]["type"] == "enabled" and body["thinking"]["budget_tokens"] == 1024
        assert "temperature" not in body
    # The first candidate writes the cache alone; candidates 2..N read it.
    first, rest = df.iloc[0], df.iloc[1:]
    assert first.cache_creation_input_tokens > 0 and not first.cached_input_tokens
    assert rest.cached_input_tokens.gt(0).all()


def test_overloaded_529_is_retried(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": RULES, "failures": [{"status": 529}, {"status": 429, "retry_after": 0.1}]})
    cfg = write_config(tmp_path / "c.yaml", num_candidates=1, max_queries=1, concurrency=1)
    r = _generate(cfg, anthropic_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all() and df.attempts.eq(3).all()


def test_rejected_key_names_the_variable(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"api_key": "sk-ant-right"})
    cfg = write_config(tmp_path / "c.yaml")
    r = _generate(cfg, anthropic_fake, key="sk-ant-wrong")
    assert r.returncode == 1 and "ANTHROPIC_API_KEY" in r.stderr and "Traceback" not in r.stderr


def _messages(fake: FakeServer) -> list[dict[str, Any]]:
    return [q["body"] for q in fake.requests() if q["path"] == "/v1/messages"]


# The reasoning of each reply names the other answer, so a verdict read from the text would be wrong.
JSON_RULES = [{"match": "What is 7 + 5?", "replies": [
    json.dumps({"reasoning": "Not \\boxed{11}: 7 + 5 carries.", "final_answer": "12"}),
    json.dumps({"reasoning": "Surely \\boxed{12}? I doubt it.", "final_answer": "11"}),
]}]


def test_structured_output_final_answer_is_what_math_verifies(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": JSON_RULES})
    cfg = write_config(tmp_path / "c.yaml", structured_output=True, num_candidates=2, max_queries=1, concurrency=1)
    r = _generate(cfg, anthropic_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all() and df.provider.eq("claude").all()
    assert dict(zip(df.final_answer, df.is_verified, strict=True)) == {"12": True, "11": False}
    assert df.reasoning.str.contains("boxed").all()  # the JSON's reasoning, without thinking
    assert df.response.map(json.loads).map(set).eq({"reasoning", "final_answer"}).all()

    bodies = _messages(anthropic_fake)
    assert len(bodies) == 2
    for body in bodies:
        assert body["output_config"] == {"format": {"type": "json_schema", "schema": STRUCTURED_OUTPUT_SCHEMA}}
        assert "thinking" not in body and "response_format" not in body


def test_structured_output_with_thinking_keeps_the_thinking(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": RULES})  # plain replies: the fake puts the \boxed{} answer in final_answer
    cfg = write_config(tmp_path / "c.yaml", structured_output=True, thinking_budget=1024, max_tokens=2048,
                       num_candidates=2, max_queries=1, concurrency=2)
    r = _generate(cfg, anthropic_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all()
    assert dict(zip(df.final_answer, df.is_verified, strict=True)) == {"12": True, "11": False}
    # Claude's thinking is the row's reasoning; the JSON (with its own reasoning) stays in `response`.
    assert df.reasoning.str.startswith("Let me work through this carefully").all()
    assert df.response.map(lambda t: json.loads(t)["reasoning"]).isin(["Sigh. \\boxed{12}", "\\boxed{11}"]).all()

    bodies = _messages(anthropic_fake)
    assert len(bodies) == 2
    for body in bodies:
        assert body["thinking"]["type"] == "enabled" and body["thinking"]["budget_tokens"] == 1024
        assert body["output_config"]["format"] == {"type": "json_schema", "schema": STRUCTURED_OUTPUT_SCHEMA}


@pytest.mark.parametrize(("fmt", "complaint"), [
    ({"type": "json_object", "schema": STRUCTURED_OUTPUT_SCHEMA}, "output_config.format.type"),
    ({"type": "json_schema", "schema": "an object with a final_answer"}, "valid dictionary"),
    ({"type": "json_schema", "schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
     "'additionalProperties' must be explicitly set to false"),
    ({"type": "json_schema", "schema": {"type": "object", "additionalProperties": False, "properties": {
        "items": {"type": "array", "items": {"type": "object", "properties": {}}}}}}, "additionalProperties"),
])
def test_the_fake_refuses_output_formats_the_api_refuses(
    anthropic_fake: FakeServer, fmt: dict[str, Any], complaint: str
) -> None:
    client = anthropic.Anthropic(api_key="sk-ant-test", base_url=anthropic_fake.base_url, max_retries=0)
    with pytest.raises(anthropic.BadRequestError) as err:
        client.messages.create(model="claude-sonnet-4-6", max_tokens=64, output_config={"format": fmt},  # type: ignore[typeddict-item]
                               messages=[{"role": "user", "content": "What is 7 + 5?"}])
    assert err.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]
    assert complaint in err.value.body["error"]["message"]  # type: ignore[index]


def test_the_adapter_sends_a_loose_schema_in_the_form_the_api_accepts(anthropic_fake: FakeServer) -> None:
    loose = {"type": "object", "required": ["n"], "properties": {
        "n": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "object", "properties": {"t": {"type": "string"}}}},
    }}

    async def go() -> list[Candidate]:
        adapter = ClaudeAdapter(CLAUDE, base_url=anthropic_fake.base_url, api_key="sk-ant-test")
        try:
            req = GenRequest(model="claude-sonnet-4-6", messages=[{"role": "user", "content": "What is 7 + 5?"}],
                             response_schema=loose)
            return await adapter.generate(req, 1)
        finally:
            await adapter.aclose()

    (cand,) = asyncio.run(go())
    assert json.loads(cand.text or "")["final_answer"] == "42"
    (body,) = _messages(anthropic_fake)
    sent = body["output_config"]["format"]["schema"]
    assert sent["additionalProperties"] is False
    assert sent["properties"]["tags"]["items"]["additionalProperties"] is False
    assert "minimum" not in sent["properties"]["n"] and "minimum: 0" in sent["properties"]["n"]["description"]
    assert loose["properties"]["n"] == {"type": "integer", "minimum": 0}  # the caller's schema is untouched


def test_keys_claude_does_not_support_are_refused(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    cfg = write_config(tmp_path / "c.yaml", api="responses")
    r = _generate(cfg, anthropic_fake)
    assert r.returncode == 2 and "'api'" in r.stderr and "responses" in r.stderr and "Traceback" not in r.stderr
    assert not _messages(anthropic_fake) and not (tmp_path / "out.parquet").exists()


def test_deprecated_model_is_announced_once_at_start(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    from anthropic._data import DEPRECATED_MODELS

    model = next(iter(DEPRECATED_MODELS))  # whatever the installed SDK marks deprecated
    anthropic_fake.configure({"rules": RULES})
    cfg = write_config(tmp_path / "c.yaml", model=model, num_candidates=3, max_queries=2, concurrency=2)
    r = _generate(cfg, anthropic_fake)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("end-of-life") == 1 and DEPRECATED_MODELS[model] in r.stderr
    assert "DeprecationWarning" not in r.stderr  # never once per request
    assert len(pd.read_parquet(tmp_path / "out.parquet")) == 6


def test_default_model_is_current_and_priced(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    from anthropic._data import DEPRECATED_MODELS

    from claude_gen import CLAUDE
    from common.model.pricing import price_for

    assert CLAUDE.default_model not in DEPRECATED_MODELS and CLAUDE.default_judge_model not in DEPRECATED_MODELS
    anthropic_fake.configure({"rules": RULES})
    cfg = write_config(tmp_path / "c.yaml", num_candidates=1, max_queries=1)
    r = _generate(cfg, anthropic_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.model.eq(CLAUDE.default_model).all() and price_for(CLAUDE.prices, CLAUDE.default_model)
    assert df.cost_usd.gt(0).all() and "end-of-life" not in r.stderr
