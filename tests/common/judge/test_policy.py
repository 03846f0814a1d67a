"""When the judge is asked, and how its verdict and the local verifier's become one row."""

from __future__ import annotations

import pytest

from common.judge.judge import JudgeVerdict
from common.judge.policy import JUDGE_COLUMNS, combine, format_tool_trace, needs_judge
from verifiers.base import VerificationResult

SURE = VerificationResult(True, 0.95, "sympy: equal", "math_sympy")
UNSURE = VerificationResult(False, 0.2, "could not parse the answer", "math_string")
MIDDLING = VerificationResult(True, 0.55, "matched a noun phrase of a sentence", "math_string")
VERDICT = JudgeVerdict(True, 0.85, "Equivalent forms.", "gpt-4o-mini")
FAILED = JudgeVerdict(None, 0.0, "", "gpt-4o-mini", error="judge: HTTP 500: boom")


@pytest.mark.parametrize(
    ("split", "result", "flag", "expected"),
    [
        ("tool_calling", None, False, True),  # mandatory
        ("tool_calling", SURE, False, False),  # decided locally: invalid calls, a trusted reference
        ("tool_calling", UNSURE, False, True),  # valid calls, no reference: the judge decides
        ("math", UNSURE, True, True),
        ("math", UNSURE, False, False),  # math needs the flag
        ("math", SURE, True, False),
        ("code", UNSURE, False, True),  # code falls back automatically
        ("code", SURE, True, False),
        ("chat", None, True, True),  # no verifier: only with the flag
        ("chat", None, False, False),
        ("math", MIDDLING, True, True),  # below the default threshold of 0.7
        ("math", MIDDLING, False, False),
        ("code", MIDDLING, False, False),  # without the flag, code goes to the judge only below 0.4
        ("code", MIDDLING, True, True),
        ("tool_calling", MIDDLING, True, False),  # tool calls: the threshold does not apply
        ("tool_calling", VerificationResult(False, 0.97, "invalid call", "tool_schema",
                                            {"reason": "invalid_call"}), True, False),
        ("math", VerificationResult(False, 0.7, "x", "m"), True, False),  # the threshold itself is trusted
    ],
)
def test_needs_judge(split: str, result: VerificationResult | None, flag: bool, expected: bool) -> None:
    assert needs_judge(split, result, flag) is expected


@pytest.mark.parametrize(("threshold", "expected"), [(0.0, False), (0.5, False), (0.6, True), (1.0, True)])
def test_judge_threshold_is_configurable(threshold: float, expected: bool) -> None:
    assert needs_judge("math", MIDDLING, True, threshold) is expected
    assert needs_judge("math", MIDDLING, False, threshold) is False  # the threshold needs the flag
    # An invalid tool call is a fact about the call: no threshold hands it to the judge.
    invalid = VerificationResult(False, 0.97, "unknown tool", "tool_schema", {"reason": "invalid_call"})
    assert needs_judge("tool_calling", invalid, True, threshold) is False


def test_a_placeholder_is_no_local_verdict_beside_the_judges() -> None:
    no_gold = VerificationResult(False, 0.0, "no ground truth", "math_no_ground_truth", {"reason": "no_ground_truth"})
    row = combine(no_gold, VERDICT)
    assert row["local_is_verified"] is None and row["local_confidence"] is None
    assert row["local_method"] == "math_no_ground_truth" and row["is_verified"] is True
    failed = combine(no_gold, FAILED)
    assert failed["is_verified"] is None and failed["local_is_verified"] is None


def test_judge_decides_and_both_verdicts_are_kept() -> None:
    row = combine(UNSURE, VERDICT)
    assert row["is_verified"] is True and row["confidence"] == 0.85
    assert row["verification_method"] == "math_string+llm_judge"
    assert "Equivalent forms." in row["verification_explanation"]
    assert (row["local_is_verified"], row["local_confidence"], row["local_method"]) == (False, 0.2, "math_string")
    assert (row["judge_is_correct"], row["judge_confidence"], row["judge_model"]) == (True, 0.85, "gpt-4o-mini")
    assert row["judge_error"] is None and row["judge_cached"] is False
    assert set(JUDGE_COLUMNS) <= set(row)


def test_tool_calling_verdict_has_no_local_part() -> None:
    row = combine(None, VERDICT)
    assert row["verification_method"] == "llm_judge" and row["is_verified"] is True
    assert row["local_is_verified"] is None and row["local_method"] is None


def test_failed_judge_leaves_a_tool_row_the_schema_passed_unverified() -> None:
    passed = VerificationResult(True, 0.3, "all calls fit", "tool_schema", {"reason": "schema_valid"})
    row = combine(passed, FAILED)
    assert row["is_verified"] is None and row["confidence"] is None
    assert row["verification_method"] == "tool_schema+llm_judge_failed" and row["judge_error"]


def test_failed_judge_keeps_the_local_verdict_and_records_why() -> None:
    row = combine(UNSURE, FAILED)
    assert row["is_verified"] is False and row["confidence"] == 0.2
    assert row["verification_method"] == "math_string+llm_judge_failed"
    assert row["judge_error"] == "judge: HTTP 500: boom" and row["judge_is_correct"] is None
    assert row["judge_confidence"] is None


def test_failed_judge_without_local_verdict_leaves_the_row_unverified() -> None:
    row = combine(None, FAILED)
    assert row["is_verified"] is None and row["confidence"] is None
    assert row["verification_method"] == "llm_judge_failed" and "HTTP 500" in row["verification_explanation"]


def test_tool_trace_shows_each_turn_its_calls_and_results() -> None:
    trace = [
        {"turn": 1, "text": "Let me look.", "calls": [
            {"name": "get_weather", "arguments": '{"city": "Oslo"}', "valid": True, "result": '{"temp_c": -3}'},
            {"name": "convert", "arguments": {"c": -3}, "valid": False, "error_kind": "unknown_tool",
             "result": '{"error": "unknown tool convert"}'}]},
        {"turn": 2, "text": "It is -3 C.", "calls": []},  # the final answer is shown apart
    ]
    assert format_tool_trace(trace) == (
        'Turn 1: Let me look.\n  - get_weather({"city": "Oslo"}) -> {"temp_c": -3}\n'
        '  - convert({"c": -3}) [INVALID CALL: unknown_tool] -> {"error": "unknown tool convert"}'
    )
    calls = [{"id": "c1", "name": "get_weather", "arguments": '{"city": "Oslo"}'}]
    assert format_tool_trace(None, calls) == '1. get_weather({"city": "Oslo"})'
    assert format_tool_trace(None) is None and format_tool_trace([]) is None


def test_failed_judge_leaves_a_row_with_nothing_to_check_unverified() -> None:
    no_tests = VerificationResult(False, 0.0, "no tests", "code_no_tests", {"reason": "no_tests"})
    row = combine(no_tests, FAILED)
    assert row["is_verified"] is None and row["confidence"] is None and row["judge_error"]
