"""Exact matching of tool calls against a trusted reference, following BFCL's AST checker
(gorilla: berkeley-function-call-leaderboard/bfcl_eval/eval_checker/ast_eval/ast_checker.py).

A reference is BFCL's "possible answer": a list of one-key dicts, one per expected call,

    [{"get_weather": {"city": ["London", "london"], "units": ["c", ""]}}]

where each parameter lists its acceptable values and "" among them means it may be left out. `[]` means
the right answer is to call nothing. Calls and entries are paired regardless of order by a maximum
bipartite matching, so parallel calls are judged as a set.

Differences from BFCL, on purpose: strings are standardised at every depth (BFCL: in strings, lists and
one-level dicts); dicts nest to any depth (BFCL: one level); a bool never equals a number; and with no
tool schema at hand 3.0 matches a listed 3 (BFCL takes the type from the schema and would not).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from verifiers.tools.args import call_parts, parse_arguments

__all__ = ["RefMatch", "match_reference", "normalize_reference", "standardize_string"]

MAX_VALUE_CHARS = 80
_BFCL_PUNCTUATION = re.compile(r"[ \,\.\/\-\_\*\^]")

Entry = tuple[str, dict[str, list[Any]]]
Problem = tuple[str, str]  # (kind, message)


@dataclass(frozen=True)
class RefMatch:
    matched: bool
    kind: str  # "match" or the reason it is not one (see module docs of verifiers.tools.verifier)
    message: str
    assignment: list[tuple[int, int]] = field(default_factory=list)  # (call index, reference index)


def standardize_string(text: str) -> str:
    """BFCL's: "April 1, 2024" and "april 1 2024" are the same answer."""
    return _BFCL_PUNCTUATION.sub("", text).lower().replace("'", '"')


def normalize_reference(reference: Any) -> list[Entry]:
    """[(function name, {param: [acceptable values]})]; raises ValueError on anything else. Accepts a JSON
    string, and one entry given as a dict rather than a one-entry list; a parameter's single value
    that is not a list is taken as its only acceptable value."""
    if reference is None:
        raise ValueError("there is no reference to match against.")
    if isinstance(reference, str):
        try:
            reference = json.loads(reference)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the reference is not valid JSON ({exc.msg}).") from None
    if isinstance(reference, dict):
        reference = [reference]
    if not isinstance(reference, list):
        raise ValueError(f"the reference must be a list of expected calls, got {type(reference).__name__}.")
    entries: list[Entry] = []
    for i, entry in enumerate(reference):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ValueError(f"reference entry #{i} must be an object with exactly one function name as its key.")
        ((name, params),) = entry.items()
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise ValueError(f"reference entry #{i} ({name}) must map parameter names to acceptable values.")
        entries.append((str(name), {str(p): _alternatives(v) for p, v in params.items()}))
    return entries


def match_reference(
    calls: list[Any], reference: Any, tools_by_name: dict[str, dict[str, Any]] | None = None
) -> RefMatch:
    """Whether `calls` ({"name", "arguments"}, arguments a dict or JSON string) are exactly the reference's
    calls, in any order. `tools_by_name` (internal form) supplies declared types: a float is no answer
    for an "integer" parameter. Raises ValueError when the reference is None or not in BFCL's form."""
    entries = normalize_reference(reference)
    parsed: list[tuple[str, dict[str, Any]]] = []
    for i, call in enumerate(calls):
        name, raw = call_parts(call)
        arguments, problem = parse_arguments(raw)
        if arguments is None:
            return RefMatch(False, "malformed_json", f"the arguments of call #{i} ({name}) {problem}.")
        parsed.append((name or "", arguments))
    if not entries:
        if not parsed:
            return RefMatch(True, "match", "no tool call was expected and none was made.")
        names = ", ".join(name for name, _ in parsed)
        return RefMatch(False, "no_call_expected", f"no tool call was expected, but {len(parsed)} were made ({names}).")

    tools = tools_by_name or {}
    problems = [[_pair_problems(call, entry, tools) for entry in entries] for call in parsed]
    pairs = _max_matching([[not p for p in row] for row in problems], len(entries))
    if len(pairs) == len(parsed) == len(entries):
        return RefMatch(True, "match", f"the calls match the reference ({len(entries)} expected, in any order).", pairs)

    matched_calls, matched_entries = {c for c, _ in pairs}, {e for _, e in pairs}
    free_calls = [c for c in range(len(parsed)) if c not in matched_calls]
    free_entries = [e for e in range(len(entries)) if e not in matched_entries]
    closest = _closest(problems, free_calls, free_entries)
    counts = f"{len(parsed)} tool call{'s' if len(parsed) != 1 else ''} for {len(entries)} expected"
    if len(parsed) > len(entries):
        for c in free_calls:
            if any(other != c and parsed[other] == parsed[c] for other in range(len(parsed))):
                message = f"{parsed[c][0]} was called twice with the same arguments ({counts})."
                return RefMatch(False, "duplicate_call", message, pairs)
        return RefMatch(False, "extra_call", f"extra call to {parsed[free_calls[0]][0]} ({counts}).", pairs)
    if len(parsed) < len(entries):
        # Name the nearest miss too: "missing get_weather" alone hides that it was called with a wrong value.
        detail = f"; closest: {closest[1]}" if closest and closest[0] != "wrong_function" else "."
        message = f"missing call to {entries[free_entries[0]][0]} ({counts}){detail}"
        return RefMatch(False, "missing_call", message, pairs)
    if closest is None:  # unreachable: equal counts without a perfect matching leave both sides a free member
        return RefMatch(False, "wrong_function", "the tool calls do not match the reference.", pairs)
    return RefMatch(False, closest[0], closest[1], pairs)


def _alternatives(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _max_matching(compatible: list[list[bool]], n_entries: int) -> list[tuple[int, int]]:
    """A maximum matching of calls to entries (Kuhn's augmenting paths): greedy pairing can strand a call
    that only one entry accepts behind a call that several accept."""
    owner = [-1] * n_entries

    def augment(call: int, seen: set[int]) -> bool:
        for entry in range(n_entries):
            if compatible[call][entry] and entry not in seen:
                seen.add(entry)
                if owner[entry] == -1 or augment(owner[entry], seen):
                    owner[entry] = call
                    return True
        return False

    for call in range(len(compatible)):
        augment(call, set())
    return sorted((call, entry) for entry, call in enumerate(owner) if call != -1)


def _closest(problems: list[list[list[Problem]]], calls: list[int], entries: list[int]) -> Problem | None:
    """The first problem of the unmatched pair that is nearest to matching: same function, fewest problems."""
    candidates = [problems[c][e] for c in calls for e in entries]
    if not candidates:
        return None
    best = min(candidates, key=lambda p: (p[0][0] == "wrong_function", len(p)))
    return best[0]


def _pair_problems(call: tuple[str, dict[str, Any]], entry: Entry, tools: dict[str, dict[str, Any]]) -> list[Problem]:
    name, arguments = call
    expected_name, params = entry
    if name != expected_name:
        return [("wrong_function", f"called {name or 'a nameless tool'} where {expected_name} was expected.")]
    schema = (tools.get(name) or {}).get("parameters") or {}
    declared = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    out: list[Problem] = []
    for param, value in arguments.items():
        if param not in params:
            out.append(("unexpected_parameter", f"unexpected parameter {param!r} for {name}."))
        elif not any(_same(value, ok, declared.get(param)) for ok in params[param]):
            shown = [ok for ok in params[param] if ok != ""]
            out.append(("wrong_value", f"wrong value for {param!r}: {_short(value)} not in {_short(shown)}."))
    for param, acceptable in params.items():
        if param not in arguments and "" not in acceptable:
            out.append(("missing_parameter", f"missing parameter {param!r} for {name}."))
    return out


def _same(value: Any, expected: Any, schema: Any) -> bool:
    """Whether `value` is the acceptable value `expected`; dicts in `expected` list alternatives per key."""
    schema = schema if isinstance(schema, dict) else {}
    if isinstance(expected, dict):
        return isinstance(value, dict) and _same_dict(value, expected, schema)
    if isinstance(expected, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(expected):
            return False
        items = schema.get("items")
        return all(_same(v, x, items) for v, x in zip(value, expected, strict=True))
    if isinstance(expected, str):
        return isinstance(value, str) and standardize_string(value) == standardize_string(expected)
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool) and value == expected
    if isinstance(expected, (int, float)):
        if not isinstance(value, (int, float)):
            return False
        return not (isinstance(value, float) and _integer_only(schema)) and value == expected
    return bool(value == expected)


def _same_dict(value: dict[str, Any], expected: dict[str, Any], schema: dict[str, Any]) -> bool:
    declared = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for key, item in value.items():
        if key not in expected:
            return False
        if not any(_same(item, ok, declared.get(key)) for ok in _alternatives(expected[key])):
            return False
    return all(key in value or "" in _alternatives(ok) for key, ok in expected.items())


def _integer_only(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "integer" in kinds and "number" not in kinds


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."
