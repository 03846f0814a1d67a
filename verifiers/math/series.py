"""Sums written with an ellipsis: `1 + 2 + 3 + \\cdots + 1000`, `1 + 2 + 4 + \\ldots + 2^{10}`.

latex2sympy silently drops the dots (it reads `1 + 2 + 3 + \\ldots + 1000` as 1006), and a
grammar that recursed through thousands of terms could overflow the stack, so an ellipsis sum is
never handed to a general parser. Here the written terms before the dots fix an arithmetic or a
geometric progression, the term after the dots ends it, and the closed form gives the exact total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from verifiers.math.parse import ParseError, TooLarge, parse_expr
from verifiers.math.shapes import top_split

DOTS = r"\ldots"
# A geometric sum with more terms than this is too large to be anyone's intended answer.
_MAX_GEOMETRIC_TERMS = 5000


@dataclass
class SeriesSum:
    value: Any  # exact SymPy number
    certain: bool  # three or more written terms pin the progression; two leave a guess


def _number(term: str) -> Any:
    if len(top_split(term[1:], "-")) > 1:
        return None  # "1 - 2 + 3 + ...": a difference is not one term of the progression
    try:
        v = parse_expr(term)
    except (ParseError, TooLarge, ZeroDivisionError):
        return None
    return v if getattr(v, "is_Rational", False) else None


def series_sum(text: str) -> SeriesSum | None:
    """The total of `a + b + ... + z`, or None if the pattern is not a number progression."""
    terms = top_split(text, "+")
    dots = [i for i, t in enumerate(terms) if t == DOTS]
    if len(dots) != 1:
        return None
    head, tail = terms[: dots[0]], terms[dots[0] + 1 :]
    if len(head) < 2 or len(tail) != 1:
        return None
    values = [_number(t) for t in head + tail]
    if any(v is None for v in values):
        return None
    written, last = values[:-1], values[-1]
    certain = len(written) >= 3
    found = _arithmetic(written, last)
    if found is None:
        found = _geometric(written, last)
    return None if found is None else SeriesSum(found, certain)


def _arithmetic(written: list[Any], last: Any) -> Any:
    d = written[1] - written[0]
    if d == 0 or any(b - a != d for a, b in zip(written, written[1:], strict=False)):
        return None
    n = (last - written[0]) / d + 1
    if not n.is_Integer or n <= len(written):
        return None
    return n * (written[0] + last) / 2


def _geometric(written: list[Any], last: Any) -> Any:
    if 0 in written:
        return None
    r = written[1] / written[0]
    if r in (0, 1, -1) or any(b / a != r for a, b in zip(written, written[1:], strict=False)):
        return None
    ratio = last / written[0]
    if ratio == 0:
        return None
    # last = first * r^k; the float log only proposes k, exact arithmetic confirms it.
    k = round(_ln(ratio) / _ln(r))
    if not len(written) <= k <= _MAX_GEOMETRIC_TERMS or written[0] * r**k != last:
        return None
    return written[0] * (r ** (k + 1) - 1) / (r - 1)


def _ln(x: Any) -> float:
    """ln|x| of a rational of any size (math.log takes big ints; floats would overflow)."""
    return math.log(abs(int(x.p))) - math.log(int(x.q))


def has_dots(text: str) -> bool:
    return DOTS in text

