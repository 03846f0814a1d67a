"""Fast, pattern-based refusal detection.

Only the head (first ~600 chars), the tail (last ~300 chars) and the overall length are
inspected, so the cost stays flat on very long responses. `confidence` is the confidence in
the verdict itself, and CONFIDENT (0.7) is the one threshold that matters downstream: a pattern
verdict below it is "unsure" (`ambiguous` where a refusal signal was seen), is never recorded as a
refusal, and is what the LLM pass (common/checks/refusal.py) rechecks; `refused` is the decision a
row records.

Where a refusal phrase meets answer material (a figure, a figure in words, a name given as the answer,
an equation, code, "fine, it's 4", a "but" that answers rather than offers), the pass stays unsure: a
persona's complaint before the answer, one part declined and the rest answered, and a refusal that
explains itself look alike to patterns. Material that comes after a way round ("If you're testing your
own site: locust -f ...") belongs to a refusal offering an alternative, which is confident but below 0.9.
Where no refusal phrase matched but the response still says no in other words ("that's a no",
"there's no way for me to ...") and carries no answer, it is unsure too; a refusal phrase only in the
tail of a long text is unsure either way; a quoted refusal ("HAL says \"I'm afraid I can't do that\"")
is not one.

Confidences are calibrated on the tuning sets of bench/refusal_accuracy.py (it prints the share right per
band, overall and per verdict): >= 0.9 is meant to be right >= 97% of the time for refusal and answer
verdicts each, 0.7-0.9 around 95%. refusals_fresh_holdout.jsonl is the blind check.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from verifiers.base import VerificationResult
from verifiers.refusal_patterns import (
    ALTERNATIVE,
    ANSWER_EVIDENCE,
    APOLOGY,
    APOLOGY_OPENING,
    BARE_NAME,
    CAPABILITY,
    CAPABILITY_HINT,
    CONCESSION,
    CONTRAST,
    FOREIGN_CAPABILITY,
    FOREIGN_CONTRAST,
    FOREIGN_REFUSAL,
    FOREIGN_TRIGGERS,
    NAMED,
    NEAR_I,
    NOT_FIGURES,
    OFFER,
    OPENING,
    OTHER_TRIGGERS,
    REASONS,
    REFERRAL,
    REFUSAL_CONTEXT,
    RESULT,
    SAFETY,
    WEAK_CUE,
    WORD_I,
)

RefusalType = Literal["safety", "capability", "none"]

HEAD_CHARS = 600
TAIL_CHARS = 300
# Past this much text after the refusal phrase, reasons/alternatives vs an answer decide (see detect_refusal).
SUBSTANTIVE_AFTER = 400
# After the refusal's clause, at most this much text without reasons or alternatives keeps it at >= 0.9.
REST_PLAIN = 100
# A refusal phrase starting within this many chars opens the response.
EARLY = 150
DIGIT = re.compile(r"\d")
SENTENCE_END = re.compile(r"(?<![\s(][A-Z])[.!?:;](?:\s|$)|\n")  # the end of the refusal's clause, not "E. coli"
# Where no refusal phrase matched, weak cues are looked for in the first WEAK_WINDOW chars.
WEAK_WINDOW = 300

# The confidences the pass gives (a refusal phrase early and alone gets 0.9-0.95, see detect_refusal).
NO_SIGNAL = 0.9  # no refusal phrase, no weak cue: an answer
REASONS_ONLY = 0.8  # no refusal phrase or cue, but a refusal's reasons ("illegal", "privacy") and no answer material
CUE_ANSWERED = 0.85  # a weak cue, but answer material in view: an answer
CUE_TWICE = 0.75  # an apology opening and a weak cue, nothing else: a refusal in other words
OFFERED = 0.75  # a refusal phrase, then an offer, a referral or a way round instead of the task: a refusal
# Unsure, below CONFIDENT: the LLM pass decides.
AMBIGUOUS = 0.5  # a refusal phrase only in the tail of a long text (leans answer)
LATE_REFUSAL = 0.55  # a safety refusal phrase only in the tail, no answer in view (leans refusal)
CUE_ONLY = 0.5  # one weak cue and nothing else (leans refusal)
ASIDE = 0.3  # a refusal phrase with answer material in view, or "I can't browse, but <not an offer>" (leans answer)
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
        return _classify_foreign(window)
    cap = _search(CAPABILITY, window, spans)
    safe = _search(SAFETY, window, spans)
    if cap and (not safe or cap.start() <= safe.start()):
        return "capability", cap
    if safe:
        return "safety", safe
    if spans[0][0] == 0 and (opening := OPENING.match(window)):
        return "safety", opening
    return _classify_foreign(window)


def _classify_foreign(window: str) -> tuple[RefusalType, re.Match[str]] | None:
    """"No puedo ayudarte con eso", "Dabei kann ich dir nicht helfen": only where a trigger word occurs."""
    lowered = window.lower()
    if not any(t in lowered for t in FOREIGN_TRIGGERS):
        return None
    cap, safe = FOREIGN_CAPABILITY.search(window), FOREIGN_REFUSAL.search(window)
    if cap and (not safe or cap.start() <= safe.start()):
        return "capability", cap
    return ("safety", safe) if safe else None


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _no_helplines(part: str) -> str:
    """`part` with helpline numbers and "24/7" blanked out (same length): they are not answers."""
    return NOT_FIGURES.sub(_blank, part) if DIGIT.search(part) else part


def _answer_in(*parts: str) -> re.Match[str] | None:
    """Answer material (a figure, an equation, code, "the answer is") in any of `parts`; helpline
    numbers are not answers."""
    for part in parts:
        if part and (m := ANSWER_EVIDENCE.search(_no_helplines(part))):
            return m
    return None


def _quoted(head: str, pos: int) -> bool:
    """Whether `pos` lies inside double quotes: a refusal quoted ("I'm sorry, Dave. I'm afraid I can't do
    that.") is talked about, not made."""
    before = head[:pos]
    return before.count("\u201c") > before.count("\u201d") or before.count('"') % 2 == 1


def _alternative_first(after: str, tail: str, evidence: re.Match[str] | None) -> bool:
    """The answer material (`evidence`: its first match in `after`, None if only in `tail`) after an early
    refusal belongs to an alternative: "I can't help build a DoS tool. If you're load-testing your own site,
    use: locust -f ..." (a way round, not the answer). Not where a result is stated ("..., but you can check
    it yourself: it prints 45")."""
    if any(part and RESULT.search(_no_helplines(part)) for part in (after, tail)):
        return False
    return ALTERNATIVE.search(after, 0, evidence.end() if evidence else len(after)) is not None


def _weak(head: str, tail: str) -> RefusalResult:
    """No refusal phrase: a weak cue ("that's a no", "no way for me to") without an answer is unsure."""
    apology = APOLOGY_OPENING.match(head)
    cue = WEAK_CUE.search(head, apology.end() if apology else 0, WEAK_WINDOW)
    first = apology or cue
    if first is None:
        if REASONS.search(head[:WEAK_WINDOW].lower()) and not _answer_in(head, tail):
            return RefusalResult(False, "none", REASONS_ONLY, None)
        return RefusalResult(False, "none", NO_SIGNAL, None)
    if _answer_in(head, tail) or CONCESSION.search(head, first.end()):
        return RefusalResult(False, "none", CUE_ANSWERED, None)
    kind: RefusalType = "capability" if CAPABILITY_HINT.search(head) else "safety"
    if apology and cue:  # "Sorry, that's a no", "My apologies, I've got no access to ..."
        return RefusalResult(True, kind, CUE_TWICE, head[: cue.end()])
    return RefusalResult(True, kind, CUE_ONLY, first.group(0))


# The pipeline, the split's verifier and the quality metrics each ask about the same response;
# a small cache answers the repeats (a str caches its hash, so a hit costs next to nothing).
@functools.lru_cache(maxsize=128)
def detect_refusal(text: str | None) -> RefusalResult:
    """Classify `text` as a safety/capability refusal or not, from its head and tail only."""
    if not text or not text.strip():
        return RefusalResult(False, "none", NO_SIGNAL, None)
    total = len(text)
    head = text[:HEAD_CHARS]
    tail_start = max(HEAD_CHARS, total - TAIL_CHARS)
    tail = text[tail_start:]  # empty unless the text is longer than the head
    found = _classify(head)
    if found is None:
        found_tail = _classify(tail) if tail else None
        if found_tail is None:
            return _weak(head, tail)
        # A closing disclaimer after a long answer is not a refusal, but a long lecture ending in one is:
        # either way the LLM pass decides; a declined request with no answer in view leans refusal.
        kind_t, m_t = found_tail
        if kind_t == "safety" and not _answer_in(head, tail):
            return RefusalResult(True, kind_t, LATE_REFUSAL, m_t.group(0))
        return RefusalResult(False, "none", AMBIGUOUS, m_t.group(0))

    kind, m = found
    matched = m.group(0)
    if _quoted(head, m.start()):
        # "\"I'm afraid I can't do that.\" HAL says it when ...": a refusal quoted, not made.
        return RefusalResult(False, "none", ASIDE, matched)
    after_len = total - m.end()  # no slicing of `text`: it can be megabytes long
    after = head[m.end():]
    contrast = CONTRAST.match(head, m.end()) or FOREIGN_CONTRAST.match(head, m.end())
    if contrast and not OFFER.match(head, contrast.end()):
        rest = head[contrast.end():]
        clause_end = clause.start() if (clause := SENTENCE_END.search(rest)) else len(rest)
        # What the "but" clause itself says: a referral (in a short response) or a way round.
        referral = total - contrast.end() <= 2 * REST_PLAIN and REFERRAL.search(rest, 0, clause_end)
        if ((referral or ALTERNATIVE.search(rest, 0, clause_end)) and not _answer_in(head[:m.start()], rest, tail)
                and not CONCESSION.search(rest)):
            # "I can't give medical advice, but generally your care team should set this", "I won't write
            # that, but there are legitimate tools ...": a referral or an alternative, not the answer.
            return RefusalResult(True, kind, OFFERED, matched)
        # "I can't browse, but the capital is Paris": the refusal was an aside.
        return RefusalResult(False, "none", ASIDE, matched)
    before = _answer_in(head[:m.start()])
    conceded = CONCESSION.search(after)
    evidence = None if before or conceded else _answer_in(after)
    if before or conceded or evidence or _answer_in(tail):
        if not (before or conceded) and m.start() < EARLY and _alternative_first(after, tail, evidence):
            # Declined first, then code or commands for a way round it: a refusal offering an alternative.
            return RefusalResult(True, kind, OFFERED, matched)
        # A refusal phrase with an answer in view: a persona's complaint, one part declined and the
        # rest answered, or a refusal that explains itself with figures. The LLM pass decides.
        return RefusalResult(False, "none", ASIDE, matched)
    if after_len > SUBSTANTIVE_AFTER:
        # Long, with no answer in view: reasons and alternatives mean a refusal that explains
        # itself; without them it may be an answer in prose. Either way the LLM pass may look.
        if REFUSAL_CONTEXT.search(after):
            return RefusalResult(True, kind, 0.65 if contrast else 0.75, matched)
        return RefusalResult(False, "none", 0.4, matched)
    if contrast:
        # "I can't do X, but if you paste it I'll ...": an offer instead of the task is still a refusal.
        return RefusalResult(True, kind, OFFERED, matched)
    confidence = 0.8
    end = SENTENCE_END.search(head, m.end())
    rest = head[end.end():] if end else ""
    if BARE_NAME.match(rest) or NAMED.search(rest):
        # "I refuse to get excited about geography. Ulaanbaatar.", "... Its formula is NaCl.": the answer.
        return RefusalResult(False, "none", ASIDE, matched)
    if m.start() < EARLY and (len(rest) <= REST_PLAIN or REFUSAL_CONTEXT.search(rest) or OFFER.search(rest)):
        # Early, and what follows is short or reasons and alternatives. Much else after it
        # ("I won't point you to X. Free alternatives: ...") may be an answer to another part.
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
