"""Under a server-enforced limit, the real CLI paces itself by the limit headers instead of collecting 429s
(the fake servers' `rate_limits` mode: short-window token buckets, charged at admission)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.conftest import cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

FILLER = "Show the working step by step and put the final answer in a box at the end."


def _dataset(path: Path, queries: int) -> Path:
    with path.open("w") as f:
        for i in range(queries):
            f.write(json.dumps({"id": f"q{i:03d}", "split": "math", "question": f"What is {i} + {i}? {FILLER}",
                                "ground_truth": str(2 * i)}) + "\n")
    return path


def test_openai_run_paces_itself_under_a_token_limit(tmp_path: Path, openai_fake: FakeServer) -> None:
    # 1,000 tokens a second; each request is charged ~20 prompt tokens + 4 x 50: about four fit at once.
    openai_fake.configure({"rate_limits": {"tpm": 60_000, "window_s": 1.0}, "latency_s": 0.05})
    cfg = write_config(tmp_path / "c.yaml", dataset=str(_dataset(tmp_path / "q.jsonl", 16)), max_queries=16,
                       num_candidates=4, max_tokens=50, concurrency=16, verify=False)
    r = run_cli("openai", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url, "--quiet",
                env=cli_env(OPENAI_API_KEY="sk-test"))
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 64 and df.error.isna().all()
    stats = openai_fake.rate_limit_stats()
    assert stats is not None and stats["admitted"] == 16
    assert stats["rejected"] <= 1  # paced by the headers, not by 429s
    assert "rate limits: " in r.stderr and "answered 429/529" in r.stderr  # the summary says how it went


def test_claude_run_paces_itself_under_request_and_output_limits(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    # 10 requests a second; output charged max_tokens at admission and given back at the end (Anthropic's rule).
    anthropic_fake.configure({"rate_limits": {"rpm": 600, "otpm": 12_000, "window_s": 1.0}, "latency_s": 0.05})
    cfg = write_config(tmp_path / "c.yaml", dataset=str(_dataset(tmp_path / "q.jsonl", 12)), max_queries=12,
                       num_candidates=2, max_tokens=50, concurrency=16, verify=False)
    r = run_cli("claude", "generate", "--config", str(cfg), "--base-url", anthropic_fake.base_url, "--quiet",
                env=cli_env(ANTHROPIC_API_KEY="sk-ant-test"))
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 24 and df.error.isna().all()
    stats = anthropic_fake.rate_limit_stats()
    assert stats is not None and stats["admitted"] == 24
    assert stats["rejected"] <= 1


def test_configured_limit_paces_a_server_that_sends_no_headers(tmp_path: Path, openai_fake: FakeServer) -> None:
    # The server enforces 6 requests a second but says nothing; rate_limit_rpm tells the client.
    openai_fake.configure({"rate_limits": {"rpm": 360, "window_s": 1.0, "headers": False}})
    cfg = write_config(tmp_path / "c.yaml", dataset=str(_dataset(tmp_path / "q.jsonl", 12)), max_queries=12,
                       num_candidates=1, concurrency=12, verify=False, rate_limit_rpm=300)
    r = run_cli("local", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url, "--quiet",
                env=cli_env())
    assert r.returncode == 0, r.stderr
    assert len(pd.read_parquet(tmp_path / "out.parquet")) == 12
    stats = openai_fake.rate_limit_stats()
    assert stats is not None and stats["admitted"] == 12 and stats["rejected"] == 0
