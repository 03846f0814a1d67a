"""ToolCallingVerifier: strict schema checks of every call, then the reference when there is one.

details["reason"] is one of:
  invalid_call        a call names an unknown tool, has malformed arguments or breaks its schema (False, 0.97);
                      check_calls with a reference leaves wrong types and enum values to the reference (BFCL's
                      rules); verify (a tool loop, where the model was told the call was invalid) never does
  no_final_answer     the conversation ended without a final answer: max_iterations, budget, error,
                      refusal (False, 0.95)
  empty_final_answer  it ended with an empty final answer (False, 0.6)
  reference_match     the calls are exactly the reference's, in any order (True, 0.97)
  reference_mismatch  they are not; details["mismatch"] says how (False, 0.97)
  schema_valid        every call is valid and there is no reference (True, 0.3)
  no_calls            no call and no reference (True, 0.3)
The two 0.3 verdicts are deliberately below a pipeline's 0.4 threshold for trusting a verdict: a schema
cannot say whether the calls were the right ones, so those candidates go on to an LLM judge.
"""

from __future__ import annotations

from typing import Any

from verifiers.base import VerificationResult
from verifiers.tools.args import call_parts, check_call
from verifiers.tools.reference import match_reference, normalize_reference
from verifiers.tools.spec import tool_index

__all__ = ["FINISH_REASONS", "ToolCallingVerifier"]

FINISH_REASONS = ("final_answer", "max_iterations", "budget", "error", "refusal")
# Schema errors a trusted reference decides instead (see _invalid).
REFERENCE_DECIDES = frozenset({"wrong_type", "enum", "invalid"})
# Invalid calls listed in details; the count is always complete.
MAX_LISTED = 20


class ToolCallingVerifier:
    """Verifier for the tool_calling split. Pure Python and cheap: it runs in the caller's thread."""

    def check_calls(self, calls: list[Any] | None, tools: Any, reference: Any = None) -> VerificationResult:
        """Verdict on `calls` ([{"name", "arguments"}]) against `tools` (any form `normalize_tools` accepts)
        and, unless None, a BFCL-style `reference` (`[]`: no call was the right answer).

        Raises ValueError when `tools` or `reference` are malformed: that is the caller's data, not the
        model's answer, and no verdict should be stored for it."""
        calls = _call_list(calls)
        by_name = self._inputs(tools, reference)
        invalid = self._invalid(calls, by_name, REFERENCE_DECIDES if reference is not None else frozenset())
        if invalid is not None:
            return invalid
        if reference is not None:
            return self._against_reference(calls, reference, by_name)
        return self._schema_only(calls)

    def verify(self, response: str, ground_truth: str | None = None, **context: Any) -> VerificationResult:
        """Pipeline entry point. Context: `tools`, `tool_calls` (every call over the whole conversation),
        `reference` (None: none), `terminated_by` (one of FINISH_REASONS, or None). `ground_truth` and other
        context keys are not used. Raises ValueError on malformed tools or reference, as check_calls.

        Unlike check_calls, every invalid call fails here, reference or not: in a tool loop the model was
        answered with an error for it, so its trajectory is not the reference's even if a value would
        pass BFCL's looser comparison. An empty final answer fails too, reference or not."""
        calls = _call_list(context.get("tool_calls"))
        tools = context.get("tools")
        reference = context.get("reference")
        terminated_by = context.get("terminated_by")
        by_name = self._inputs(tools, reference)
        invalid = self._invalid(calls, by_name, frozenset())
        if invalid is not None:
            return invalid
        details = {"calls": len(calls), "invalid_calls": 0, "terminated_by": terminated_by}
        if terminated_by is not None and terminated_by != "final_answer":
            return VerificationResult(
                False,
                0.95,
                f"the conversation ended without a final answer ({terminated_by})",
                "tool_termination",
                {**details, "reason": "no_final_answer"},
            )
        if terminated_by == "final_answer" and not (response or "").strip():
            return VerificationResult(
                False, 0.6, "the final answer is empty", "tool_termination", {**details, "reason": "empty_final_answer"}
            )
        if reference is not None:
            return self._against_reference(calls, reference, by_name)
        return self._schema_only(calls)

    @staticmethod
    def _inputs(tools: Any, reference: Any) -> dict[str, dict[str, Any]]:
        # Both are checked before any call is, so bad data raises whatever the calls look like.
        if reference is not None:
            normalize_reference(reference)
        return tool_index(tools)

    def _invalid(self, calls: list[Any], by_name: dict[str, dict[str, Any]], deferred: frozenset[str]
                 ) -> VerificationResult | None:
        # check_calls with a trusted reference leaves a value's type and enum to the reference (BFCL's
        # rules: "Celsius" is "celsius", an answer may list a value of another type than the schema);
        # names, parameters and JSON are checked here either way.
        invalid = []
        for i, call in enumerate(calls):
            check = check_call(call, by_name)
            if not check.valid and check.kind not in deferred:
                name, _ = call_parts(call)
                invalid.append({"index": i, "name": name, "kind": check.kind, "message": check.message})
        if not invalid:
            return None
        first = invalid[0]
        explanation = (
            f"{len(invalid)} of {len(calls)} tool calls are invalid; call #{first['index']}: {first['message']}"
        )
        details = {
            "reason": "invalid_call",
            "invalid": invalid[:MAX_LISTED],
            "calls": len(calls),
            "invalid_calls": len(invalid),
        }
        return VerificationResult(False, 0.97, explanation, "tool_schema", details)

    def _against_reference(
        self, calls: list[Any], reference: Any, by_name: dict[str, dict[str, Any]]
    ) -> VerificationResult:
        result = match_reference(calls, reference, by_name)
        details: dict[str, Any] = {
            "calls": len(calls),
            "invalid_calls": 0,
            "assignment": [list(pair) for pair in result.assignment],
        }
        if result.matched:
            return VerificationResult(
                True, 0.97, result.message, "tool_reference", {**details, "reason": "reference_match"}
            )
        details.update(reason="reference_mismatch", mismatch=result.kind, message=result.message)
        return VerificationResult(False, 0.97, result.message, "tool_reference", details)

    def _schema_only(self, calls: list[Any]) -> VerificationResult:
        details = {"calls": len(calls), "invalid_calls": 0, "reason": "schema_valid" if calls else "no_calls"}
        explanation = f"all {len(calls)} tool calls fit their schemas" if calls else "no tool calls were made"
        return VerificationResult(True, 0.3, explanation, "tool_schema", details)


def _call_list(calls: Any) -> list[Any]:
    """The calls as a list; one call given alone is a list of one, anything else is the caller's error."""
    if calls is None:
        return []
    if isinstance(calls, dict):
        return [calls]
    if not isinstance(calls, list | tuple):
        raise ValueError(f"calls must be a list of {{name, arguments}} objects, got {type(calls).__name__}.")
    return list(calls)
