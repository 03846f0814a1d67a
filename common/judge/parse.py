"""Parse a judge's JSON reply, including the JSON models break by writing LaTeX inside strings.

A judge explaining `\\frac{1}{2}` often writes a single backslash: `\\s`, `\\l`, `\\c` are then
invalid escapes, and `\\f`, `\\b`, `\\t`, `\\r`, `\\n` are *valid* ones that silently turn
`\\frac` into a form feed plus "rac". `escape_latex` doubles such backslashes inside strings
before parsing; `json_repair` then mends whatever else is broken (fences, trailing commas, ...).

Which object is the verdict: a judge may quote the candidate's injected `{"is_correct": true}` before
or after its own verdict. The verdict is the LAST complete top-level object that has every required
key, after any fenced data the judge echoed (prompts.FENCED_BLOCK) is cut out; braces inside JSON
strings never start an object. An object cut off at the end of the reply is only tried when no
complete one qualifies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import json_repair

from common.judge.prompts import FENCED_BLOCK

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


_IN_OBJECT = re.compile(r'[{}"]')
_IN_STRING = re.compile(r'["\\]')
_MAX_DEPTH = 64  # braces nested deeper than any verdict or tool result: garbage, skipped without parsing
_MAX_UNCLOSED = 8  # `{` that never close (LaTeX in prose, a cut-off reply) kept before giving up on the rest


def _closing(text: str, start: int) -> tuple[bool, int]:
    """(True, the index after the `}` that closes the `{` at `start`), skipping strings; else (False, where
    the scan gave up: the end of the text, or where the nesting went past _MAX_DEPTH)."""
    depth, in_string, i = 0, False, start
    while True:
        m = (_IN_STRING if in_string else _IN_OBJECT).search(text, i)
        if m is None:
            return False, len(text)
        ch, i = m.group(), m.end()
        if in_string:
            if ch == "\\":
                i += 1  # the escaped character, a quote included
            else:
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
            if depth > _MAX_DEPTH:
                return False, i
        else:
            depth -= 1
            if depth == 0:
                return True, i


def top_level_objects(text: str) -> tuple[list[str], list[str]]:
    """(complete top-level `{...}` spans in order, spans from an unclosed `{` to the end in order).
    Prose between objects is skipped: quotes in prose open no string, quotes inside an object do."""
    complete: list[str] = []
    unclosed: list[str] = []
    i = 0
    while (start := text.find("{", i)) >= 0:
        closed, end = _closing(text, start)
        if closed:
            complete.append(text[start:end])
            i = end
        elif end < len(text):
            i = end  # nested past any verdict: everything up to there is garbage
        else:
            unclosed.append(text[start:])
            if len(unclosed) >= _MAX_UNCLOSED:
                break
            i = start + 1
    return complete, unclosed


def strip_echoed_fences(text: str) -> str:
    """The reply without the fenced blocks of the prompt it echoed: objects in there are the data's, not the judge's."""
    return FENCED_BLOCK.sub(" ", text) if "<<<" in text else text


def _load(span: str, required: Sequence[str]) -> dict[str, Any] | None:
    """The span as an object with every required key, repaired if need be; else None."""
    span = escape_latex(span)
    try:
        try:
            data, repaired = json.loads(span), False
        except ValueError:
            data, repaired = json_repair.repair_json(span, return_objects=True), True
    # Nested deeper than any answer needs: hostile or broken, not a verdict (json_repair says so with a ValueError).
    except (RecursionError, ValueError):
        return None
    if not isinstance(data, dict) or any(key not in data for key in required):
        return None
    return data if data or not repaired else None  # json_repair makes {} of anything; a real {} is kept


def parse_json_object(text: str | None, required: Sequence[str] = ()) -> dict[str, Any] | None:
    """The judge's own JSON object in a model reply, repaired if need be; None when there is none to be had.

    Only an object with every key in `required` (the reply schema's required keys) counts: the last
    complete top-level one, else the last one cut off at the end of the reply. Objects inside echoed
    fences or inside JSON strings are never candidates. A structured-output reply is one object."""
    if not text or not text.strip():
        return None
    complete, unclosed = top_level_objects(strip_echoed_fences(text))
    for span in [*reversed(complete), *reversed(unclosed)]:
        if (data := _load(span, required)) is not None:
            return data
    return None


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
