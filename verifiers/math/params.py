"""Solution families with a free integer parameter: `\\frac{\\pi}{4} + k\\pi, k \\in \\mathbb{Z}`.

The parameter's name is arbitrary (k, n, m, j...), and so is which member of the family is
written first: {pi/4 + k*pi} = {5pi/4 + n*pi} = {pi/4 - m*pi}. `strip_qualifier` takes the
"k \\in \\mathbb{Z}" / "for some integer m" clause off an answer and names the parameter;
`compare_parametric` compares two one-parameter families as sets where it can tell: for linear
families a + b*k that is |b1| = |b2| and (a1 - a2)/b1 an integer, so pi/4 + 2k*pi is not pi/4 + k*pi.
"""

from __future__ import annotations

import re
from typing import Any

import sympy

from verifiers.math.normalize import unwrap_text
from verifiers.math.values import Verdict, compare_exprs, sym

# Letters that name an integer parameter by convention when the family has a period in pi.
CONVENTIONAL = frozenset("kmnjl")

_INTEGERS = r"(?:\\mathbb\s*\{?\s*Z\s*\}?|\\Z(?![a-zA-Z])|Z\b|\\mathbf\s*\{?\s*Z\s*\}?)"
_LEAD = r"[\s,;]*\(?\s*(?:(?:where|for|with)\s+)?"
_QUALIFIERS = [
    # "for some integer m", ", where n is an integer" (after \text{} wrappers are removed)
    re.compile(_LEAD + r"(?:(?:some|any|all|each|every)\s+)?integers?\s+(?P<v>[a-zA-Z])\s*\)?\s*$", re.I),
    re.compile(
        _LEAD + r"(?<![a-zA-Z\\])(?P<v>[a-zA-Z])\s*(?:\\in\s*" + _INTEGERS
        + r"|(?:is|are)\s+(?:an?\s+|any\s+)?integers?|\s+integers?)\s*\)?\s*$",
        re.I,
    ),
    # "k = 0, \pm 1, \pm 2, \ldots"
    re.compile(_LEAD + r"(?<![a-zA-Z\\])(?P<v>[a-zA-Z])\s*=\s*0\s*,\s*\\pm\s*1\b.*$"),
]


def strip_qualifier(text: str) -> tuple[str, str | None]:
    """('\\frac{\\pi}{4} + k\\pi', 'k') for '\\frac{\\pi}{4} + k\\pi, k \\in \\mathbb{Z}'; else (text, None)."""
    if not re.search(r"integer|\\mathbb\s*\{?\s*Z|\\Z|\\in\s*Z|\\pm\s*1", text, re.I):
        return text, None
    plain = unwrap_text(text)
    for pattern in _QUALIFIERS:
        m = pattern.search(plain)
        if m and m.start() > 0:
            body = plain[: m.start()].strip().rstrip(",;").strip()
            if body and re.search(rf"(?<![a-zA-Z\\]){m.group('v')}(?![a-zA-Z])", body):
                return body, m.group("v")
    return text, None


def mentions_parameter(text: str, declared: frozenset[str]) -> bool:
    """Cheap pre-check: a lone letter that could be an integer parameter appears in the text."""
    letters = CONVENTIONAL | declared
    return any(re.search(rf"(?<![a-zA-Z\\]){k}(?![a-zA-Z])", text) for k in letters)


def _linear(expr: Any, k: Any) -> tuple[Any, Any] | None:
    """(a, b) with expr == a + b*k, b a non-zero constant; None if expr is not that."""
    e = sympy.expand(expr)
    b, a = e.coeff(k, 1), e.coeff(k, 0)
    if sympy.expand(e - a - b * k) != 0 or b == 0 or not (a.is_number and b.is_number):
        return None
    return a, b


def _parameter(expr: Any, declared: frozenset[str]) -> Any | None:
    """The family's one parameter: declared, or a conventional letter multiplying a multiple of pi."""
    free = getattr(expr, "free_symbols", set())
    if len(free) != 1:
        return None
    k = next(iter(free))
    # One side's "k \\in \\mathbb{Z}" tells how to read the other side's lone n as well.
    if k.name in declared or (declared and k.name in CONVENTIONAL):
        return k
    if k.name in CONVENTIONAL:
        lin = _linear(expr, k)
        if lin is not None and lin[1].has(sympy.pi):
            return k
    return None


def compare_parametric(c_text: str, g_text: str, declared: frozenset[str]) -> Verdict | None:
    """A verdict for two one-parameter families, or None when either is not one."""
    c, g = sym(c_text), sym(g_text)
    if c is None or g is None:
        return None
    kc, kg = _parameter(c, declared), _parameter(g, declared)
    if kc is None or kg is None:
        return None
    c = c.subs(kc, kg) if kc != kg else c
    renamed = kc != kg
    lc, lg = _linear(c, kg), _linear(g, kg)
    if lc is not None and lg is not None:
        (a1, b1), (a2, b2) = lc, lg
        shift = sympy.simplify((a1 - a2) / b1)
        if sympy.simplify(abs(b1) - abs(b2)) != 0 or not shift.is_integer:
            return Verdict(False, 0.9, "math_symbolic", "parameter_mismatch")
        if sympy.simplify(a1 - a2) == 0 and sympy.simplify(b1 - b2) == 0:
            # Declared ("k \\in \\mathbb{Z}") is certain; a letter read as an integer by convention is not.
            sure = 0.9 if declared else 0.85
            return Verdict(True, sure, "math_symbolic", "parameter_renamed") if renamed else None
        return Verdict(True, 0.85, "math_symbolic", "parameter_shift")
    v = compare_exprs(c, g)
    if v.ok and renamed:
        return Verdict(True, min(v.confidence, 0.85), v.method, "parameter_renamed")
    return None if not renamed else Verdict(False, v.confidence, v.method, v.reason)
