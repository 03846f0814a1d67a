"""Misuse and hostile servers, end to end through the CLI and the official SDKs (issue: solid under misuse)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

RULES = [{"match": "What is 7 + 5?", "replies": ["Seven and five: \\boxed{12}"]}]
NOT_JSON = {"status": 200, "raw": "<html><body>502 from the gateway, served with status 200</body></html>"}


def _openai(cfg: Path, fake: FakeServer, *extra: str):
    return run_cli("openai", "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet", *extra,
                   env=cli_env(OPENAI_API_KEY="sk-test"))


def _chat_body(*contents: str | None) -> str:
    choices = [{"index": i, "message": {"role": "assistant", "content": c}, "finish_reason": "stop"}
               for i, c in enumerate(contents)]
    return json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-5-mini",
                       "choices": choices, "usage": {"prompt_tokens": 5, "completion_tokens": 0, "total_tokens": 5}})


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_a_200_whose_body_is_not_json_is_retried(tmp_path: Path, openai_fake: FakeServer, api: str) -> None:
    openai_fake.configure({"rules": RULES, "failures": [NOT_JSON]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, concurrency=1, api=api)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all() and df.attempts.eq(2).all() and df.is_verified.all()


def test_a_200_whose_body_is_not_json_is_retried_for_claude(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": RULES, "failures": [NOT_JSON]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, concurrency=1)
    r = run_cli("claude", "generate", "--config", str(cfg), "--base-url", anthropic_fake.base_url, "--quiet",
                env=cli_env(ANTHROPIC_API_KEY="sk-ant-test"))
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all() and df.attempts.eq(2).all()


def test_a_body_that_never_becomes_json_is_an_error_that_says_so(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "failures": [NOT_JSON] * 3})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, concurrency=1, max_retries=2)
    r = _openai(cfg, openai_fake)
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.str.contains("not JSON").all() and df.attempts.eq(3).all(), r.stderr


def test_empty_and_null_content_stay_apart(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "failures": [{"status": 200, "raw": _chat_body(None, "")}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=2, concurrency=1, max_error_rate=1.0)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet").sort_values("candidate_idx")
    null, empty = df.iloc[0], df.iloc[1]
    assert pd.isna(null.response) and "returned no content" in null.error
    assert empty.response == "" and pd.isna(empty.error)  # the model said nothing: a real (empty) answer
    assert empty.is_verified is False or pd.isna(empty.is_verified)


def _dead_url() -> str:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_a_dead_judge_stops_the_run_at_start_naming_the_cause(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES})
    cfg = write_config(tmp_path / "c.yaml", splits="tool_calling", judge_provider="local", judge_base_url=_dead_url())
    r = _openai(cfg, openai_fake)
    assert r.returncode == 1, r.stderr
    assert "the judge at" in r.stderr and "Connection refused" in r.stderr and "timed out" not in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out.parquet").exists()
    assert not [q for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]  # no work done


def test_a_dead_model_server_stops_the_run_at_start(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.yaml")
    r = run_cli("local", "generate", "--config", str(cfg), "--base-url", _dead_url(), "--quiet", env=cli_env())
    assert r.returncode == 1 and "the model server at" in r.stderr and "Connection refused" in r.stderr, r.stderr


def test_openai_base_url_runs_record_the_served_model_and_no_price(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "models": ["qwen2.5-7b-instruct"]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=2)
    r = run_cli("openai", "generate", "--config", str(cfg), "--quiet",
                env=cli_env(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=openai_fake.base_url))
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.model.eq("qwen2.5-7b-instruct").all() and df.cost_usd.isna().all()
    assert "no listed price" in r.stderr
    bodies = [q["body"] for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]
    assert bodies and all(b["model"] == "qwen2.5-7b-instruct" for b in bodies)


def test_a_run_where_many_rows_errored_exits_1_after_writing_them(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "fail_when_match": [{"match": "Compute 12", "status": 500}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=2, max_retries=0)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 1, r.stderr
    assert "2 of 4 rows this run (50%) errored" in r.stderr and "HTTP 500 x2" in r.stderr
    assert "max_error_rate 10%" in r.stderr and "regen" in r.stderr and "Traceback" not in r.stderr
    assert "split math" in r.stderr and "2 errors (HTTP 500 x2)" in r.stderr  # the per-split line
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 4 and df.error.notna().sum() == 2  # written all the same
    # A threshold the user raises lets the same run pass.
    cfg = write_config(tmp_path / "c.yaml", max_queries=2, max_retries=0, max_error_rate=0.5)
    assert _openai(cfg, openai_fake, "--overwrite").returncode == 0


def test_judge_failures_count_toward_the_exit_status(tmp_path: Path, openai_fake: FakeServer) -> None:
    weather = {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    openai_fake.configure({"rules": [{"match": "weather like in Paris", "replies": [weather]}],
                           "fail_when_match": [{"match": "Task type: tool calling", "status": 500}]})
    cfg = write_config(tmp_path / "c.yaml", splits="tool_calling", max_queries=1, max_retries=0)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 1 and "judge failed x2" in r.stderr, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.judge_error.notna().all() and df.is_verified.isna().all()
