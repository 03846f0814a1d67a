"""Value-level comparison: numbers and expressions, the exact layers under every other check.

Numbers stay exact (Fraction/Rational); a written decimal carries the precision it was written
with, so 0.333 matches 1/3 and 0.3 does not, and 1/2^99 never equals 1/2^98. Expressions are
compared exactly where SymPy can prove it cheaply, else at random points with 30 digits.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy

from verifiers.math.normalize import clean_latex
from verifiers.math.parse import Num, ParseError, TooLarge, parse_expr, parse_number


@dataclass
class Verdict:
    """One layer's answer: verdict, confidence in it, method and reason code (see math_compare)."""

    ok: bool
    confidence: float
    method: str
    reason: str


@dataclass(frozen=True)
class Hints:
    """What the question says about the expected answer (computed from its text by the caller)."""

    angle: bool = False
    degrees: bool = False
    radians: bool = False
    percent: bool = False
    interval: bool = False
    point: bool = False
    set_answer: bool = False  # "find all ...", "solutions": the answers in any order
    ordered: bool = False  # "in increasing order", "respectively": the order is part of the answer
    factor: bool = False  # "Factor completely": the answer must be written as a product
    question: str = ""  # its text, for the order in which it names the things it asks for
    params: frozenset[str] = frozenset()  # integer parameters the answer declared ("k \\in \\mathbb{Z}")


# How far evalf may push its working precision to tell a tiny difference from zero.
MAX_EVALF_DIGITS = 2000
_ELLIPSIS = re.compile(r"\\(?:[lc]?dots[cbo]?)(?![a-zA-Z])|\.\.\.")


# Per worker process: N candidates of one prompt share their gold, so its parse is reused.
@lru_cache(maxsize=4096)
def value(text: str) -> Any:
    """Num for a plain written number (keeps its precision), a SymPy object otherwise, or None."""
    text = text.strip()
    if not text:
        return None
    num = parse_number(text)
    if num is not None:
        return num
    try:
        return parse_expr(text)
    except ParseError:
        if _ELLIPSIS.search(text):
            return None  # latex2sympy drops the dots: "1 + 2 + \ldots + 9" would read as 12
        return _latex2sympy(text)
    except TooLarge:
        raise  # its own verdict, decided by compare_answers
    except (ZeroDivisionError, ValueError, TypeError):
        return None


def _latex2sympy(text: str) -> Any:
    """The fallback grammar for constructs our parser leaves out (sums, integrals, limits...)."""
    if "\\" not in text:
        return None
    from latex2sympy2_extended.latex2sympy2 import NormalizationConfig, latex2sympy

    config = NormalizationConfig(basic_latex=True, units=False, malformed_operators=True, nits=False, boxed="none")
    try:
        expr = latex2sympy(text, normalization_config=config)
    except Exception:  # noqa: BLE001 - unparseable is a verdict, not a crash
        return None
    if not isinstance(expr, sympy.Expr):
        return None
    floats = expr.atoms(sympy.Float)
    # Its Floats are decimals the text spelled out exactly: keep them exact.
    return expr.xreplace({f: sympy.Rational(str(f)) for f in floats}) if floats else expr


def sym(text: str) -> Any:
    """A SymPy object for an answer fragment (precision dropped), or None."""
    v = value(clean_latex(text))
    return None if v is None else as_expr(v)


def as_expr(v: Any) -> Any:
    """The SymPy value behind a `value()` result."""
    return v.value if isinstance(v, Num) else v


def scale(v: Any, factor: Fraction) -> Any:
    """v * factor, scaling a written number's precision with it (25% -> 0.25 keeps 2 digits' worth)."""
    r = sympy.Rational(factor.numerator, factor.denominator)
    if isinstance(v, Num):
        return Num(v.value * r, v.half_ulp * abs(factor) if v.half_ulp is not None else None, v.sigfigs)
    return v * r


def to_float(v: Any) -> float:
    """|v| as a float, for coarse decisions only (never for equality)."""
    try:
        return float(abs(sympy.N(as_expr(v))))
    except (TypeError, ValueError):
        return 0.0


def compare_values(cv: Any, gv: Any) -> Verdict:
    """Candidate value vs gold value: numbers by exactness and written precision, else symbolically."""
    c, g = as_expr(cv), as_expr(gv)
    if not (isinstance(c, sympy.Basic) and isinstance(g, sympy.Basic)):
        return Verdict(False, 0.3, "math_symbolic", "unparseable")
    if c.free_symbols or g.free_symbols:
        return compare_exprs(c, g)
    cn = cv if isinstance(cv, Num) else Num(c, None, None)
    gn = gv if isinstance(gv, Num) else Num(g, None, None)
    return compare_numbers(cn, gn)


def _half_down(written: Any, exact: Any, tol: Fraction) -> bool:
    """0.12 for 0.125 sits exactly half a unit away: only rounding away from zero (0.13) counts."""
    gap = abs(written - exact)
    return bool(gap == sympy.Rational(tol.numerator, tol.denominator) and abs(written) < abs(exact))


def _close(diff: Any, tol: Fraction) -> bool:
    """|diff| <= tol, decided at 50 digits (diff may be irrational)."""
    return bool(sympy.N(abs(diff) - sympy.Rational(tol.numerator, tol.denominator), 50) <= 0)


def compare_numbers(cn: Num, gn: Num) -> Verdict:
    """Exact equality first; a written decimal is then held to the digits it has, never fixed decimals."""
    c, g = cn.value, gn.value
    if c.has(sympy.nan, sympy.zoo) or g.has(sympy.nan, sympy.zoo):
        return Verdict(False, 0.3, "math_symbolic", "undefined_value")
    if c.is_infinite or g.is_infinite:
        same = c == g
        return Verdict(same, 0.95, "math_symbolic", "exact_match" if same else "exact_mismatch")
    diff = c - g
    if diff == 0:
        return Verdict(True, 0.95, "math_symbolic", "exact_match")
    if not (c.is_Rational and g.is_Rational):
        approx = abs(sympy.N(diff, 60))
        scale = max(abs(sympy.N(c, 60)), abs(sympy.N(g, 60)))
        # Zero to 60 digits: proven zero, or too close to tell. A difference that more digits can
        # see (checked first: a proof attempt on 2^{1/2^{1000}} - 1 can run for minutes) is not zero.
        if (approx == 0 or approx <= scale * sympy.Float("1e-40", 60)) and not _distinguishable(diff):
            if _exactly_zero(diff):
                return Verdict(True, 0.95, "math_symbolic", "exact_match")
            return Verdict(True, 0.9, "math_numeric", "numerically_equal")
    if cn.half_ulp is not None:
        # Only as close as the candidate wrote it, and a 1-significant-figure answer proves nothing.
        if cn.sigfigs is not None and cn.sigfigs < 2:
            return Verdict(False, 0.7, "math_numeric", "insufficient_precision")
        if g.is_Integer and gn.half_ulp is None and cn.half_ulp >= Fraction(1, 2):
            # 1.2e3 for 1234: an exact count approximated coarser than its units is not that count.
            return Verdict(False, 0.8, "math_numeric", "insufficient_precision")
        tol = max(cn.half_ulp, gn.half_ulp or Fraction(0))
        if _close(diff, tol) and not _half_down(cn.value, g, tol):
            return Verdict(True, 0.85, "math_numeric", "within_written_precision")
        return Verdict(False, 0.9, "math_numeric", "outside_written_precision")
    if gn.half_ulp is not None and (gn.sigfigs or 0) >= 2 and _close(diff, gn.half_ulp):
        # Exact candidate, rounded gold: the gold's precision is all we can hold it to.
        return Verdict(True, 0.8, "math_numeric", "within_gold_precision")
    return Verdict(False, 0.95, "math_symbolic", "exact_mismatch")


def _distinguishable(diff: Any) -> bool:
    """A difference that 60 digits cannot see but more digits can: 2^{1/2^{1000}} - 1 is 7e-302."""
    try:
        # strict: raise rather than return a zero with no correct digits ("0.e-2706").
        deeper = sympy.N(diff, 15, maxn=MAX_EVALF_DIGITS, strict=True)
    except (TypeError, ValueError, ArithmeticError, sympy.core.evalf.PrecisionExhausted):
        return False
    return bool(deeper.is_number and deeper != 0)


def _points(symbols: list[Any], n: int) -> list[dict[Any, Any]]:
    """n deterministic sample points with distinct rational coordinates in (0.5, 4.2)."""
    rng = random.Random(0)
    # Distinct values per symbol (or "a" and "b" could coincide and look equal), away from 0 and 1.
    return [
        {s: sympy.Rational(v, 97) for s, v in zip(symbols, rng.sample(range(53, 400), len(symbols)), strict=True)}
        for _ in range(n)
    ]


def _numeric(expr: Any, point: dict[Any, Any]) -> Any | None:
    """expr at point to 30 digits; None where it is undefined there."""
    try:
        value = sympy.N(expr.subs(point), 30)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not value.is_number or value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return None
    return value


def compare_exprs(c: Any, g: Any) -> Verdict:
    """Expressions with variables: equal at sample points, then proven equal where SymPy can."""
    if not (isinstance(c, sympy.Expr) and isinstance(g, sympy.Expr)):
        same = c == g
        return Verdict(same, 0.8, "math_symbolic", "structural_match" if same else "structural_mismatch")
    diff = c - g
    if diff == 0:
        return Verdict(True, 0.95, "math_symbolic", "symbolic_match")
    symbols = sorted(c.free_symbols | g.free_symbols, key=str)
    points = _points(symbols, 4)
    if diff.has(sympy.Abs, sympy.sign, sympy.floor, sympy.ceiling):
        # |x| and x agree at every positive point: sign-sensitive answers get negative points too.
        points += [{s: -v for s, v in p.items()} for p in points]
    checked = 0
    for point in points:
        cv, gv = _numeric(c, point), _numeric(g, point)
        if cv is None or gv is None:
            continue
        checked += 1
        if abs(cv - gv) > 1e-12 * max(abs(cv), abs(gv), 1):
            if c.free_symbols != g.free_symbols:
                # Not even the same letters ("C_n" for a formula in n, "j" for 0.25): a name the
                # question gave may stand for the value; less sure than a difference in the same ones.
                return Verdict(False, 0.85, "math_symbolic", "different_variables")
            return Verdict(False, 0.9, "math_symbolic", "symbolic_mismatch")
    if checked == 0:
        return Verdict(False, 0.3, "math_symbolic", "undecidable")
    if _exactly_zero(diff):
        return Verdict(True, 0.95, "math_symbolic", "symbolic_match")
    # Equal to 12 digits at every sample point but no cheap proof: identities SymPy can't see.
    return Verdict(True, 0.85, "math_numeric", "equal_at_sample_points")


def _exactly_zero(diff: Any) -> bool:
    """A proof that `diff` is 0, cheapest first; full simplify() only for small expressions."""
    if sympy.expand(diff) == 0:
        return True
    if diff.has(sympy.log) and sympy.expand(sympy.expand_log(diff, force=True)) == 0:
        return True
    if diff.has(sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc):
        return sympy.expand(sympy.trigsimp(diff)) == 0
    if not diff.free_symbols and sympy.sqrtdenest(diff) == 0:
        return True
    if not diff.has(sympy.Function) and sympy.cancel(diff) == 0:
        return True
    return sympy.count_ops(diff) <= 15 and sympy.simplify(diff) == 0


def proportional(a: Any, b: Any, positive: bool) -> bool:
    """a == k*b for a constant k != 0 (k > 0 when `positive`), checked at sample points."""
    if a == 0 or b == 0:
        return a == b
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    ratios = []
    for point in _points(symbols, 4):
        av, bv = _numeric(a, point), _numeric(b, point)
        if av is None or bv is None:
            continue
        if abs(bv) < 1e-20:
            if abs(av) > 1e-20:
                return False
            continue
        ratios.append(av / bv)
    if not ratios:
        return False
    k = ratios[0]
    if abs(k) < 1e-20 or any(abs(r - k) > 1e-12 * max(abs(k), 1) for r in ratios):
        return False
    return not positive or bool(sympy.re(k) > 0)
