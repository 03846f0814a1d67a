"""inspect_experiment: pass@k arithmetic, null verdict handling, JSON/table output, user errors."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import inspect_experiment as ie
from common.schema import BestOfNRecord, records_to_table
from tests.conftest import ROOT

SCRIPT = ROOT / "inspect_experiment.py"


def _record(query_id: str, idx: int, verified: bool | None, **extra: Any) -> BestOfNRecord:
    fields: dict[str, Any] = {
        "query_id": query_id,
        "split": "math",
        "candidate_idx": idx,
        "question": f"question {query_id}",
        "model": "model-a",
        "provider": "openai",
        "temperature": 0.7,
        "max_tokens": 256,
        "run_id": "run-1",
        "is_verified": verified,
        "verification_method": "none" if verified is None else "math",
        "response": "answer",
        "quality_completeness_score": 0.8,
        "quality_is_substantive": True,
    }
    fields.update(extra)
    return BestOfNRecord(**fields)


def _query(query_id: str, verdicts: list[bool | None], **extra: Any) -> list[BestOfNRecord]:
    return [_record(query_id, i, v, **extra) for i, v in enumerate(verdicts)]


def _write(path: Path, records: list[BestOfNRecord], metadata: dict[bytes, bytes] | None = None) -> Path:
    table = records_to_table(records)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    pq.write_table(table, path)
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # A wide terminal keeps rich from wrapping the names the assertions look for.
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def _summary(*paths: Path, by: str | None = None) -> dict[str, Any]:
    df, files = ie.load(list(paths))
    return ie.summarize(df, files, by)


# Mixed sample sizes: q1 n=4 c=1, q2 n=4 c=0, q3 n=2 c=2.
MIXED = [
    *_query("q1", [False, True, False, False]),
    *_query("q2", [False, False, False, False]),
    *_query("q3", [True, True]),
]


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "mixed.parquet", MIXED)


# ---------------------------------------------------------------- pass@k


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (4, 1, 1, 0.25),
        (4, 1, 2, 0.5),
        (4, 1, 3, 0.75),
        (4, 1, 4, 1.0),
        (4, 0, 1, 0.0),
        (4, 0, 4, 0.0),
        (4, 4, 1, 1.0),
        (1, 1, 1, 1.0),
    ],
)
def test_pass_at_k_hand_values(n: int, c: int, k: int, expected: float) -> None:
    assert ie.pass_at_k(n, c, k) == pytest.approx(expected)


def test_pass_at_k_matches_binomial_form() -> None:
    for n in range(1, 12):
        for c in range(n + 1):
            for k in range(1, n + 1):
                exact = 1 - math.comb(n - c, k) / math.comb(n, k)
                assert ie.pass_at_k(n, c, k) == pytest.approx(exact, abs=1e-12)


def test_pass_at_k_stays_finite_for_large_n() -> None:
    assert 0.0 < ie.pass_at_k(10_000, 3, 50) < 1.0


def test_pass_at_k_rejects_k_above_n() -> None:
    with pytest.raises(ValueError):
        ie.pass_at_k(2, 1, 3)


def test_pass_at_k_curve_averages_over_queries_with_enough_samples(mixed_file: Path) -> None:
    curve = _summary(mixed_file)["splits"]["math"]["pass_at_k"]
    assert [p["k"] for p in curve] == [1, 2, 3, 4]
    assert [p["queries"] for p in curve] == [3, 3, 2, 2]
    expected = [(0.25 + 0 + 1) / 3, (0.5 + 0 + 1) / 3, (0.75 + 0) / 2, (1.0 + 0) / 2]
    assert [p["pass_at_k"] for p in curve] == pytest.approx(expected)


def test_first_vs_best_of_n(mixed_file: Path) -> None:
    split = _summary(mixed_file)["splits"]["math"]
    assert split["first_vs_best"] == {
        "first_verifiable": 3,
        "first_share": pytest.approx(1 / 3),
        "queries": 3,
        "best_of_n": pytest.approx(2 / 3),
    }
    assert split["verified"]["share"] == pytest.approx(3 / 10)


# ---------------------------------------------------------------- null verdicts


def test_null_verdicts_are_not_counted_as_failures(tmp_path: Path) -> None:
    records = [
        *_query("q1", [None, True, None, None]),  # first candidate unverifiable
        *_query("q2", [False, None]),
        *_query("o1", [None, None, None], split="open"),  # no verifier for this split at all
    ]
    report = _summary(_write(tmp_path / "nulls.parquet", records))
    math_split, open_split = report["splits"]["math"], report["splits"]["open"]

    assert math_split["verified"]["verifiable"] == 2
    assert math_split["verified"]["unverifiable"] == 4
    assert math_split["verified"]["share"] == pytest.approx(0.5)
    assert math_split["verified"]["methods"] == {"none": 4, "math": 2}
    assert math_split["first_vs_best"]["first_verifiable"] == 1
    assert math_split["first_vs_best"]["first_share"] == pytest.approx(0.0)
    assert math_split["first_vs_best"]["best_of_n"] == pytest.approx(0.5)
    # Both queries have one verifiable sample, so the curve stops at k=1.
    assert math_split["pass_at_k"] == [{"k": 1, "pass_at_k": pytest.approx(0.5), "queries": 2}]

    assert open_split["verified"]["share"] is None
    assert open_split["verified"]["unverifiable"] == 3
    assert open_split["first_vs_best"]["best_of_n"] is None
    assert open_split["pass_at_k"] == []


def test_verification_disabled_file_has_no_shares(tmp_path: Path) -> None:
    records = _query("q1", [None, None], verification_method="disabled")
    report = _summary(_write(tmp_path / "off.parquet", records))
    assert report["splits"]["math"]["verified"]["methods"] == {"disabled": 2}
    assert report["splits"]["math"]["verified"]["share"] is None


# ---------------------------------------------------------------- rates and usage


def test_rates_and_usage(tmp_path: Path) -> None:
    records = [
        _record(
            "q1",
            0,
            True,
            is_refusal=False,
            confidence=0.9,
            input_tokens=100,
            output_tokens=10,
            latency_s=1.0,
            cost_usd=0.01,
            finish_reason="stop",
        ),
        _record(
            "q1",
            1,
            False,
            is_refusal=True,
            refusal_type="policy",
            confidence=0.5,
            input_tokens=100,
            output_tokens=30,
            latency_s=3.0,
            cost_usd=0.03,
            judge_cost_usd=0.005,
            finish_reason="length",
            attempts=3,
        ),
        _record(
            "q2",
            0,
            False,
            is_truncated=True,
            input_tokens=200,
            output_tokens=20,
            latency_s=2.0,
            regen_count=2,
            finish_reason="max_tokens",
        ),
        _record("q2", 1, None, error="timeout", attempts=2),
    ]
    report = _summary(_write(tmp_path / "rates.parquet", records))
    rates = report["splits"]["math"]["rates"]
    assert rates["rows"] == 4
    assert rates["refusal_checked"] == 2  # null is_refusal means no check ran
    assert rates["refusal_rate"] == pytest.approx(0.5)
    assert rates["error_rate"] == pytest.approx(0.25)
    assert rates["truncation_rate"] == pytest.approx(0.5)
    assert rates["mean_confidence"] == pytest.approx(0.7)

    use = report["usage"]
    assert use["metrics"]["input_tokens"] == {
        "count": 3,
        "mean": pytest.approx(400 / 3),
        "median": 100.0,
        "p95": pytest.approx(190.0),
        "total": 400.0,
    }
    assert use["metrics"]["reasoning_tokens"]["count"] == 0
    assert use["metrics"]["reasoning_tokens"]["mean"] is None
    assert use["metrics"]["latency_s"]["median"] == pytest.approx(2.0)
    assert use["cost_usd_total"] == pytest.approx(0.04)
    assert use["judge_cost_usd_total"] == pytest.approx(0.005)
    # q2's row answered but has no cost (an unpriced model): no cost per verified candidate is made up.
    assert use["unpriced_rows"] == 1 and use["cost_per_verified_usd"] is None
    assert use["tool_mock_cost_usd_total"] is None and use["batched_rows"] == 0
    assert use["cost_rows"] == 2
    assert use["retried_rows"] == 2
    assert use["regen_rows"] == 1
    assert use["regen_total"] == 2


def test_tolerates_files_without_optional_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "query_id": ["q1", "q1"],
            "split": ["s", "s"],
            "candidate_idx": [0, 1],
            "is_verified": [True, None],
        }
    )
    path = tmp_path / "minimal.parquet"
    pq.write_table(table, path)
    report = _summary(path)
    assert report["overview"]["models"] == [ie.NO_LABEL]
    assert report["splits"]["s"]["verified"]["share"] == 1.0
    assert report["usage"]["cost_usd_total"] is None
    assert report["files"] == [{"file": str(path), "rows": 2}]


def test_config_notes_and_versions_metadata(tmp_path: Path) -> None:
    meta = {
        b"bestofn.config": json.dumps({"n": 4, "model": "model-a"}).encode(),
        b"bestofn.notes": b"baseline, temperature sweep",
        b"bestofn.versions": json.dumps({"bestofn": "0.1.0"}).encode(),
    }
    path = _write(tmp_path / "meta.parquet", MIXED, meta)
    files = _summary(path)["files"]
    assert files[0]["config"] == {"n": 4, "model": "model-a"}
    assert files[0]["notes"] == "baseline, temperature sweep"
    assert files[0]["versions"] == {"bestofn": "0.1.0"}


# ---------------------------------------------------------------- CLI


def test_cli_json_output(mixed_file: Path) -> None:
    result = _run(str(mixed_file), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"files", "overview", "splits", "usage", "breakdowns"}
    assert report["overview"]["rows"] == 10
    assert report["overview"]["queries"] == 3
    assert report["overview"]["splits"] == ["math"]
    curve = report["splits"]["math"]["pass_at_k"]
    assert curve[0] == {"k": 1, "pass_at_k": pytest.approx(1.25 / 3), "queries": 3}
    assert curve[-1] == {"k": 4, "pass_at_k": pytest.approx(0.5), "queries": 2}
    assert report["splits"]["math"]["first_vs_best"]["best_of_n"] == pytest.approx(2 / 3)
    assert report["breakdowns"] == {}  # one model, one persona: nothing to break down


def test_cli_tables(mixed_file: Path) -> None:
    result = _run(str(mixed_file))
    assert result.returncode == 0, result.stderr
    for title in (
        "Overview",
        "Verified share by split",
        "First candidate vs best-of-N",
        "pass@k",
        "Rates by split",
        "Tokens and latency",
    ):
        assert title in result.stdout
    assert "By model" not in result.stdout


def _two_model_file(tmp_path: Path) -> Path:
    records = [
        *_query("q1", [True, False], model="model-a", persona="terse"),
        *_query("q2", [False, False], model="model-a", persona="terse"),
        *_query("q1", [False, False, False], model="model-b", provider="anthropic", persona="terse"),
        *_query("q2", [True, True, False], model="model-b", provider="anthropic", persona="terse"),
    ]
    return _write(tmp_path / "two_models.parquet", records)


def test_by_model_breakdown_with_two_models(tmp_path: Path) -> None:
    path = _two_model_file(tmp_path)
    report = json.loads(_run(str(path), "--json").stdout)
    by_model = report["breakdowns"]["model"]
    assert set(by_model) == {"model-a", "model-b"}
    assert "persona" not in report["breakdowns"]  # a single persona
    a, b = by_model["model-a"]["math"], by_model["model-b"]["math"]
    assert a["verified"]["share"] == pytest.approx(0.25)
    assert a["pass_at_k"][0]["pass_at_k"] == pytest.approx(0.25)
    assert a["first_vs_best"]["best_of_n"] == pytest.approx(0.5)
    assert b["pass_at_k"][1] == {"k": 2, "pass_at_k": pytest.approx((0 + 1) / 2), "queries": 2}
    assert report["overview"]["providers"] == ["anthropic", "openai"]

    tables = _run(str(path))
    assert tables.returncode == 0, tables.stderr
    assert "By model" in tables.stdout
    assert "model-a" in tables.stdout and "model-b" in tables.stdout


def test_by_option_overrides_default(tmp_path: Path) -> None:
    path = _two_model_file(tmp_path)
    by_persona = json.loads(_run(str(path), "--json", "--by", "persona").stdout)["breakdowns"]
    assert list(by_persona) == ["persona"]
    assert set(by_persona["persona"]) == {"terse"}
    assert json.loads(_run(str(path), "--json", "--by", "none").stdout)["breakdowns"] == {}


def test_several_files_are_combined(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.parquet", _query("q1", [True, False]))
    second = _write(tmp_path / "b.parquet", _query("q2", [False, False], model="model-b"))
    report = json.loads(_run(str(first), str(second), "--json").stdout)
    assert [f["file"] for f in report["files"]] == [str(first), str(second)]
    assert report["overview"]["rows"] == 4
    assert report["overview"]["models"] == ["model-a", "model-b"]
    assert report["splits"]["math"]["first_vs_best"]["best_of_n"] == pytest.approx(0.5)


def _prototype_snippet(path: Path) -> tuple[float, float]:
    # The prototype's analysis code, verbatim: result files must keep supporting it.
    # fmt: off
    df = pd.read_parquet(path)
    print(df.groupby('split')['is_verified'].mean())
    first_pass = df[df.candidate_idx == 0]['is_verified'].mean()
    best_of_n = df.groupby('query_id')['is_verified'].max().mean()
    print(df[['quality_completeness_score', 'quality_is_substantive']].describe())
    # fmt: on
    return first_pass, best_of_n


def test_prototype_snippet_runs(mixed_file: Path) -> None:
    first_pass, best_of_n = _prototype_snippet(mixed_file)
    assert first_pass == pytest.approx(1 / 3)
    assert best_of_n == pytest.approx(2 / 3)


def test_prototype_snippet_runs_with_null_verdicts(tmp_path: Path) -> None:
    # Null verdicts make is_verified an object column; pandas skips the None values.
    records = [*_query("q1", [True, None]), *_query("q2", [False, None]), *_query("q3", [None, None])]
    first_pass, best_of_n = _prototype_snippet(_write(tmp_path / "nulls.parquet", records))
    assert first_pass == pytest.approx(0.5)
    assert best_of_n == pytest.approx(0.5)


# ---------------------------------------------------------------- user errors


def _assert_user_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_missing_file_exits_2(tmp_path: Path) -> None:
    _assert_user_error(_run(str(tmp_path / "nope.parquet")), "no such file")


def test_not_a_parquet_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "results.parquet"
    path.write_text("query_id,split\nq1,math\n")
    _assert_user_error(_run(str(path), "--json"), "is not a readable Parquet file")


def test_directory_exits_2(tmp_path: Path) -> None:
    _assert_user_error(_run(str(tmp_path)), "is not a file")


def test_parquet_without_bestofn_columns_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"query_id": ["q1"], "score": [1.0]}), path)
    _assert_user_error(_run(str(path)), "lacks column(s) split, candidate_idx, is_verified")


def test_second_bad_file_still_exits_2(mixed_file: Path, tmp_path: Path) -> None:
    _assert_user_error(_run(str(mixed_file), str(tmp_path / "missing.parquet")), "no such file")


def test_failure_view_shows_reasons_and_what_the_verifier_read(tmp_path: Path) -> None:
    records = [
        _record("q1", 0, False, verification_reason="wrong_value", extracted_answer="5", ground_truth="4",
                verification_explanation="'5' does not match '4'"),
        _record("q1", 1, False, verification_reason="wrong_value", extracted_answer="6", ground_truth="4"),
        _record("q2", 0, False, verification_reason="no_answer", ground_truth="7"),
        _record("q2", 1, True, verification_reason="string_match", extracted_answer="7", ground_truth="7"),
        _record("q3", 0, None, verification_method="llm_judge_failed", judge_error="judge: HTTP 404"),
        _record("q3", 1, None, verification_reason="sandbox_error"),
        _record("q3", 2, None),  # no verifier for the split: not a failure
    ]
    path = _write(tmp_path / "f.parquet", records)
    fail = _summary(path)["splits"]["math"]["failures"]
    assert fail["failed"] == 5
    assert fail["reasons"] == {"wrong_value": 2, "no_answer": 1, "llm_judge_failed": 1, "sandbox_error": 1}
    first = {e["reason"]: e for e in fail["examples"]}["wrong_value"]
    assert (first["query_id"], first["candidate_idx"], first["extracted_answer"], first["ground_truth"]) == (
        "q1", 0, "5", "4")
    assert {e["reason"]: e for e in fail["examples"]}["no_answer"]["extracted_answer"] is None
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    assert "Not verified" in result.stdout and "wrong_value" in result.stdout


def test_failure_view_reads_files_written_before_the_reason_columns(tmp_path: Path) -> None:
    table = records_to_table([_record("q1", 0, False), _record("q1", 1, True)])
    old = table.drop_columns(["verification_reason", "extracted_answer", "verification_details"])
    path = tmp_path / "old.parquet"
    pq.write_table(old, path)
    fail = _summary(path)["splits"]["math"]["failures"]
    assert fail["reasons"] == {"math": 1}  # the method stands in for the missing reason
    assert _run(str(path)).returncode == 0


# ---------------------------------------------------------------- tool calling


def _call(name: str, mock: str | None, valid: bool = True, error_kind: str | None = None,
          is_error: bool = False) -> dict[str, Any]:
    return {"id": f"call-{name}", "name": name, "arguments": "{}", "valid": valid, "error_kind": error_kind,
            "result": "{}", "is_error": is_error, "mock": mock, "mock_confidence": None, "latency_s": 0.01}


def _trace(*turn_calls: list[dict[str, Any]]) -> str:
    turns = [{"turn": i, "text": None, "finish_reason": "tool_calls", "latency_s": 0.5, "calls": calls}
             for i, calls in enumerate(turn_calls, start=1)]
    turns.append({"turn": len(turns) + 1, "text": "done", "finish_reason": "stop", "latency_s": 0.4, "calls": []})
    return json.dumps(turns)


def _tool_record(idx: int, trace: str | None, calls: int, turns: int, invalid: int, ended: str) -> BestOfNRecord:
    return _record("t1", idx, None, split="tool_calling", tool_trace=trace, num_tool_calls=calls,
                   num_iterations=turns, invalid_tool_calls=invalid, terminated_by=ended)


TOOL_RECORDS = [
    # Two valid calls in one turn: one answered by a dynamic mock, one by the LLM mock.
    _tool_record(0, _trace([_call("get_weather", "weather_current"), _call("lookup", "llm")]), 2, 2, 0,
                 "final_answer"),
    # One call that broke the schema; the loop hit its turn limit.
    _tool_record(1, _trace([_call("get_weather", None, valid=False, error_kind="unknown_parameter")]), 1, 2, 1,
                 "max_iterations"),
    # Answered straight away.
    _tool_record(2, _trace(), 0, 1, 0, "final_answer"),
]


@pytest.fixture
def tool_file(tmp_path: Path) -> Path:
    # A split without tools alongside: it gets no tool section.
    return _write(tmp_path / "tools.parquet", [*TOOL_RECORDS, *_query("q1", [True, False])])


def test_tool_calling_numbers(tool_file: Path) -> None:
    report = _summary(tool_file)
    assert "tool_calling" not in report["splits"]["math"]
    tools = report["splits"]["tool_calling"]["tool_calling"]
    assert tools["candidates"] == 3
    assert tools["calls"] == {"total": 3, "mean": pytest.approx(1.0), "median": 1.0, "max": 2}
    assert (tools["no_call_candidates"], tools["no_call_share"]) == (1, pytest.approx(1 / 3))
    assert (tools["invalid_calls"], tools["invalid_rate"]) == (1, pytest.approx(1 / 3))
    assert (tools["candidates_with_invalid"], tools["candidates_with_invalid_share"]) == (1, pytest.approx(1 / 3))
    assert tools["invalid_by_kind"] == {"unknown_parameter": 1}
    assert tools["mean_iterations"] == pytest.approx(5 / 3)
    assert tools["terminated_by"] == {
        "final_answer": {"count": 2, "share": pytest.approx(2 / 3)},
        "max_iterations": {"count": 1, "share": pytest.approx(1 / 3)},
    }
    assert (tools["traces"], tools["unreadable_traces"], tools["valid_calls"]) == (3, 0, 2)
    assert tools["answered_by"] == {
        "dynamic_mock": {"count": 1, "share": pytest.approx(0.5)},
        "llm_mock": {"count": 1, "share": pytest.approx(0.5)},
        "generic": {"count": 0, "share": pytest.approx(0.0)},
    }
    assert tools["dynamic_mocks"] == {"weather_current": 1}
    assert (tools["mock_errors"], tools["mock_error_rate"]) == (0, pytest.approx(0.0))
    assert tools["top_tools"] == [{"name": "get_weather", "calls": 2}, {"name": "lookup", "calls": 1}]


def test_tool_calling_generic_answers_and_mock_errors(tmp_path: Path) -> None:
    trace = _trace([_call("search", None), _call("search", "web_search", is_error=True)], [_call("search", "llm")])
    report = _summary(_write(tmp_path / "t.parquet", [_tool_record(0, trace, 3, 3, 0, "budget")]))
    tools = report["splits"]["tool_calling"]["tool_calling"]
    assert {k: v["count"] for k, v in tools["answered_by"].items()} == {"dynamic_mock": 1, "llm_mock": 1, "generic": 1}
    assert (tools["mock_errors"], tools["mock_error_rate"]) == (1, pytest.approx(1 / 3))
    assert tools["invalid_rate"] == 0.0
    assert tools["top_tools"] == [{"name": "search", "calls": 3}]
    assert tools["terminated_by"] == {"budget": {"count": 1, "share": 1.0}}


@pytest.mark.parametrize(
    "bad", ["{not json", json.dumps({"turn": 1}), json.dumps([{"turn": 1, "calls": "x"}]), json.dumps([1])]
)
def test_malformed_trace_is_counted_not_fatal(tmp_path: Path, bad: str) -> None:
    records = [*TOOL_RECORDS, _tool_record(3, bad, 1, 1, 0, "error"), _tool_record(4, None, 0, 1, 0, "error")]
    path = _write(tmp_path / "bad.parquet", records)
    tools = _summary(path)["splits"]["tool_calling"]["tool_calling"]
    assert (tools["traces"], tools["unreadable_traces"]) == (3, 1)
    assert tools["candidates"] == 5  # the columns still count every candidate with a loop
    assert tools["valid_calls"] == 2  # the unreadable trace adds nothing
    assert tools["terminated_by"]["error"] == {"count": 2, "share": pytest.approx(0.4)}
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    assert "3 / 1" in result.stdout  # traces read / unreadable


def test_old_file_without_tool_columns(tmp_path: Path) -> None:
    table = records_to_table(MIXED).drop_columns(
        ["tool_trace", "num_tool_calls", "num_iterations", "invalid_tool_calls", "terminated_by"]
    )
    path = tmp_path / "old_tools.parquet"
    pq.write_table(table, path)
    result = _run(str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert all("tool_calling" not in split for split in json.loads(result.stdout)["splits"].values())
    tables = _run(str(path))
    assert tables.returncode == 0, tables.stderr
    assert "Tool calling" not in tables.stdout
    # A file that has the columns but no tool rows shows nothing either.
    assert "tool_calling" not in _summary(_write(tmp_path / "none.parquet", MIXED))["splits"]["math"]


def test_cli_renders_tool_calling(tool_file: Path) -> None:
    result = _run(str(tool_file))
    assert result.returncode == 0, result.stderr
    for text in ("Tool calling by split", "invalid calls", "1 (33.3%)", "answered by LLM mock", "1 (50.0%)",
                 "unknown_parameter", "max_iterations", "get_weather", "weather_current"):
        assert text in result.stdout
    report = json.loads(_run(str(tool_file), "--json").stdout)
    assert report["splits"]["tool_calling"]["tool_calling"]["invalid_by_kind"] == {"unknown_parameter": 1}
    assert "tool_calling" not in report["splits"]["math"]


def test_model_written_names_are_shown_as_text_not_markup_or_terminal_codes(tmp_path: Path) -> None:
    hostile = "[/bold]\x1b]0;PWNED\x07\x1b[31mred"
    deep = json.dumps([{"turn": 1, "calls": []}])[:-1] + ", " + "[" * 100_000 + "]" * 100_000 + "]"
    path = _write(tmp_path / "hostile.parquet", [
        _tool_record(0, _trace([_call(hostile, "weather_current")]), 1, 2, 0, "final_answer"),
        _tool_record(1, deep, 1, 2, 0, "final_answer"),  # nested past the recursion limit
    ])
    r = _run(str(path))
    assert r.returncode == 0, r.stderr
    assert "[/bold]" in r.stdout and "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "\\x1b]0;PWNED" in r.stdout
    assert _summary(path)["splits"]["tool_calling"]["tool_calling"]["unreadable_traces"] == 1


def test_judge_agreement_and_share_decided(tmp_path: Path) -> None:
    def judged(qid: str, idx: int, local: bool, conf: float, judge: bool | None,
               reason: str = "numeric_match") -> BestOfNRecord:
        error = None if judge is not None else "judge: HTTP 500"
        final = judge if judge is not None else local
        return _record(qid, idx, final, local_is_verified=local, local_confidence=conf, judge_is_correct=judge,
                       judge_error=error, judge_model="judge-m", verification_reason=reason)

    records = [
        judged("q1", 0, True, 0.6, True),  # agree
        judged("q1", 1, True, 0.6, False),  # local yes, judge no
        judged("q1", 2, False, 0.3, True),  # local no, judge yes
        judged("q2", 0, False, 0.2, None),  # judge failed: the local verdict stands
        _record("q2", 1, True, confidence=0.95),  # never asked
        # A placeholder (no ground truth) is no local verdict to agree or disagree with.
        judged("q3", 0, False, 0.0, True, reason="no_ground_truth"),
    ]
    summary = _summary(_write(tmp_path / "judged.parquet", records))
    j = summary["splits"]["math"]["judge"]
    assert (j["asked"], j["decided"], j["failed"], j["verifiable"]) == (5, 4, 1, 6)
    assert j["decided_share"] == pytest.approx(4 / 6)
    assert (j["both"], j["agree"], j["local_yes_judge_no"], j["local_no_judge_yes"]) == (3, 1, 1, 1)
    bands = [(b["band"], b["both"], b["agree"]) for b in j["by_local_confidence"]]
    assert bands == [("0.4–0.7", 2, 1), ("< 0.4", 1, 0)]
    tables = _run(str(tmp_path / "judged.parquet"))
    assert tables.returncode == 0, tables.stderr
    assert "LLM judge and local verifier" in tables.stdout and "33.3%" in tables.stdout


def test_no_judge_section_when_nothing_was_judged(mixed_file: Path) -> None:
    assert all("judge" not in data for data in _summary(mixed_file)["splits"].values())
