"""`bestofn <provider> regen` under misuse, end to end through the CLI against the fake servers (issue: solid
under misuse): another provider or model is refused unless --allow-mixed (and then recorded), a split the
file lacks is named, a file that is not Parquet gets one sentence; nothing is written when refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import cli_env, not_a_results_file, run_cli, write_config
from tests.fakes.launch import FakeServer

MATH_RULES = [
    {"match": "What is 7 + 5?", "replies": ["Seven and five: \\boxed{12}"]},
    {"match": "Compute 12 * 3.", "replies": ["12*3 = \\boxed{36}"]},
]
CODE_RULE = {"match": "add_two", "replies": ["```python\ndef add_two(x):\n    return x + 2\n```"]}
OPENAI_MODEL = "gpt-5-mini"  # what the fake OpenAI server lists first, so what the file is made with


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, fake_openai: FakeServer) -> Path:
    """An OpenAI results file with math and code rows; query sample-math-002 errored, so regen has work."""
    fake_openai.reset()
    fake_openai.configure({"rules": [*MATH_RULES, CODE_RULE],
                           "fail_when_match": [{"match": "Compute 12", "status": 400, "message": "nope"}]})
    cfg = write_config(tmp_path_factory.mktemp("pristine") / "c.yaml", splits="math,code", max_queries=2,
                       verify=False, max_error_rate=1.0)
    r = run_cli("openai", "generate", "--config", str(cfg), "--base-url", fake_openai.base_url, "--quiet",
                env=cli_env(OPENAI_API_KEY="sk-test"))
    assert r.returncode == 0, r.stderr
    fake_openai.reset()
    out = cfg.parent / "out.parquet"
    df = pd.read_parquet(out)
    assert set(df.split) == {"math", "code"} and set(df[df.error.notna()].query_id) == {"sample-math-002"}
    assert df.provider.eq("openai").all() and df.model.eq(OPENAI_MODEL).all()
    return out


@pytest.fixture
def results(tmp_path: Path, pristine: Path) -> Path:
    out = tmp_path / "results.parquet"
    shutil.copyfile(pristine, out)
    return out


def _openai_regen(path: Path, fake: FakeServer, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("openai", "regen", str(path), "--base-url", fake.base_url, "--quiet", *extra,
                   env=cli_env(OPENAI_API_KEY="sk-test"))


def _claude_regen(path: Path, fake: FakeServer, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("claude", "regen", str(path), "--base-url", fake.base_url, "--quiet", *extra,
                   env=cli_env(ANTHROPIC_API_KEY="sk-ant-test"))


def _generation_requests(fake: FakeServer) -> list[dict]:
    return [r for r in fake.requests() if r["path"].endswith(("/chat/completions", "/responses", "/messages"))]


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` with its bytes (None for a folder): what a refused regen must leave alone."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


def _refusal(r: subprocess.CompletedProcess[str]) -> str:
    """The one sentence a refused regen prints: exit 2, no traceback, one error line."""
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and lines[0].endswith((".", "?")), r.stderr
    return lines[0]


def _metadata(path: Path) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in (pq.read_schema(path).metadata or {}).items()}


# ---- another provider or model --------------------------------------------------------------------


def test_regen_with_another_provider_is_refused(
    results: Path, openai_fake: FakeServer, anthropic_fake: FakeServer
) -> None:
    anthropic_fake.configure({"rules": MATH_RULES})
    before = _tree(results.parent)
    line = _refusal(_claude_regen(results, anthropic_fake, "--failed-only"))
    assert f"{results} was made with openai model {OPENAI_MODEL} but this regen asks for claude" in line
    assert "--allow-mixed" in line and "bestofn openai regen" in line
    assert _tree(results.parent) == before
    assert _generation_requests(anthropic_fake) == [] and _generation_requests(openai_fake) == []


def test_regen_with_another_model_is_refused(results: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES})
    before = _tree(results.parent)
    line = _refusal(_openai_regen(results, openai_fake, "--model", "gpt-4o-mini"))
    assert f"made with openai model {OPENAI_MODEL} but this regen asks for openai model gpt-4o-mini" in line
    assert "--allow-mixed" in line
    assert _tree(results.parent) == before
    assert _generation_requests(openai_fake) == []


def test_regen_without_model_reuses_the_files_model_and_passes(results: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES})
    meta_before = _metadata(results)
    r = _openai_regen(results, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(results)
    assert df.error.isna().all() and df.model.eq(OPENAI_MODEL).all() and df.provider.eq("openai").all()
    assert [b["body"]["model"] for b in _generation_requests(openai_fake)] == [OPENAI_MODEL]
    meta = _metadata(results)
    for key in ("bestofn.provider", "bestofn.config", "bestofn.fingerprint", "bestofn.run_id"):
        assert meta[key] == meta_before[key], key
    [entry] = json.loads(meta["bestofn.regen_history"])
    assert entry["provider"] == "openai" and entry["model"] == OPENAI_MODEL and entry["mixed"] is False


def test_allow_mixed_keeps_the_files_origin_and_records_each_regen(
    results: Path, openai_fake: FakeServer, anthropic_fake: FakeServer
) -> None:
    anthropic_fake.configure({"rules": MATH_RULES})
    openai_fake.configure({"rules": [*MATH_RULES, CODE_RULE]})
    before = pd.read_parquet(results)
    meta_before = _metadata(results)
    started = datetime.now(UTC).replace(microsecond=0)

    r = _claude_regen(results, anthropic_fake, "--allow-mixed")
    assert r.returncode == 0, r.stderr
    assert "temperature" not in r.stderr  # the file's setting, not the command line's: no warning about it
    r = _openai_regen(results, openai_fake, "--model", "gpt-4o-mini", "--split", "code", "--all", "--allow-mixed")
    assert r.returncode == 0, r.stderr
    finished = datetime.now(UTC)

    df = pd.read_parquet(results)
    assert len(df) == len(before) and df.error.isna().all()
    by_key = df.set_index(["query_id", "candidate_idx"])
    origin = {k: (row.provider, row.model) for k, row in by_key.iterrows()}
    claude_rows = {k for k in origin if k[0] == "sample-math-002"}
    code_rows = {k for k in origin if k[0].startswith("sample-code-")}
    assert len(claude_rows) == 2 and len(code_rows) == 4
    assert origin == {k: ("claude", "claude-sonnet-4-6") if k in claude_rows
                      else ("openai", "gpt-4o-mini") if k in code_rows
                      else ("openai", OPENAI_MODEL) for k in origin}
    # The file still says what it was generated with; each regen is a history entry naming its rows' run.
    meta = _metadata(results)
    for key in ("bestofn.provider", "bestofn.config", "bestofn.fingerprint", "bestofn.run_id", "bestofn.notes"):
        assert meta[key] == meta_before[key], key
    assert meta["bestofn.provider"] == "openai" and json.loads(meta["bestofn.config"])["model"] == OPENAI_MODEL
    history = json.loads(meta["bestofn.regen_history"])
    assert [(h["provider"], h["model"], h["rows"], h["mixed"]) for h in history] == [
        ("claude", "claude-sonnet-4-6", 2, True), ("openai", "gpt-4o-mini", 4, True)]
    assert history[0]["run_id"] == by_key.loc[list(claude_rows)].run_id.unique().item()
    assert history[1]["run_id"] == by_key.loc[list(code_rows)].run_id.unique().item()
    assert len({h["run_id"] for h in history} | {meta["bestofn.run_id"]}) == 3
    times = [datetime.fromisoformat(h["time"]) for h in history]
    assert started <= times[0] <= times[1] <= finished
    assert [b["body"]["model"] for b in _generation_requests(anthropic_fake)] == ["claude-sonnet-4-6"] * 2


# ---- splits ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("split", "unknown"), [("bogus", "bogus"), ("math,bogus", "bogus"),
                                                ("nope,code,bogus", "nope, bogus")])
def test_a_split_the_file_lacks_is_refused_naming_its_splits(
    results: Path, openai_fake: FakeServer, split: str, unknown: str
) -> None:
    openai_fake.configure({"rules": MATH_RULES})
    before = _tree(results.parent)
    line = _refusal(_openai_regen(results, openai_fake, "--split", split, "--all"))
    assert line.endswith(f"{results} has no split {unknown}; its splits are code, math."), line
    assert _tree(results.parent) == before
    assert _generation_requests(openai_fake) == []


# ---- not a Parquet file ------------------------------------------------------------------------------




@pytest.mark.parametrize(("kind", "says"), [
    ("text", "cannot be read as Parquet"),
    ("directory", "is a directory, not a results Parquet file"),
    ("empty", "is empty, not a results Parquet file"),
    ("truncated", "cannot be read as Parquet"),
])
def test_a_file_that_is_not_parquet_gets_one_sentence(
    tmp_path: Path, pristine: Path, openai_fake: FakeServer, kind: str, says: str
) -> None:
    path = not_a_results_file(kind, tmp_path, pristine)
    before = _tree(tmp_path)
    line = _refusal(_openai_regen(path, openai_fake, "--failed-only"))
    assert f"{path} {says}" in line
    assert _tree(tmp_path) == before
    assert openai_fake.request_count() == 0


# ---- a file reached through a symlink ------------------------------------------------------------------


def test_regen_keeps_columns_the_user_added(results: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES})
    table = pq.read_table(results)
    labels = [f"note {i}" for i in range(table.num_rows)]
    pq.write_table(table.append_column("my_label", pa.array(labels)), results)
    r = _openai_regen(results, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(results)
    assert df.error.isna().all() and df["my_label"].tolist() == labels  # each label still on its own row
    assert (df["regen_count"] > 0).any()


def test_regen_through_a_symlink_rewrites_the_file_it_names(results: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES})
    link = results.with_name("link.parquet")
    link.symlink_to(results.name)
    r = _openai_regen(link, openai_fake)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == results.name  # the link stays a link
    assert pd.read_parquet(results).error.isna().all() and "bestofn.regen_history" in _metadata(results)
    assert sorted(p.name for p in results.parent.iterdir()) == ["link.parquet", "results.parquet"]


def test_a_bad_saved_config_names_its_key(results: Path, openai_fake: FakeServer) -> None:
    table = pq.read_table(results)
    meta = dict(table.schema.metadata)
    config = json.loads(meta[b"bestofn.config"])
    config["judge_threshold"] = 1.5
    meta[b"bestofn.config"] = json.dumps(config).encode()
    pq.write_table(table.replace_schema_metadata(meta), results)
    line = _refusal(_openai_regen(results, openai_fake))
    assert f"{results}: the saved config" in line
    assert "'judge_threshold': Input should be less than or equal to 1 (got 1.5)" in line
