"""ToolCallingVerifier: verdicts, confidences and reasons for check_calls and the pipeline's verify."""

from __future__ import annotations

import json

import pytest

from verifiers import get_verifier, has_verifier, verify_candidate
from verifiers.base import VerificationResult
from verifiers.tools.verifier import ToolCallingVerifier

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "units": {"type": "string", "enum": ["c", "f"]}},
                "required": ["city"],
            },
        },
    },
    {"name": "get_time", "description": "Local time.", "input_schema": {"type": "object", "properties": {}}},
]
GOOD = {"name": "get_weather", "arguments": '{"city": "Paris"}'}


@pytest.fixture
def v() -> ToolCallingVerifier:
    verifier = get_verifier("tool_calling")
    assert isinstance(verifier, ToolCallingVerifier)
    return verifier


def assert_serialisable(result: VerificationResult) -> None:
    assert json.loads(json.dumps(result.details)) == result.details  # plain JSON: no tuples, no objects


def test_registry_gives_a_shared_verifier(v: ToolCallingVerifier) -> None:
    assert has_verifier("tool_calling") and get_verifier("tool_calling") is v
    result = get_verifier("tool_calling").check_calls([GOOD], TOOLS)
    assert (result.is_verified, result.confidence, result.details["reason"]) == (True, 0.3, "schema_valid")


def test_schema_valid_without_reference_goes_to_a_judge(v: ToolCallingVerifier) -> None:
    result = v.check_calls([GOOD, {"name": "get_time", "arguments": {}}], TOOLS)
    assert result.is_verified and result.confidence < 0.4 and result.method == "tool_schema"
    assert result.details == {"calls": 2, "invalid_calls": 0, "reason": "schema_valid"}
    none = v.check_calls([], TOOLS)
    assert (none.is_verified, none.confidence, none.details["reason"]) == (True, 0.3, "no_calls")


def test_invalid_calls_are_listed(v: ToolCallingVerifier) -> None:
    calls = [GOOD, {"name": "get_weather", "arguments": {"city": "Paris", "units": "k"}}, {"name": "book"}]
    result = v.check_calls(calls, TOOLS)
    assert (result.is_verified, result.confidence, result.method) == (False, 0.97, "tool_schema")
    assert result.details["reason"] == "invalid_call"
    assert (result.details["calls"], result.details["invalid_calls"]) == (3, 2)
    assert [(i["index"], i["name"], i["kind"]) for i in result.details["invalid"]] == [
        (1, "get_weather", "enum"),
        (2, "book", "unknown_tool"),
    ]
    assert all(i["message"] for i in result.details["invalid"])
    assert_serialisable(result)


def test_invalid_calls_come_before_the_reference(v: ToolCallingVerifier) -> None:
    reference = [{"get_weather": {"city": ["Paris"]}}]
    result = v.check_calls([{"name": "get_weather", "arguments": '{"city": "Paris", "x": 1}'}], TOOLS, reference)
    assert result.details["reason"] == "invalid_call"
    assert result.details["invalid"][0]["kind"] == "unknown_parameter"


def test_a_reference_judges_types_and_enum_values_itself(v: ToolCallingVerifier) -> None:
    # "C" is outside the enum ["c", "f"], but the reference accepts it after BFCL's standardisation.
    call = {"name": "get_weather", "arguments": '{"city": "Paris", "units": "C"}'}
    assert v.check_calls([call], TOOLS, [{"get_weather": {"city": ["Paris"], "units": ["c"]}}]).is_verified
    assert not v.check_calls([call], TOOLS, [{"get_weather": {"city": ["Paris"], "units": ["f"]}}]).is_verified
    no_ref = v.check_calls([call], TOOLS)
    assert no_ref.details["reason"] == "invalid_call" and no_ref.details["invalid"][0]["kind"] == "enum"
    # A number where the schema wants a string: the reference's type rules reject it.
    number = {"name": "get_weather", "arguments": '{"city": 7}'}
    assert v.check_calls([number], TOOLS, [{"get_weather": {"city": ["7"]}}]).details["reason"] == "reference_mismatch"


def test_reference_match_and_mismatch(v: ToolCallingVerifier) -> None:
    reference = [{"get_weather": {"city": ["paris"], "units": ["c", ""]}}]
    ok = v.check_calls([GOOD], TOOLS, reference)
    assert (ok.is_verified, ok.confidence, ok.method, ok.details["reason"]) == (
        True,
        0.97,
        "tool_reference",
        "reference_match",
    )
    bad = v.check_calls([{"name": "get_weather", "arguments": {"city": "Rome"}}], TOOLS, reference)
    assert (bad.is_verified, bad.confidence, bad.details["reason"]) == (False, 0.97, "reference_mismatch")
    assert bad.details["mismatch"] == "wrong_value" and "Rome" in bad.details["message"]
    assert_serialisable(ok)
    assert_serialisable(bad)


def test_empty_reference_wants_no_call(v: ToolCallingVerifier) -> None:
    assert v.check_calls([], TOOLS, []).is_verified
    result = v.check_calls([GOOD], TOOLS, [])
    assert (result.is_verified, result.details["mismatch"]) == (False, "no_call_expected")


def test_bad_tools_or_reference_raise(v: ToolCallingVerifier) -> None:
    with pytest.raises(ValueError, match="more than once"):
        v.check_calls([GOOD], TOOLS + TOOLS)
    with pytest.raises(ValueError):
        v.check_calls([GOOD], TOOLS, ["get_weather"])


def test_verify_without_tools_makes_every_call_unknown(v: ToolCallingVerifier) -> None:
    result = v.verify("done", tool_calls=[GOOD, GOOD], terminated_by="final_answer")
    assert result.details["reason"] == "invalid_call" and result.details["invalid_calls"] == 2
    assert {i["kind"] for i in result.details["invalid"]} == {"unknown_tool"}
    assert v.verify("done", tools=[], tool_calls=[GOOD]).details["reason"] == "invalid_call"


@pytest.mark.parametrize("ending", ["max_iterations", "budget", "error", "refusal"])
def test_verify_needs_a_final_answer(v: ToolCallingVerifier, ending: str) -> None:
    result = v.verify("partial", tools=TOOLS, tool_calls=[GOOD], terminated_by=ending)
    assert (result.is_verified, result.confidence, result.details["reason"]) == (False, 0.95, "no_final_answer")
    assert result.details["terminated_by"] == ending


def test_verify_order_of_checks(v: ToolCallingVerifier) -> None:
    bad_call = {"name": "get_weather", "arguments": "{"}
    # invalid calls outrank how the conversation ended
    assert v.verify("", tools=TOOLS, tool_calls=[bad_call], terminated_by="budget").details["reason"] == "invalid_call"
    empty = v.verify("  ", tools=TOOLS, tool_calls=[GOOD], terminated_by="final_answer")
    assert (empty.is_verified, empty.confidence, empty.details["reason"]) == (False, 0.6, "empty_final_answer")
    # with a reference too: the right calls and then nothing said is no answer to train on
    reference = [{"get_weather": {"city": ["Paris"]}}]
    silent = v.verify("", tools=TOOLS, tool_calls=[GOOD], reference=reference, terminated_by="final_answer")
    assert silent.details["reason"] == "empty_final_answer" and not silent.is_verified
    matched = v.verify("Sunny.", tools=TOOLS, tool_calls=[GOOD], reference=reference, terminated_by="final_answer")
    assert matched.details["reason"] == "reference_match" and matched.is_verified
    # in a loop the model was told an enum-breaking call was invalid: it fails even where the
    # reference's looser comparison would take the value (check_calls defers to the reference)
    shouted = {"name": "get_weather", "arguments": '{"city": "Paris", "units": "C"}'}
    ref_c = [{"get_weather": {"city": ["Paris"], "units": ["c"]}}]
    looped = v.verify("Sunny.", tools=TOOLS, tool_calls=[shouted], reference=ref_c, terminated_by="final_answer")
    assert looped.details["reason"] == "invalid_call" and v.check_calls([shouted], TOOLS, ref_c).is_verified
    plain = v.verify("It is sunny.", tools=TOOLS, tool_calls=[GOOD], terminated_by="final_answer", question="q?")
    assert (plain.is_verified, plain.confidence, plain.details["reason"]) == (True, 0.3, "schema_valid")
    assert v.verify("hi", tools=TOOLS).details["reason"] == "no_calls"


def test_verify_candidate_entry_point() -> None:
    context = {"tools": json.dumps(TOOLS), "tool_calls": [GOOD], "reference": [{"get_weather": {"city": ["Paris"]}}]}
    result = verify_candidate("tool_calling", "It is sunny.", None, context)
    assert result.is_verified and result.details["reason"] == "reference_match"
    assert result.details["calls"] == 1 and result.details["invalid_calls"] == 0


def test_calls_of_the_wrong_shape_are_the_callers_error(v: ToolCallingVerifier) -> None:
    with pytest.raises(ValueError, match="calls must be a list"):
        v.check_calls("get_weather", TOOLS)
    assert v.check_calls(GOOD, TOOLS).details["calls"] == 1  # one call alone is a list of one
