"""MathVerifier: refusal check, answer extraction, time-boxed comparison, confidence.

Extraction (`verifiers.math.extract`) and the string fast path are cheap regex work done in the
caller. Everything that touches SymPy (`verifiers.math.compare.compare_answers`) runs in a
killable worker process (`verifiers.math.timeout_pool`), because a model can write `9^{9^{9^9}}` and
SymPy will try; a task that overruns its budget is its own outcome ("timeout", confidence 0.1).

Confidence: the comparison layer's own, capped by the extraction source (a trailing number, a
closing sentence, a letter read out of prose) and then, once for every path, by what verdicts of
its (reason, verdict) kind have been worth on the tuning data (`verifiers.math.calibration`,
re-derived by bench/math_calibration.py).

Safety: model text is never handed to eval/sympify/parse_expr. Our own parser
(`verifiers.math.parse`) and latex2sympy's grammar build SymPy objects token by token.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

from verifiers.base import VerificationResult
from verifiers.math.calibration import NO_ANSWER_CLEAR, calibrated
from verifiers.math.choices import candidate_letter, gold_choice, pick_choice
from verifiers.math.compare import compare_answers
from verifiers.math.extract import closing_sentence, extract_answer, gold_answer, is_phrase
from verifiers.math.normalize import NUMBER_WORDS, clean_latex, normalize_connectors, plain_text, string_key
from verifiers.math.shapes import top_split
from verifiers.math.timeout_pool import TaskTimeout, TimeoutPool, WorkerError
from verifiers.refusal import refusal_verdict

__all__ = ["MathVerifier", "compare_answers", "extract_answer", "question_hints", "shared_pool"]


DEFAULT_TIMEOUT_S = 5.0
# A bare trailing number is a guess at what the model meant; never be sure about it.
TRAILING_CONFIDENCE_CAP = 0.6
# A closing sentence that merely contains the gold phrase: for the LLM judge to settle.
SENTENCE_CONFIDENCE_CAP = 0.5
# An option letter read out of prose ("It's not A, so B"), not stated as the answer.
CHOICE_PICK_CAP = 0.8
MAX_FAST_PATH_CHARS = 2000
# Extracted answers are stored with the record; keep that bounded.
MAX_DETAIL_CHARS = 500

_HINTS = {
    "degrees": re.compile(r"\bdegrees?\b|\u00b0|\\circ|\\degree", re.I),
    "radians": re.compile(r"\bradians?\b", re.I),
    "angle": re.compile(r"\bangles?\b|\u2220|\\angle|\bdegrees?\b|\bradians?\b|\u00b0|\\circ", re.I),
    "percent": re.compile(r"percent|%|\bpct\b", re.I),
    "interval": re.compile(
        r"inequalit|interval|\bdomain\b|\brange\b|solution set|values of \w+ (?:for which|such that)"
        r"|\bsolve\b[^.?]*(?:<|>|\\[lg]e|\u2264|\u2265)",
        re.I,
    ),
    "point": re.compile(r"\bpoints?\b|coordinates|ordered (?:pair|triple)|\bvertex\b|\bvector\b|\bintersect", re.I),
    # The answers form a set: any order will do.
    "set_answer": re.compile(
        r"\bfind all\b|\ball (?:the )?(?:possible |real |integer |positive |negative )*(?:values?|solutions?|roots?"
        r"|numbers?|integers?)\b|\bsolutions?\b|\broots\b|\bzeros\b",
        re.I,
    ),
    # The answer must be a factorisation, not just equal to one.
    "factor": re.compile(
        r"\bfactori[sz]e\b|\bfactor\s+(?:completely|fully|the\b|this\b|each\b|over\b|\$|\\\()|\bfactored form\b",
        re.I,
    ),
    # The question fixes the order of its answers.
    "ordered": re.compile(
        r"\bin (?:increasing|decreasing|ascending|descending|that|this|the same|the given) order\b"
        r"|\bfrom (?:smallest|least|lowest|largest|greatest|highest) to\b|\brespectively\b|\bin order\b",
        re.I,
    ),
}


def question_hints(question: str | None) -> dict[str, bool]:
    """What the question's wording says about the answer: angles, percent, intervals, points."""
    if not question:
        return {}
    return {name: True for name, pattern in _HINTS.items() if pattern.search(question)}


def _warm_worker() -> None:
    """Pay the import and first-parse costs at worker start, not inside a task's budget."""
    from verifiers.math.units import registry

    compare_answers(r"\frac{1}{2}", "0.5")
    compare_answers(r"x^2+1", r"1+x^2")
    compare_answers(r"\sin^2 x", r"1 - \cos^2 x")
    # pint builds its lookup caches on first use; pay that here, not in a task's budget.
    compare_answers(r"1.5 \text{ m}", r"150 \text{ cm}")
    compare_answers(r"3 \text{ hours}", r"180 \text{ seconds}")
    registry()


_pools: dict[int, TimeoutPool] = {}
_pools_lock = threading.Lock()


def pool_workers() -> int:
    """Worker processes in the shared pool: how many comparisons run at once."""
    return min(4, os.cpu_count() or 1)


def shared_pool() -> TimeoutPool:
    """The per-process pool MathVerifiers share unless given their own."""
    with _pools_lock:
        pool = _pools.get(os.getpid())
        if pool is None:
            workers = pool_workers()
            pool = _pools[os.getpid()] = TimeoutPool(
                max_workers=workers, preload=("verifiers.math.verifier:_warm_worker",)
            )
    return pool


_YES_NO_GOLD = re.compile(r"^\W*(?:\\text\s*\{\s*)?(?:yes|no)\b\W*$", re.I)
_TURN_END = re.compile(r"<\|(?:im_start|im_end|endoftext|eot_id|end)\|>|</s>|<\|user\|>")
_LETTER_IN = re.compile(r"(?<![A-Za-z])[A-E](?![A-Za-z])")
_DIGIT_OR_NUMBER_WORD = re.compile(r"\d|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.I)


def _before_turn_end(text: str) -> str:
    m = _TURN_END.search(text)
    return text[: m.start()] if m else text


def _unclear_choice(extracted: tuple[str, str] | None) -> bool:
    """No answer found, or one that names letters without being a clean choice ("A or B")."""
    if extracted is None:
        return True
    answer, source = extracted
    if source in ("boxed", "final_answer") or candidate_letter(answer) is not None:
        return False
    # An answer line that names letters ("A or B"), or a closing word ("Option D is correct") where
    # a number would be a value, not a choice.
    if _LETTER_IN.search(answer) is not None:
        return True
    return source in ("trailing", "whole") and not re.search(r"\d", answer)


def _clearly_unanswered(response: str, gold: str) -> bool:
    """Nothing to extract: an empty response, or one without a number for a numeric gold."""
    text = _before_turn_end(response).strip()
    if not text:
        return True
    return bool(re.search(r"\d", gold)) and _DIGIT_OR_NUMBER_WORD.search(plain_text(text)) is None


def _several(gold: str) -> bool:
    """The gold lists two or more values ("3, 9", "5 and 8")."""
    if len(gold) > MAX_FAST_PATH_CHARS:
        return False
    return len([p for p in top_split(normalize_connectors(clean_latex(gold))) if p]) >= 2


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_DETAIL_CHARS:
        return text
    return text[:MAX_DETAIL_CHARS] + "..."


class MathVerifier:
    """Verifier for the math split.

    `inline=True` runs the comparison in this process with no time bound: only for callers that
    are already a disposable, time-bounded worker. `calibrate=False` reports the comparison layers'
    own confidences instead of the calibrated ones (verifiers/math/calibration.py): for measuring
    and testing the layers, not for rewards.
    """

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT_S,
        inline: bool = False,
        pool: TimeoutPool | None = None,
        calibrate: bool = True,
    ):
        self.timeout = timeout
        self.inline = inline
        self._pool = pool
        self.calibrate = calibrate

    def verify(self, response: str, ground_truth: str | None = None, **context: Any) -> VerificationResult:
        if not context.get("refusal_checked") and (refused := refusal_verdict(response)) is not None:
            return refused
        if ground_truth is not None and not isinstance(ground_truth, str):
            ground_truth = str(ground_truth)  # a dataset may store the answer as a JSON number
        details: dict[str, Any] = {"gold": _clip(ground_truth)}
        has_gold = ground_truth is not None and bool(str(ground_truth).strip())
        # Some datasets store a worked solution as the gold; its boxed value is the answer.
        gold = gold_answer(str(ground_truth)) if has_gold else ""
        yes_no = _YES_NO_GOLD.match(gold) is not None
        extracted = extract_answer(response or "", context.get("final_answer"), several=_several(gold), yes_no=yes_no)
        if has_gold and gold_choice(gold) is not None and _unclear_choice(extracted):
            # "It's not A because ..., so I think it's B": the one letter the answer keeps.
            picked = pick_choice(_before_turn_end(response or ""))
            extracted = (picked, "choice") if picked else extracted
        if extracted is None and has_gold and is_phrase(gold):
            # "The second player wins the game." states a text answer without any answer marker.
            sentence = closing_sentence(response or "")
            extracted = (sentence, "sentence") if sentence else None
        if extracted is None:
            # Sure only when there is nothing an answer could be; else our extraction may have missed it.
            clear = _clearly_unanswered(response or "", gold)
            confidence = NO_ANSWER_CLEAR if clear else self._calibrated("no_answer", False, 0.9)
            return VerificationResult(
                False, confidence, "no final answer found", "math_no_answer", {**details, "reason": "no_answer"}
            )
        answer, source = extracted
        details.update(extracted=_clip(answer), source=source)
        if not has_gold:
            return VerificationResult(
                False,
                0.0,
                "no ground truth to compare with",
                "math_no_ground_truth",
                {**details, "reason": "no_ground_truth"},
            )
        out = self._compare(answer, gold, question_hints(context.get("question")), context.get("question"))
        if out["method"] == "math_timeout" and out["reason"] == "timeout":
            return VerificationResult(
                False, 0.1, f"timed out after {self.timeout:g}s", "math_timeout", {**details, "reason": "timeout"}
            )
        if out["method"] == "math_error" and out["reason"] == "worker_error":
            return VerificationResult(
                False, 0.1, f"comparison failed: {out['error']}", "math_error", {**details, "reason": "worker_error"}
            )
        confidence = out["confidence"]
        if source == "trailing":
            confidence = min(confidence, TRAILING_CONFIDENCE_CAP)
        elif source == "sentence":
            confidence = min(confidence, SENTENCE_CONFIDENCE_CAP)
        elif source == "choice":
            confidence = min(confidence, CHOICE_PICK_CAP)
        # What verdicts of this kind have been worth on the tuning data (verifiers/math/calibration.py).
        confidence = self._calibrated(out["reason"], bool(out["ok"]), confidence)
        verdict = "matches" if out["ok"] else "does not match"
        explanation = f"{_clip(answer)!r} {verdict} {_clip(gold)!r} ({out['reason']})"
        return VerificationResult(
            bool(out["ok"]), float(confidence), explanation, out["method"], {**details, "reason": out["reason"]}
        )

    def _calibrated(self, reason: str, verdict: bool, confidence: float) -> float:
        return calibrated(reason, verdict, confidence) if self.calibrate else confidence

    def _compare(self, answer: str, gold: str, hints: dict[str, bool], question: str | None) -> dict[str, Any]:
        # Identical after normalisation needs no SymPy and no trip to a worker (regexes are only
        # run on answer-sized text here: this is the caller's thread, with no time box).
        if max(len(answer), len(gold)) <= MAX_FAST_PATH_CHARS and string_key(answer) == string_key(gold):
            return {"ok": True, "confidence": 1.0, "method": "math_string", "reason": "string_match"}
        if self.inline:
            return compare_answers(answer, gold, hints, question)
        try:
            return (self._pool or shared_pool()).run(
                compare_answers, answer, gold, hints, question, timeout=self.timeout
            )
        except TaskTimeout:
            return {"ok": False, "confidence": 0.1, "method": "math_timeout", "reason": "timeout"}
        except WorkerError as exc:
            return {"ok": False, "confidence": 0.1, "method": "math_error", "reason": "worker_error", "error": str(exc)}
