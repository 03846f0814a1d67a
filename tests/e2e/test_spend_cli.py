"""Spending, through the real CLI and SDK against the fake server: max_cost_usd stops with exit 3 and every
finished query kept, a rerun with a higher limit finishes the job, --dry-run sends nothing, stop_when
(adaptive N) writes only the rounds it needed, and every row carries its cost."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from common.store import read_metadata
from tests.conftest import cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer


def _data(folder: Path, queries: int) -> Path:
    path = folder / "data.jsonl"
    with path.open("w") as f:
        for i in range(queries):
            f.write(json.dumps({"id": f"q{i:03d}", "split": "math", "question": f"What is {i} + {i}?",
                                "ground_truth": str(2 * i)}) + "\n")
    return path


def _generate(cfg: Path, fake: FakeServer, *extra: str):
    return run_cli("openai", "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet", *extra,
                   env=cli_env(OPENAI_API_KEY="sk-test"))


def test_max_cost_usd_stops_with_exit_3_and_a_higher_limit_finishes(tmp_path: Path, openai_fake: FakeServer) -> None:
    data = _data(tmp_path, 30)
    cfg = write_config(tmp_path / "c.yaml", dataset=str(data), max_queries=None, model="gpt-4o", verify=False,
                       concurrency=1, max_cost_usd=0.002)
    r = _generate(cfg, openai_fake)
    assert r.returncode == 3, r.stderr
    assert "stopped: stopped at max_cost_usd" in r.stderr and "run the same command to go on" in r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert 0 < df.query_id.nunique() < 30 and (df.groupby("query_id").size() == 2).all()
    one_query = df.groupby("query_id").cost_usd.sum().max()
    # The limit is passed by at most the one query that crosses it.
    assert df.cost_usd.gt(0).all() and 0.002 <= df.cost_usd.sum() <= 0.002 + one_query
    # The same limit again: reached already, nothing is sent.
    sent = len(openai_fake.requests())
    again = _generate(cfg, openai_fake)
    assert again.returncode == 3 and "nothing was generated" in again.stderr
    assert [q for q in openai_fake.requests()[sent:] if q["path"].endswith("/chat/completions")] == []
    # A lower limit than the output has cost: nothing is sent either.
    write_config(cfg, dataset=str(data), max_queries=None, model="gpt-4o", verify=False, concurrency=1,
                 max_cost_usd=0.001)
    sent = len(openai_fake.requests())
    lower = _generate(cfg, openai_fake)
    assert lower.returncode == 3 and "nothing was generated" in lower.stderr
    assert [q for q in openai_fake.requests()[sent:] if q["path"].endswith("/chat/completions")] == []
    write_config(cfg, dataset=str(data), max_queries=None, model="gpt-4o", verify=False, concurrency=1,
                 max_cost_usd=1.0)
    done = _generate(cfg, openai_fake)
    assert done.returncode == 0, done.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 60 and not df.duplicated(["query_id", "candidate_idx"]).any()
    assert f"cost of the output so far (USD): {df.cost_usd.sum():.4f} of max_cost_usd 1" in done.stderr


def test_an_unpriced_model_with_max_cost_usd_is_refused_before_any_work(tmp_path: Path,
                                                                      openai_fake: FakeServer) -> None:
    cfg = write_config(tmp_path / "c.yaml", model="my-finetune", max_cost_usd=5)
    r = _generate(cfg, openai_fake)
    assert r.returncode == 2 and "my-finetune ('model') has no listed price" in r.stderr and "price_file" in r.stderr
    assert not [q for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]
    prices = tmp_path / "prices.yaml"
    prices.write_text("models:\n  my-finetune: {input: 0.5, output: 1.5}\n")
    write_config(cfg, model="my-finetune", max_cost_usd=5, price_file=str(prices), verify=False)
    ok = _generate(cfg, openai_fake)
    assert ok.returncode == 0, ok.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    expected = (df.input_tokens * 0.5 + df.output_tokens * 1.5) / 1e6
    assert df.cost_usd.tolist() == pytest.approx(expected.tolist())


@pytest.mark.parametrize("bad, says", [
    ({"max_cost_usd": 0}, "'max_cost_usd'"),
    ({"max_cost_usd": True}, "give an amount in US dollars"),
    ({"price_file": "nope.yaml"}, "'price_file': file nope.yaml does not exist"),
    ({"stop_when": {"verified": 9}}, "verified is 9 but num_candidates is 2"),
    ({"stop_when": {"verifed": 1}}, "'stop_when.verifed'"),
    ({"stop_when": {"verified": 1}, "verify": False}, "needs verify: true"),
])
def test_bad_spend_keys_are_one_sentence_and_exit_2(tmp_path: Path, bad: dict, says: str) -> None:
    cfg = write_config(tmp_path / "c.yaml", **bad)
    r = run_cli("openai", "generate", "--config", str(cfg), "--dry-run", env=cli_env())
    assert r.returncode == 2 and says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_a_bad_price_file_names_the_entry(tmp_path: Path) -> None:
    prices = tmp_path / "p.yaml"
    prices.write_text("models:\n  gpt-5-mini: {input: 1, outptu: 2}\n")
    cfg = write_config(tmp_path / "c.yaml", price_file=str(prices))
    r = run_cli("openai", "generate", "--config", str(cfg), "--dry-run", env=cli_env())
    assert r.returncode == 2 and "'models.gpt-5-mini.outptu': unknown key" in r.stderr, r.stderr


def test_dry_run_needs_no_key_sends_nothing_and_counts_n_per_request(tmp_path: Path) -> None:
    data = _data(tmp_path, 40)
    cfg = write_config(tmp_path / "c.yaml", dataset=str(data), max_queries=None, num_candidates=8,
                       max_tokens=1000, max_cost_usd=0.2)
    openai = run_cli("openai", "generate", "--config", str(cfg), "--dry-run", "--quiet", env=cli_env())
    assert openai.returncode == 0, openai.stderr
    lines = dict(line.split(": ", 1) for line in openai.stderr.splitlines() if ": " in line)
    assert lines["model"] == "gpt-5-mini" and lines["requests (first turns)"] == "40 (1 per query)"
    assert lines["output tokens, at most (max_tokens each)"] == "320,000"
    cost = 320_000 * 2.0 / 1e6  # output dominates; input adds a little
    assert cost <= float(lines["cost, at most (USD, list price)"].lstrip("$")) < cost * 1.01
    assert "with --batch" in openai.stderr and "max_cost_usd" in lines
    claude = run_cli("claude", "generate", "--config", str(cfg), "--dry-run", "--quiet", env=cli_env())
    assert claude.returncode == 0 and "requests (first turns): 320 (8 per query)" in claude.stderr
    assert not (tmp_path / "out.parquet").exists()


def test_stop_when_writes_only_the_rounds_it_needed(tmp_path: Path, openai_fake: FakeServer) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in [
        {"id": "easy", "split": "math", "question": "What is 7 + 5?", "ground_truth": "12"},
        {"id": "hard", "split": "math", "question": "What is 100 - 37?", "ground_truth": "63"},
    ]) + "\n")
    # "easy" is answered right every time; "hard" wrong twice, then right.
    openai_fake.configure({"rules": [
        {"match": "What is 7 + 5?", "replies": ["\\boxed{12}"]},
        {"match": "What is 100 - 37?", "replies": ["\\boxed{60}", "\\boxed{61}", "\\boxed{63}"]},
    ]})
    cfg = write_config(tmp_path / "c.yaml", dataset=str(data), max_queries=None, num_candidates=8,
                       n_per_request=1, stop_when={"verified": 1, "need_pair": False})
    r = _generate(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    sizes = df.groupby("query_id").size().to_dict()
    assert sizes["easy"] == 1 and 1 <= sizes["hard"] <= 8
    assert df.groupby("query_id").is_verified.any().all()
    summary = json.loads(read_metadata(tmp_path / "out.parquet")["bestofn.summary"])
    assert summary["candidates_saved"] == 16 - len(df)
    assert "candidates saved by stop_when" in r.stderr
    # Resume: both queries are satisfied, so nothing more is asked.
    sent = len(openai_fake.requests())
    again = _generate(cfg, openai_fake)
    assert again.returncode == 0 and len(pd.read_parquet(tmp_path / "out.parquet")) == len(df)
    assert [q for q in openai_fake.requests()[sent:] if q["path"].endswith("/chat/completions")] == []
