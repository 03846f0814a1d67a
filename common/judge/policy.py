"""When the LLM judge is asked, and how its verdict and the local verifier's become one row.

Policy (see the verification flow diagrams):
- tool_calling: whenever the local checks leave it open (valid calls and a final answer, no trusted
  reference): the judge decides appropriateness. Invalid calls, a loop that never answered and a
  trusted reference are decided locally, threshold or not: they are facts about the calls, not
  opinions a judge could correct.
- code: when the local verdict's confidence is below 0.4, flag or not.
- with `llm_judge_fallback`, math, code and every other split: every local verdict below
  `judge_threshold` (default 0.7), and every row of a split with no verifier. The verifiers'
  confidences are calibrated (see verifiers/README.md), so the threshold says how sure a label must
  be to skip the judge.
Refusals and `verify: false` rows are never judged; the caller checks those first.
"""

from __future__ import annotations

import json
from typing import Any

from common.judge.judge import JudgeVerdict
from common.judge.prompts import clip
from verifiers.base import UNDECIDED_REASONS, VerificationResult

JUDGE_BELOW = 0.4  # local verdicts less confident than this always go to the judge (code, tool calling)
JUDGE_THRESHOLD = 0.7  # with llm_judge_fallback: the default `judge_threshold`
JUDGE_METHOD = "llm_judge"

# Columns `combine` fills; every row that was not judged leaves them null.
JUDGE_COLUMNS = (
    "local_is_verified", "local_confidence", "local_method", "local_explanation",
    "judge_is_correct", "judge_confidence", "judge_model", "judge_cached", "judge_error",
)


def needs_judge(
    split: str, result: VerificationResult | None, llm_judge_fallback: bool, threshold: float = JUDGE_THRESHOLD
) -> bool:
    if result is None:
        return llm_judge_fallback or split == "tool_calling"
    if split == "tool_calling":
        return result.confidence < JUDGE_BELOW
    if llm_judge_fallback and result.confidence < threshold:
        return True
    return split == "code" and result.confidence < JUDGE_BELOW


def combine(local: VerificationResult | None, verdict: JudgeVerdict) -> dict[str, Any]:
    """The row's verdict fields. The judge decides when it answered; when it failed the local
    verdict stands (or the row stays unverified), and `judge_error` says why. A local result that is
    no verdict (verifiers.base.UNDECIDED_REASONS: nothing to check against, or tool calls that merely
    fit their schemas) does not stand: the row stays unverified."""
    placeholder = local is None or local.details.get("reason") in UNDECIDED_REASONS
    out: dict[str, Any] = {
        # A placeholder (nothing to check against) is no local verdict: left null beside the judge's.
        "local_is_verified": None if placeholder else local.is_verified,
        "local_confidence": None if placeholder else local.confidence,
        "local_method": local.method if local else None,
        "local_explanation": local.explanation if local else None,
        "judge_is_correct": verdict.is_correct,
        "judge_confidence": verdict.confidence if verdict.error is None else None,
        "judge_model": verdict.model,
        "judge_cached": verdict.cached,
        "judge_error": verdict.error,
    }
    method = f"{local.method}+{JUDGE_METHOD}" if local else JUDGE_METHOD
    if verdict.is_correct is not None:
        out.update(
            is_verified=verdict.is_correct,
            confidence=verdict.confidence,
            verification_method=method,
            verification_explanation=f"judge ({verdict.model}): {verdict.reasoning}",
        )
    elif not placeholder:
        out.update(
            is_verified=local.is_verified,
            confidence=local.confidence,
            verification_method=f"{local.method}+{JUDGE_METHOD}_failed",
            verification_explanation=f"{local.explanation}; {verdict.error}",
        )
    else:
        out.update(
            is_verified=None,
            confidence=None,
            verification_method=f"{local.method}+{JUDGE_METHOD}_failed" if local else f"{JUDGE_METHOD}_failed",
            verification_explanation=verdict.error,
        )
    return out


def _args_text(args: Any) -> str:
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


def format_tool_trace(trace: list[dict[str, Any]] | None, calls: list[dict[str, Any]] | None = None) -> str | None:
    """The judge's view of a tool loop: each model turn's words, then each call with its result
    (`ToolRun.trace`); without a trace, the bare calls (`Candidate.tool_calls` shape)."""
    if not trace:
        if not calls:
            return None
        return "\n".join(f"{i + 1}. {c.get('name')}({_args_text(c.get('arguments'))})" for i, c in enumerate(calls))
    lines = []
    for entry in trace:
        if not entry.get("calls"):
            continue  # the final turn: shown apart as the final answer
        said = (entry.get("text") or "").strip()
        lines.append(f"Turn {entry.get('turn')}" + (f": {clip(said, 1000)}" if said else ""))
        for c in entry["calls"]:
            flag = "" if c.get("valid") else f" [INVALID CALL: {c.get('error_kind')}]"
            result = clip(str(c.get("result")), 2000)
            lines.append(f"  - {c.get('name')}({_args_text(c.get('arguments'))}){flag} -> {result}")
    return "\n".join(lines) or None
