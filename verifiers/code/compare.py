"""Comparing what a candidate produced with what a test expects; all of it runs on the host, on plain data.

- stdout: line by line, trailing whitespace and blank lines ignored (APPS's own checker drops them
  too), tokens compared one by one; an integer expected token must be printed as that integer, a
  float one is matched by any number within an absolute or relative error of 1e-6 (the usual judge
  bound; a 1e-9 absolute bound would reject answers printed to 6 decimals against a longer expected);
- function results: by value AND type on values rebuilt from type-tagged JSON, so only genuine
  builtins arrive here; JSON has no tuples, so a tuple matches an expected list; ints and floats
  compare numerically (datasets write 3 for 3.0), bool never equals a number;
- SQL result sets: rows as lists, order-insensitive unless the test says ordered.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

REL_TOL = 1e-6
ABS_TOL = 1e-6
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def truncate(text: str, limit: int = 120) -> str:
    text = text if isinstance(text, str) else repr(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tokens_equal(got: str, want: str) -> bool:
    if got == want:
        return True
    if _INT.fullmatch(want):  # an integer answer is exact: "3.0" or "2.9999999" for 3 is a wrong answer
        return _INT.fullmatch(got) is not None and int(got) == int(want)
    if _FLOAT.fullmatch(want) and _FLOAT.fullmatch(got):
        expected, actual = float(want), float(got)
        # 1e-12: printed decimals are not exact binary fractions ("0.123457" - "0.123456" > 1e-6)
        return abs(actual - expected) <= max(REL_TOL * abs(expected), ABS_TOL) + 1e-12
    return False


def _lines(text: str) -> list[str]:
    lines = (ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n"))
    return [ln for ln in lines if ln]


def compare_stdout(actual: str, expected: str) -> str | None:
    """None when equal, else where they first differ."""
    got, want = _lines(actual), _lines(expected)
    for n, (g, w) in enumerate(zip(got, want, strict=False), 1):
        gt, wt = g.split(), w.split()
        if len(gt) != len(wt) or not all(_tokens_equal(x, y) for x, y in zip(gt, wt, strict=True)):
            return f"line {n}: expected {truncate(w)!r}, got {truncate(g)!r}"
    if len(got) != len(want):
        return f"expected {len(want)} line(s), got {len(got)}"
    return None


def values_equal(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        if isinstance(expected, int) and isinstance(actual, int):
            return actual == expected
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        return math.isclose(actual, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if expected is None or isinstance(expected, str | bytes | complex):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, list | tuple):
        return (isinstance(actual, list | tuple) and len(actual) == len(expected)
                and all(values_equal(a, e) for a, e in zip(actual, expected, strict=True)))
    if isinstance(expected, set | frozenset):
        return isinstance(actual, set | frozenset) and actual == expected
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or len(actual) != len(expected):
            return False
        keyed = {str(k): v for k, v in actual.items()}  # JSON object keys are always strings
        return all(str(k) in keyed and values_equal(keyed[str(k)], v) for k, v in expected.items())
    return False


def call_matches(actual: Any, expected: Any) -> bool:
    """APPS call-based outputs often wrap the result in a one-element list; accept either form."""
    if values_equal(actual, expected):
        return True
    return isinstance(expected, list) and len(expected) == 1 and values_equal(actual, expected[0])


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def rows_equal(actual: list[list[Any]], expected: list[list[Any]], ordered: bool) -> str | None:
    """None when the result sets match, else how they differ."""
    got = [[_canonical(v) for v in row] for row in actual]
    want = [[_canonical(v) for v in row] for row in expected]
    if not ordered:
        key = lambda r: json.dumps(r, default=str)  # noqa: E731 - one-line sort key
        got, want = sorted(got, key=key), sorted(want, key=key)
    if len(got) != len(want):
        return f"expected {len(want)} row(s), got {len(got)}"
    for g, w in zip(got, want, strict=True):
        if not values_equal(g, w):
            return f"expected row {truncate(json.dumps(w, default=str))}, got {truncate(json.dumps(g, default=str))}"
    return None
