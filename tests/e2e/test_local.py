"""`bestofn local generate` with the real embedded model: the README's main command, shrunk."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, cli_env, run_cli
from tests.fakes.launch import FakeServer


@pytest.mark.slow
def test_readme_main_command_runs_the_embedded_model(tmp_path: Path) -> None:
    out = tmp_path / "local.parquet"
    r = run_cli(
        "local", "generate", "--config", str(ROOT / "experiments/baseline/local_smollm2.yaml"),
        "--max-queries", "2", "--output", str(out), "--quiet",
        env=cli_env(),  # no API key of any kind
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(out)
    assert len(df) == 4 and sorted(df.candidate_idx.unique()) == [0, 1]
    assert df.provider.eq("local").all() and df.error.isna().all()
    assert df.response.str.len().gt(0).all() and df.output_tokens.gt(0).all()
    assert df.is_verified.notna().all()  # math rows get a real verdict, right or wrong
    assert df.cost_usd.eq(0).all()
    # The prototype README's analysis code runs on it.
    df.groupby("split")["is_verified"].mean()
    df[df.candidate_idx == 0]["is_verified"].mean()
    df.groupby("query_id")["is_verified"].max().mean()


def test_local_with_base_url_uses_that_server_and_no_key(tmp_path: Path, openai_fake: FakeServer) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"dataset: {ROOT}/experiments/samples/math.jsonl\nmax_queries: 2\nnum_candidates: 3\n"
        f"output: {tmp_path}/o.parquet\nmodel: Qwen/Qwen2.5-7B-Instruct\n"
    )
    r = run_cli("local", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url, "--quiet",
                env=cli_env())
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "o.parquet")
    assert len(df) == 6 and df.provider.eq("local").all()
    reqs = [q for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]
    assert len(reqs) == 2 and all(q["body"]["n"] == 3 and "max_tokens" in q["body"] for q in reqs)
