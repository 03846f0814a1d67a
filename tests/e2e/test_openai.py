"""`bestofn openai generate|regen` end to end: the real CLI, the official SDK, a fake server on the wire."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT, cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

MATH_RULES = [
    {"match": "What is 7 + 5?", "replies": ["Seven and five: \\boxed{12}", "I think \\boxed{13}"]},
    {"match": "Compute 12 * 3.", "replies": ["12*3 = \\boxed{36}"]},
    {"match": "What is 100 - 37?", "replies": ["The answer is 63."]},
]


def _env() -> dict[str, str]:
    return cli_env(OPENAI_API_KEY="sk-test")


def _generate(cfg: Path, fake: FakeServer, *extra: str, env: dict[str, str] | None = None):
    return run_cli("openai", "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet", *extra,
                   env=env or _env())


def _chat_requests(fake: FakeServer) -> list[dict]:
    return [r for r in fake.requests() if r["path"].endswith("/chat/completions")]


# Which scripted reply is right, decided here by reading it, not by the verifier.
REPLY_IS_RIGHT = {"Seven and five: \\boxed{12}": True, "I think \\boxed{13}": False,
                  "12*3 = \\boxed{36}": True, "The answer is 63.": True}
# The wrong reply first, so the first candidate's pass rate and best-of-N differ.
WRONG_FIRST_RULES = [{**MATH_RULES[0], "replies": MATH_RULES[0]["replies"][::-1]}, *MATH_RULES[1:]]


def _scripted_verdicts(rules: list[dict], n: int) -> dict[tuple[str, int], bool]:
    """(query_id, candidate_idx) -> right?, from the fake's rule: candidate i of a query gets reply i (mod len),
    the n candidates of a query come from one request, and sample-math-00k asks rule k's question."""
    return {(f"sample-math-{k:03d}", i): REPLY_IS_RIGHT[rule["replies"][i % len(rule["replies"])]]
            for k, rule in enumerate(rules, 1) for i in range(n)}


def test_generate_verifies_math_and_writes_analysable_parquet(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": WRONG_FIRST_RULES})
    cfg = write_config(tmp_path / "c.yaml", notes="first e2e run")
    r = _generate(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out.parquet"
    df = pd.read_parquet(out)
    assert len(df) == 6 and not df.duplicated(["query_id", "candidate_idx"]).any()
    # n candidates in one request per query: the prompt is billed once.
    reqs = _chat_requests(openai_fake)
    assert len(reqs) == 3 and all(req["body"]["n"] == 2 for req in reqs)
    verdict = df.set_index(["query_id", "candidate_idx"])["is_verified"].to_dict()
    assert verdict[("sample-math-001", 0)] is True or verdict[("sample-math-001", 1)] is True
    assert sorted([verdict[("sample-math-001", 0)], verdict[("sample-math-001", 1)]]) == [False, True]
    assert verdict[("sample-math-002", 0)] and verdict[("sample-math-002", 1)]
    assert verdict[("sample-math-003", 0)] and verdict[("sample-math-003", 1)]
    assert (df.verification_method != "none").all()
    assert df.input_tokens.notna().all() and df.output_tokens.gt(0).all()
    assert df.provider.eq("openai").all() and df.model.eq("gpt-5-mini").all()
    meta = pq.read_schema(out).metadata
    assert json.loads(meta[b"bestofn.config"])["num_candidates"] == 2
    assert meta[b"bestofn.notes"] == b"first e2e run"
    assert "openai" in json.loads(meta[b"bestofn.versions"])
    # The prototype README's analysis code, unchanged.
    print(df.groupby("split")["is_verified"].mean())
    first_pass = df[df.candidate_idx == 0]["is_verified"].mean()
    best_of_n = df.groupby("query_id")["is_verified"].max().mean()
    print(f"First: {first_pass:.1%} → Best-of-N: {best_of_n:.1%}")
    print(df[["quality_completeness_score", "quality_is_substantive"]].describe())
    # Its numbers, against what the scripted replies make them: 5 of 6 right; the first candidate of
    # query 1 is the wrong one, so 2 of 3 first candidates are right; every query has a right one.
    expected = _scripted_verdicts(WRONG_FIRST_RULES, 2)
    assert set(expected.values()) == {True, False}
    assert {k: REPLY_IS_RIGHT[r] for k, r in zip(zip(df.query_id, df.candidate_idx, strict=True), df.response,
                                                    strict=True)} == expected  # each row got its reply
    assert verdict == expected
    by_split = df.groupby("split")["is_verified"].mean()
    assert list(by_split.index) == ["math"]
    assert by_split["math"] == pytest.approx(sum(expected.values()) / len(expected)) == pytest.approx(5 / 6)
    assert first_pass == pytest.approx(2 / 3)
    assert first_pass == pytest.approx(sum(v for (_, i), v in expected.items() if i == 0) / 3)
    assert best_of_n == 1.0


JUDGE_YES = '{"reasoning": "calls the weather tool for Paris", "is_correct": true, "confidence": 0.8}'
WEATHER_CALL = {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}


def test_code_runs_in_the_sandbox_and_tool_calls_go_to_the_judge(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": [
        {"match": "Task type: tool calling", "replies": [JUDGE_YES]},
        {"match": "weather like in Paris", "replies": [WEATHER_CALL]},
        {"match": "add_two", "replies": ["```python\ndef add_two(x):\n    return x + 2\n```"]},
    ]})
    cfg = write_config(tmp_path / "c.yaml", splits="code,tool_calling", max_queries=2)
    first = _generate(cfg, openai_fake)
    assert first.returncode == 0, first.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert set(df.split) == {"code", "tool_calling"}
    # The judge's calls, tokens and cost are in the summary, priced as the model it is.
    assert "judge calls (errors)" in first.stderr and "judge cost (USD, list price)" in first.stderr
    meta = json.loads(pq.read_schema(tmp_path / "out.parquet").metadata[b"bestofn.summary"])
    assert 1 <= meta["judge"]["calls"] <= 4 and meta["judge"]["cost_usd"] > 0
    # Code rows are run against their tests in a sandbox: the right function passes, "42" does not.
    code = df[df.split == "code"].set_index("query_id")
    assert code.loc["sample-code-001"].is_verified.all()
    assert not code.loc["sample-code-002"].is_verified.any()
    # Tool rows: tool definitions travel with every turn of each candidate's loop (a first request with
    # n=2 for both queries, then one follow-up per candidate that called a tool), the calls are recorded,
    # the schema checks pass and the judge decides.
    tool_requests = [r["body"] for r in _chat_requests(openai_fake) if r["body"].get("tools")]
    assert sorted(b["n"] for b in tool_requests) == [1, 1, 2, 2]
    paris = df[df.query_id == "sample-tool-calling-001"]
    assert paris.tool_calls.str.contains("get_weather").all()
    assert paris.is_verified.all() and paris.verification_method.eq("tool_schema+llm_judge").all()
    assert paris.judge_model.eq("gpt-5-mini").all() and paris.local_method.eq("tool_schema").all()
    judge_calls = [r for r in _chat_requests(openai_fake) if "Task type: tool calling" in json.dumps(r["body"])]
    assert 1 <= len(judge_calls) <= 4  # identical candidates share one verdict
    # A rerun reads the judge's verdicts from its disk cache: no judge request at all.
    openai_fake.reset()
    openai_fake.configure({"rules": [{"match": "weather like in Paris", "replies": [WEATHER_CALL]}]})
    assert _generate(cfg, openai_fake, "--overwrite").returncode == 0
    again = pd.read_parquet(tmp_path / "out.parquet")
    assert again[again.query_id == "sample-tool-calling-001"].judge_cached.all()
    assert not [r for r in _chat_requests(openai_fake) if "Task type" in json.dumps(r["body"])]


def test_verify_false_marks_rows_disabled(tmp_path: Path, openai_fake: FakeServer) -> None:
    cfg = write_config(tmp_path / "c.yaml", verify=False)
    assert _generate(cfg, openai_fake).returncode == 0
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.verification_method.eq("disabled").all() and df.is_verified.isna().all()


def test_tops_up_when_server_returns_fewer_choices(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES, "max_n": 1})
    cfg = write_config(tmp_path / "c.yaml", num_candidates=3, max_queries=2)
    assert _generate(cfg, openai_fake).returncode == 0
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 6 and sorted(df.candidate_idx.unique()) == [0, 1, 2]
    assert [r["body"]["n"] for r in _chat_requests(openai_fake)].count(3) == 2  # asked for 3, then topped up


def test_retries_429_and_500_then_succeeds(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES, "failures": [{"status": 429, "retry_after": 0.2}, {"status": 500}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, concurrency=1)
    start = time.monotonic()
    r = _generate(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all() and df.attempts.eq(3).all()
    assert time.monotonic() - start > 0.2  # Retry-After was honoured
    assert len(_chat_requests(openai_fake)) == 3


def test_bad_request_is_recorded_on_its_row(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure(
        {"rules": MATH_RULES, "fail_when_match": [{"match": "Compute 12", "status": 400, "message": "nope"}]}
    )
    cfg = write_config(tmp_path / "c.yaml")
    r = _generate(cfg, openai_fake)
    assert r.returncode == 1, r.stderr  # 2 of 6 rows errored: more than max_error_rate, written all the same
    assert "2 of 6 rows in" in r.stderr and "(33%) errored" in r.stderr and "HTTP 400 x2" in r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    bad = df[df.query_id == "sample-math-002"]
    assert len(bad) == 2 and bad.error.str.contains("400").all() and bad.error.str.contains("nope").all()
    assert bad.attempts.eq(1).all()  # a 400 is not retried
    assert df[df.query_id != "sample-math-002"].error.isna().all()


def test_rejected_key_stops_the_run(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"api_key": "sk-right"})
    cfg = write_config(tmp_path / "c.yaml")
    r = _generate(cfg, openai_fake, env=cli_env(OPENAI_API_KEY="sk-wrong"))
    assert r.returncode == 1
    assert "OPENAI_API_KEY" in r.stderr and "Traceback" not in r.stderr
    assert len(_chat_requests(openai_fake)) <= 4  # stopped at once, not after retries


def test_responses_api_and_structured_output(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES})
    cfg = write_config(tmp_path / "c.yaml", api="responses", structured_output=True, max_queries=2)
    r = _generate(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    reqs = [q for q in openai_fake.requests() if q["path"].endswith("/responses")]
    assert len(reqs) == 4  # no `n` in the Responses API: one request per candidate
    assert df.final_answer.notna().all() and df.reasoning.notna().all()
    assert df.api.eq("responses").all()
    assert df[df.query_id == "sample-math-002"].is_verified.all()


def test_existing_output_with_other_config_is_refused(tmp_path: Path, openai_fake: FakeServer) -> None:
    cfg = write_config(tmp_path / "c.yaml", max_queries=1)
    assert _generate(cfg, openai_fake).returncode == 0
    before = (tmp_path / "out.parquet").read_bytes()
    cfg2 = write_config(tmp_path / "c2.yaml", max_queries=1, temperature=0.2)
    r = _generate(cfg2, openai_fake)
    assert r.returncode == 2 and "different config" in r.stderr and "--overwrite" in r.stderr
    assert (tmp_path / "out.parquet").read_bytes() == before
    assert _generate(cfg2, openai_fake, "--overwrite").returncode == 0


def test_rerun_of_a_finished_run_makes_nothing_and_extends_on_request(
    tmp_path: Path, openai_fake: FakeServer
) -> None:
    cfg = write_config(tmp_path / "c.yaml", max_queries=2)
    assert _generate(cfg, openai_fake).returncode == 0
    openai_fake.reset()
    assert _generate(cfg, openai_fake).returncode == 0
    assert _chat_requests(openai_fake) == []
    assert _generate(cfg, openai_fake, "--max-queries", "3").returncode == 0
    assert len(_chat_requests(openai_fake)) == 1
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 6 and not df.duplicated(["query_id", "candidate_idx"]).any()


def _default_sigint() -> None:
    # A pytest started in the background (`pytest &`) has SIGINT ignored, and a child inherits that:
    # the CLI must get Ctrl-C as a user's terminal delivers it, whoever started the tests.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(cfg: Path, fake: FakeServer) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "bestofn.py"), "openai", "generate", "--config", str(cfg),
         "--base-url", fake.base_url, "--quiet"],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_default_sigint,
    )


def _wait_for_parts(parts: Path, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        manifest = parts / "manifest.json"
        if manifest.exists() and len(json.loads(manifest.read_text())["parts"]) >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError("no checkpoint appeared")


def test_resume_after_kill_9_loses_nothing_and_redoes_nothing(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES, "latency_s": 0.3})
    cfg = write_config(tmp_path / "c.yaml", max_queries=12, concurrency=1, verify=False)
    proc = _start(cfg, openai_fake)
    _wait_for_parts(tmp_path / "out.parquet.parts", 3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    first = pd.concat(pd.read_parquet(p) for p in (tmp_path / "out.parquet.parts").glob("part-*.parquet"))
    done = set(zip(first.query_id, first.candidate_idx, strict=True))
    assert 6 <= len(done) < 24

    openai_fake.reset()
    openai_fake.configure({"rules": MATH_RULES})
    r = _generate(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 24 and not df.duplicated(["query_id", "candidate_idx"]).any()
    # Rows made before the kill are kept as they were, not made again.
    assert len(_chat_requests(openai_fake)) == 12 - len(done) // 2
    kept = df.set_index(["query_id", "candidate_idx"]).loc[sorted(done)]
    assert kept.run_id.nunique() == 1 and kept.run_id.iloc[0] == first.run_id.iloc[0]
    assert not (tmp_path / "out.parquet.parts").exists()


def test_ctrl_c_checkpoints_and_says_how_to_resume(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES, "latency_s": 0.3})
    cfg = write_config(tmp_path / "c.yaml", max_queries=12, concurrency=1, verify=False, checkpoint_every=100)
    proc = _start(cfg, openai_fake)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(_chat_requests(openai_fake)) < 3:  # 2 queries done, 1 in flight
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "resume" in err.lower() and "bestofn" in err
    parts = list((tmp_path / "out.parquet.parts").glob("part-*.parquet"))
    assert parts, "completed queries were not flushed on Ctrl-C"
    saved = sum(pq.read_metadata(p).num_rows for p in parts)
    assert saved >= 4
    openai_fake.configure({"rules": MATH_RULES})
    assert _generate(cfg, openai_fake).returncode == 0
    assert len(pd.read_parquet(tmp_path / "out.parquet")) == 24


def test_regen_redoes_only_selected_rows(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure(
        {"rules": MATH_RULES, "fail_when_match": [{"match": "Compute 12", "status": 400, "message": "nope"}]}
    )
    cfg = write_config(tmp_path / "c.yaml", max_error_rate=1.0)  # the errored rows are the point here
    assert _generate(cfg, openai_fake).returncode == 0
    out = tmp_path / "out.parquet"
    before = pd.read_parquet(out)
    assert before.is_verified.eq(False).sum() == 1  # "\boxed{13}"

    openai_fake.reset()
    openai_fake.configure({"rules": MATH_RULES})
    r = run_cli("openai", "regen", str(out), "--split", "math", "--base-url", openai_fake.base_url, "--quiet",
                env=_env())
    assert r.returncode == 0, r.stderr
    after = pd.read_parquet(out)
    assert len(after) == 6
    redone = after[after.query_id == "sample-math-002"]
    assert redone.error.isna().all() and redone.regen_count.eq(1).all() and redone.is_verified.all()
    assert after[after.query_id != "sample-math-002"].regen_count.eq(0).all()
    assert len(_chat_requests(openai_fake)) == 1

    openai_fake.reset()
    openai_fake.configure({"rules": [{"match": "What is 7 + 5?", "replies": ["\\boxed{12}"]}]})
    r = run_cli("openai", "regen", str(out), "--split", "math", "--failed-only", "--base-url",
                openai_fake.base_url, "--quiet", env=_env())
    assert r.returncode == 0, r.stderr
    final = pd.read_parquet(out)
    assert final.is_verified.all()
    assert final.regen_count.sum() == 3  # two rows of query 2 once, the wrong row of query 1 once
    meta = pq.read_schema(out).metadata
    assert b"bestofn.config" in meta
    assert os.path.exists(out) and not (tmp_path / "out.parquet.regen.parts").exists()


CODE_RULE = {"match": "add_two", "replies": ["```python\ndef add_two(x):\n    return x + 2\n```"]}


def _regen(out: Path, fake: FakeServer, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("openai", "regen", str(out), "--base-url", fake.base_url, "--quiet", *extra, env=_env())


def test_regen_of_one_split_leaves_the_other_split_untouched(tmp_path: Path, openai_fake: FakeServer) -> None:
    # One query of each split fails with a 400, so both splits hold errored rows regen would redo.
    openai_fake.configure({"rules": [*MATH_RULES, CODE_RULE], "fail_when_match": [
        {"match": "Compute 12", "status": 400, "message": "nope"},
        {"match": "add_two", "status": 400, "message": "nope"},
    ]})
    # The code split's errors stay in the file after a math-only regen: not a failure for this test.
    cfg = write_config(tmp_path / "c.yaml", splits="math,code", max_queries=2, verify=False, max_error_rate=1.0)
    first = _generate(cfg, openai_fake)
    # Half the rows errored: a run may exit 1 for that (max_error_rate), with every row written all the same.
    assert first.returncode == 0 or (first.returncode == 1 and "regen" in first.stderr), first.stderr
    out = tmp_path / "out.parquet"
    before = pd.read_parquet(out).sort_values(["query_id", "candidate_idx"], ignore_index=True)
    assert set(before.split) == {"math", "code"} and len(before) == 8
    errored = set(before[before.error.notna()].query_id)
    assert errored == {"sample-math-002", "sample-code-001"}

    openai_fake.reset()
    openai_fake.configure({"rules": [*MATH_RULES, CODE_RULE]})
    r = _regen(out, openai_fake, "--split", "math")
    assert r.returncode == 0, r.stderr
    after = pd.read_parquet(out).sort_values(["query_id", "candidate_idx"], ignore_index=True)
    assert len(after) == 8
    # Only the math split's errored query went back to the server.
    reqs = _chat_requests(openai_fake)
    assert len(reqs) == 1 and "Compute 12" in json.dumps(reqs[0]["body"])
    assert "add_two" not in json.dumps([q["body"] for q in reqs])
    counts = after.set_index(["query_id", "candidate_idx"]).regen_count.to_dict()
    assert counts == {k: int(k[0] == "sample-math-002") for k in counts}
    redone = after[after.query_id == "sample-math-002"]
    assert redone.error.isna().all() and redone.response.eq("12*3 = \\boxed{36}").all()
    # The code rows, the errored one included, are exactly as they were.
    pd.testing.assert_frame_equal(after[after.split == "code"], before[before.split == "code"], check_dtype=False)
    assert after[after.query_id == "sample-code-001"].error.str.contains("400").all()

    # And the other way round: code only, math untouched this time.
    openai_fake.reset()
    openai_fake.configure({"rules": [*MATH_RULES, CODE_RULE]})
    r = _regen(out, openai_fake, "--split", "code")
    assert r.returncode == 0, r.stderr
    final = pd.read_parquet(out).sort_values(["query_id", "candidate_idx"], ignore_index=True)
    reqs = _chat_requests(openai_fake)
    assert len(reqs) == 1 and "add_two" in json.dumps(reqs[0]["body"])
    assert final.error.isna().all()
    assert final.set_index(["query_id", "candidate_idx"]).regen_count.to_dict() == {
        k: int(k[0] in ("sample-math-002", "sample-code-001")) for k in counts}
    pd.testing.assert_frame_equal(final[final.split == "math"], after[after.split == "math"], check_dtype=False)


def test_a_query_id_repeated_in_the_data_is_made_once(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": MATH_RULES})
    data = tmp_path / "dup.jsonl"
    rows = [
        {"id": "dup-1", "split": "math", "question": "What is 7 + 5?", "ground_truth": "12"},
        {"id": "dup-2", "split": "math", "question": "Compute 12 * 3.", "ground_truth": "36"},
        {"id": "dup-1", "split": "math", "question": "What is 100 - 37?", "ground_truth": "63"},
        {"id": "dup-2", "split": "math", "question": "Compute 12 * 3.", "ground_truth": "36"},
    ]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    cfg = write_config(tmp_path / "c.yaml", dataset=str(data), max_queries=10, num_candidates=2)
    r = _generate(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out.parquet"
    df = pd.read_parquet(out)
    assert len(df) == 2 * 2 and not df.duplicated(["query_id", "candidate_idx"]).any()  # unique ids x N
    assert sorted(set(df.query_id)) == ["dup-1", "dup-2"]
    # The first row of an id wins; its repeat is never sent.
    assert df[df.query_id == "dup-1"].question.eq("What is 7 + 5?").all()
    reqs = _chat_requests(openai_fake)
    assert len(reqs) == 2 and "100 - 37" not in json.dumps([q["body"] for q in reqs])
    summary = json.loads(pq.read_schema(out).metadata[b"bestofn.summary"])
    assert summary["queries_done"] == 2 and summary["candidates"] == 4 and summary["rows in file"] == 4
