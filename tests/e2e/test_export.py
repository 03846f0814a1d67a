"""`bestofn export {dpo,rm,sft}` end to end: a results file made by the real CLI against the fake server,
exported, and read back with `datasets` in TRL's documented formats (TRL itself is not installed here)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from datasets import load_dataset

from tests.conftest import cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

RULES = [{"match": "What is 7 + 5?", "replies": ["Seven and five: \\boxed{12}", "I think \\boxed{13}",
                                                 "I'm sorry, but I can't help with that."]},
         {"match": "Compute 12 * 3.", "replies": ["12*3 = \\boxed{36}"]},
         {"match": "What is 100 - 37?", "replies": ["It is \\boxed{60}."]}]


@pytest.fixture
def results(tmp_path: Path, openai_fake: FakeServer) -> Path:
    openai_fake.configure({"rules": RULES})
    cfg = write_config(tmp_path / "c.yaml", num_candidates=3, persona="personas/marvin.txt")
    r = run_cli("openai", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url, "--quiet",
                env=cli_env(OPENAI_API_KEY="sk-test"))
    assert r.returncode == 0, r.stderr
    return tmp_path / "out.parquet"


def _export(*args: str):
    return run_cli("export", *args, "--quiet", env=cli_env())


def _messages(value: list) -> bool:
    return isinstance(value, list) and all(set(m) == {"role", "content"} for m in value)


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_dpo_pairs_a_verified_answer_with_a_wrong_one_never_a_refusal(results: Path, suffix: str) -> None:
    out = results.with_name("dpo" + suffix)
    r = _export("dpo", str(results), "-o", str(out))
    assert r.returncode == 0, r.stderr
    ds = load_dataset("parquet" if suffix == ".parquet" else "json", data_files=str(out), split="train")
    assert ds.column_names == ["prompt", "chosen", "rejected"] and len(ds) == 1  # only 7 + 5 has both
    row = ds[0]
    assert all(_messages(row[k]) for k in ds.column_names)
    assert row["prompt"][0]["role"] == "system" and "Marvin" in row["prompt"][0]["content"]
    assert row["prompt"][-1] == {"role": "user", "content": "What is 7 + 5?"}
    assert row["chosen"] == [{"role": "assistant", "content": "Seven and five: \\boxed{12}"}]
    assert row["rejected"] == [{"role": "assistant", "content": "I think \\boxed{13}"}]
    assert "rows written: 1 (dpo)" in r.stderr
    assert "queries without a row: no candidate verified wrong: 1" in r.stderr
    assert "queries without a row: no verified candidate: 1" in r.stderr


def test_refusals_are_rejected_answers_only_when_allowed(results: Path) -> None:
    out = results.with_name("dpo.jsonl")
    r = _export("dpo", str(results), "-o", str(out), "--allow-refusals", "--pairs-per-query", "3")
    assert r.returncode == 0, r.stderr
    rejected = [json.loads(line)["rejected"][0]["content"] for line in out.read_text().splitlines()]
    assert sorted(rejected) == ["I think \\boxed{13}", "I'm sorry, but I can't help with that."]


def test_rm_paired_unpaired_and_sft(results: Path) -> None:
    rm = results.with_name("rm.parquet")
    assert _export("rm", str(results), "-o", str(rm)).returncode == 0
    ds = load_dataset("parquet", data_files=str(rm), split="train")
    assert ds.column_names == ["chosen", "rejected"] and ds[0]["chosen"][-1]["role"] == "assistant"
    assert ds[0]["chosen"][:-1] == ds[0]["rejected"][:-1]  # the same prompt, as TRL's implicit-prompt form
    flat = results.with_name("rm_flat.parquet")
    assert _export("rm", str(results), "-o", str(flat), "--unpaired").returncode == 0
    df = pd.read_parquet(flat)
    assert list(df.columns) == ["prompt", "completion", "label"]
    assert sorted(df.label.tolist()) == [False] * 4 + [True] * 4  # 7 + 5: 1 + 1 (the refusal left out); 3 + 3 more
    sft = results.with_name("sft.jsonl")
    r = _export("sft", str(results), "-o", str(sft), "--pairs-per-query", "2")
    assert r.returncode == 0, r.stderr
    ds = load_dataset("json", data_files=str(sft), split="train")
    assert ds.column_names == ["messages"] and len(ds) == 3  # 7 + 5: one right answer; 12 * 3: two of three
    assert all(m["messages"][-1]["role"] == "assistant" for m in ds)


@pytest.mark.parametrize("args, says", [
    (["xml", "{results}", "-o", "{dir}/o.parquet"], "export format must be one of dpo, rm, sft"),
    (["dpo", "{results}", "-o", "{dir}/o.csv"], "must end in .parquet or .jsonl"),
    (["dpo", "{results}", "-o", "{results}"], "would overwrite the results file"),
    (["dpo", "{dir}/none.parquet", "-o", "{dir}/o.parquet"], "does not exist"),
    (["dpo", "{dir}/c.yaml", "-o", "{dir}/o.parquet"], "cannot be read as Parquet"),
    (["dpo", "{results}", "-o", "{dir}/o.parquet", "--pairs-per-query", "0"], "--pairs-per-query must be 1 or more"),
    (["sft", "{results}", "-o", "{dir}/o.parquet", "--unpaired"], "--unpaired applies to rm only"),
    (["dpo", "{results}", "-o", "{dir}/o.parquet", "--min-confidence", "2"], "between 0 and 1"),
])
def test_bad_export_arguments_are_one_sentence_and_exit_2(results: Path, args: list[str], says: str) -> None:
    filled = [a.format(results=results, dir=results.parent) for a in args]
    r = _export(*filled)
    assert r.returncode == 2 and says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (results.parent / "o.parquet").exists()
