"""Math answer verification: extract the candidate's answer, compare it with the gold answer.

Extraction and string normalisation are cheap regex work done in the caller. Everything that
touches SymPy runs through `compare_answers`, which the verifier executes in a killable worker
process (`verifiers.timeout_pool`), because a model can write `9^{9^{9^9}}` and SymPy will try.

Comparison layers, strictest first: normalised string -> exact symbolic -> numeric within the
precision the candidate actually wrote -> units (pint) -> math_verify as a last resort for
shapes we don't model ourselves. math_verify is never trusted for numbers: it rounds to fixed
decimals, so it calls 1/2^99 and 1/2^98 equal.

Safety: model text is never handed to eval/sympify/parse_expr. LaTeX goes through
latex2sympy (via math_verify's latex-only parser); plain numbers are read with `Fraction`.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from common.refusal_check import detect_refusal
from verifiers.base import VerificationResult
from verifiers.timeout_pool import TaskTimeout, TimeoutPool, WorkerError


class _DropTimeoutDisabledWarning(logging.Filter):
    # We pass parsing_timeout=None on purpose (signal.alarm is main-thread only) and bound time ourselves.
    def filter(self, record: logging.LogRecord) -> bool:
        return "Timeout is disabled" not in record.getMessage()


logging.getLogger("math_verify.parser").addFilter(_DropTimeoutDisabledWarning())

DEFAULT_TIMEOUT_S = 5.0
REFUSAL_THRESHOLD = 0.7
# Answers longer than this are not parsed: nothing that long is a short gold answer anyway.
MAX_PARSE_CHARS = 1000
# A bare trailing number is a guess at what the model meant; never be sure about it.
TRAILING_CONFIDENCE_CAP = 0.6
MAX_BOXED_CHARS = 5000
# Extracted answers are stored with the record; keep that bounded.
MAX_DETAIL_CHARS = 500

# ---------------------------------------------------------------------------------------------
# Extraction (caller side, regex only)
# ---------------------------------------------------------------------------------------------

_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_BOXED_BARE = re.compile(r"\\boxed\s+([^\s$]+)")
_ANSWER_PHRASE = re.compile(
    r"(?:final\s+answer\s*(?:is\b|:|=)|\banswer\s*(?:is\b|:|=)|\bthe\s+answer\s+is\b)\s*:?", re.IGNORECASE
)
_MATH_SPAN_END = re.compile(
    r"(?:\$\$?([^$]{1,300}?)\$\$?|\\\((.{1,300}?)\\\)|\\\[(.{1,300}?)\\\])[\s.!*]*$", re.S
)
_NUMBER_END = re.compile(r"(-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?)[\s.!*)]*$")
_DELIMS = ((r"$$", r"$$"), ("$", "$"), (r"\(", r"\)"), (r"\[", r"\]"))


def _balanced(text: str, open_idx: int) -> str | None:
    """Content of the brace group opening at `open_idx`; escaped braces don't count."""
    depth = 0
    i = open_idx
    # Bounded scan: many unclosed \boxed{ in a huge response must not turn quadratic.
    end = min(len(text), open_idx + MAX_BOXED_CHARS)
    while i < end:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[open_idx + 1 : i]
        i += 1
    return None


def _last_boxed(text: str) -> str | None:
    for m in reversed(list(_BOXED.finditer(text))):
        content = _balanced(text, m.end() - 1)
        if content is not None and content.strip():
            return content.strip()
    bare = list(_BOXED_BARE.finditer(text))
    return bare[-1].group(1) if bare else None


def _clean_answer(s: str) -> str:
    """Strip the decoration models put around a stated answer: bold, math delimiters, full stops."""
    s = s.strip().strip("*").strip()
    for left, right in _DELIMS:
        if s.startswith(left):
            end = s.find(right, len(left))
            if end > 0:
                return _clean_answer(s[len(left) : end])
    boxed = _last_boxed(s)
    if boxed is not None:
        return boxed
    # A sentence full stop ends the answer; a decimal point does not.
    s = re.split(r"\.(?=\s|$)", s, maxsplit=1)[0]
    return s.strip().rstrip(".,;!").strip("*").strip()


def extract_answer(response: str, final_answer: str | None = None) -> tuple[str, str] | None:
    """Return (answer, source) with source in final_answer/boxed/phrase/trailing, or None."""
    if final_answer is not None and str(final_answer).strip():
        cleaned = _clean_answer(str(final_answer))
        if cleaned:
            return cleaned, "final_answer"
    text = response or ""
    boxed = _last_boxed(text)
    if boxed:
        return boxed, "boxed"
    phrases = list(_ANSWER_PHRASE.finditer(text))
    if phrases:
        start = phrases[-1].end()
        rest = text[start : start + 600].lstrip(" \t*:")
        # Display math may span lines; anything else ends at the line break.
        line = rest if rest.startswith(("$$", r"\[")) else rest.split("\n", 1)[0]
        cleaned = _clean_answer(line)
        if cleaned:
            return cleaned, "phrase"
    tail = text.rstrip()[-300:]
    m = _MATH_SPAN_END.search(tail)
    if m:
        span = next(g for g in m.groups() if g is not None).strip()
        if span:
            return span, "trailing"
    m = _NUMBER_END.search(tail)
    if m:
        return m.group(1).strip(), "trailing"
    return None


# ---------------------------------------------------------------------------------------------
# String normalisation (both sides)
# ---------------------------------------------------------------------------------------------

_TEXT_WRAP = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}")
_SPACING = re.compile(r"\\[!,;:> ]|~|\\quad|\\qquad|\\displaystyle")
_DEGREES = re.compile(r"\^\s*\{?\\circ\}?|\\circ|\\degree|°")
_PERCENT = re.compile(r"\\?%")
_LEFT_RIGHT = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])")
_SQRT_PAREN = re.compile(r"\\sqrt\s*\(([^()]*)\)")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SCI = re.compile(r"^([+-]?\d+(?:\.\d*)?)\s*(?:[eE]|\\times\s*10\s*\^|\\cdot\s*10\s*\^)\s*\{?([+-]?\d+)\}?$")
_LHS_VAR = re.compile(r"^\s*[a-zA-Z](?:_\{?\w+\}?)?\s*(?:=|\\in\b)\s*")


def _has_percent(s: str) -> bool:
    return bool(_PERCENT.search(s))


def clean_latex(s: str) -> str:
    """Light normalisation that keeps the expression parseable (spaces survive)."""
    s = s.strip()
    for left, right in _DELIMS:
        if s.startswith(left) and s.endswith(right) and len(s) > len(left) + len(right):
            s = s[len(left) : -len(right)].strip()
    s = s.replace("\u2212", "-").replace(r"\dfrac", r"\frac").replace(r"\tfrac", r"\frac")
    s = _LEFT_RIGHT.sub("", s)
    s = _SPACING.sub(" ", s)
    s = _DEGREES.sub("", s)
    s = _PERCENT.sub("", s)
    s = s.replace(r"\$", "").replace("{,}", "")
    s = _SQRT_PAREN.sub(r"\\sqrt{\1}", s)
    s = s.strip().rstrip(".").strip()
    if _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    return s


def normalize(s: str) -> str:
    """Aggressive normalisation for string equality only."""
    s = clean_latex(s)
    prev = None
    while prev != s:
        prev, s = s, _TEXT_WRAP.sub(r"\1", s)
    s = re.sub(r"\s+", "", s)
    if re.fullmatch(r"\([A-Za-z]\)", s):
        s = s[1]
    if re.fullmatch(r"[A-Za-z]+", s):
        s = s.lower()
    return s


# ---------------------------------------------------------------------------------------------
# Comparison (worker side)
# ---------------------------------------------------------------------------------------------


@dataclass
class _Verdict:
    ok: bool
    confidence: float
    method: str
    reason: str


def compare_answers(candidate: str, gold: str) -> dict[str, Any]:
    """Compare two answer strings; returns a JSON-able dict (it crosses a process boundary)."""
    try:
        v = _compare(candidate, gold)
    except MemoryError:
        # Same failure class as a timeout: the expression is too big to decide within budget.
        v = _Verdict(False, 0.1, "math_timeout", "memory_limit")
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - a SymPy crash is "undecided", not a crash
        v = _Verdict(False, 0.1, "math_error", f"error:{type(exc).__name__}")
    return {"ok": v.ok, "confidence": v.confidence, "method": v.method, "reason": v.reason}


def _compare(candidate: str, gold: str) -> _Verdict:
    if normalize(candidate) == normalize(gold):
        return _Verdict(True, 1.0, "math_string", "string_match")
    if len(candidate) > MAX_PARSE_CHARS or len(gold) > MAX_PARSE_CHARS:
        return _Verdict(False, 0.7, "math_string", "too_long_to_parse")
    c_struct, g_struct = _split_structure(clean_latex(candidate)), _split_structure(clean_latex(gold))
    if c_struct or g_struct:
        return _compare_structures(candidate, gold, c_struct, g_struct)
    return _compare_scalar(candidate, gold)


# --- structures: tuples, sets, intervals, bare lists ---

_RELATION = re.compile(r"<|>|\\(?:le|ge|leq|geq|lt|gt|neq?)(?![a-zA-Z])")


def _top_level_split(s: str, sep: str = ",") -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        if s.startswith((r"\{", r"\langle"), i):
            depth += 1
            i += 2 if s[i + 1] == "{" else 7
            continue
        if s.startswith((r"\}", r"\rangle"), i):
            depth -= 1
            i += 2 if s[i + 1] == "}" else 7
            continue
        ch = s[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(s[start:i])
            start = i + 1
        i += 1
    parts.append(s[start:])
    return [p.strip() for p in parts]


def _encloses(s: str, left: str, right: str) -> bool:
    """True if `left` at the start pairs with `right` at the very end (not `(a)+(b)`)."""
    if not (s.startswith(left) and s.endswith(right)):
        return False
    inner = s[len(left) : len(s) - len(right)]
    depth = 0
    for ch in inner:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
    return depth == 0


def _split_structure(s: str) -> tuple[str, list[str]] | None:
    """(kind, elements) for a collection; None for a scalar. kind: set/bare/() /[]/(]/[)."""
    s = _LHS_VAR.sub("", s, count=1)
    if _encloses(s, r"\{", r"\}"):
        return "set", _top_level_split(s[2:-2])
    if _encloses(s, r"\langle", r"\rangle"):
        return "()", _top_level_split(s[6:-7])
    if len(s) >= 2 and s[0] in "([" and s[-1] in ")]" and _encloses("(" + s[1:-1] + ")", "(", ")"):
        parts = _top_level_split(s[1:-1])
        if len(parts) > 1:
            return s[0] + s[-1], parts
        return None
    parts = _top_level_split(s)
    return ("bare", parts) if len(parts) > 1 else None


def _compare_structures(
    candidate: str, gold: str, c: tuple[str, list[str]] | None, g: tuple[str, list[str]] | None
) -> _Verdict:
    if (c is None) != (g is None) and _RELATION.search(candidate if c is None else gold):
        # "x < 3" against "(-\infty, 3)": the same set written as a relation.
        ce, ge = _parse_latex(clean_latex(candidate)), _parse_latex(clean_latex(gold))
        if ce is None or ge is None:
            return _Verdict(False, 0.5, "math_string", "unparseable")
        return _math_verify_fallback(ce, ge, set_relation=True)
    # A scalar is a one-element bare list: right only against a one-element collection.
    (ck, ce), (gk, ge) = c or ("bare", [candidate]), g or ("bare", [gold])
    if len(ce) != len(ge):
        return _Verdict(False, 0.9, "math_symbolic", "length_mismatch")
    intervals = {"(]", "[)", "[]", "()"}
    cap = 1.0
    if ck == gk:
        ordered = ck not in ("set", "bare")
    elif {ck, gk} <= {"set", "bare"}:
        ordered, cap = False, 0.9
    elif "bare" in (ck, gk) and (ck if gk == "bare" else gk) == "()":
        ordered, cap = True, 0.85
    elif ck in intervals and gk in intervals:
        # Different brackets: a different interval (or a tuple vs a closed list).
        return _Verdict(False, 0.85, "math_symbolic", "bracket_mismatch")
    else:
        ordered, cap = ck != "set" and gk != "set", 0.6
    verdicts = _match_elements(ce, ge, ordered)
    if verdicts is None:
        return _Verdict(False, min(0.9, cap), "math_symbolic", "element_mismatch")
    worst = min(verdicts, key=lambda v: v.confidence)
    return _Verdict(True, min(worst.confidence, cap), worst.method, f"{'tuple' if ordered else 'set'}_match")


def _match_elements(ce: list[str], ge: list[str], ordered: bool) -> list[_Verdict] | None:
    if ordered:
        out = [_compare(a, b) for a, b in zip(ce, ge, strict=True)]
        return out if all(v.ok for v in out) else None
    remaining = list(ge)
    out = []
    for a in ce:
        for j, b in enumerate(remaining):
            v = _compare(a, b)
            if v.ok:
                out.append(v)
                del remaining[j]
                break
        else:
            return None
    return out


# --- scalars: numbers, expressions, equations, percent, units ---


@dataclass
class _Num:
    value: Any  # sympy number (exact where the text was exact)
    half_ulp: Fraction | None  # half a unit in the last written decimal place; None if exact
    sigfigs: int | None


_PLAIN = re.compile(r"[+-]?\d+(?:\.\d*)?|[+-]?\.\d+")
_PLAIN_FRAC = re.compile(r"([+-]?\d+)\s*/\s*(\d+)")


def _plain_number(s: str) -> _Num | None:
    """Read a plain decimal / sci-notation / a/b number exactly, with its written precision."""
    import sympy

    s = s.replace(" ", "")
    m = _PLAIN_FRAC.fullmatch(s)
    if m:
        if int(m.group(2)) == 0:
            return None
        return _Num(sympy.Rational(int(m.group(1)), int(m.group(2))), None, None)
    exp = 0
    sci = _SCI.match(s)
    if sci:
        s, exp = sci.group(1), int(sci.group(2))
        if abs(exp) > 400:
            return None
    if not _PLAIN.fullmatch(s):
        return None
    value = Fraction(s) * Fraction(10) ** exp
    if "." not in s:
        return _Num(sympy.Rational(value.numerator, value.denominator), None, None)
    decimals = len(s.split(".", 1)[1])
    digits = s.lstrip("+-").replace(".", "").lstrip("0")
    half = Fraction(1, 2) * Fraction(10) ** (exp - decimals)
    return _Num(sympy.Rational(value.numerator, value.denominator), half, max(len(digits), 1))


def _parse_latex(s: str) -> Any | None:
    """LaTeX -> SymPy through math_verify's latex-only parser; never eval/sympify on raw text."""
    from math_verify import LatexExtractionConfig, parse

    config = [LatexExtractionConfig(boxed_match_priority=0)]
    try:
        parsed = parse(f"${s}$", extraction_config=config, fallback_mode="no_fallback", parsing_timeout=None)
    except Exception:  # noqa: BLE001 - unparseable is a verdict, not a crash
        return None
    return parsed[0] if parsed else None


def _to_exact(expr: Any) -> Any:
    """Replace parser Floats by the exact decimals they were written as."""
    import sympy

    floats = expr.atoms(sympy.Float) if hasattr(expr, "atoms") else set()
    return expr.xreplace({f: sympy.Rational(str(f)) for f in floats}) if floats else expr


def _number(s: str) -> _Num | None:
    plain = _plain_number(s)
    if plain is not None:
        return plain
    expr = _parse_latex(s)
    if expr is None or not getattr(expr, "is_number", False):
        return None
    return _Num(_to_exact(expr), None, None)


_WORD = re.compile(r"[a-z]+")


def _compare_scalar(candidate: str, gold: str) -> _Verdict:
    c_pct, g_pct = _has_percent(candidate), _has_percent(gold)
    c, g = clean_latex(candidate), clean_latex(gold)
    nc, ng = normalize(c), normalize(g)
    if _WORD.fullmatch(nc) and _WORD.fullmatch(ng):
        # Words are compared as words: parsed as LaTeX, "monday" would be a product of letters.
        return _Verdict(nc == ng, 0.9, "math_string", "text_match" if nc == ng else "text_mismatch")
    units = _compare_units(c, g)
    if units is not None:
        return units
    if _top_eq(c) or _top_eq(g):
        return _compare_equations(c, g)
    cn, gn = _number(c), _number(g)
    if cn is not None and gn is not None:
        if c_pct != g_pct:
            return _compare_percent(cn, gn, c_pct)
        return _compare_numbers(cn, gn)
    return _compare_expressions(c, g)


def _top_eq(s: str) -> bool:
    return "=" in s or r"\approx" in s


def _compare_equations(c: str, g: str) -> _Verdict:
    c_parts = re.split(r"=|\\approx", c)
    g_parts = re.split(r"=|\\approx", g)
    if len(g_parts) == 1:
        # "x = 2 + 3 = 5" against "5": the last link of the chain is the answer.
        return _compare(c_parts[-1], g)
    if len(c_parts) == 1:
        if _LHS_VAR.match(g):
            return _compare(c, g_parts[-1])
        return _Verdict(False, 0.7, "math_symbolic", "equation_vs_expression")
    if normalize(c_parts[0]) == normalize(g_parts[0]):
        return _compare(c_parts[-1], g_parts[-1])
    # Different arrangement of the same equation: compare lhs - rhs up to a constant factor.
    import sympy

    parsed = [_parse_latex(p) for p in (c_parts[0], c_parts[-1], g_parts[0], g_parts[-1])]
    if any(p is None for p in parsed):
        return _Verdict(False, 0.5, "math_symbolic", "unparseable")
    dc = _to_exact(parsed[0] - parsed[1])
    dg = _to_exact(parsed[2] - parsed[3])
    ratio = sympy.simplify(dc / dg) if dg != 0 else None
    if ratio is not None and ratio.is_number and ratio != 0:
        return _Verdict(True, 0.9, "math_symbolic", "equivalent_equation")
    return _Verdict(False, 0.8, "math_symbolic", "equation_mismatch")


def _scaled(n: _Num, factor: Fraction) -> _Num:
    import sympy

    return _Num(
        n.value * sympy.Rational(factor.numerator, factor.denominator),
        n.half_ulp * abs(factor) if n.half_ulp is not None else None,
        n.sigfigs,
    )


def _compare_percent(cn: _Num, gn: _Num, candidate_has_pct: bool) -> _Verdict:
    # One side wrote a percent sign: "25%" and "0.25" name the same number.
    if candidate_has_pct:
        v = _compare_numbers(_scaled(cn, Fraction(1, 100)), gn)
    else:
        v = _compare_numbers(cn, _scaled(gn, Fraction(1, 100)))
    if v.ok:
        return _Verdict(True, 0.8, "math_percent", "percent_equivalent")
    # "25.0%" against "25": the sign was dropped on one side but the number is the same.
    raw = _compare_numbers(cn, gn)
    if raw.ok:
        return _Verdict(True, 0.8, "math_percent", "percent_sign_ignored")
    return _Verdict(False, 0.9, "math_percent", "percent_mismatch")


def _close(diff: Any, tol: Fraction) -> bool:
    import sympy

    return bool(sympy.N(abs(diff) - sympy.Rational(tol.numerator, tol.denominator), 50) <= 0)


def _compare_numbers(cn: _Num, gn: _Num) -> _Verdict:
    import sympy

    c, g = cn.value, gn.value
    if c.is_infinite or g.is_infinite or c.has(sympy.nan) or g.has(sympy.nan):
        same = c == g
        return _Verdict(same, 0.95, "math_symbolic", "exact_match" if same else "exact_mismatch")
    diff = c - g
    if diff == 0:
        return _Verdict(True, 0.95, "math_symbolic", "exact_match")
    if not (c.is_Rational and g.is_Rational):
        approx = sympy.N(diff, 60)
        scale = max(abs(sympy.N(g, 60)), 1)
        if abs(approx) <= scale * sympy.Float("1e-45", 60):
            if sympy.simplify(diff) == 0:
                return _Verdict(True, 0.95, "math_symbolic", "exact_match")
            return _Verdict(True, 0.85, "math_numeric", "numerically_equal")
    if cn.half_ulp is not None:
        # Only as close as the candidate wrote it, and a 1-significant-figure answer proves nothing.
        if cn.sigfigs is not None and cn.sigfigs < 2:
            return _Verdict(False, 0.7, "math_numeric", "insufficient_precision")
        tol = max(cn.half_ulp, gn.half_ulp or Fraction(0))
        if _close(diff, tol):
            return _Verdict(True, 0.85, "math_numeric", "within_written_precision")
        return _Verdict(False, 0.9, "math_numeric", "outside_written_precision")
    if gn.half_ulp is not None and _close(diff, gn.half_ulp):
        # Exact candidate, rounded gold: the gold's precision is all we can hold it to.
        return _Verdict(True, 0.8, "math_numeric", "within_gold_precision")
    return _Verdict(False, 0.95, "math_symbolic", "exact_mismatch")


def _compare_expressions(c: str, g: str) -> _Verdict:
    import sympy

    ce, ge = _parse_latex(c), _parse_latex(g)
    if ce is None or ge is None:
        which = "candidate" if ce is None else "gold"
        return _Verdict(False, 0.5, "math_string", f"unparseable_{which}")
    ce, ge = _to_exact(ce), _to_exact(ge)
    if isinstance(ce, sympy.MatrixBase) or isinstance(ge, sympy.MatrixBase):
        return _compare_matrices(ce, ge)
    if isinstance(ce, sympy.Expr) and isinstance(ge, sympy.Expr):
        diff = ce - ge
        if diff == 0 or sympy.simplify(diff) == 0:
            return _Verdict(True, 0.95, "math_symbolic", "symbolic_match")
        return _numeric_probe(diff, ce.free_symbols | ge.free_symbols)
    return _math_verify_fallback(ce, ge)


def _numeric_probe(diff: Any, symbols: set[Any]) -> _Verdict:
    """simplify() can miss identities; evaluate at random points before calling it wrong."""
    import sympy

    rng = random.Random(0)
    ordered = sorted(symbols, key=str)
    for _ in range(3):
        # Distinct values per symbol, or "a" and "b" could coincide and look equal.
        point = {
            s: sympy.Rational(v, 7)
            for s, v in zip(ordered, rng.sample(range(11, 500), len(ordered)), strict=True)
        }
        value = sympy.N(diff.subs(point), 30)
        if not value.is_number or not value.is_finite:
            return _Verdict(False, 0.7, "math_symbolic", "symbolic_mismatch")
        if abs(value) > sympy.Float("1e-20", 30):
            return _Verdict(False, 0.9, "math_symbolic", "symbolic_mismatch")
    return _Verdict(True, 0.85, "math_numeric", "equal_at_sample_points")


def _compare_matrices(ce: Any, ge: Any) -> _Verdict:
    import sympy

    if not (isinstance(ce, sympy.MatrixBase) and isinstance(ge, sympy.MatrixBase)) or ce.shape != ge.shape:
        return _Verdict(False, 0.85, "math_symbolic", "shape_mismatch")
    if all(sympy.simplify(a - b) == 0 for a, b in zip(ce, ge, strict=True)):
        return _Verdict(True, 0.95, "math_symbolic", "matrix_match")
    return _Verdict(False, 0.9, "math_symbolic", "matrix_mismatch")


def _math_verify_fallback(ce: Any, ge: Any, set_relation: bool = False) -> _Verdict:
    """Relations, sets of relations, ...: shapes math_verify models and we don't."""
    from math_verify import verify

    try:
        ok = verify(ge, ce, allow_set_relation_comp=set_relation, timeout_seconds=None, raise_on_error=False)
    except Exception:  # noqa: BLE001
        ok = False
    return _Verdict(bool(ok), 0.85 if ok else 0.75, "math_symbolic", "math_verify")


# --- units ---

_UNIT_TEXT = re.compile(
    r"^(?P<num>.*?)\s*\\(?:text|mathrm|textrm|mbox|operatorname)\s*\{\s*(?P<unit>[^{}]+?)\s*\}"
    r"(?P<pow>\^\s*\{?-?\d\}?)?$"
)
_UNIT_PLAIN = re.compile(
    r"^(?P<num>[+-]?\d[\d.,]*(?:\s*/\s*\d+)?)(?:\s+|(?=[a-zA-Z]{2}))(?P<unit>[a-zA-Z][a-zA-Z/ ]{0,30}?)"
    r"(?P<pow>\^\s*\{?-?\d\}?)?$"
)
_UNIT_SAFE = re.compile(r"[A-Za-z/ *0-9.\-µ]{1,40}")
_ureg: Any = None
_ureg_lock = threading.Lock()


def _registry() -> Any:
    global _ureg
    with _ureg_lock:
        if _ureg is None:
            import pint

            _ureg = pint.UnitRegistry()
    return _ureg


def _split_unit(s: str) -> tuple[str, str | None]:
    m = _UNIT_TEXT.match(s)
    explicit = m is not None
    m = m or _UNIT_PLAIN.match(s)
    if not m or not m.group("num").strip():
        return s, None
    unit = m.group("unit").strip()
    if m.group("pow"):
        unit += "**" + re.sub(r"[^\d-]", "", m.group("pow"))
    # Outside \text{}, "2 x" is an expression: take only real units or label words ("apples").
    if not explicit and len(unit) < 3 and _pint_units(unit) is None:
        return s, None
    return m.group("num").strip(), unit


def _pint_units(unit: str) -> Any | None:
    unit = unit.replace(r"\cdot", "*").replace("^", "**").replace(r"\mu", "u")
    if not _UNIT_SAFE.fullmatch(unit):
        return None
    try:
        return _registry().parse_units(unit.strip())
    except Exception:  # noqa: BLE001 - unknown word ("apples"): a label, not a unit
        return None


def _compare_units(c: str, g: str) -> _Verdict | None:
    (c_num, c_unit), (g_num, g_unit) = _split_unit(c), _split_unit(g)
    if c_unit is None and g_unit is None:
        return None
    cn, gn = _number(c_num), _number(g_num)
    if cn is None or gn is None:
        return None
    if c_unit is None or g_unit is None or normalize(c_unit) == normalize(g_unit):
        v = _compare_numbers(cn, gn)
        if c_unit is not None and g_unit is not None:
            return v
        return _Verdict(v.ok, 0.7, "math_units", "bare_number_vs_unit" if v.ok else "magnitude_mismatch")
    cu, gu = _pint_units(c_unit), _pint_units(g_unit)
    if cu is None or gu is None:
        v = _compare_numbers(cn, gn)
        return _Verdict(False, 0.7 if v.ok else 0.9, "math_units", "unit_label_mismatch")
    ureg = _registry()
    try:
        factor = ureg.Quantity(1, cu).to(gu).magnitude
    except Exception:  # noqa: BLE001 - pint.DimensionalityError and friends
        return _Verdict(False, 0.85, "math_units", "dimension_mismatch")
    import sympy

    scaled = _scaled(cn, Fraction(factor).limit_denominator(10**12))
    v = _compare_numbers(scaled, gn)
    if not v.ok and cn.half_ulp is None and gn.half_ulp is None:
        # Conversion factors are floats; allow for their rounding only.
        diff = sympy.N(scaled.value - gn.value, 30)
        v = _Verdict(bool(abs(diff) <= 1e-9 * max(abs(sympy.N(gn.value)), 1)), 0.9, "", "")
    return _Verdict(v.ok, 0.9, "math_units", "unit_conversion_match" if v.ok else "unit_conversion_mismatch")


# ---------------------------------------------------------------------------------------------
# The verifier
# ---------------------------------------------------------------------------------------------


def _warm_worker() -> None:
    """Pay the import and first-parse costs at worker start, not inside a task's budget."""
    _parse_latex(r"\frac{1}{2}")
    _registry()


_pools: dict[int, TimeoutPool] = {}
_pools_lock = threading.Lock()


def shared_pool() -> TimeoutPool:
    """The per-process pool MathVerifiers share unless given their own."""
    with _pools_lock:
        pool = _pools.get(os.getpid())
        if pool is None:
            workers = min(4, os.cpu_count() or 1)
            pool = _pools[os.getpid()] = TimeoutPool(
                max_workers=workers, preload=("verifiers.math_verifier:_warm_worker",)
            )
    return pool


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_DETAIL_CHARS:
        return text
    return text[:MAX_DETAIL_CHARS] + "..."


class MathVerifier:
    """Verifier for the math split.

    `inline=True` runs the comparison in this process with no time bound: only for callers that
    are already a disposable, time-bounded worker.
    """

    def __init__(
        self, timeout: float = DEFAULT_TIMEOUT_S, inline: bool = False, pool: TimeoutPool | None = None
    ):
        self.timeout = timeout
        self.inline = inline
        self._pool = pool

    def verify(self, response: str, ground_truth: str | None = None, **context: Any) -> VerificationResult:
        refusal = detect_refusal(response or "")
        if refusal.is_refusal and refusal.confidence >= REFUSAL_THRESHOLD:
            return VerificationResult(
                False,
                refusal.confidence,
                f"{refusal.refusal_type} refusal",
                "refusal",
                {"reason": "refusal", "refusal_type": refusal.refusal_type, "matched": refusal.matched},
            )
        details: dict[str, Any] = {"gold": _clip(ground_truth)}
        extracted = extract_answer(response or "", context.get("final_answer"))
        if extracted is None:
            return VerificationResult(
                False, 0.9, "no final answer found", "math_no_answer", {**details, "reason": "no_answer"}
            )
        answer, source = extracted
        details.update(extracted=_clip(answer), source=source)
        if ground_truth is None or not str(ground_truth).strip():
            return VerificationResult(
                False,
                0.0,
                "no ground truth to compare with",
                "math_no_ground_truth",
                {**details, "reason": "no_ground_truth"},
            )
        # Some datasets store a worked solution as the gold; its boxed value is the answer.
        gold = _last_boxed(str(ground_truth)) or str(ground_truth)
        try:
            if self.inline:
                out = compare_answers(answer, gold)
            else:
                pool = self._pool or shared_pool()
                out = pool.run(compare_answers, answer, gold, timeout=self.timeout)
        except TaskTimeout:
            return VerificationResult(
                False,
                0.1,
                f"timed out after {self.timeout:g}s",
                "math_timeout",
                {**details, "reason": "timeout"},
            )
        except WorkerError as exc:
            return VerificationResult(
                False, 0.1, f"comparison failed: {exc}", "math_error", {**details, "reason": "worker_error"}
            )
        confidence = out["confidence"]
        if source == "trailing":
            confidence = min(confidence, TRAILING_CONFIDENCE_CAP)
        verdict = "matches" if out["ok"] else "does not match"
        explanation = f"{_clip(answer)!r} {verdict} {_clip(gold)!r} ({out['reason']})"
        return VerificationResult(
            bool(out["ok"]),
            float(confidence),
            explanation,
            out["method"],
            {**details, "reason": out["reason"]},
        )
