"""Answer shapes: decide what kind of object an answer string is before comparing values.

"(1, 2)" may be a point or an open interval, "x = 3" a value, "y = 2x+1" a line, "2 or -3" a
list of roots, "1:2:3" a ratio, "1, 3, 5, \\ldots" a sequence. `shape` turns a cleaned answer into
one of the small records below, from the string alone (regex and bracket matching; nothing is
evaluated here). The comparison then only has to match like with like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from verifiers.math.normalize import unwrap_text
from verifiers.math.parse import GREEK


@dataclass
class Shape:
    """kind: scalar, list, set, tuple, pair, vector, interval, relation, assign, func, equation,
    assigns, matrix, sequence, ratio, base."""

    kind: str
    items: list[str] = field(default_factory=list)
    text: str = ""
    var: str | None = None  # assign / func: the variable assigned or the function's argument
    name: str | None = None  # func: the function's name (with ^{-1} or ')
    names: list[str] = field(default_factory=list)  # assigns: the variables, in order
    brackets: str = ""  # pair: "()" or "[]"
    intervals: list[tuple[str, str, bool, bool]] = field(default_factory=list)  # (lo, hi, lo_closed, hi_closed)
    rows: list[list[str]] = field(default_factory=list)  # matrix


_OPENERS = {"(": ")", "[": "]", "{": "}"}
_REL = re.compile(r"\\le(?![a-zA-Z])|\\ge(?![a-zA-Z])|\\ne(?![a-zA-Z])|\\approx(?![a-zA-Z])|<|>|=")
_MATRIX = re.compile(r"^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$", re.S)
_SYMBOL = r"(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?"
_VAR = re.compile(rf"^{_SYMBOL}$")
_FUNC_HEAD = re.compile(r"^([a-zA-Z])\s*(\^\s*\{\s*-1\s*\}|\^\s*-1|'+|\^\s*\{?\\prime\}?)?\s*\(\s*([a-zA-Z])\s*\)$")
_BASE = re.compile(r"^([0-9A-Za-z]+)_\{?(\d{1,2})\}?$")
_SET_BUILDER = re.compile(r"^\\\{\s*([a-zA-Z])\s*(?:\\in\s*\\mathbb\s*\{?R\}?\s*)?(?:\\mid|:|\|)(.*)\\\}$")
_REALS = re.compile(r"^(?:\\mathbb\s*\{?R\}?|\\R|\\mathbb\{R\})$")


def top_split(s: str, seps: str = ",;") -> list[str]:
    """Split at separators outside any brackets (\\{ \\}, \\langle \\rangle included)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        if s.startswith((r"\{", r"\langle", r"\begin"), i):
            depth += 1
            i += 2 if s[i + 1] == "{" else 7 if s[i + 1] == "l" else 6
            continue
        if s.startswith((r"\}", r"\rangle", r"\end"), i):
            depth -= 1
            i += 2 if s[i + 1] == "}" else 7 if s[i + 1] == "r" else 4
            continue
        ch = s[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in seps and depth == 0:
            parts.append(s[start:i])
            start = i + 1
        i += 1
    parts.append(s[start:])
    return [p.strip() for p in parts]


def encloses(s: str, left: str, right: str) -> bool:
    """True if `left` at the start pairs with `right` at the very end (so not '(a)+(b)')."""
    if not (s.startswith(left) and s.endswith(right)) or len(s) < len(left) + len(right):
        return False
    inner = s[len(left) : len(s) - len(right)]
    depth = 0
    i = 0
    while i < len(inner):
        if inner.startswith(r"\{", i) or inner.startswith(r"\}", i):
            depth += 1 if inner[i + 1] == "{" else -1
            i += 2
            continue
        ch = inner[i]
        if ch == "\\":
            i += 2
            continue
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
        i += 1
    return depth == 0


def _bracketed(s: str) -> tuple[str, str, str] | None:
    """(open, close, inner) when the whole string is one bracket group; mixed (] allowed."""
    if len(s) >= 2 and s[0] in "([" and s[-1] in ")]":
        inner = s[1:-1]
        if encloses("(" + inner + ")", "(", ")"):
            return s[0], s[-1], inner
    return None


def split_relation(s: str) -> tuple[list[str], list[str]]:
    """Top-level relation operators: 'a < x \\le b' -> (['a', 'x', 'b'], ['<', '\\le'])."""
    parts, ops, depth, start, i = [], [], 0, 0, 0
    while i < len(s):
        ch = s[i]
        if s.startswith((r"\{", r"\langle"), i):
            depth += 1
        elif s.startswith((r"\}", r"\rangle"), i):
            depth -= 1
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if depth == 0:
            m = _REL.match(s, i)
            if m and not (ch == "\\" and s[i - 1 : i] == "\\"):
                parts.append(s[start:i].strip())
                ops.append(m.group(0))
                i = start = m.end()
                continue
        i += 2 if ch == "\\" and not _REL.match(s, i) else 1
    parts.append(s[start:].strip())
    return parts, ops


def expand_pm(item: str) -> list[str]:
    """'2 \\pm \\sqrt3' -> ['2 + \\sqrt3', '2 - \\sqrt3'] (\\mp takes the opposite sign)."""
    if r"\pm" not in item and r"\mp" not in item:
        return [item]
    plus = item.replace(r"\pm", "+").replace(r"\mp", "-")
    minus = item.replace(r"\pm", "-").replace(r"\mp", "+")
    return [re.sub(r"^\s*\+", "", plus).replace("(+", "(").replace("{+", "{"), minus]


_IN_PREFIX = re.compile(r"^[a-zA-Z]\s*\\in\s*")
# "1 + 2 + \ldots + 1000" is one number (a sum), not the sequence "1, 2, 3, \ldots".
_SERIES = re.compile(r"^[^,;]*\+\s*\\ldots\s*\+[^,;]*$")


def shape(s: str, interval_hint: bool = False) -> Shape:
    # "x \in [-2, 7]" names the set the answer is.
    s = _IN_PREFIX.sub("", s.strip())
    m = _MATRIX.match(s)
    if m:
        rows = [[c.strip() for c in r.split("&")] for r in re.split(r"\\\\", m.group(2)) if r.strip()]
        return Shape("matrix", rows=rows)
    if r"\ldots" in s and not _SERIES.search(s):
        return Shape("sequence", items=[p for p in top_split(s) if p and p != r"\ldots"])
    if _REALS.match(s):
        return Shape("interval", intervals=[(r"-\infty", r"\infty", False, False)])
    m = _SET_BUILDER.match(s)
    if m:
        return _relation_shape(m.group(2).strip(), s)
    if r"\cup" in s:
        union = _union(s)
        if union is not None:
            return Shape("interval", intervals=union)
    br = _bracketed(s)
    if br is not None and _MATRIX.match(br[2].strip()):
        return shape(br[2].strip())
    if br is not None:
        left, right, inner = br
        items = top_split(inner)
        if len(items) == 2 and "=" not in inner:
            if left + right in ("(]", "[)") or r"\infty" in inner or (interval_hint and left + right != "()"):
                return Shape("interval", intervals=[(items[0], items[1], left == "[", right == "]")])
            return Shape("pair", items=items, brackets=left + right)
        if len(items) > 2 and left + right in ("()", "[]"):
            return Shape("tuple", items=items)
    if encloses(s, r"\langle", r"\rangle"):
        return Shape("vector", items=top_split(s[7:-7]))
    if encloses(s, r"\{", r"\}"):
        inner = s[2:-2].strip()
        items = [x for item in top_split(inner) if item for x in expand_pm(item)] if inner else []
        return Shape("set", items=items)
    groups = top_split(s, ";")
    if len(groups) > 1 and all(len(top_split(group, ",")) > 1 for group in groups):
        # "p=5, q=2; p=7, q=2": semicolons between solutions, commas within each one.
        return Shape("list", items=groups)
    parts = top_split(s)
    if len(parts) > 1:
        return _list_shape(parts, s)
    return _single_shape(s)


def _union(s: str) -> list[tuple[str, str, bool, bool]] | None:
    """'(-\\infty, 2] \\cup [3, \\infty)' -> its intervals; None if a part is not an interval.
    A finite set in the union ('(-\\infty, 0) \\cup \\{4\\}') is its points, each a closed [a, a]."""
    out = []
    points = 0
    for part in s.split(r"\cup"):
        part = part.strip()
        if encloses(part, r"\{", r"\}") and part[2:-2].strip():
            out.extend((p, p, True, True) for p in top_split(part[2:-2]))
            points += 1
            continue
        br = _bracketed(part)
        if br is None:
            return None
        items = top_split(br[2])
        if len(items) != 2:
            return None
        out.append((items[0], items[1], br[0] == "[", br[1] == "]"))
    # A union of finite sets only ("\\{1\\} \\cup \\{2\\}") is a set of points, not of intervals.
    return None if points == len(s.split(r"\cup")) else out


def _list_shape(parts: list[str], s: str) -> Shape:
    """A bare comma list: of intervals (a union), of assignments, of relations, or of values."""
    shapes = [shape(p) for p in parts]
    kinds = {sh.kind for sh in shapes}
    if kinds == {"interval"} and len({sh.var for sh in shapes if sh.var}) <= 1:
        return Shape("interval", intervals=[iv for sh in shapes for iv in sh.intervals])
    if kinds <= {"assign"} and all(sh.var for sh in shapes):
        names = [sh.var for sh in shapes if sh.var]
        bases = {re.sub(r"_.*", "", n) for n in names}
        values = [sh.items[0] for sh in shapes]
        if len(bases) == 1 and (len(set(names)) == 1 or all("_" in n for n in names)):
            # "x = 1, x = -1" and "x_1 = 2, x_2 = 3" list the values of one unknown.
            return Shape("list", items=[x for v in values for x in expand_pm(v)])
        return Shape("assigns", items=values, names=names)
    if "relation" in kinds or ("assign" in kinds and "interval" in kinds and all(split_relation(p)[1] for p in parts)):
        # "y < 0 or y = 4": inequalities with points of the same unknown are one set of reals.
        return Shape("relation", text=s, items=parts)
    return Shape("list", items=[x for p in parts for x in expand_pm(p)])


def _single_shape(s: str) -> Shape:
    """One item: a relation, an equation, a ratio, a base-b numeral, a \\pm pair or a scalar."""
    parts, ops = split_relation(s)
    if ops:
        if all(op in ("=", r"\approx") for op in ops):
            return _equation_shape(parts, ops, s)
        if "=" not in ops:
            return _relation_shape(s, s)
        return Shape("relation", text=s)
    if ":" in s and not s.startswith(r"\{"):
        ratio = [p.strip() for p in top_split(s, ":")]
        if len(ratio) > 1 and all(ratio):
            return Shape("ratio", items=ratio)
    m = _BASE.match(unwrap_text(s).replace(" ", ""))
    if m and _is_numeral(m.group(1), int(m.group(2))):
        return Shape("base", items=[m.group(1), m.group(2)], text=s)
    if r"\pm" in s or r"\mp" in s:
        return Shape("set", items=expand_pm(s))
    return Shape("scalar", text=s)


def _is_numeral(digits: str, base: int) -> bool:
    """'1011'_2 and 'FF'_16 are numerals; 'x'_1 and 'a'_2 are subscripted variables."""
    if not 2 <= base <= 36:
        return False
    try:
        int(digits, base)
    except ValueError:
        return False
    return any(c.isdigit() for c in digits) or (digits.isupper() and base > 10)


def _equation_shape(parts: list[str], ops: list[str], s: str) -> Shape:
    """lhs = rhs: an assignment (x = 3), a function (f(x) = ...), a worked value (2+3 = 5) or an equation."""
    lhs = parts[0]
    if ops == [r"\approx"] and lhs and not _has_letters(lhs):
        # "\frac{9.5}{3.14159} \approx 3.02": the exact value, then its rounding.
        return Shape("scalar", text=lhs)
    if _RATIO_NAMES.match(lhs) and len(parts) == 2:
        # "V_1 : V_2 = 11:21", "A:B = 1": a named ratio and its value.
        return Shape("assign", items=[parts[1]], var=re.sub(r"\s+", "", lhs), text=s)
    # "x = 1/3 \approx 0.33": the exact value before the approximation is the answer.
    exact = parts[: ops.index(r"\approx") + 1] if r"\approx" in ops and ops[0] != r"\approx" else parts
    rhs = exact[-1]
    lb, rb = _bracketed(lhs), _bracketed(rhs)
    if lb and rb:
        names, values = top_split(lb[2]), top_split(rb[2])
        if len(names) == len(values) > 1 and all(_VAR.match(n) for n in names):
            return Shape("assigns", items=values, names=names)
    m = _FUNC_HEAD.match(lhs)
    if m:
        mark = "'" if m.group(2) and ("'" in m.group(2) or "prime" in m.group(2)) else "^{-1}" if m.group(2) else ""
        return Shape("func", items=[rhs], name=m.group(1) + mark, var=m.group(3), text=s)
    if _VAR.match(lhs) and not _is_constant_name(lhs):
        pm = expand_pm(rhs)
        if len(pm) > 1:
            return Shape("list", items=pm)
        return Shape("assign", items=[rhs], var=lhs, text=s)
    if len(parts) == 2 and _VAR.match(rhs) and not _is_constant_name(rhs):
        return Shape("assign", items=[lhs], var=rhs, text=s)
    if _NAMED_QUANTITY.match(lhs) and not _has_letters(rhs):
        # "|AB| = 1", "\\angle ABC = 40^\\circ", "P(A) = 0.3": a named quantity and its value.
        return Shape("assign", items=[rhs], var=re.sub(r"\s+", "", lhs), text=s)
    if not _has_letters(rhs) and (not _has_letters(lhs) or _EVALUATION.match(lhs)):
        # "4 + 6 = 10", "\\lim_{x\\to 0} \\frac{\\sin x}{x} = 1": a worked value; its last link is the answer.
        return Shape("scalar", text=rhs)
    return Shape("equation", items=[lhs, rhs], text=s)


# A name rather than a formula: no digits, no top-level + or - ("|AB|", "AB", "\\angle ABC", "P(A)").
_NAMED_QUANTITY = re.compile(
    r"^(?:(?:m\s*)?\\angle\s*[A-Za-z]{1,3}|\|[A-Za-z ]+\||[A-Z][A-Za-z]{0,3}(?:\([A-Za-z, ]+\))?)$"
)
# "V_1 : V_2", "AB:CD", "S_{MBCN}:S": names of the quantities a ratio compares.
_RATIO_NAME = r"(?:\|?[A-Za-z]{1,4}\|?|\\[a-zA-Z]+)(?:_\{?[A-Za-z0-9]+\}?)?"
_RATIO_NAMES = re.compile(rf"^{_RATIO_NAME}(?:\s*:\s*{_RATIO_NAME})+$")
_EVALUATION = re.compile(r"^\\(?:lim|sum|prod|int|max|min|det|gcd|operatorname)(?![a-zA-Z])")


def _has_letters(s: str) -> bool:
    """Variables present? Commands like \\sin or \\frac are not variables; Greek letters are."""
    stripped = re.sub(r"\\([a-zA-Z]+)", lambda m: "v" if m.group(1) in GREEK else " ", s)
    return bool(re.search(r"[a-zA-Z]", stripped))


def _is_constant_name(s: str) -> bool:
    return s in ("e", "i", r"\pi")


_INEQ = {"<": (False, "<"), r"\le": (True, "<"), ">": (False, ">"), r"\ge": (True, ">")}


def _relation_shape(cond: str, s: str) -> Shape:
    """'-1 < x \\le 2', 'x > 3', 'x \\ne 2', 'x < -1, x > 1' -> interval shape when one variable."""
    pieces = top_split(cond)
    intervals: list[tuple[str, str, bool, bool]] = []
    unknowns = set()
    for piece in pieces:
        parts, ops = split_relation(piece)
        found = _chain_interval(parts, ops)
        if found is None:
            return Shape("relation", text=s, items=pieces)
        unknowns |= {p for p in parts if _VAR.match(p) and not _is_constant_name(p)}
        intervals.extend(found)
    if len(unknowns) != 1:
        return Shape("relation", text=s, items=pieces)  # "x < 1, y > 2" is no set of reals
    return Shape("interval", intervals=intervals, var=unknowns.pop())


def _chain_interval(parts: list[str], ops: list[str]) -> list[tuple[str, str, bool, bool]] | None:
    var_idx = [i for i, p in enumerate(parts) if _VAR.match(p) and not _is_constant_name(p)]
    if len(var_idx) != 1 or any(re.search(r"(?<!\\)[a-zA-Z]", re.sub(r"\\[a-zA-Z]+", "", p))
                                for i, p in enumerate(parts) if i != var_idx[0]):
        return None
    if ops == [r"\ne"] and len(parts) == 2:
        point = parts[1 - var_idx[0]]
        return [(r"-\infty", point, False, False), (point, r"\infty", False, False)]
    if any(op not in _INEQ for op in ops):
        return None
    lo, hi, lo_closed, hi_closed = r"-\infty", r"\infty", False, False
    v = var_idx[0]
    for k, op in enumerate(ops):
        closed, direction = _INEQ[op]
        left, right = k, k + 1
        # Normalise "a op x" / "x op b" into bounds on x.
        if right == v:
            bound = parts[left]
            if direction == "<":
                lo, lo_closed = bound, closed
            else:
                hi, hi_closed = bound, closed
        elif left == v:
            bound = parts[right]
            if direction == "<":
                hi, hi_closed = bound, closed
            else:
                lo, lo_closed = bound, closed
        else:
            return None
    return [(lo, hi, lo_closed, hi_closed)]


_AND = re.compile(r"\s*(?:\\text\s*\{\s*and\s*\}|\band\b|\\land(?![a-zA-Z])|\\wedge(?![a-zA-Z]))\s*", re.I)
_LOWER = {">": "<", r"\ge": r"\le"}  # x > a  is  a < x
_UPPER = {"<": "<", r"\le": r"\le"}
_FLIP = {"<": ">", ">": "<", r"\le": r"\ge", r"\ge": r"\le"}


def and_chain(s: str) -> str:
    """'t > 0 \\text{ and } t \\le 3' -> '0 < t \\le 3': two bounds on one unknown are a chain, an
    intersection; a comma or "or" between relations means a union, so "and" must be read first."""
    pieces = _AND.split(s)
    if len(pieces) != 2:
        return s
    lower = upper = None
    names = set()
    for piece in pieces:
        parts, ops = split_relation(piece)
        if len(ops) != 1 or ops[0] not in _INEQ:
            return s
        (left, right), op = parts, ops[0]
        if _VAR.match(left) and not _VAR.match(right):
            var, bound = left, right
        elif _VAR.match(right) and not _VAR.match(left):
            var, bound, op = right, left, _FLIP[op]  # "0 < t" bounds t as "t > 0" does
        else:
            return s
        names.add(var)
        if op in _LOWER:
            lower = (bound, _LOWER[op])
        else:
            upper = (bound, _UPPER[op])
    if len(names) != 1 or lower is None or upper is None:
        return s
    return f"{lower[0]} {lower[1]} {names.pop()} {upper[1]} {upper[0]}"
