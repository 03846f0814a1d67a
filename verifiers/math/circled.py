"""Circled numerals: multi-select answers written "①④" or "\\textcircled{1}\\textcircled{4}".

Exams that number their statements ①②③④ take "which statements are true?" answers as the
circled numbers; a gold may spell the same choice "14", "1,4" or "①④". The chosen statements are
a set, so order does not matter. Regex only.
"""

from __future__ import annotations

import re

from verifiers.math.values import Verdict

_CIRCLED = (
    {chr(0x2460 + i): i + 1 for i in range(20)}  # ① .. ⑳
    | {"\u24ea": 0, "\u24ff": 0}  # ⓪, ⓿
    | {chr(0x2776 + i): i + 1 for i in range(10)}  # ❶ .. ❿
    | {chr(0x2780 + i): i + 1 for i in range(10)}  # ➀ .. ➉
    | {chr(0x278A + i): i + 1 for i in range(10)}  # ➊ .. ➓
)
_TEX = re.compile(r"\\(?:textcircled|circled|enclose\s*\{\s*circle\s*\})\s*\{\s*(\d{1,2})\s*\}")
# What may sit between circled numerals: spaces, commas, the ideographic comma, "and".
_GAP = re.compile(r"(?:[\s,;\u3001]|\\[,;: ]|\\text\s*\{\s*and\s*\}|\band\b|\\quad)*")
_DIGITS = re.compile(r"\d+")
_LIST = re.compile(r"^\d{1,2}(?:\s*(?:,|;|\u3001|\band\b|\\text\s*\{\s*and\s*\})\s*\d{1,2})*$")


def circled(text: str) -> list[int] | None:
    """The numbers of an answer made only of circled numerals; None for anything else."""
    s = _TEX.sub(lambda m: chr(0x2460 + int(m.group(1)) - 1) if 1 <= int(m.group(1)) <= 20 else "\u24ea", text)
    if not any(ch in _CIRCLED for ch in s):
        return None
    out: list[int] = []
    s, pos = s.strip(), 0
    while pos < len(s):
        if s[pos] not in _CIRCLED:
            return None
        out.append(_CIRCLED[s[pos]])
        match = _GAP.match(s, pos + 1)
        pos = match.end() if match else pos + 1
    return out


def _plain_choices(text: str) -> set[int] | None:
    """'14' (each digit one statement), '1,4', '1 and 4' -> {1, 4}."""
    s = text.strip()
    if re.fullmatch(r"\d{1,9}", s):
        digits = [int(d) for d in s]
        return set(digits) if len(set(digits)) == len(digits) else None
    if _LIST.fullmatch(s):
        return {int(d) for d in _DIGITS.findall(s)}
    return None


def compare_circled(candidate: str, gold: str) -> Verdict | None:
    """A verdict when either side is written in circled numerals; None otherwise."""
    cc, gc = circled(candidate), circled(gold)
    if cc is None and gc is None:
        return None
    c_set = set(cc) if cc is not None else _plain_choices(candidate)
    g_set = set(gc) if gc is not None else _plain_choices(gold)
    if c_set is None or g_set is None:
        return Verdict(False, 0.6, "math_string", "circled_vs_other")
    ok = c_set == g_set
    # "14" read digit by digit as statements 1 and 4 is a reading, not a spelling: a little less sure.
    digits = any(x is None and re.fullmatch(r"\d{2,}", t.strip()) for x, t in ((cc, candidate), (gc, gold)))
    confidence = 0.85 if ok and digits else 0.9
    return Verdict(ok, confidence, "math_string", "circled_choices" if ok else "circled_mismatch")
