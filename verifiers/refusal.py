"""Fast, pattern-based refusal detection.

Only the head (first ~600 chars), the tail (last ~300 chars) and the overall length are
inspected, so the cost stays flat on very long responses. `confidence` is the confidence in
the verdict itself: anything below 0.7 means "ambiguous", and a later LLM pass
(common/checks/refusal.py) rechecks those; `refused` is the decision a row records.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from verifiers.base import VerificationResult
from verifiers.refusal_patterns import (
    ANSWER_AFTER,
    APOLOGY,
    CAPABILITY,
    CONTRAST,
    NEAR_I,
    OFFER,
    OPENING,
    OTHER_TRIGGERS,
    REFUSAL_CONTEXT,
    SAFETY,
    SUBSTANCE,
    WORD_I,
)

RefusalType = Literal["safety", "capability", "none"]

HEAD_CHARS = 600
TAIL_CHARS = 300
# Past this much text after the refusal phrase, reasons/alternatives vs an answer decide (see detect_refusal).
SUBSTANTIVE_AFTER = 400
AMBIGUOUS = 0.5
# A phrase starts at most SPAN_BEFORE chars before its trigger word and ends within SPAN_AFTER after it.
SPAN_BEFORE, SPAN_AFTER = 30, 200
CONFIDENT = 0.7  # pattern verdicts below this are ambiguous: not recorded as refusals, sent to the LLM
REFUSAL_METHOD = "refusal"


@dataclass(frozen=True)
class RefusalResult:
    is_refusal: bool
    refusal_type: RefusalType
    confidence: float
    matched: str | None = None
    source: Literal["pattern", "llm"] = "pattern"

    @property
    def refused(self) -> bool:
        """What the row records: an LLM verdict stands as given; a pattern verdict only when confident."""
        return self.is_refusal and (self.source == "llm" or self.confidence >= CONFIDENT)

    @property
    def ambiguous(self) -> bool:
        """A refusal signal the patterns could not settle: worth an LLM's look."""
        return self.source == "pattern" and self.matched is not None and self.confidence < CONFIDENT


def _spans(window: str) -> list[tuple[int, int]]:
    """Stretches of `window` where a refusal phrase could be (see refusal_patterns.WORD_I)."""
    lowered = window.lower()
    if len(lowered) != len(window):  # a few characters change length when lower-cased: scan it all
        return [(0, len(window))]
    starts = [m.start() for m in WORD_I.finditer(lowered)
              if any(t in lowered[m.start(): m.start() + 40] for t in NEAR_I)]
    for t in OTHER_TRIGGERS:
        i = lowered.find(t)
        while i >= 0:
            starts.append(i)
            i = lowered.find(t, i + 1)
    spans: list[tuple[int, int]] = []
    for i in sorted(starts):
        lo, hi = max(0, i - SPAN_BEFORE), min(len(window), i + SPAN_AFTER)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


def _search(pattern: re.Pattern[str], window: str, spans: list[tuple[int, int]]) -> re.Match[str] | None:
    for lo, hi in spans:  # in order, so the first hit is the earliest
        if m := pattern.search(window, lo, hi):
            return m
    return None


def _classify(window: str) -> tuple[RefusalType, re.Match[str]] | None:
    spans = _spans(window)
    if not spans:
        return None
    cap = _search(CAPABILITY, window, spans)
    safe = _search(SAFETY, window, spans)
    if cap and (not safe or cap.start() <= safe.start()):
        return "capability", cap
    if safe:
        return "safety", safe
    if spans[0][0] == 0 and (opening := OPENING.match(window)):
        return "safety", opening
    return None


# The pipeline, the split's verifier and the quality metrics each ask about the same response;
# a small cache answers the repeats (a str caches its hash, so a hit costs next to nothing).
@functools.lru_cache(maxsize=128)
def detect_refusal(text: str | None) -> RefusalResult:
    """Classify `text` as a safety/capability refusal or not, from its head and tail only."""
    if not text or not text.strip():
        return RefusalResult(False, "none", 0.9, None)
    total = len(text)
    head = text[:HEAD_CHARS]
    found = _classify(head)
    if found is None:
        tail_start = max(HEAD_CHARS, total - TAIL_CHARS)
        tail = text[tail_start:]
        found_tail = _classify(tail) if tail else None
        if found_tail is None:
            return RefusalResult(False, "none", 0.9, None)
        kind, m = found_tail
        # A closing disclaimer after a long answer is not a refusal; after little text it may be.
        if tail_start + m.start() > SUBSTANTIVE_AFTER:
            return RefusalResult(False, "none", AMBIGUOUS, m.group(0))
        return RefusalResult(True, kind, 0.75, m.group(0))

    kind, m = found
    matched = m.group(0)
    after_len = total - m.end()  # no slicing of `text`: it can be megabytes long
    after = head[m.end():]
    answered = SUBSTANCE.search(head) or (total > HEAD_CHARS and SUBSTANCE.search(text[-TAIL_CHARS:]))
    contrast = CONTRAST.match(head, m.end())
    if contrast and not OFFER.match(head, contrast.end()):
        # "I can't browse, but the capital is Paris": the refusal was an aside.
        return RefusalResult(False, "none", 0.3, matched)
    if answered or ANSWER_AFTER.search(after):
        return RefusalResult(False, "none", 0.3, matched)
    if after_len > SUBSTANTIVE_AFTER:
        # Long, with no answer in view: reasons and alternatives mean a refusal that explains
        # itself; without them it may be an answer in prose. Either way the LLM pass may look.
        if REFUSAL_CONTEXT.search(after):
            return RefusalResult(True, kind, 0.65 if contrast else 0.75, matched)
        return RefusalResult(False, "none", 0.4, matched)
    if contrast:
        # "I can't do X, but if you paste it I'll ...": an offer instead of the task is still a refusal.
        return RefusalResult(True, kind, 0.75, matched)
    confidence = 0.8
    if m.start() < 150:
        confidence += 0.1
    if APOLOGY.search(head):
        confidence += 0.05
    if m.start() > 300:
        # Buried in the middle of a short text: reported, but left to the LLM pass.
        confidence = 0.6
    return RefusalResult(True, kind, round(min(confidence, 0.95), 2), matched)


def refusal_verdict(response: str | None) -> VerificationResult | None:
    """The verdict a verifier used on its own gives a clear refusal (None: not one). The pipeline
    decides refusal once, before any verifier, and tells the verifier so (`refusal_checked=True`)."""
    result = detect_refusal(response)
    if not result.refused:
        return None
    return VerificationResult(
        False, result.confidence, f"refusal ({result.refusal_type}): {result.matched!r}", REFUSAL_METHOD,
        {"reason": "refusal", "refusal_type": result.refusal_type, "matched": result.matched},
    )
