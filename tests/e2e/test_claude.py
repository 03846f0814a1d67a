"""`bestofn claude generate` end to end against the fake Anthropic server, through the official SDK."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def test_openai_only_keys_are_refused_for_claude(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    cfg = write_config(tmp_path / "c.yaml", structured_output=True)
    r = _generate(cfg, anthropic_fake)
    assert r.returncode == 2 and "structured_output" in r.stderr


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
