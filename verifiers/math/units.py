"""Quantities: a number plus what it is measured in (a unit, a percent sign, degrees).

`split_quantity` peels the unit / %, / degree mark off an answer so the comparison can treat
"150 cm", "25%" and "30^\\circ" as a number with a tag. Units are looked up in pint only when
they are spelled as units ("\\text{ cm}", "cm", "miles per hour"); unknown words ("apples",
"students") are labels that must match but convert to nothing.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from verifiers.math.normalize import number_word, unwrap_text
from verifiers.math.values import Hints, Num, Verdict, as_expr, compare_values, scale, to_float, value

_PERCENT = re.compile(
    r"\s*(?:\\%|%|\\text\s*\{\s*(?:percent(?:age)?|\\%)\s*\}|\bpercent(?:age)?\b|\bpct\b)\s*$"
)
_DEGREE = re.compile(
    r"\s*(?:\^\s*\{?\s*\\circ\s*\}?|\\circ|\\degree|\^\s*\{\s*\\text\s*\{\s*o\s*\}\s*\}"
    r"|(?<=\d)\s*\^\s*(?:\{\s*o\s*\}|o))\s*$"  # "45^{o}": the letter o typed for the degree ring
)
_TRIG = re.compile(r"\\(?:sin|cos|tan|cot|sec|csc)(?![a-zA-Z])")
_DEGREE_WORDS = {"degree", "degrees", "deg", "\u00b0"}
_RADIAN_WORDS = {"rad", "rads", "radian", "radians"}
_PERCENT_WORDS = {"percent", "percentage", "pct"}
_UNIT_CMD = re.compile(
    r"^(?P<num>.*?)\s*\\(?:text|mathrm|textrm|mbox|operatorname|textnormal|textbf|mathbf|textit)\s*\{\s*(?P<unit>[^{}]+?)\s*\}"
    r"\s*(?P<pow>\^\s*\{?\s*-?\d\s*\}?)?\s*$"
)
_UNIT_PLAIN = re.compile(
    r"^(?P<num>[+-]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s*/\s*\d+)?)\s*(?P<unit>[a-zA-Z][a-zA-Z/ .]{0,40}?)"
    r"\s*(?P<pow>\^\s*\{?\s*-?\d\s*\}?)?\s*$"
)
_UNIT_SAFE = re.compile(r"[A-Za-z/ *0-9.\-\u00b5]{1,50}")
# Single letters are usually variables ("2 x"); these few are read as units when written plainly.
_PLAIN_SINGLE_LETTER_UNITS = {"m", "g", "s", "h", "L"}
# pint knows these words but in an answer they are labels ("12 units" of area is not micronits).
_NOT_UNITS = {"unit", "units", "sq", "square", "cubic", "a", "an", "the", "of", "in", "at", "or", "and"}


@dataclass
class Quantity:
    text: str  # the numeric / symbolic part
    unit: str | None = None  # unit or label as written, normalised
    pint_unit: Any = None  # pint Unit when the unit is a real unit
    percent: bool = False
    degree: bool = False
    radian: bool = False


_ureg: Any = None
_ureg_lock = threading.Lock()


def registry() -> Any:
    global _ureg
    with _ureg_lock:
        if _ureg is None:
            import pint

            _ureg = pint.UnitRegistry()
    return _ureg


def split_quantity(s: str) -> Quantity:
    q = Quantity(s.strip())
    m = _PERCENT.search(q.text)
    if m and m.start() > 0:
        q.text, q.percent = q.text[: m.start()].strip(), True
    m = _DEGREE.search(q.text)
    # "\\cos 36^\\circ" is a number, not an angle: the parser reads the degree mark inside it.
    if m and m.start() > 0 and not _TRIG.search(q.text):
        q.text, q.degree = q.text[: m.start()].strip(), True
        return q
    m = _UNIT_CMD.match(q.text)
    explicit = m is not None
    m = m or _UNIT_PLAIN.match(q.text)
    if not m or not m.group("num").strip():
        return q
    unit = unwrap_text(m.group("unit")).strip().strip(".")
    words = unit.lower()
    if words in _DEGREE_WORDS:
        q.text, q.degree = m.group("num").strip(), True
        return q
    if words in _RADIAN_WORDS:
        q.text, q.radian = m.group("num").strip(), True
        return q
    if words in _PERCENT_WORDS:
        q.text, q.percent = m.group("num").strip(), True
        return q
    if not explicit and len(unit) == 1 and unit not in _PLAIN_SINGLE_LETTER_UNITS:
        return q
    if m.group("pow"):
        unit += "**" + re.sub(r"[^\d-]", "", m.group("pow"))
    q.text = m.group("num").strip()
    q.unit = _normalise_unit(unit)
    q.pint_unit = pint_unit(q.unit, explicit)
    return q


def _normalise_unit(unit: str) -> str:
    unit = unit.replace(r"\cdot", "*").replace("^", "**").replace(r"\mu", "u").replace("****", "**")
    unit = re.sub(r"\s+per\s+", " / ", unit)
    unit = re.sub(r"^(?:square|sq\.?)\s+(\w+)$", r"\1**2", unit)
    unit = re.sub(r"^(?:cubic|cu\.?)\s+(\w+)$", r"\1**3", unit)
    return re.sub(r"\s+", " ", unit).strip()


def pint_unit(unit: str, explicit: bool = True) -> Any | None:
    """pint's unit for `unit`; `explicit` when it was written as \\text{...} ("\\text{ in}" is inches)."""
    if not _UNIT_SAFE.fullmatch(unit) or (unit.lower() in _NOT_UNITS and not (explicit and unit == "in")):
        return None
    try:
        parsed = registry().parse_units(unit)
    except Exception:  # noqa: BLE001 - unknown word ("apples"): a label, not a unit
        return None
    return parsed


def conversion_factor(from_unit: Any, to_unit: Any) -> Fraction | None:
    """Exact-enough factor taking `from_unit` to `to_unit`; None if the dimensions differ."""
    try:
        factor = registry().Quantity(1, from_unit).to(to_unit).magnitude
    except Exception:  # noqa: BLE001 - pint.DimensionalityError and friends
        return None
    # pint works in floats: 1 km/h -> 0.2777...; the nearest simple fraction is the exact factor.
    return Fraction(factor).limit_denominator(10**9)


def same_label(a: str, b: str) -> bool:
    """'apples' == 'apple', 'Dollars' == 'dollar': labels compare as words, singular or plural."""
    a, b = a.lower().rstrip("s"), b.lower().rstrip("s")
    return a == b


# ---------------------------------------------------------------------------------------------
# Comparing quantities
# ---------------------------------------------------------------------------------------------


def compare_quantities(c_text: str, g_text: str, h: Hints) -> Verdict:
    """Two single values that may carry a unit, a percent sign or a degree mark."""
    c_text, g_text = number_word(c_text), number_word(g_text)
    qc, qg = split_quantity(c_text), split_quantity(g_text)
    cv, gv = value(qc.text), value(qg.text)
    if cv is None or gv is None:
        which = "candidate" if cv is None else "gold"
        return Verdict(False, 0.3, "math_symbolic", f"unparseable_{which}")
    if qc.degree or qg.degree or qc.radian or qg.radian or h.degrees:
        angle = _compare_angles(qc, qg, cv, gv, h)
        if angle is not None:
            return angle
    if qc.unit is not None or qg.unit is not None:
        return _compare_units(qc, qg, cv, gv)
    if qc.percent != qg.percent:
        return _compare_percent(cv, gv, qc.percent, h)
    return compare_values(cv, gv)


def _compare_angles(qc: Quantity, qg: Quantity, cv: Any, gv: Any, h: Hints) -> Verdict | None:
    """30^\\circ = pi/6; 45^\\circ = 45 unless the question wants radians; None: not an angle question."""
    c_deg, g_deg = qc.degree, qg.degree
    if c_deg == g_deg:
        if c_deg or not h.degrees:
            return None
        # A degree question answered in radians: pi/3 for 60.
        c_pi, g_pi = _has_pi(cv), _has_pi(gv)
        if c_pi == g_pi:
            return None
        rad, other = (cv, gv) if c_pi else (gv, cv)
        in_degrees = as_expr(rad) * 180 / sympy.pi
        v = compare_values(in_degrees, other) if c_pi else compare_values(other, in_degrees)
        return Verdict(v.ok, min(v.confidence, 0.7), "math_units", "radians_for_degrees" if v.ok else v.reason)
    deg, other = (cv, gv) if c_deg else (gv, cv)
    if _has_pi(other) or h.radians or (qc.radian or qg.radian):
        converted = as_expr(deg) * sympy.pi / 180
        reason = "degrees_radians"
    else:
        converted, reason = deg, "degree_sign"
    v = compare_values(converted, other) if c_deg else compare_values(other, converted)
    cap = 0.9 if h.angle else 0.85
    return Verdict(v.ok, min(v.confidence, cap), "math_units", reason if v.ok else v.reason)


def _has_pi(v: Any) -> bool:
    """Written in radians, as far as we can tell: the value involves pi."""
    return bool(getattr(as_expr(v), "has", lambda _: False)(sympy.pi))


def _compare_units(qc: Quantity, qg: Quantity, cv: Any, gv: Any) -> Verdict:
    """Same unit, convertible units (pint), or a bare number against a unit (accepted, less sure)."""
    if qc.unit is None or qg.unit is None:
        v = compare_values(cv, gv)
        reason = "bare_number_vs_unit" if v.ok else "magnitude_mismatch"
        return Verdict(v.ok, 0.7 if v.ok else 0.9, "math_units", reason)
    if qc.unit == qg.unit or same_label(qc.unit, qg.unit):
        v = compare_values(cv, gv)
        return Verdict(v.ok, v.confidence, v.method, "same_unit" if v.ok else v.reason)
    if qc.pint_unit is None or qg.pint_unit is None:
        return Verdict(False, 0.7, "math_units", "unit_label_mismatch")
    factor = conversion_factor(qc.pint_unit, qg.pint_unit)
    if factor is None:
        return Verdict(False, 0.85, "math_units", "dimension_mismatch")
    v = compare_values(scale(cv, factor), gv)
    return Verdict(v.ok, 0.9, "math_units", "unit_conversion_match" if v.ok else "unit_conversion_mismatch")


def _compare_percent(cv: Any, gv: Any, cand_has_pct: bool, h: Hints) -> Verdict:
    """25% = 0.25 (and = 25 where the question asks for a percent); 5% is never 500."""
    pct, other = (cv, gv) if cand_has_pct else (gv, cv)
    as_fraction = compare_values(scale(pct, Fraction(1, 100)), other)
    as_number = compare_values(pct, other)
    if h.percent:
        if as_number.ok:
            return Verdict(True, 0.9, "math_percent", "percent_sign_dropped")
        if as_fraction.ok and not cand_has_pct:
            # Gold "25%", candidate "0.25" to a "what percent" question: same amount, other form.
            return Verdict(True, 0.6, "math_percent", "percent_as_fraction")
        return Verdict(False, 0.9, "math_percent", "percent_mismatch")
    if as_fraction.ok:
        return Verdict(True, 0.85, "math_percent", "percent_equivalent")
    plain = isinstance(other, Num) and (other.value.is_Integer or other.half_ulp is not None)
    if as_number.ok and plain and abs(to_float(other)) >= 1:
        # A percent written without its sign ("25", "12.5"); a fraction or a value below 1 is a proportion.
        return Verdict(True, 0.7, "math_percent", "percent_sign_dropped")
    return Verdict(False, 0.9, "math_percent", "percent_mismatch")

