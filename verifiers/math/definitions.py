"""Values a question defines by name, for answers that name a variable instead of giving its value.

Generated arithmetic questions ("Let s be 207*-3*(-1)/12. Let j = 52 - s. Which is bigger: -1 or
j?") have the value as their gold (0.25), and models often answer with the name ("j", "j > -1",
option "(c)" where (c) is j). `question_values` reads the question's plain definitions in order:
"Let x = <arithmetic>", "Let x be <arithmetic>", and "Suppose <linear equations>" that fix their
unknowns; anything else (functions, derivatives, words) is skipped, and a definition that uses an
unknown name is not read. `picked_side` says which side of "v > g" a "which is greater" question's
answer names.

The question is the dataset's text, not the model's; it is still read only by our own parser
(`verifiers.math.parse`), never by eval or sympify. Runs in the worker (SymPy).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import sympy

from verifiers.math.parse import ParseError, TooLarge, parse_expr

MAX_QUESTION_CHARS = 2000
MAX_DEFINITIONS = 12
_SENTENCE = re.compile(r"(?<=[.?!])\s+|\.$")
_LET = re.compile(r"^(?:Let|Suppose|Assume)\s+([a-zA-Z])\s*(?:=|\bbe\b)\s*(.+?)\.?$")
_SUPPOSE = re.compile(r"^(?:Suppose|Assume|Given)\s+(.+?)\.?$")
# Plain arithmetic in single-letter names: no function calls ("h(3)"), no words, no powers of names.
_ARITH = re.compile(r"^[\d\s+\-*/().a-zA-Z]+$")
_NAME = re.compile(r"(?<![A-Za-z])[a-zA-Z](?![A-Za-z])")
_WORDS = re.compile(r"[A-Za-z]{2,}")
_CALL = re.compile(r"(?<![A-Za-z])[a-zA-Z]\s*\(")
_WHICH = re.compile(
    r"\bwhich is (?:the )?(bigger|greater|larger|higher|smaller|less|lesser|lower)\b\s*:?\s*"
    r"([^?\s]{1,40})\s+or\s+([^?\s]{1,40})\s*\?",
    re.I,
)


def _parse(text: str, known: dict[str, Any], unknowns: dict[str, Any]) -> Any | None:
    """text with known names replaced by their values and unknowns by placeholders; None if unreadable."""
    if not _ARITH.match(text) or _CALL.search(text) or _WORDS.search(text) or "**" in text:
        return None
    names = set(_NAME.findall(text))
    if any(n not in known and n not in unknowns for n in names):
        return None
    placeholders = {n: f"u_{{{k}}}" for k, n in enumerate(sorted(unknowns))}

    def swap(m: re.Match[str]) -> str:
        name = m.group(0)
        return f"({known[name]})" if name in known else placeholders[name]

    try:
        value = parse_expr(_NAME.sub(swap, text))
    except (ParseError, TooLarge, ZeroDivisionError, ValueError, TypeError, RecursionError):
        return None
    return value


def _solve(equations: list[str], known: dict[str, Any]) -> dict[str, Any]:
    """Linear equations that fix each of their unknowns: {name: value}; {} when they don't."""
    unknowns = sorted({n for eq in equations for n in _NAME.findall(eq) if n not in known})
    if not unknowns or len(unknowns) != len(equations):
        return {}
    symbols = {n: sympy.Symbol(f"u_{k}") for k, n in enumerate(unknowns)}
    exprs = []
    for eq in equations:
        sides = eq.split("=")
        if len(sides) != 2:
            return {}
        lhs, rhs = (_parse(side, known, dict(symbols)) for side in sides)
        if lhs is None or rhs is None:
            return {}
        exprs.append(sympy.expand(lhs - rhs))
    syms = [symbols[n] for n in unknowns]
    if any(sympy.Poly(e, *syms).total_degree() > 1 for e in exprs if e.free_symbols):
        return {}
    solution = sympy.linsolve(exprs, syms)
    if len(solution) != 1:
        return {}
    values = next(iter(solution))
    if any(v.free_symbols for v in values):
        return {}
    return {n: v for n, v in zip(unknowns, values, strict=True)}


@lru_cache(maxsize=256)
def question_values(question: str) -> dict[str, Any]:
    """{name: SymPy number} for the names the question defines plainly, in order."""
    known: dict[str, Any] = {}
    if not question or "Let" not in question and "Suppose" not in question:
        return known
    for sentence in _SENTENCE.split(question[:MAX_QUESTION_CHARS].strip()):
        if len(known) >= MAX_DEFINITIONS:
            break
        sentence = sentence.strip()
        m = _LET.match(sentence)
        if m and "=" not in m.group(2):
            value = _parse(m.group(2), known, {})
            if value is not None and getattr(value, "is_number", False):
                known[m.group(1)] = value
            continue
        m = _SUPPOSE.match(sentence)
        if m and "=" in m.group(1):
            try:
                known.update(_solve([e.strip() for e in m.group(1).split(",")], known))
            except (sympy.PolynomialError, ValueError, TypeError, ZeroDivisionError):
                continue
    return known


def picked_side(relation: tuple[str, str, str], question: str) -> str | None:
    """For "Which is greater: v or g?" answered "v > g": the side the answer names ("v")."""
    m = _WHICH.search(question)
    if not m:
        return None
    left, op, right = relation
    choices = {re.sub(r"\s+", "", m.group(2)), re.sub(r"\s+", "", m.group(3))}
    if {re.sub(r"\s+", "", left), re.sub(r"\s+", "", right)} != choices:
        return None
    wants_greater = m.group(1).lower() in ("bigger", "greater", "larger", "higher")
    left_greater = op in (">", r"\ge")
    return left if wants_greater == left_greater else right
