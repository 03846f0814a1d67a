"""Fast, pattern-based refusal detection.

Only the head (first ~600 chars), the tail (last ~300 chars) and the overall length are
inspected, so the cost stays flat on very long responses. `confidence` is the confidence in
the verdict itself: anything below 0.7 means "ambiguous", and a later LLM pass rechecks those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

RefusalType = Literal["safety", "capability", "none"]

HEAD_CHARS = 600
TAIL_CHARS = 300
# More content than this after the refusal phrase means the model went on to answer anyway.
SUBSTANTIVE_AFTER = 400
AMBIGUOUS = 0.5


@dataclass(frozen=True)
class RefusalResult:
    is_refusal: bool
    refusal_type: RefusalType
    confidence: float
    matched: str | None = None


_APOS = "['\u2019]"
_I_CANT = (
    rf"\bI\s*(?:can{_APOS}?t|cannot|can\s+not|won{_APOS}?t|will\s+not|(?:am|{_APOS}m)\s+(?:not\s+able|unable)"
    rf"|must\s+(?:not|decline\s+to)|(?:am|{_APOS}m)\s+not\s+(?:allowed|permitted|going))"
)

# Capability patterns are checked first: "I can't browse" is a capability limit, not a safety call.
_CAPABILITY = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\bI\s*(?:do\s*n[o{_APOS}]?t|don{_APOS}t)\s+have\s+(?:direct\s+)?(?:access\s+to|the\s+ability\s+to)"
        r"\s+(?:real[- ]time|the\s+internet|current|live|the\s+web|external|browse|browsing|run|execute"
        r"|your\b|files|the\s+file|images?|attachments?|up[- ]to[- ]date)",
        rf"\bI\s*(?:do\s*n[o{_APOS}]?t|don{_APOS}t)\s+have\s+(?:internet|web|browsing)\s+(?:access|capabilities)",
        rf"\bas\s+an?\s+(?:AI|language\s+model|AI\s+language\s+model|AI\s+assistant)\b[^.!?\n]{{0,40}}?"
        rf"(?:can{_APOS}?t|cannot|(?:am|{_APOS}m)\s+(?:not\s+able|unable)|do\s*n{_APOS}?t\s+have)"
        r"[^.!?\n]{0,40}?(?:browse|access|real[- ]time|run|execute|internet|see|view|open|current)",
        _I_CANT + r"\s+(?:to\s+)?(?:browse|access|search|look\s+up|open|view|see|visit)\s+(?:the\s+)?"
        r"(?:internet|web|websites?|links?|urls?|files?|images?|attachments?|external|real[- ]time"
        r"|current|live)",
        _I_CANT + r"\s+(?:to\s+)?(?:run|execute|test)\s+(?:the\s+|this\s+|your\s+|any\s+)?code",
        r"\bmy\s+(?:knowledge|training\s+data)\s+(?:cutoff|cut-off|only\s+goes|is\s+limited\s+to)",
        _I_CANT + r"\s+(?:to\s+)?provide\s+(?:real[- ]time|live|current|up[- ]to[- ]date)",
    )
]

_SAFETY = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # "I can't help feeling..." is a persona voice, not a refusal: insist on a refusal object.
        _I_CANT
        + r"\s+(?:to\s+)?(?:help|assist)(?:\s+you)?(?:\s+with\b|\s+on\s+(?:this|that)|\s+in\s+(?:this|that)"
        r"|\s+here\b|\s*[.!]|\s+if\b|\s+create|\s+make|\s+build|\s+write)",
        _I_CANT
        + r"\s+(?:to\s+)?(?:provide|give|share|offer|generate|create|write|produce|supply)\s+(?:you\s+)?"
        r"(?:with\s+)?(?:that|this|those|instructions|information|details|guidance|assistance|help|content"
        r"|code|a\s+guide|steps|advice)\b",
        _I_CANT
        + r"\s+(?:to\s+)?(?:comply|fulfil+|engage|support|do\s+that|do\s+this|participate|go\s+along)",
        rf"\b(?:against|violates?|violation\s+of)\s+(?:my|our|the|openai{_APOS}s|anthropic{_APOS}s)\s+"
        r"(?:guidelines|policies|policy|principles|programming|content\s+policy|usage\s+polic(?:y|ies)|terms)",
        r"\bI\s*(?:must|have\s+to|need\s+to|will\s+have\s+to)\s+(?:respectfully\s+|politely\s+)?"
        r"(?:decline|refuse)",
        rf"\bI{_APOS}?m\s+not\s+(?:comfortable|willing)\s+(?:providing|helping|assisting|doing|writing|creating)",
        r"\bI\s+(?:am\s+)?(?:not\s+)?(?:programmed|designed)\s+(?:not\s+)?to\s+(?:refuse|decline|avoid)",
    )
]

_APOLOGY = re.compile(
    rf"^\W*(?:I{_APOS}m\s+sorry|I\s+am\s+sorry|sorry|I\s+apologi[sz]e|unfortunately)", re.IGNORECASE
)
_SUBSTANCE = re.compile(r"\\boxed\s*\{|\\fbox\s*\{|```|^\s*def\s+\w+\s*\(", re.MULTILINE)
# "I can't browse, but the capital is Paris" answers anyway; "I can't, but I can help with X" still refuses.
_CONTRAST = re.compile(r"[^\n]{0,40}?\b(?:but|however|that\s+said|instead|though)\b", re.IGNORECASE)


def _first_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    best: re.Match[str] | None = None
    for pattern in patterns:
        m = pattern.search(text)
        if m and (best is None or m.start() < best.start()):
            best = m
    return best


def _classify(window: str) -> tuple[RefusalType, re.Match[str]] | None:
    cap = _first_match(_CAPABILITY, window)
    safe = _first_match(_SAFETY, window)
    if cap and (not safe or cap.start() <= safe.start()):
        return "capability", cap
    if safe:
        return "safety", safe
    return None


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
    after_len = total - m.end()  # no slicing: texts can be megabytes long
    # An answer anywhere in view (before or after the phrase) means the refusal was partial at most.
    if after_len > SUBSTANTIVE_AFTER:
        return RefusalResult(False, "none", 0.3, matched)
    if _SUBSTANCE.search(head) or _SUBSTANCE.search(text[-TAIL_CHARS:]):
        return RefusalResult(False, "none", AMBIGUOUS, matched)
    if _CONTRAST.match(head, m.end()):
        return RefusalResult(True, kind, 0.55, matched)
    confidence = 0.8
    if m.start() < 150:
        confidence += 0.1
    if _APOLOGY.search(head):
        confidence += 0.05
    if m.start() > 300:
        # Buried in the middle of a short text: reported, but left to the LLM pass.
        confidence = 0.6
    return RefusalResult(True, kind, round(min(confidence, 0.95), 2), matched)
