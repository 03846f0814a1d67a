"""MathVerifier: refusal check, answer extraction, time-boxed comparison, confidence.

Extraction (`verifiers.math.extract`) and the string fast path are cheap regex work done in the
caller. Everything that touches SymPy (`verifiers.math.compare.compare_answers`) runs in a
killable worker process (`verifiers.math.timeout_pool`), because a model can write `9^{9^{9^9}}` and
SymPy will try; a task that overruns its budget is its own outcome ("timeout", confidence 0.1).
`submit` queues a candidate instead, for the batch pool (`verifiers.math.batch`): there the whole of
`verify` runs in the worker processes, many candidates per message, with the same verdicts and budget.

Confidence: the comparison layer's own, capped by the extraction source (a trailing number, a
closing sentence, a letter read out of prose) and then, once for every path, by what verdicts of
its (reason, verdict) kind have been worth on the tuning data (`verifiers.math.calibration`,
re-derived by bench/math_calibration.py).

Safety: model text is never handed to eval/sympify/parse_expr. Our own parser
(`verifiers.math.parse`) and latex2sympy's grammar build SymPy objects token by token.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
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

__all__ = ["Comparison", "MathVerifier", "compare_answers", "extract_answer", "question_hints", "shared_pool",
           "string_match"]


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


@dataclass(frozen=True, slots=True)
class Comparison:
    """A candidate whose answer is extracted, with the comparison still to make (MathVerifier.prepare)."""

    answer: str
    gold: str
    source: str
    details: dict[str, Any]
    hints: dict[str, bool] = field(default_factory=dict)
    question: str | None = None


def question_hints(question: str | None) -> dict[str, bool]:
    """What the question's wording says about the answer: angles, percent, intervals, points."""
    if not question:
        return {}
    names = _hint_names(question) if len(question) <= MEMO_MAX_CHARS else _hint_names.__wrapped__(question)
    return dict.fromkeys(names, True)


# Work that depends only on the question or only on the gold is the same for every candidate of a query:
# memoised (pure functions of one string; strings longer than MEMO_MAX_CHARS are not kept).
MEMO_MAX_CHARS = 4096


@functools.lru_cache(maxsize=1024)
def _hint_names(question: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in _HINTS.items() if pattern.search(question))


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
    return _several_values(gold)


@functools.lru_cache(maxsize=1024)
def _several_values(gold: str) -> bool:
    return len([p for p in top_split(normalize_connectors(clean_latex(gold))) if p]) >= 2


@functools.lru_cache(maxsize=1024)
def _gold_choice(gold: str) -> tuple[str, str | None] | None:
    return gold_choice(gold)


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_DETAIL_CHARS:
        return text
    return text[:MAX_DETAIL_CHARS] + "..."


# The batch pools' factory (verifiers/math/batch.py: shared_batch_pool), handed in by verifiers/math/__init__.py:
# the pool imports this module for the verifications it runs, so this module does not import the pool back.
_BATCH_POOLS: Callable[[float, bool], Any] | None = None


def use_batch_pools(factory: Callable[[float, bool], Any]) -> None:
    global _BATCH_POOLS
    _BATCH_POOLS = factory


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
        self._batch: tuple[int, Any] | None = None  # (pid, its batch pool), for submit

    def verify(self, response: str, ground_truth: str | None = None, **context: Any) -> VerificationResult:
        step = self.prepare(response, ground_truth, **context)
        if isinstance(step, VerificationResult):
            return step
        return self.finish(step, self._compare(step.answer, step.gold, step.hints, step.question))

    def prepare(
        self, response: str, ground_truth: str | None = None, **context: Any
    ) -> VerificationResult | Comparison:
        """Everything before the comparison (refusal, extraction: regex work only): the verdict when that
        decides it, else the comparison left to make. `verify` is `finish(step, compare(step))`."""
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
        choice = (_gold_choice(gold) if len(gold) <= MEMO_MAX_CHARS else gold_choice(gold)) if has_gold else None
        if choice is not None and _unclear_choice(extracted):
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
        question = context.get("question")
        return Comparison(answer, gold, source, details, question_hints(question), question)

    def finish(self, step: Comparison, out: dict[str, Any]) -> VerificationResult:
        """The verdict from the comparison layer's answer `out` (see `compare_answers`)."""
        answer, gold, source, details = step.answer, step.gold, step.source, step.details
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

    def start(self) -> None:
        """Start the batch pool's first worker in the background (`submit` would, on its first candidate)."""
        if not self.inline and self._pool is None:
            self._batch_pool().start()

    def _batch_pool(self) -> Any:
        batch = self._batch
        if batch is None or batch[0] != os.getpid():
            if _BATCH_POOLS is None:
                raise RuntimeError("verifiers.math.batch is not loaded (verifiers/math/__init__.py loads it)")
            batch = self._batch = (os.getpid(), _BATCH_POOLS(self.timeout, self.calibrate))
        return batch[1]

    def submit(
        self, response: str, ground_truth: str | None, on_done: Callable[[VerificationResult | BaseException], None],
        **context: Any,
    ) -> None:
        """Queue one verification and return at once; `on_done(verdict)` is called later from a pool thread
        (with the exception instead, where `verify` would have raised one). Verdicts are `verify`'s: the
        whole of it (extraction included) runs in the worker processes of the batch pool
        (verifiers/math/batch.py), many candidates per message. An inline verifier, or one given its own
        pool, verifies right here and calls `on_done` before returning."""
        if self.inline or self._pool is not None:
            try:
                value: VerificationResult | BaseException = self.verify(response, ground_truth, **context)
            except Exception as exc:  # noqa: BLE001 - handed to the caller, as verify would raise it
                value = exc
            on_done(value)
            return
        self._batch_pool().submit(response, ground_truth, context, on_done)

    def _calibrated(self, reason: str, verdict: bool, confidence: float) -> float:
        return calibrated(reason, verdict, confidence) if self.calibrate else confidence

    def _compare(self, answer: str, gold: str, hints: dict[str, bool], question: str | None) -> dict[str, Any]:
        # Identical after normalisation needs no SymPy and no trip to a worker (regexes are only
        # run on answer-sized text here: this is the caller's thread, with no time box).
        same = string_match(answer, gold)
        if same is not None:
            return same
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


def string_match(answer: str, gold: str) -> dict[str, Any] | None:
    """The comparison's answer when the two are one string after normalisation, else None."""
    if max(len(answer), len(gold)) <= MAX_FAST_PATH_CHARS and string_key(answer) == string_key(gold):
        return {"ok": True, "confidence": 1.0, "method": "math_string", "reason": "string_match"}
    return None
