"""Exact matching of tool calls against a trusted reference, following BFCL's AST checker
(gorilla: berkeley-function-call-leaderboard/bfcl_eval/eval_checker/ast_eval/ast_checker.py).

A reference is BFCL's "possible answer": a list of one-key dicts, one per expected call,

    [{"get_weather": {"city": ["London", "london"], "units": ["c", ""]}}]

where each parameter lists its acceptable values and "" among them means it may be left out. `[]` means
the right answer is to call nothing. Calls and entries are paired regardless of order by a maximum
bipartite matching, so parallel calls are judged as a set.

Values are judged by BFCL's rules (measured against its checker by bench/bfcl_agreement.py):
- the schema's declared type decides: an int passes for a "number" ("float"), a float never for an
  "integer", a bool for neither; an untyped parameter (BFCL's "any") is a string; a value of the type of
  the answer's first acceptable value passes where the answer's type is not the schema's (BFCL's
  "variable": ["dontcare"] for an integer), and is then compared exactly;
- strings are standardised (case, spaces and ",./-_*^" ignored) as a parameter, as the items of a list
  parameter and as the values of a dict parameter (or of the dicts of a list of dicts), nowhere deeper;
- a dict parameter's acceptable value maps each key to its alternatives ("" = may be left out), and so
  does each dict of a list of dicts, matched in order; a dict's values are compared with == (so 12.0
  and true match 12 and 1 there), and so is anything deeper, whole (a list in a dict, a list of lists);
- a list parameter's items are type-checked one level down, then compared in order.
Differences from BFCL, on purpose: calls and entries are paired by a proper assignment, not greedily;
and with no tool schema at hand the answer's type stands in for the schema's, ints and floats alike
(BFCL needs the schema).
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
    calls, in any order. `tools_by_name` (internal form) supplies the declared types BFCL's rules go by
    (see the module's docs). Raises ValueError when the reference is None or not in BFCL's form."""
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
        elif not _param_ok(value, params[param], declared.get(param) if schema else None):
            shown = [ok for ok in params[param] if ok != ""]
            out.append(("wrong_value", f"wrong value for {param!r}: {_short(value)} not in {_short(shown)}."))
    for param, acceptable in params.items():
        if param not in arguments and "" not in acceptable:
            out.append(("missing_parameter", f"missing parameter {param!r} for {name}."))
    return out


def _param_ok(value: Any, alternatives: list[Any], schema: Any) -> bool:
    """Whether `value` is one of a parameter's acceptable values, by BFCL's rules (simple_function_checker
    and type_checker): the declared type decides, an int passes for a float, a value of the answer's own
    type passes as a "variable" compared exactly, and only strings, a list's strings and a dict's string
    values are standardised. `schema` is None when no tool schema is at hand: the answer's type decides."""
    good = [a for a in alternatives if a != ""]
    answer_type = type(good[0]) if good else None
    if isinstance(schema, dict):
        declared = _declared_types(schema)
        items = schema.get("items") if isinstance(schema.get("items"), dict) else None
    else:  # no schema: the answer's type, ints and floats alike (BFCL would have no type to go by)
        declared = {answer_type} if answer_type is not None else {type(value)}
        if declared & {int, float}:
            declared |= {int, float}
        items = None
    if float in declared and int not in declared and type(value) is int:
        value = float(value)  # BFCL converts an int given for a float
    kind = type(value)
    if kind in declared:
        variable = answer_type is not None and answer_type not in declared
        if kind is list and items is not None and not _item_types_ok(value, alternatives, items):
            return False
    elif answer_type is not None and kind is answer_type:
        variable = True  # BFCL: the answer gives a value of another type than the schema; compared exactly
    else:
        return False
    if variable:
        return any(_bfcl_eq(value, a) for a in alternatives)
    if kind is dict:
        return any(_dict_ok(value, a) for a in alternatives if a != "")
    if kind is list and _of_dicts(items, good):
        return any(_list_of_dicts_ok(value, a) for a in alternatives)
    if kind is str:
        return standardize_string(value) in [standardize_string(a) for a in alternatives if isinstance(a, str)]
    if kind is list:
        mine = _standard_items(value)
        return any(mine == _standard_items(list(a)) for a in alternatives if isinstance(a, (list, str)))
    return any(_bfcl_eq(value, a) for a in alternatives)


# JSON Schema's type names as the Python types BFCL compares with type(); BFCL reads "any" as a string.
_PY_TYPES: dict[str, type] = {
    "string": str, "integer": int, "number": float, "boolean": bool, "array": list, "object": dict,
    "null": type(None),
}


def _declared_types(schema: dict[str, Any]) -> set[type]:
    kinds: list[Any] = []
    for branch in [schema, *[b for key in ("anyOf", "oneOf") for b in (schema.get(key) or [])]]:
        if isinstance(branch, dict):
            kind = branch.get("type")
            kinds.extend(kind if isinstance(kind, list) else [kind])
    declared = {_PY_TYPES[k] for k in kinds if isinstance(k, str) and k in _PY_TYPES}
    return declared or {str}


def _item_types_ok(value: list[Any], alternatives: list[Any], items: dict[str, Any]) -> bool:
    """BFCL's one-level check of a list's item types against one acceptable list (any acceptable value
    that is not a list, such as "", lets it pass). As in BFCL, an int passes for a float only as a whole
    parameter's value, not as an item of a list of floats ([1, 2.5] is not [1.0, 2.5])."""
    declared = _declared_types(items)
    for acceptable in alternatives:
        if not isinstance(acceptable, list):
            return True
        good = [a for a in acceptable if a != ""]
        answer_type = type(good[0]) if good else None
        if all(type(v) in declared or type(v) is answer_type for v in value):
            return True
    return False


def _of_dicts(items: dict[str, Any] | None, good: list[Any]) -> bool:
    if items is not None:
        return dict in _declared_types(items)
    # no schema: an answer that is a list of dicts reads as one (each dict maps keys to alternatives)
    return bool(good) and isinstance(good[0], list) and bool(good[0]) and all(isinstance(d, dict) for d in good[0])


def _dict_ok(value: dict[str, Any], expected: Any) -> bool:
    """BFCL's dict_checker for one acceptable dict: every key of `value` is listed and its value is one of
    the key's alternatives (strings standardised, anything else compared by ==), and every listed key that
    does not allow "" is given. Values inside are not type-checked and not standardised further down."""
    if not isinstance(expected, dict):
        return False
    for key, item in value.items():
        if key not in expected:
            return False
        mine = standardize_string(item) if isinstance(item, str) else item
        choices = [standardize_string(c) if isinstance(c, str) else c for c in _alternatives(expected[key])]
        if not any(_bfcl_eq(mine, c) for c in choices):
            return False
    return all(key in value or "" in _alternatives(ok) for key, ok in expected.items())


def _list_of_dicts_ok(value: list[Any], expected: Any) -> bool:
    """BFCL's list_dict_checker for one acceptable list: as many dicts, each matching its own in order."""
    if not isinstance(expected, (list, str)) or len(value) != len(expected):
        return False
    return all(isinstance(v, dict) and _dict_ok(v, x) for v, x in zip(value, expected, strict=True))


def _standard_items(values: list[Any]) -> list[Any]:
    return [standardize_string(v) if isinstance(v, str) else v for v in values]


def _bfcl_eq(value: Any, expected: Any) -> bool:
    """Python's ==, as BFCL's `in` uses it: 1 == 1.0 == True, dicts and lists compared whole."""
    try:
        return bool(value == expected)
    except Exception:  # noqa: BLE001 - a value that cannot be compared is no match
        return False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."
