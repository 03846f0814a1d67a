"""Numbers written in words: "one and a half", "two and three quarters", "minus forty-two".

Regex and dictionary lookups only; the value is an exact Fraction. `words_value` reads a phrase
that is nothing but a number; `number_phrases` finds the number phrases inside a sentence (for
extraction, which must tell "one and a half" from two numbers).
"""

from __future__ import annotations

import re
from fractions import Fraction

_UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SMALL = {w: i for i, w in enumerate(_UNITS)}
TENS = {w: 20 + 10 * i for i, w in enumerate(_TENS)}
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
# Denominators, singular and plural: "a third", "two thirds", "three quarters".
_DENOMS = {
    "half": 2, "halves": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "hundredth": 100, "thousandth": 1000,
}
DENOMS = _DENOMS | {w + "s": d for w, d in _DENOMS.items() if not w.endswith("s")}
_SIGNS = {"minus", "negative"}
VOCAB = set(SMALL) | set(TENS) | set(SCALES) | set(DENOMS) | _SIGNS | {"a", "an", "and", "point"}

_SPLIT = re.compile(r"[\s-]+")
_WORD = re.compile(r"[A-Za-z]+")


def _cardinal(words: list[str]) -> int | None:
    """'one hundred and five' -> 105; None unless the words are one well-formed whole number."""
    if not words:
        return None
    total, current, last = 0, 0, ""
    for w in words:
        if w in SMALL:
            if last not in ("", "tens", "hundred", "scale", "and") or (last == "tens" and SMALL[w] == 0):
                return None  # "three five" is two numbers, "twenty zero" none
            current += SMALL[w]
            last = "unit"
        elif w in TENS:
            if last not in ("", "hundred", "scale", "and"):
                return None
            current += TENS[w]
            last = "tens"
        elif w == "hundred":
            if last not in ("unit", "a") or not 0 < current < 100:
                return None
            current *= 100
            last = "hundred"
        elif w in SCALES:
            if last not in ("unit", "tens", "hundred", "a") or current == 0:
                return None
            total += current * SCALES[w]
            current, last = 0, "scale"
        elif w in ("a", "an"):
            if last:
                return None
            current, last = 1, "a"
        elif w == "and":
            # Only "one hundred and five": elsewhere "and" joins two answers.
            if last not in ("hundred", "scale"):
                return None
            last = "and"
        else:
            return None
    if last in ("and", "a"):
        return None
    return total + current


def _fraction(words: list[str]) -> Fraction | None:
    """'a half', 'one third', 'three quarters', 'half' -> the fraction."""
    if not words or words[-1] not in DENOMS:
        return None
    den = DENOMS[words[-1]]
    head = words[:-1]
    if not head:
        return Fraction(1, 2) if den == 2 else None  # "half" alone; "third" alone is an ordinal
    num = 1 if head in (["a"], ["an"]) else _cardinal(head)
    if num is None or num == 0:
        return None
    return Fraction(num, den)


def words_value(text: str) -> Fraction | None:
    """The number a phrase of number words spells, or None if it is anything else."""
    words = [w for w in _SPLIT.split(text.lower().strip(" .,")) if w]
    if not words or any(w not in VOCAB for w in words):
        return None
    sign = 1
    if words[0] in _SIGNS:
        sign, words = -1, words[1:]
    if "point" in words:
        i = words.index("point")
        whole = _cardinal(words[:i])
        digits = words[i + 1 :]
        if whole is None or not digits or any(SMALL.get(d, 10) > 9 for d in digits):
            return None
        return sign * (whole + Fraction("0." + "".join(str(SMALL[d]) for d in digits)))
    for i, w in enumerate(words):
        if w == "and":
            whole, part = _cardinal(words[:i]), _fraction(words[i + 1 :])
            if whole is not None and part is not None and part < 1:
                return sign * (whole + part)
    whole = _cardinal(words)
    if whole is not None:
        return Fraction(sign * whole)
    part = _fraction(words)
    return None if part is None else sign * part


def as_latex(value: Fraction) -> str:
    """An exact number in the spelling the parser reads."""
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return rf"{sign}\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def number_phrases(sentence: str) -> list[tuple[str, Fraction | None]]:
    """Runs of number words in a sentence, each with its value (None: not one number)."""
    runs: list[list[re.Match[str]]] = []
    for m in _WORD.finditer(sentence):
        w = m.group(0).lower()
        gap = sentence[runs[-1][-1].end() : m.start()] if runs and runs[-1] else None
        if w in VOCAB:
            if gap is not None and re.fullmatch(r"[\s-]+", gap):
                runs[-1].append(m)
            else:
                runs.append([m])
        elif not runs or runs[-1]:
            runs.append([])
    out: list[tuple[str, Fraction | None]] = []
    for run in runs:
        # "a", "and" and signs alone ("a dog and a cat") are not numbers.
        while run and run[-1].group(0).lower() in ("a", "an", "and", "point", *_SIGNS):
            run.pop()
        while run and run[0].group(0).lower() in ("and", "point"):
            run.pop(0)
        if run and run[0].group(0).lower() in ("a", "an") and len(run) == 1:
            continue
        if not run:
            continue
        phrase = sentence[run[0].start() : run[-1].end()]
        if all(m.group(0).lower() in ("a", "an", "and", *_SIGNS) for m in run):
            continue
        if phrase.lower() == "one" and _PRONOUN_ONE.search(sentence[: run[0].end() + 4]):
            continue  # "each one gets", "one of them": a pronoun, not the number
        out.append((phrase, words_value(phrase)))
    return out


_PRONOUN_ONE = re.compile(
    r"(?:\b(?:each|every|any|no|the|this|that|which|another)\s+one\b"
    r"|\bone\s+of\b)[^\n]{0,4}$",
    re.I,
)


_PLAIN_WORDS = re.compile(r"[A-Za-z][A-Za-z ,'\-]*")
_MAX_UNIT_WORDS = 3


def from_words(text: str) -> tuple[str, bool]:
    """('\\frac{3}{2}', True) for 'one and a half'; ('12 \\text{apples}', True) for 'twelve apples'.

    A lone word up to "twenty" is left to the unit layer, which already reads it exactly.
    """
    plain = re.sub(r"\\(?:text|textbf|textit|textrm|mathrm|mbox)\s*\{([^{}]*)\}", r"\1", text)
    plain = re.sub(r"\s+", " ", plain.replace("{", " ").replace("}", " ")).strip(" .")
    if not _PLAIN_WORDS.fullmatch(plain):
        return text, False
    words = plain.replace(",", " ").split()
    for n in range(len(words), 0, -1):
        value = words_value(" ".join(words[:n]))
        if value is not None:
            break
    else:
        return text, False
    rest = words[n:]
    if len(rest) > _MAX_UNIT_WORDS or any(w.lower() in VOCAB for w in rest):
        return text, False
    if n == 1 and not rest and (words[0].lower() in SMALL or words[0].lower() == "twenty"):
        return text, False
    number = as_latex(value)
    return (rf"{number} \text{{ {' '.join(rest)}}}" if rest else number), True
