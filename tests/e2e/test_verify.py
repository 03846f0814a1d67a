"""`bestofn verify`: the checks again over a results file's rows (in place or to --output) or over a JSONL of
outside responses, with the verdict cache in front of the verifiers. End to end through the real CLI against
the fake OpenAI server (the judge), the real sandbox for code, and in-process where the verifier's calls are
counted."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from rich.console import Console

import common.checks.checker as checker_module
import verifiers
from common.pipeline.verify import verify
from tests.conftest import ROOT, cli_env, write_config
from tests.fakes.launch import FakeServer

JUDGE_YES = '{"reasoning": "sensible calls, answer uses the result", "is_correct": true, "confidence": 0.8}'
# Every candidate's answer differs from its sibling's (text or calls), so each row has a verdict of its own.
RULES = [
    {"match": "Task type", "replies": [JUDGE_YES]},
    {"match": "What is 7 + 5?", "replies": ["Seven and five: \\boxed{12}", "Surely \\boxed{13}"]},
    {"match": "Compute 12 * 3.", "replies": ["12*3 = \\boxed{36}", "That is \\boxed{36}."]},
    {"match": "add_two", "replies": ["```python\ndef add_two(x):\n    return x + 2\n```",
                                     "```python\ndef add_two(x):\n    return 2 + x\n```"]},
    {"match": "is_even", "replies": ["```python\ndef is_even(n):\n    return n % 2 == 1\n```",
                                     "```python\ndef is_even(n):\n    return n % 2 != 0\n```"]},
    {"match": "weather like in Paris", "replies": [
        {"turns": [{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
                   "In Paris: {tool_result}"]},
        {"turns": [{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}]},
                   "In Paris: {tool_result}"]},
    ]},
    {"match": "Convert 5 miles", "replies": [
        {"turns": [{"tool_calls": [{"name": "convert_units", "arguments": '{"value": 5, '}]}, "5 miles is 8 km"]},
        {"turns": [{"tool_calls": [{"name": "convert_units", "arguments": '{"value": 5'}]}, "5 miles is 8 km"]},
    ]},
]
SPLITS = ("code", "math", "tool_calling")
ROWS = 12  # 2 queries x 2 candidates x 3 splits


def _cli(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """The real command line, run from `cwd`: the default verdict cache is `cwd`/.bestofn_cache/verdicts."""
    return subprocess.run([sys.executable, str(ROOT / "bestofn.py"), *args], cwd=cwd,
                          env=cli_env(OPENAI_API_KEY="sk-test"), capture_output=True, text=True, timeout=timeout)


def _verify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _cli("verify", *args, "--quiet", cwd=cwd)


def _summary(r: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in r.stderr.splitlines() if ": " in line and not line[:4].isdigit())


def _refusal(r: subprocess.CompletedProcess[str]) -> str:
    """The one sentence a refused verify prints: exit 2, no traceback, one error line."""
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and lines[0].endswith((".", "?")), r.stderr
    return lines[0]


def _frame(path: Path) -> pd.DataFrame:
    """The rows, in key order; `judge_cached` says whether the judge answered from its cache this time."""
    df = pd.read_parquet(path).drop(columns=["judge_cached"])
    return df.sort_values(["query_id", "candidate_idx"]).reset_index(drop=True)


def _metadata(path: Path) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in (pq.read_schema(path).metadata or {}).items()}


def _tree(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


def _chats(fake: FakeServer) -> list[dict[str, Any]]:
    return [r["body"] for r in fake.requests() if r["path"].endswith("/chat/completions")]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, fake_openai: FakeServer) -> Path:
    """A folder with a results file (math, code, tool calling; the tool rows judged) and the verdict cache
    the generate that made it filled."""
    folder = tmp_path_factory.mktemp("made")
    fake_openai.reset()
    fake_openai.configure({"rules": RULES})
    cfg = write_config(folder / "c.yaml", splits=",".join(SPLITS), max_queries=2, num_candidates=2)
    r = _cli("openai", "generate", "--config", str(cfg), "--base-url", fake_openai.base_url, "--quiet", cwd=folder)
    assert r.returncode == 0, r.stderr
    fake_openai.reset()
    df = pd.read_parquet(folder / "out.parquet")
    assert len(df) == ROWS and df.error.isna().all() and not df.is_refusal.any()
    assert set(df.split) == set(SPLITS) and df.is_verified.notna().all()
    assert df.judge_model.notna().sum() == 2  # Paris: valid calls, no reference, so the judge decided
    return folder


@pytest.fixture
def work(tmp_path: Path, made: Path, openai_fake: FakeServer) -> Path:
    """A copy of `made` (results file and verdict cache) for one test; the fake answers as it did."""
    openai_fake.configure({"rules": RULES})
    shutil.copytree(made, tmp_path / "w")
    return tmp_path / "w"


# ---- a results file ------------------------------------------------------------------------------------


def test_in_place_right_after_generate_every_verdict_comes_from_the_cache(work: Path, openai_fake: FakeServer) -> None:
    out = work / "out.parquet"
    before, meta_before = _frame(out), _metadata(out)
    r = _verify(str(out), cwd=work)
    assert r.returncode == 0, r.stderr
    s = _summary(r)
    assert (s["rows"], s["rows checked"], s["verdicts from cache"], s["verdicts recomputed"]) == ("12", "12", "12", "0")
    assert s["verdicts changed vs the file"] == "0" and s["judged"] == "2 (2 from the judge's cache)"
    pd.testing.assert_frame_equal(_frame(out), before)
    assert _chats(openai_fake) == []  # nothing generated, nothing asked of the judge again
    meta = _metadata(out)
    assert {k: v for k, v in meta.items() if k != "bestofn.verify_history"} == meta_before
    [entry] = json.loads(meta["bestofn.verify_history"])
    assert entry["splits"] == list(SPLITS) and entry["judge"] is True
    assert entry["verifier_versions"] == verifiers.VERIFIER_VERSIONS
    assert not list(work.glob(".*.tmp")) and not (work / "out.parquet.lock").exists()


def test_output_and_split_check_only_those_rows_and_leave_the_input_alone(work: Path) -> None:
    out, other = work / "out.parquet", work / "sub" / "code_only.parquet"
    original = out.read_bytes()
    r = _verify(str(out), "--split", "code", "--output", str(other), cwd=work)
    assert r.returncode == 0, r.stderr
    s = _summary(r)
    assert (s["rows"], s["rows checked"], s["verdicts from cache"], s["verdicts recomputed"]) == ("12", "4", "4", "0")
    assert "split code" in s and "split math" not in s
    assert out.read_bytes() == original
    pd.testing.assert_frame_equal(_frame(other), _frame(out))
    assert json.loads(_metadata(other)["bestofn.verify_history"])[0]["splits"] == ["code"]

    line = _refusal(_verify(str(out), "--split", "code,nope", cwd=work))
    assert line.endswith(f"{out} has no split nope; its splits are code, math, tool_calling.")
    assert out.read_bytes() == original


def test_no_judge_keeps_the_local_verdicts_only(work: Path, openai_fake: FakeServer) -> None:
    out = work / "out.parquet"
    r = _verify(str(out), "--no-judge", cwd=work)
    assert r.returncode == 0, r.stderr
    assert _summary(r)["judged"] == "0 (judge off)" and _summary(r)["verdicts changed vs the file"] == "2"
    df = pd.read_parquet(out)
    assert df.judge_model.isna().all()
    paris = df[df.query_id == "sample-tool-calling-001"]
    assert paris.is_verified.isna().all() and (paris.verification_reason == "schema_valid").all()
    assert openai_fake.request_count() == 0
    line = _refusal(_verify(str(out), "--no-judge", "--judge-model", "x", cwd=work))
    assert "--no-judge" in line


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every verifier call, by split, through the checker's entry point."""
    calls: list[str] = []
    real = checker_module.verify_candidate

    def counting(split: str, *args: Any) -> Any:
        calls.append(split)
        return real(split, *args)

    monkeypatch.setattr(checker_module, "verify_candidate", counting)
    return calls


def test_a_rerun_asks_no_verifier_and_a_version_bump_recomputes_only_its_split(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bestofn

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    calls = _counting(monkeypatch)
    out, cache = work / "out.parquet", work / "fresh_cache"
    before = _frame(out)

    def run() -> tuple[Any, pd.DataFrame]:
        counts = verify(bestofn.PROVIDERS, out, cache_dir=cache, quiet=True, console=Console(file=io.StringIO()))
        return counts, _frame(out)

    first, after_first = run()  # an empty cache: every row's verifier runs
    assert (first.checked, first.from_cache, first.recomputed, first.changed) == (ROWS, 0, ROWS, 0)
    assert sorted(calls) == sorted(s for s in SPLITS for _ in range(4))
    calls.clear()
    second, after_second = run()
    assert calls == [] and (second.from_cache, second.recomputed, second.changed) == (ROWS, 0, 0)
    monkeypatch.setitem(verifiers.VERIFIER_VERSIONS, "math", "test-bump")
    third, after_third = run()
    assert calls == ["math"] * 4 and (third.from_cache, third.recomputed) == (ROWS - 4, 4)
    calls.clear()
    fourth, _ = run()  # the new version's verdicts are cached in their turn
    assert calls == [] and fourth.from_cache == ROWS
    # From the cache the rows are exactly what the run that computed them wrote; computed again they differ
    # from the file's only in how long the code took to run.
    pd.testing.assert_frame_equal(after_second, after_first)
    pd.testing.assert_frame_equal(after_third, after_first)
    untimed = [frame.assign(verification_details=frame.verification_details.str.replace(
        r', "runtime_s": [0-9.]+', "", regex=True)) for frame in (after_first, before)]
    pd.testing.assert_frame_equal(*untimed)
    assert len(json.loads(_metadata(out)["bestofn.verify_history"])) == 4


def _caught_mid_way(work: Path, fake: FakeServer, judge_model: str) -> subprocess.Popen[str]:
    """A verify of work/out.parquet started and caught while it waits for the (slow) judge."""
    fake.reset()
    fake.configure({"rules": RULES, "latency_s": 60})
    # Another judge model than the file's: its verdicts are not in the judge's cache, so it is asked.
    cmd = [sys.executable, str(ROOT / "bestofn.py"), "verify", str(work / "out.parquet"), "--judge-model",
           judge_model, "--quiet"]
    proc = subprocess.Popen(cmd, cwd=work, env=cli_env(OPENAI_API_KEY="sk-test"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not _chats(fake):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the verify never asked the judge"
            time.sleep(0.1)
        assert (work / ".out.parquet.tmp").exists()  # the new file is being written beside the old one
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc


def test_kill_9_mid_verify_loses_nothing_and_concurrent_runs_are_refused(
    work: Path, openai_fake: FakeServer
) -> None:
    out = work / "out.parquet"
    original = out.read_bytes()
    proc = _caught_mid_way(work, openai_fake, "slow-judge")
    try:
        url = ["--base-url", openai_fake.base_url]
        for args in (["verify", str(out)], ["openai", "regen", str(out), "--all", *url],
                     ["openai", "generate", "--config", str(work / "c.yaml"), "--output", str(out), *url]):
            line = _refusal(_cli(*args, "--quiet", cwd=work))
            assert f"{out} is being written by another bestofn run (pid {proc.pid})" in line
    finally:
        proc.kill()
        proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -9
    assert out.read_bytes() == original  # untouched until an atomic replace that never came
    openai_fake.update({"latency_s": 0})
    r = _verify(str(out), cwd=work)  # the stale lock file of the killed run blocks nothing
    assert r.returncode == 0, r.stderr
    assert not (work / ".out.parquet.tmp").exists()


def test_ctrl_c_mid_verify_leaves_the_file_as_it_was(work: Path, openai_fake: FakeServer) -> None:
    out = work / "out.parquet"
    original = out.read_bytes()
    proc = _caught_mid_way(work, openai_fake, "interrupted-judge")
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    openai_fake.update({"latency_s": 0})
    assert proc.returncode == 130, err
    assert "Interrupted. The file is as it was and the verdicts reached so far are cached; resume with:" in err
    assert "Traceback" not in err
    assert out.read_bytes() == original
    assert not (work / ".out.parquet.tmp").exists() and not (work / "out.parquet.lock").exists()


def _make(kind: str, folder: Path, pristine: Path) -> Path:
    path = folder / "results.parquet"
    if kind == "text":
        path.write_text("query_id,response\nq1,hello\n")
    elif kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        data = pristine.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "not ours":
        pd.DataFrame({"query_id": ["q1"], "response": ["hi"]}).to_parquet(path)
    return path


@pytest.mark.parametrize(("kind", "says"), [
    ("missing", "does not exist"),
    ("text", "cannot be read as Parquet"),
    ("directory", "is a directory, not a results Parquet file"),
    ("empty", "is empty, not a results Parquet file"),
    ("truncated", "cannot be read as Parquet"),
    ("not ours", "has no bestofn config in its metadata"),
])
def test_a_missing_or_damaged_file_gets_one_sentence(tmp_path: Path, made: Path, kind: str, says: str) -> None:
    path = _make(kind, tmp_path, made / "out.parquet")
    before = _tree(tmp_path)
    line = _refusal(_verify(str(path), cwd=tmp_path))
    assert f"{path} {says}" in line
    assert _tree(tmp_path) == before


# ---- outside responses ----------------------------------------------------------------------------------

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
HUMANEVAL = {"test": "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-1) == 1\n",
             "entry_point": "square"}
OUTSIDE: list[dict[str, Any]] = [
    {"id": "m1", "split": "math", "question": "What is 7 + 5?", "response": "It is \\boxed{12}.", "ground_truth": "12"},
    {"id": "m1", "split": "math", "question": "What is 7 + 5?", "response": "It is \\boxed{11}.", "ground_truth": "12"},
    {"id": "m2", "split": "math", "question": "Half of 9?", "response": "{\"answer\": \"4.5\"}", "final_answer": "4.5",
     "ground_truth": 4.5},
    {"id": "c1", "split": "code", "question": "Write square(x).", "tests": HUMANEVAL, "language": "python",
     "response": "```python\ndef square(x):\n    return x * x\n```"},
    {"id": "c1", "split": "code", "question": "Write square(x).", "tests": HUMANEVAL, "language": "python",
     "response": "```python\ndef square(x):\n    return x + x\n```"},
    {"id": "t1", "split": "tool_calling", "question": "Weather in Oslo?", "tools": [WEATHER],
     "tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}], "response": "Sunny in Oslo.",
     "reference_calls": [{"get_weather": {"city": ["Oslo", "oslo"]}}]},
    {"id": "t2", "split": "tool_calling", "question": "Weather in Rome?", "tools": [WEATHER],
     "tool_calls": [{"function": {"name": "get_weather", "arguments": "{\"city\": \"Rome\"}"}}],
     "response": "Rome is warm."},
]


def _jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_outside_responses_become_verified_rows(tmp_path: Path, openai_fake: FakeServer) -> None:
    src, out = _jsonl(tmp_path / "theirs.jsonl", OUTSIDE), tmp_path / "labelled.parquet"
    r = _verify(str(src), "--output", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = _summary(r)
    assert (s["rows"], s["verdicts from cache"], s["verdicts recomputed"]) == ("7", "0", "7")
    assert s["judged"] == "0 (judge off)" and s["lines skipped (unusable)"] == "0 of 7"
    df = pd.read_parquet(out).set_index(["query_id", "candidate_idx"])
    assert list(df.index) == [("m1", 0), ("m1", 1), ("m2", 0), ("c1", 0), ("c1", 1), ("t1", 0), ("t2", 0)]
    verdicts = {k: (row.is_verified, row.verification_reason) for k, row in df.iterrows()}
    assert verdicts[("m1", 0)][0] is True and verdicts[("m1", 1)][0] is False and verdicts[("m2", 0)][0] is True
    assert verdicts[("c1", 0)][0] is True and verdicts[("c1", 1)] == (False, "wrong_answer")  # the real sandbox
    assert verdicts[("t1", 0)] == (True, "reference_match")
    assert pd.isna(verdicts[("t2", 0)][0]) and verdicts[("t2", 0)][1] == "schema_valid"  # only a judge decides it
    assert (df.provider == "external").all() and (df.model == "").all() and (df.max_tokens == 0).all()
    assert df.input_tokens.isna().all() and df.cost_usd.isna().all() and df.finish_reason.isna().all()
    assert df.loc[("m2", 0)].ground_truth == "4.5" and df.loc[("t1", 0)].num_tool_calls == 1
    assert json.loads(df.loc[("t2", 0)].tool_calls) == [{"name": "get_weather", "arguments": "{\"city\": \"Rome\"}"}]
    assert json.loads(df.loc[("c1", 0)].query_metadata)["tests"] == HUMANEVAL
    assert len(df.run_id.unique()) == 1 and _metadata(out)["bestofn.provider"] == "external"
    assert openai_fake.request_count() == 0

    # Again, with a judge named: the verifiers' verdicts come from the cache, the open tool row is judged.
    openai_fake.configure({"rules": RULES[:1]})
    r = _verify(str(src), "--output", str(out), "--judge-provider", "openai", "--judge-base-url",
                openai_fake.base_url, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = _summary(r)
    assert (s["verdicts from cache"], s["verdicts recomputed"]) == ("7", "0")
    assert s["judged"] == "1 (0 from the judge's cache)"
    t2 = pd.read_parquet(out).set_index(["query_id", "candidate_idx"]).loc[("t2", 0)]
    assert t2.is_verified == True and t2.verification_method == "tool_schema+llm_judge"  # noqa: E712
    # The project's own analysis reads it like any results file.
    report = subprocess.run([sys.executable, str(ROOT / "inspect_experiment.py"), str(out), "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr


@pytest.mark.parametrize(("line", "says"), [
    ('{"id": "x1", "split": "math", "question": "1+1?", "response": "2"', "is not valid JSON"),
    ('["id", "x1"]', "is a list, not a JSON object"),
    ({"id": "x1", "split": "math", "question": "1+1?"}, "has no 'response'"),
    ({"id": "x1", "split": "math", "question": "1+1?", "response": "2", "ground_truht": "2"},
     "has an unknown key 'ground_truht'"),
    ({"id": "x1", "split": "math", "question": "1+1?", "response": {"text": "2"}}, "has 'response' as an object"),
    ({"id": "x1", "split": "math", "question": "  ", "response": "2"}, "has an empty question"),
    ({"id": "x1", "split": "code", "question": "f?", "response": "2", "tests": "{not json"},
     "cannot be used: tests is not valid JSON"),
    ({"id": "x1", "split": "tool_calling", "question": "Weather?", "response": "ok", "tools": [WEATHER],
      "tool_calls": [{"arguments": {}}]}, "has a tool call (#0) without a name"),
])
def test_a_bad_line_is_named_and_skipped(tmp_path: Path, line: Any, says: str) -> None:
    good = [{"id": f"g{i}", "split": "math", "question": f"What is {i} + {i}?", "response": f"\\boxed{{{2 * i}}}",
             "ground_truth": str(2 * i)} for i in range(10)]
    src, out = _jsonl(tmp_path / "in.jsonl", [*good[:2], line, *good[2:]]), tmp_path / "out.parquet"
    r = _verify(str(src), "--output", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr  # 1 of 11 is within max_error_rate (10%)
    warnings = [ln for ln in r.stderr.splitlines() if " line " in ln]
    assert len(warnings) == 1 and f"{src} line 3 {says}" in warnings[0] and warnings[0].endswith("; skipped."), warnings
    assert _summary(r)["lines skipped (unusable)"] == "1 of 11"
    assert pd.read_parquet(out).is_verified.all() and len(pd.read_parquet(out)) == 10


def test_too_many_bad_lines_exit_1_after_writing_the_rest_and_none_usable_is_refused(tmp_path: Path) -> None:
    rows = [{"id": "a", "split": "math", "question": "1+1?", "response": "\\boxed{2}", "ground_truth": "2"},
            "not json", {"id": "b", "split": "math", "question": "2+2?", "response": "\\boxed{4}", "ground_truth": "4"}]
    src, out = _jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.parquet"
    r = _verify(str(src), "--output", str(out), cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert f"1 of 3 lines of {src} (33%) could not be used, more than max_error_rate 10%" in r.stderr
    assert len(pd.read_parquet(out)) == 2
    assert _verify(str(src), "--output", str(out), "--max-error-rate", "0.5", cwd=tmp_path).returncode == 0

    bad = _jsonl(tmp_path / "bad.jsonl", ["nope", "[]"])
    r = _verify(str(bad), "--output", str(tmp_path / "none.parquet"), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    *named, line = r.stderr.strip().splitlines()  # each bad line named, then the one error
    assert len(named) == 2 and line.startswith(f"error: {bad} has no usable response line; line 1 is not valid JSON")
    assert not (tmp_path / "none.parquet").exists()
    line = _refusal(_verify(str(src), cwd=tmp_path))
    assert line == f"error: {src} is a JSONL of responses; name the Parquet file to write with --output."


def test_the_verdict_cache_lives_where_the_user_says(tmp_path: Path) -> None:
    src = _jsonl(tmp_path / "in.jsonl", OUTSIDE[:3])
    elsewhere = tmp_path / "my_cache"
    for expected in ("0", "3"):
        r = _verify(str(src), "--output", str(tmp_path / "o.parquet"), "--cache-dir", str(elsewhere), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert _summary(r)["verdicts from cache"] == expected and _summary(r)["verdict cache"] == str(elsewhere)
    assert not (tmp_path / ".bestofn_cache").exists() and os.listdir(elsewhere)


def test_help_says_what_verify_reads_and_writes(tmp_path: Path) -> None:
    r = _cli("verify", "--help", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    for needle in ("JSONL of outside responses", "becomes query_id", "--no-judge", "--cache-dir", "--output",
                   "checked locally only unless --judge-provider", "kill -9"):
        assert needle in text, needle
