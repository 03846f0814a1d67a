"""Labelled values: "Smallest = 3, Largest = 9", "Anna: 5, Ben: 8", "the minimum is 3 and the maximum is 9".

A gold written as a bare list ("3, 9") holds the same values in some order. Which order is the
question's business: a set-valued question ("find all solutions") takes them in any order; one
that names the labels ("the smallest and the largest") fixes the order to its own; otherwise the
written order is all there is. Regex only; the values are compared by the caller.
"""

from __future__ import annotations

import re

from verifiers.math.normalize import normalize_connectors, unwrap_text
from verifiers.math.shapes import top_split

# A label is words ("Smallest", "the maximum value", "Anna", "x-coordinate"); never one letter
# (x = 3 is a variable, handled as an assignment) and never a function name.
_LABEL = re.compile(r"^(?:the\s+)?([A-Za-z][A-Za-z'\- ]*[A-Za-z])$")
_NOT_LABELS = {"sin", "cos", "tan", "log", "ln", "exp", "sqrt", "lim", "gcd", "lcm", "det"}
# "Anna: 5", "the minimum is 3", "Ben has 8 marbles".
_SEPARATOR = re.compile(r"\s*(?:=|:|\bis\b|\bare\b|\bequals\b|\bwas\b|\bhas\b|\bhave\b|\bgets\b)\s*")
_STOP = {"the", "a", "an", "of", "value", "values", "number", "is", "are", "possible", "its", "their"}
_SYNONYMS = {
    **dict.fromkeys(("smallest", "least", "minimum", "min", "lowest", "minimal", "fewest"), "min"),
    **dict.fromkeys(("largest", "greatest", "maximum", "max", "highest", "biggest", "maximal", "most"), "max"),
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def labelled_values(text: str) -> list[tuple[str, str]] | None:
    """[(label, value), ...] when the answer is two or more labelled values; None otherwise."""
    pieces = [p for p in top_split(normalize_connectors(text)) if p]
    if len(pieces) < 2:
        return None
    out = []
    for piece in pieces:
        found = _labelled(piece)
        if found is None:
            return None
        out.append(found)
    return out


def _labelled(piece: str) -> tuple[str, str] | None:
    # \text{} wrappers go ("\text{Anna: } 5"), the value's own braces stay ("\frac{1}{2}").
    plain = re.sub(r"\s+", " ", unwrap_text(piece)).strip()
    m = _SEPARATOR.search(plain)
    if m is None or m.start() == 0:
        return None
    label = _LABEL.match(plain[: m.start()].strip())
    value = plain[m.end() :].strip()
    if label is None or not value or not re.search(r"[\d\\]", value) or _SEPARATOR.search(value):
        return None
    name = label.group(1).strip()
    if name.lower() in _NOT_LABELS or len(name.replace(" ", "")) < 2:
        return None
    return name, value


def _key_words(label: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(label)]
    return [_SYNONYMS.get(w, w.rstrip("s") if len(w) > 3 else w) for w in words if w not in _STOP]


def question_order(labels: list[str], question: str) -> list[int] | None:
    """Each label's position in the question (where it is named first), or None if any is missing."""
    q_words = [w.lower() for w in _WORD.findall(question)]
    q_keys = [_SYNONYMS.get(w, w.rstrip("s") if len(w) > 3 else w) for w in q_words]
    positions = []
    for label in labels:
        keys = _key_words(label)
        if not keys:
            return None
        hits = [i for i, k in enumerate(q_keys) if k in keys]
        if not hits:
            return None
        positions.append(hits[0])
    return positions if len(set(positions)) == len(positions) else None
