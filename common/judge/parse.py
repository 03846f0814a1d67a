"""Parse a judge's JSON reply, including the JSON models break by writing LaTeX inside strings.

A judge explaining `\\frac{1}{2}` often writes a single backslash: `\\s`, `\\l`, `\\c` are then
invalid escapes, and `\\f`, `\\b`, `\\t`, `\\r`, `\\n` are *valid* ones that silently turn
`\\frac` into a form feed plus "rac". `escape_latex` doubles such backslashes inside strings
before parsing; `json_repair` then mends whatever else is broken (fences, trailing commas, ...).
"""

from __future__ import annotations

import json
import re
from typing import Any

import json_repair

# A JSON escape letter that starts one of these LaTeX commands is LaTeX, not a newline/tab/CR.
# Only commands are listed whose name could not plausibly be a newline or tab followed by a word.
_LATEX_AFTER_N = {
    "ne", "neq", "nabla", "not", "nu", "neg", "ni", "nmid", "nleq", "ngeq", "nless", "ngtr", "notin",
    "nsubseteq", "nsupseteq", "natural", "newline", "nonumber", "nexists", "nparallel", "nrightarrow",
    "nleftarrow", "noindent", "normalsize",
}
_LATEX_AFTER_T = {
    "times", "tan", "tanh", "theta", "text", "textbf", "textit", "textrm", "texttt", "textsf", "textstyle",
    "textnormal", "tfrac", "tbinom", "to", "top", "tau", "tilde", "triangle", "triangleq", "therefore",
    "tiny", "textup", "textsc", "tt",
}
_LATEX_AFTER_R = {
    "right", "rightarrow", "rho", "rangle", "rceil", "rfloor", "rm", "rbrace", "rbrack", "rvert", "rVert",
    "rightharpoonup", "rightleftharpoons", "root", "restriction",
}
_AMBIGUOUS_ESCAPES = {"n": _LATEX_AFTER_N, "t": _LATEX_AFTER_T, "r": _LATEX_AFTER_R}
_LETTERS = re.compile(r"[A-Za-z]+")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")


def _is_latex(text: str, i: int) -> bool:
    """Whether the backslash at `i` (inside a JSON string) starts LaTeX rather than a JSON escape."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt in ('"', "\\", "/"):
        return False
    if nxt == "u":
        return not _HEX4.match(text, i + 2)  # \u00e9 is an escape; \underline, \uparrow are LaTeX
    if nxt in ("b", "f"):
        return True  # backspace and form feed are never what a judge meant; \beta, \frac are
    if nxt in _AMBIGUOUS_ESCAPES:
        word = _LETTERS.match(text, i + 1)
        return word is not None and word.group(0) in _AMBIGUOUS_ESCAPES[nxt]
    return True  # \s, \l, \c, \(, \{, \, ... are not JSON escapes at all


def escape_latex(text: str) -> str:
    """Double the backslashes of LaTeX inside JSON strings; everything outside strings is left alone."""
    if "\\" not in text:
        return text
    out: list[str] = []
    in_string = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if not in_string:
            in_string = ch == '"'
            out.append(ch)
        elif ch == '"':
            in_string = False
            out.append(ch)
        elif ch == "\\":
            if _is_latex(text, i):
                out.append("\\\\")
            else:  # a real escape: copy it and its escaped character together
                out.append(text[i : i + 2])
                i += 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _object_span(text: str) -> str:
    """The text from the first `{` to the last `}`: drops code fences and prose around the object."""
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


def parse_json_object(text: str | None) -> dict[str, Any] | None:
    """The JSON object in a model reply, repaired if need be; None when there is none to be had."""
    if not text or not text.strip():
        return None
    candidate = escape_latex(_object_span(text))
    try:
        try:
            data = json.loads(candidate)
        except ValueError:
            data = json_repair.repair_json(candidate, return_objects=True)
    except RecursionError:  # nested deeper than any answer needs: hostile or broken, not a verdict
        return None
    return data if isinstance(data, dict) else None


def as_bool(value: Any) -> bool | None:
    """true/false, also when a model wrote "true", "yes", "correct", 1 or 0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "yes", "correct", "1"):
            return True
        if v in ("false", "no", "incorrect", "0"):
            return False
    return None


def as_confidence(value: Any, default: float = 0.5) -> float:
    """A confidence in [0, 1]; a model writing 85 or "85%" means 0.85."""
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    try:
        x = float(value)
    except (TypeError, ValueError):
        return default
    if x != x:  # NaN
        return default
    if 1.0 < x <= 100.0:
        x /= 100.0
    return min(max(x, 0.0), 1.0)
