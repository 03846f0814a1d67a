"""Numbers too large to build, compared by their base-10 logarithm: `10^{10^{10}}`, `-2^{10^{12}}`.

The parser refuses any power with more than MAX_DIGITS digits (it would eat the time budget), so
an interval endpoint such as `[0, 10^{10^{10}})` used to end as "too_large". For a power tower
`c \\cdot a^{b}` whose exponent b can itself be built, log10 = log10(c) + b*log10(a) is a small
exact expression: two such numbers are equal exactly when their logs are, and any number that can
be built is far from one that cannot. Towers whose exponent is itself too large stay undecided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from verifiers.math.normalize import brace_end, clean_latex
from verifiers.math.parse import ParseError, TooLarge, parse_expr
from verifiers.math.values import sym

# Logs compared at this many digits; huge logs are ~1e10, so this leaves ~40 digits of margin.
_DIGITS = 60


def _strip_group(s: str) -> str:
    s = s.strip()
    while s.startswith("{") and brace_end(s, 0) == len(s) - 1:
        s = s[1:-1].strip()
    return s


def _top_caret(s: str) -> int | None:
    """Index of the first '^' outside braces and parentheses."""
    depth = 0
    for i, ch in enumerate(s):
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch == "^" and depth == 0:
            return i
    return None


def log10_of_huge(text: str) -> tuple[int, Any] | None:
    """(sign, log10|x|) for a too-large power written `[-][c \\cdot] a^{b}`; None if not one."""
    s = _strip_group(text)
    sign = 1
    if s.startswith("-"):
        sign, s = -1, s[1:].strip()
    coef: Any = sympy.Integer(1)
    for op in (r"\times", r"\cdot"):
        head, sep, tail = s.partition(op)
        if sep and _top_caret(head) is None:
            try:
                coef = parse_expr(head)
            except (ParseError, TooLarge, ZeroDivisionError):
                return None
            s = tail.strip()
            break
    caret = _top_caret(s)
    if caret is None:
        return None
    try:
        base = parse_expr(_strip_group(s[:caret]))
        exponent = parse_expr(_strip_group(s[caret + 1 :]))
    except (ParseError, TooLarge, ZeroDivisionError):
        return None
    if not all(getattr(v, "is_number", False) and v.is_positive for v in (coef, base, exponent)):
        return None
    log = sympy.log(coef, 10) + exponent * sympy.log(base, 10)
    return sign, log


def same_huge(a: tuple[int, Any], b: tuple[int, Any]) -> bool:
    """Two (sign, log10) pairs name the same number."""
    if a[0] != b[0]:
        return False
    diff = sympy.N(a[1] - b[1], _DIGITS)
    scale = max(abs(sympy.N(a[1], _DIGITS)), 1)
    return bool(abs(diff) <= scale * sympy.Float(10) ** (10 - _DIGITS))


def huge_vs_value(h: tuple[int, Any], v: Any) -> bool:
    """Could the huge number equal the built value v? (Only if v's own log says so.)"""
    if not getattr(v, "is_number", False) or not v.is_finite or v == 0:
        return False
    sign = 1 if v.is_positive else -1
    return same_huge(h, (sign, sympy.log(abs(v), 10)))


@dataclass
class Endpoint:
    """One end of an interval: its text and its value, or (sign, log10) when too large to build."""

    text: str
    value: Any
    huge: tuple[int, Any] | None = None

    @property
    def finite(self) -> bool:
        return self.huge is not None or bool(self.value.is_finite)

    def sort_key(self) -> float:
        if self.huge is not None:
            return float("inf") * self.huge[0]
        return float(sympy.N(self.value)) if self.value.is_finite else float(self.value)


def endpoint(text: str) -> Endpoint | None:
    """The endpoint `text` names; None if it is not a number. Raises TooLarge if not even its log can be had."""
    try:
        v = sym(text)
    except TooLarge:
        # "[0, 10^{10^{10}})": compared by its logarithm rather than refused.
        huge = log10_of_huge(clean_latex(text))
        if huge is None:
            raise
        return Endpoint(text, None, huge)
    if v is None or not v.is_number:
        return None
    return Endpoint(text, v)
