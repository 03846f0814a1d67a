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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rich.console import Console

import common.checks.checker as checker_module
import verifiers
from common.pipeline.verify import verify
from common.store import OutputLock
from tests.conftest import ROOT, cli_env, not_a_results_file, write_config
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
    # The versions the verdicts are cached under: the declared number and the digest of the verifier's source.
    assert entry["verifier_versions"] == {s: verifiers.verifier_version(s) for s in SPLITS}
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




@pytest.mark.parametrize(("kind", "says"), [
    ("missing", "does not exist"),
    ("text", "cannot be read as Parquet"),
    ("directory", "is a directory, not a results Parquet file"),
    ("empty", "is empty, not a results Parquet file"),
    ("truncated", "cannot be read as Parquet"),
    ("not ours", "has no bestofn config in its metadata"),
])
def test_a_missing_or_damaged_file_gets_one_sentence(tmp_path: Path, made: Path, kind: str, says: str) -> None:
    path = not_a_results_file(kind, tmp_path, made / "out.parquet")
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

    # The file it made verifies again in place: no provider made its rows, so no judge is asked by default.
    r = _verify(str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert _summary(r)["judged"] == "0 (judge off)" and _summary(r)["verdicts changed vs the file"] == "0"
    assert len(json.loads(_metadata(out)["bestofn.verify_history"])) == 2 and openai_fake.request_count() == 0

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
    # A lone surrogate: JSON can spell it, Parquet cannot store it.
    ('{"id": "x1", "split": "math", "question": "1+1?", "response": "\\\\boxed{2} \\ud800"}',
     "has 'response' with text that is not valid Unicode"),
    ({"id": "x1", "split": "math", "question": "1+1?", "response": 2}, "has 'response' as a number, not a string"),
    ({"id": " ", "split": "math", "question": "1+1?", "response": "2"}, "has an empty 'id'"),
    # Lines sharing an id are one query: another question or split under the same id is a mistake, not merged.
    ({"id": "g0", "split": "math", "question": "What is 5 + 5?", "response": "\\boxed{10}", "ground_truth": "10"},
     "has id 'g0', which line 1 uses for another question"),
    ({"id": "g1", "split": "code", "question": "What is 1 + 1?", "response": "2"},
     "has id 'g1', which line 2 uses for split math"),
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


def test_a_bom_is_read_and_a_line_of_other_bytes_is_named_and_skipped(tmp_path: Path) -> None:
    good = [json.dumps({"id": f"g{i}", "split": "math", "question": f"What is {i} + {i}?",
                        "response": f"\\boxed{{{2 * i}}}", "ground_truth": str(2 * i)}).encode() for i in range(10)]
    latin1 = '{"id": "l1", "split": "math", "question": "Caf\u00e9?", "response": "\\\\boxed{1}"}'.encode("latin-1")
    src, out = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    src.write_bytes(b"\xef\xbb\xbf" + b"\n".join([good[0], latin1, *good[1:]]) + b"\n")
    r = _verify(str(src), "--output", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    warnings = [ln for ln in r.stderr.splitlines() if " line " in ln]
    assert len(warnings) == 1 and f"{src} line 2 is not UTF-8 text (byte 0xe9" in warnings[0], warnings
    assert _summary(r)["lines skipped (unusable)"] == "1 of 11"
    df = pd.read_parquet(out)
    assert sorted(df.query_id) == sorted(f"g{i}" for i in range(10)) and df.is_verified.all()


def test_tests_that_cannot_be_used_leave_the_row_unverified_not_wrong(tmp_path: Path) -> None:
    code = "```python\ndef f(x):\n    return x\n```"
    unusable = [[1, 2], {"inputs": ["1", "2"], "outputs": ["1"]}, {"test": "def check(candidate):\n    assert 1\n"}]
    rows = [{"id": f"c{i}", "split": "code", "question": "Write f(x).", "response": code, "tests": tests}
            for i, tests in enumerate(unusable)]
    src, out = _jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.parquet"
    r = _verify(str(src), "--output", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(out)
    assert len(df) == 3 and df.is_verified.isna().all() and df.confidence.isna().all(), df[
        ["query_id", "is_verified", "confidence", "verification_reason"]]


# ---- damaged, edited and linked results files ------------------------------------------------------------------


def _rewrite(src: Path, dst: Path, change: Any) -> Path:
    """`src` rewritten to `dst` through `change(table) -> table`, its metadata kept (as pyarrow writes it)."""
    table = pq.read_table(src)
    pq.write_table(change(table).replace_schema_metadata(table.schema.metadata), dst)
    return dst


def _null_first(column: str) -> Any:
    def change(table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index(column)
        values = table.column(i).to_pylist()
        values[0] = None
        field = table.schema.field(i).with_nullable(True)
        return table.set_column(i, field, pa.array(values, field.type))
    return change


@pytest.mark.parametrize("column", ["split", "query_id", "candidate_idx"])
def test_a_null_key_cell_is_named_as_damage(tmp_path: Path, made: Path, column: str) -> None:
    path = _rewrite(made / "out.parquet", tmp_path / "results.parquet", _null_first(column))
    before = _tree(tmp_path)
    for extra in ([], ["--output", str(tmp_path / "v.parquet")]):
        line = _refusal(_verify(str(path), "--no-judge", *extra, cwd=tmp_path))
        assert f"{path} is damaged: its column {column} has 1 empty (null) cell" in line
    assert _tree(tmp_path) == before


def test_a_bad_saved_config_names_its_key(tmp_path: Path, made: Path) -> None:
    def change(table: pa.Table) -> pa.Table:
        meta = dict(table.schema.metadata)
        config = json.loads(meta[b"bestofn.config"])
        config["judge_threshold"] = 1.5
        meta[b"bestofn.config"] = json.dumps(config).encode()
        return table.replace_schema_metadata(meta)

    path = tmp_path / "results.parquet"
    table = change(pq.read_table(made / "out.parquet"))
    pq.write_table(table, path)
    line = _refusal(_verify(str(path), cwd=tmp_path))
    assert "the saved config" in line and "'judge_threshold': Input should be less than or equal to 1 (got 1.5)" in line


def test_columns_the_user_added_are_kept_as_they_are(work: Path) -> None:
    out = work / "out.parquet"
    labels = {f"{q}/{i}": f"label {n}" for n, (q, i) in enumerate(zip(*(pd.read_parquet(out)[c] for c in (
        "query_id", "candidate_idx")), strict=True))}
    _rewrite(out, out, lambda t: t.append_column("my_label", pa.array(
        [labels[f"{q}/{i}"] for q, i in zip(t["query_id"].to_pylist(), t["candidate_idx"].to_pylist(),
                                             strict=True)])))
    r = _verify(str(out), "--no-judge", cwd=work)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(out)
    assert list(df.columns)[-1] == "my_label" and len(df) == ROWS
    assert all(labels[f"{q}/{i}"] == lab for q, i, lab in zip(df.query_id, df.candidate_idx, df.my_label, strict=True))
    assert "bestofn.verify_history" in _metadata(out)


def test_verify_through_a_symlink_updates_the_file_it_names(work: Path) -> None:
    real, link = work / "out.parquet", work / "link.parquet"
    link.symlink_to(real.name)
    r = _verify(str(link), "--no-judge", cwd=work)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == real.name
    assert "bestofn.verify_history" in _metadata(real)  # the target was rewritten, not replaced by a copy
    assert not list(work.glob(".*.tmp")) and not list(work.glob("*.lock"))


def test_a_zero_row_file_with_output_still_writes_the_output(tmp_path: Path, made: Path) -> None:
    path = _rewrite(made / "out.parquet", tmp_path / "empty.parquet", lambda t: t.slice(0, 0))
    out = tmp_path / "v.parquet"
    r = _verify(str(path), "--output", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Nothing to verify" in r.stderr and f"{out} is written with none" in r.stderr
    assert len(pd.read_parquet(out)) == 0 and _metadata(out)["bestofn.config"] == _metadata(path)["bestofn.config"]


def test_a_generate_that_extends_a_verified_file_keeps_its_history(work: Path, openai_fake: FakeServer) -> None:
    out = work / "out.parquet"
    assert _verify(str(out), "--no-judge", cwd=work).returncode == 0
    history = _metadata(out)["bestofn.verify_history"]
    r = _cli("openai", "generate", "--config", str(work / "c.yaml"), "--base-url", openai_fake.base_url,
             "--output", str(out), "--num-candidates", "3", "--quiet", cwd=work)  # a finished file, extended
    assert r.returncode == 0, r.stderr
    assert len(pd.read_parquet(out)) == ROWS * 3 // 2, r.stderr
    assert _metadata(out)["bestofn.verify_history"] == history


# ---- a generate that is running, or stopped before it finished ----------------------------------------------


def _parts_of(out: Path) -> Path:
    parts = out.with_name(out.name + ".parts")
    parts.mkdir()
    (parts / "manifest.json").write_text(json.dumps({"fingerprint": "f", "identity": {}, "parts": []}))
    return parts


@pytest.mark.parametrize("finished_before", [False, True])
def test_a_live_or_stopped_generate_is_named_and_its_checkpoints_are_never_to_be_removed(
    tmp_path: Path, made: Path, finished_before: bool
) -> None:
    out = tmp_path / "out.parquet"
    if finished_before:  # a generate extending a finished file
        shutil.copyfile(made / "out.parquet", out)
    parts = _parts_of(out)
    before = _tree(tmp_path)
    with OutputLock(out):  # this process stands in for the generate: the lock is what names it
        line = _refusal(_verify(str(out), cwd=tmp_path))
    assert line == (f"error: {out} is being written by another bestofn run (pid {os.getpid()}); wait for it to "
                    "finish, then run this again.")
    line = _refusal(_verify(str(out), cwd=tmp_path))  # the generate was killed: finish it, remove nothing
    assert "run that generate command again to finish it" in line and str(parts) in line
    assert "remove" not in line and "does not exist" not in line
    assert ("has an unfinished generate run" if finished_before else "is not written yet") in line
    assert _tree(tmp_path) == before


# ---- what the command line is given ---------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "says"), [
    (["--output", "o.jsonl"], "--output o.jsonl does not end in .parquet"),
    (["--output", "out.parquet.lock"], "--output out.parquet.lock has the name of one of bestofn's working files"),
    (["--output", ".v.parquet.tmp"], "has the name of one of bestofn's working files"),
    (["--output", "v.parquet.parts"], "has the name of one of bestofn's working files"),
    (["--output", "out.parquet.parts/v.parquet"], "is inside out.parquet.parts, a checkpoint folder"),
    (["--output", ""], "--output is empty"),
    (["--cache-dir", "afile"], "--cache-dir afile is a file; name a folder"),
    (["--cache-dir", "afile/sub"], "--cache-dir afile/sub is inside afile, which is a file"),
    (["--cache-dir", ""], "--cache-dir is empty"),
    (["--split", ",,,"], "--split ',,,' names no split"),
    (["--judge-model", ""], "--judge-model is empty"),
    (["--judge-provider", " "], "--judge-provider is empty"),
])
def test_options_that_name_nothing_usable_are_refused(work: Path, args: list[str], says: str) -> None:
    (work / "afile").write_text("a file")
    before = _tree(work)
    line = _refusal(_verify("out.parquet", *args, cwd=work))
    assert says in line, line
    assert _tree(work) == before


@contextmanager
def _read_only_mount(where: Path, fill: Any) -> Iterator[Path]:
    """A small file system of our own (the suite runs as root, so permissions alone stop nothing), filled by
    `fill(where)` and then remounted read-only."""
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)]).returncode:
        pytest.skip("needs a tmpfs mount (root)")
    try:
        fill(where)
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_read_only_input_folder_and_cache_are_read_and_the_output_written_elsewhere(work: Path) -> None:
    def fill(ro: Path) -> None:
        shutil.copyfile(work / "out.parquet", ro / "out.parquet")
        r = _verify(str(ro / "out.parquet"), "--output", str(work / "first.parquet"), "--cache-dir",
                    str(ro / "verdicts"), "--no-judge", cwd=work)  # the cache filled while it can be written
        assert r.returncode == 0, r.stderr

    with _read_only_mount(work / "ro", fill) as ro:
        out = work / "v.parquet"
        r = _verify(str(ro / "out.parquet"), "--output", str(out), "--cache-dir", str(ro / "verdicts"), "--no-judge",
                    cwd=work)
        assert r.returncode == 0, r.stderr
        s = _summary(r)
        assert (s["verdicts from cache"], s["verdicts recomputed"]) == (str(ROWS), "0")  # read, though read-only
        assert "read-only" in s["verdict cache"]
        assert len(pd.read_parquet(out)) == ROWS and sorted(os.listdir(ro)) == ["out.parquet", "verdicts"]
