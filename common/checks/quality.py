"""Cheap per-candidate quality signals stored next to each verdict.

These are heuristics for filtering training pairs (drop truncated or empty candidates), not
correctness judgements; the verifiers decide right/wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifiers.refusal import detect_refusal

TRUNCATION_FINISH_REASONS = frozenset({"length", "max_tokens"})
MIN_SUBSTANTIVE_CHARS = 40

_MATH_ANSWER = re.compile(
    r"\\boxed\s*\{|\\fbox\s*\{|\bfinal\s+answer\b|\banswer\s*(?:is|:)|\bthe\s+answer\s+is\b", re.IGNORECASE
)
_CODE_ANSWER = re.compile(r"```|^\s*(?:async\s+)?def\s+\w+\s*\(", re.MULTILINE)
_FENCE = re.compile(r"^\s*```", re.MULTILINE)
# A response that stops on one of these was cut off mid-thought rather than finished.
_DANGLING_CHARS = frozenset(",([{=+*/\\&|^")
_DANGLING_WORDS = frozenset(
    {"the", "a", "an", "and", "or", "of", "to", "is", "are", "was", "with", "for", "that", "which"}
    | {"because", "so", "then", "we", "if", "by", "as", "in", "on", "at", "from"}
)
_WORD_CHARS = re.compile(r"\w")


@dataclass(frozen=True)
class QualityMetrics:
    quality_completeness_score: float
    quality_is_substantive: bool
    has_final_answer: bool
    is_truncated: bool
    response_chars: int


def _has_final_answer(text: str, split: str) -> bool:
    if split == "math":
        return bool(_MATH_ANSWER.search(text))
    if split == "code":
        return bool(_CODE_ANSWER.search(text))
    return bool(text.strip())


def _ends_mid_sentence(text: str) -> bool:
    stripped = text.rstrip()
    if not stripped:
        return False
    if len(_FENCE.findall(stripped)) % 2 == 1:
        return True
    if stripped[-1] in _DANGLING_CHARS:
        return True
    last_word = stripped.rsplit(None, 1)[-1].lower()
    return last_word in _DANGLING_WORDS


def compute_quality(
    response: str | None,
    finish_reason: str | None,
    split: str,
    output_tokens: int | None,
    has_answer: bool | None = None,
    is_refusal: bool | None = None,
) -> QualityMetrics:
    """Score one candidate. `has_answer` overrides the text heuristic (e.g. a structured final answer);
    `is_refusal` is the row's refusal verdict where the caller has one (patterns are asked otherwise)."""
    text = response or ""
    has_final = _has_final_answer(text, split) if has_answer is None else bool(has_answer)
    truncated = (finish_reason or "").lower() in TRUNCATION_FINISH_REASONS or _ends_mid_sentence(text)
    content_chars = len(_WORD_CHARS.findall(text))
    substantive = (
        content_chars > 0
        and (has_final or content_chars >= MIN_SUBSTANTIVE_CHARS)
        and (output_tokens is None or output_tokens > 0)
        and not (_is_clear_refusal(text) if is_refusal is None else is_refusal)
    )
    # Weights: having an answer matters most, then finishing, then being more than filler.
    score = 0.5 * has_final + 0.3 * (not truncated) + 0.2 * substantive
    if content_chars == 0 and not has_final:
        score = 0.0
    return QualityMetrics(
        quality_completeness_score=round(score, 3),
        quality_is_substantive=substantive,
        has_final_answer=has_final,
        is_truncated=truncated,
        response_chars=len(text),
    )


def _is_clear_refusal(text: str) -> bool:
    return detect_refusal(text).refused
