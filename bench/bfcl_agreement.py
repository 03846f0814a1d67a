"""Agreement of the tool-calling verifier with BFCL's own AST checker, on candidates built from BFCL's data.

    python bench/bfcl_agreement.py --bfcl /tmp/bfcl/berkeley-function-call-leaderboard
    python bench/bfcl_agreement.py --bfcl PATH --show 5          # and the first 5 disagreements per kind
    python bench/bfcl_agreement.py --bfcl PATH --seed 1 --per-kind 2

BFCL is not part of this project: its checker is imported at run time from the checkout given with
--bfcl (the folder that holds `bfcl_eval/`; export it from the gorilla repository with
`git archive HEAD berkeley-function-call-leaderboard/bfcl_eval | tar -x -C /tmp/bfcl`). Its one heavy
import (the model registry, which pulls in every provider's SDK) is replaced by a stub at import time.

For every entry of the Python AST categories (simple_python, multiple, parallel, parallel_multiple and
their live_ forms) the entry's functions are the `tools`, its possible answer the `reference`, and a
deterministic (seeded) set of candidate call lists is built, each tagged with a kind:

  exact             the first acceptable value of every parameter (those allowing only "" omitted)
  alt_value         another acceptable value of one parameter (or of one key of a dict parameter)
  optional_omitted  every parameter that allows "" left out
  string_variant    one string changed in case, spacing or punctuation (at the top level or nested)
  int_for_float     an integral float value given as an int (top level, in a list or in a dict)
  float_for_int     an int value given as a float
  wrong_value       one parameter given a value no answer lists
  wrong_type        one parameter given a value of another type (a number as a string, ...)
  missing_param     a required parameter left out
  extra_param       an undeclared parameter, or a declared one the answer does not list
  wrong_function    one call to another tool of the entry, or to a made-up name
  reordered         the calls shuffled (parallel); half of them with acceptable values drawn at random
  missing_call      one call dropped
  extra_call        a further call, to a listed function with a changed value
  duplicate_call    one call made twice
  nested_change     a key of a dict value changed, dropped or added
  no_call           irrelevance entries: no call, a made-up call, a call to the entry's tool; reference []

BFCL's verdict comes from `ast_checker` (irrelevance: correct iff no call was made, as its relevance
runner decides), ours from `get_verifier("tool_calling").check_calls(calls, tools, reference)`.
BFCL pairs parallel calls greedily, the project by a proper assignment (on purpose): a case where BFCL
rejects, ours accepts, and a perfect assignment exists under BFCL's own pairwise checker is counted as
greedy_only and left out of the agreement numbers. A crash of either checker is counted apart too.
The script measures; it exits 0, or 2 when BFCL cannot be found or imported.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import random
import sys
import types
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the checkout: python bench/bfcl_agreement.py
    sys.path.insert(0, str(ROOT))

AST_CATEGORIES = (
    "simple_python", "multiple", "parallel", "parallel_multiple",
    "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple",
)
IRRELEVANCE_CATEGORIES = ("irrelevance", "live_irrelevance")
KINDS = (
    "exact", "alt_value", "optional_omitted", "string_variant", "int_for_float", "float_for_int", "wrong_value",
    "wrong_type", "missing_param", "extra_param", "wrong_function", "reordered", "missing_call", "extra_call",
    "duplicate_call", "nested_change", "no_call",
)
MODEL_NAME = "bfcl_agreement_bench"
MISSING = object()
_JSON = {"string": str, "integer": int, "float": float, "boolean": bool, "array": list, "tuple": list, "dict": dict}


class BfclMissing(RuntimeError):
    """BFCL cannot be found or imported; str(e) says what to pass."""


# ---------------------------------------------------------------------------------------------- BFCL


def load_bfcl(root: Path) -> types.SimpleNamespace:
    """BFCL's checker module and Language enum, imported from the checkout at `root`."""
    hint = (
        f"no BFCL checkout at {root}: pass --bfcl with the berkeley-function-call-leaderboard folder that holds "
        "bfcl_eval/ (e.g. git -C <gorilla repo> archive HEAD berkeley-function-call-leaderboard/bfcl_eval | "
        "tar -x -C /tmp/bfcl, then --bfcl /tmp/bfcl/berkeley-function-call-leaderboard)."
    )
    checker_file = root / "bfcl_eval" / "eval_checker" / "ast_eval" / "ast_checker.py"
    if not checker_file.is_file() or not (root / "bfcl_eval" / "data").is_dir():
        raise BfclMissing(hint)
    sys.path.insert(0, str(root))
    # The checker reads one attribute of the model registry (whether a model's function names had "." turned
    # into "_"); the real registry imports every provider SDK. The calls here keep BFCL's names, so: False.
    stub = types.ModuleType("bfcl_eval.constants.model_config")
    stub.MODEL_CONFIG_MAPPING = defaultdict(lambda: types.SimpleNamespace(underscore_to_dot=False))
    sys.modules["bfcl_eval.constants.model_config"] = stub
    try:
        checker = importlib.import_module("bfcl_eval.eval_checker.ast_eval.ast_checker")
        enums = importlib.import_module("bfcl_eval.constants.enums")
    except Exception as exc:  # noqa: BLE001 - reported in one sentence
        raise BfclMissing(f"BFCL's checker at {checker_file} could not be imported ({type(exc).__name__}: {exc}); "
                          + hint) from None
    return types.SimpleNamespace(checker=checker, python=enums.Language.PYTHON, data=root / "bfcl_eval" / "data")


def load_entries(data: Path, category: str) -> list[dict[str, Any]]:
    path = data / f"BFCL_v4_{category}.json"
    if not path.is_file():
        return []
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    answers_path = data / "possible_answer" / f"BFCL_v4_{category}.json"
    if answers_path.is_file():
        answers = {}
        for line in answers_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                answers[row["id"]] = row["ground_truth"]
        for entry in entries:
            entry["ground_truth"] = answers.get(entry["id"])
    return entries


def bfcl_verdict(bfcl: types.SimpleNamespace, entry: dict[str, Any], category: str, calls: list[dict[str, Any]]):
    """(valid, error text) by BFCL's rules."""
    if category in IRRELEVANCE_CATEGORIES:
        return (not calls), ("" if not calls else "Valid syntax. Successfully decode AST when it should not.")
    output = [{c["name"]: c["arguments"]} for c in calls]
    result = bfcl.checker.ast_checker(entry["function"], output, entry["ground_truth"], bfcl.python, category,
                                      MODEL_NAME)
    return bool(result["valid"]), _error_text(result)


def _error_text(result: dict[str, Any]) -> str:
    if result.get("valid"):
        return ""
    parts: list[str] = []
    for err in result.get("error") or []:
        if isinstance(err, dict):  # the parallel checker nests the per-call errors
            for sub in err.values():
                parts.extend(str(s) for s in (sub.get("sub_error") or []))
        else:
            parts.append(str(err))
    text = f"[{result.get('error_type', '')}] " + " | ".join(parts)
    return text if len(text) <= 400 else text[:397] + "..."


def bfcl_assignment_exists(bfcl: types.SimpleNamespace, entry: dict[str, Any], calls: list[dict[str, Any]]) -> bool:
    """Whether BFCL's own pairwise checker admits a perfect call-to-answer assignment."""
    answers = entry["ground_truth"]
    if len(calls) != len(answers):
        return False
    ok = []
    for call in calls:
        row = []
        for answer in answers:
            expected = next(iter(answer))
            description = bfcl.checker.find_description(entry["function"], expected)
            try:
                res = bfcl.checker.simple_function_checker(
                    description, {call["name"]: call["arguments"]}, answer, bfcl.python, MODEL_NAME
                )
                row.append(bool(res["valid"]))
            except Exception:  # noqa: BLE001
                row.append(False)
        ok.append(row)
    owner = [-1] * len(answers)

    def augment(c: int, seen: set[int]) -> bool:
        for a in range(len(answers)):
            if ok[c][a] and a not in seen:
                seen.add(a)
                if owner[a] == -1 or augment(owner[a], seen):
                    owner[a] = c
                    return True
        return False

    return all(augment(c, set()) for c in range(len(calls)))


# ------------------------------------------------------------------------------------------ variants


def _first(alternatives: Any) -> Any:
    if not isinstance(alternatives, list):
        return alternatives
    for value in alternatives:
        if value != "":
            return value
    return MISSING


def _props(function: dict[str, Any] | None) -> dict[str, Any]:
    params = (function or {}).get("parameters") or {}
    props = params.get("properties")
    return props if isinstance(props, dict) else {}


def _type(schema: Any) -> str | None:
    return schema.get("type") if isinstance(schema, dict) else None


def _item_type(schema: Any) -> str | None:
    return _type(schema.get("items")) if isinstance(schema, dict) else None


def materialize(value: Any, schema: Any) -> Any:
    """A concrete argument from one acceptable value, read as BFCL reads it: a "dict" parameter's value maps
    keys to alternatives, so does each dict of an array-of-dict's value; anything else is literal."""
    kind = _type(schema)
    if kind == "dict" and isinstance(value, dict):
        out = {}
        for key, alternatives in value.items():
            chosen = _first(alternatives)
            if chosen is not MISSING:
                out[key] = copy.deepcopy(chosen)
        return out
    if kind == "array" and _item_type(schema) == "dict" and isinstance(value, list):
        return [materialize(v, schema["items"]) if isinstance(v, dict) else copy.deepcopy(v) for v in value]
    return copy.deepcopy(value)


def exact_calls(entry: dict[str, Any], rng: random.Random | None = None) -> list[dict[str, Any]]:
    """The reference's calls with the first acceptable value of each parameter or, given `rng`, any one
    of them ("" drawn: the parameter left out)."""
    functions = {f["name"]: f for f in entry["function"]}
    calls = []
    for answer in entry["ground_truth"]:
        ((name, params),) = answer.items()
        props = _props(functions.get(name))
        arguments = {}
        for param, alternatives in params.items():
            chosen = _first(alternatives)
            if rng is not None and isinstance(alternatives, list) and alternatives:
                chosen = rng.choice(alternatives)
                chosen = MISSING if chosen == "" else chosen
            if chosen is not MISSING:
                arguments[param] = materialize(chosen, props.get(param))
        calls.append({"name": name, "arguments": arguments})
    return calls


def _sites(calls: list[dict[str, Any]], entry: dict[str, Any]):
    """Every (container, key, value, schema, depth) of the calls' argument trees: depth 0 is a parameter."""
    functions = {f["name"]: f for f in entry["function"]}

    def walk(container: Any, key: Any, value: Any, schema: Any, depth: int):
        yield container, key, value, schema, depth
        if isinstance(value, dict):
            props = schema.get("properties") if isinstance(schema, dict) else None
            for k, v in value.items():
                yield from walk(value, k, v, (props or {}).get(k), depth + 1)
        elif isinstance(value, list):
            items = schema.get("items") if isinstance(schema, dict) else None
            for i, v in enumerate(value):
                yield from walk(value, i, v, items, depth + 1)

    for call in calls:
        props = _props(functions.get(call["name"]))
        for param, value in call["arguments"].items():
            yield from walk(call["arguments"], param, value, props.get(param), 0)


def _wrong(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice([1, 7, 100])
    if isinstance(value, float):
        return round(value * 1.5 + 1.25, 4)
    if isinstance(value, str):
        return rng.choice(["Springfield", "zzz unknown", "N/A value", value + " extra words"]) if value else "x"
    if isinstance(value, list):
        return value[:-1] if len(value) > 1 else value + (copy.deepcopy(value) or ["item"])
    if isinstance(value, dict):
        return {**value, "unexpected_key": "x"}
    return "wrong"


def _string_variant(text: str, rng: random.Random) -> str | None:
    transforms = [
        str.upper, str.lower, str.title, str.swapcase,
        lambda s: s.replace(" ", "_") if " " in s else s + "_",
        lambda s: s.replace(" ", "-") if " " in s else "-" + s,
        lambda s: s.replace(" ", "") if " " in s else s[: len(s) // 2] + " " + s[len(s) // 2 :],
        lambda s: s + ".",
        lambda s: s.replace(",", "") if "," in s else s + ",",
        lambda s: s.replace("'", '"') if "'" in s else s + "/",
        lambda s: s + "!",
        lambda s: s.replace(" ", ", ") if " " in s else s + " *",
        lambda s: "  " + s + " ",
    ]
    rng.shuffle(transforms)
    for transform in transforms:
        out = transform(text)
        if out != text:
            return out
    return None


def _dummy(schema: Any, rng: random.Random) -> Any:
    kind = _type(schema)
    if isinstance(schema, dict) and "default" in schema and schema["default"] not in (None, ""):
        return copy.deepcopy(schema["default"])
    if isinstance(schema, dict) and schema.get("enum"):
        return schema["enum"][0]
    return {
        "integer": 3, "float": 2.5, "boolean": True, "array": ["a"], "tuple": [1, 2], "dict": {"k": "v"},
    }.get(kind or "", "sample text")


def build_variants(entry: dict[str, Any], category: str, rng_for) -> list[tuple[str, list[dict[str, Any]], str]]:
    """[(kind, calls, note)] for one entry; `rng_for(kind)` gives that kind's seeded generator."""
    functions = entry["function"]
    names = [f["name"] for f in functions]
    out: list[tuple[str, list[dict[str, Any]], str]] = []
    if category in IRRELEVANCE_CATEGORIES:
        rng = rng_for("no_call")
        out.append(("no_call", [], "no call"))
        out.append(("no_call", [{"name": "lookup_answer", "arguments": {"query": "x"}}], "made-up call"))
        if functions:
            f = rng.choice(functions)
            params = f.get("parameters") or {}
            props = _props(f)
            arguments = {p: _dummy(props.get(p), rng) for p in params.get("required") or [] if p in props}
            out.append(("no_call", [{"name": f["name"], "arguments": arguments}], f"call to {f['name']}"))
        return out

    reference = entry["ground_truth"]
    exact = exact_calls(entry)
    out.append(("exact", exact, "first acceptable values"))
    by_name = {f["name"]: f for f in functions}

    # alt_value: a later acceptable value of one parameter, or of one key of a dict parameter
    rng = rng_for("alt_value")
    choices = []
    for ci, answer in enumerate(reference):
        ((name, params),) = answer.items()
        props = _props(by_name.get(name))
        for param, alternatives in params.items():
            good = [a for a in alternatives if a != ""] if isinstance(alternatives, list) else []
            if len(good) > 1:
                choices.append((ci, param, None, good[1:], props.get(param)))
            if _type(props.get(param)) == "dict" and good and isinstance(good[0], dict):
                for key, inner in good[0].items():
                    inner_good = [a for a in inner if a != ""] if isinstance(inner, list) else []
                    if len(inner_good) > 1 and param in exact[ci]["arguments"]:
                        choices.append((ci, param, key, inner_good[1:], None))
    if choices:
        ci, param, key, others, schema = rng.choice(choices)
        calls = copy.deepcopy(exact)
        value = rng.choice(others)
        if key is None:
            calls[ci]["arguments"][param] = materialize(value, schema)
        else:
            calls[ci]["arguments"][param][key] = copy.deepcopy(value)
        out.append(("alt_value", calls, f"{param}{'.' + key if key else ''} = {value!r}"))

    # optional_omitted: drop every parameter whose alternatives include ""
    calls = copy.deepcopy(exact)
    dropped = []
    for ci, answer in enumerate(reference):
        ((_, params),) = answer.items()
        for param, alternatives in params.items():
            if isinstance(alternatives, list) and "" in alternatives and param in calls[ci]["arguments"]:
                del calls[ci]["arguments"][param]
                dropped.append(param)
    if dropped:
        out.append(("optional_omitted", calls, f"omitted {dropped}"))

    # string_variant
    rng = rng_for("string_variant")
    calls = copy.deepcopy(exact)
    sites = [s for s in _sites(calls, entry) if isinstance(s[2], str) and s[2]]
    if sites:
        container, key, value, _, depth = rng.choice(sites)
        changed = _string_variant(value, rng)
        if changed is not None:
            container[key] = changed
            out.append(("string_variant", calls, f"{key!r} (depth {depth}): {value!r} -> {changed!r}"))

    # int_for_float / float_for_int
    rng = rng_for("int_for_float")
    calls = copy.deepcopy(exact)
    sites = [
        s for s in _sites(calls, entry)
        if isinstance(s[2], float) and s[2].is_integer() and abs(s[2]) < 1e15
    ]
    if sites:
        container, key, value, schema, depth = rng.choice(sites)
        container[key] = int(value)
        note = f"{key!r} (depth {depth}, type {_type(schema)}): {value!r} -> {int(value)}"
        out.append(("int_for_float", calls, note))
    rng = rng_for("float_for_int")
    calls = copy.deepcopy(exact)
    sites = [s for s in _sites(calls, entry) if type(s[2]) is int and _type(s[3]) in ("integer", None)]
    if sites:
        container, key, value, schema, depth = rng.choice(sites)
        container[key] = float(value)
        note = f"{key!r} (depth {depth}, type {_type(schema)}): {value!r} -> {float(value)}"
        out.append(("float_for_int", calls, note))

    # wrong_value / wrong_type: one parameter
    top = [(ci, p) for ci, c in enumerate(exact) for p in c["arguments"]]
    if top:
        rng = rng_for("wrong_value")
        calls = copy.deepcopy(exact)
        ci, param = rng.choice(top)
        before = calls[ci]["arguments"][param]
        calls[ci]["arguments"][param] = _wrong(before, rng)
        out.append(("wrong_value", calls, f"{param}: {before!r} -> {calls[ci]['arguments'][param]!r}"))

        rng = rng_for("wrong_type")
        calls = copy.deepcopy(exact)
        ci, param = rng.choice(top)
        before = calls[ci]["arguments"][param]
        if isinstance(before, bool):
            after: Any = str(before).lower()
        elif isinstance(before, (int, float)):
            after = str(before)
        elif isinstance(before, str):
            try:
                after = json.loads(before)
                if not isinstance(after, (int, float)) or isinstance(after, bool):
                    raise ValueError
            except ValueError:
                after = rng.choice([[before], 1, True])
        elif isinstance(before, list):
            after = ", ".join(str(v) for v in before)
        elif isinstance(before, dict):
            after = json.dumps(before)
        else:
            after = "null"
        calls[ci]["arguments"][param] = after
        out.append(("wrong_type", calls, f"{param}: {before!r} -> {after!r}"))

    # missing_param: a required one
    rng = rng_for("missing_param")
    required = [
        (ci, p) for ci, c in enumerate(exact) for p in c["arguments"]
        if p in ((by_name.get(c["name"]) or {}).get("parameters") or {}).get("required", [])
    ]
    if required:
        calls = copy.deepcopy(exact)
        ci, param = rng.choice(required)
        del calls[ci]["arguments"][param]
        out.append(("missing_param", calls, f"dropped required {param}"))

    # extra_param
    rng = rng_for("extra_param")
    if exact:
        calls = copy.deepcopy(exact)
        ci = rng.randrange(len(calls))
        name = calls[ci]["name"]
        listed = next(iter(reference[ci].values()))
        unlisted = [p for p in _props(by_name.get(name)) if p not in listed and p not in calls[ci]["arguments"]]
        if unlisted and rng.random() < 0.5:
            param = rng.choice(unlisted)
            calls[ci]["arguments"][param] = _dummy(_props(by_name.get(name))[param], rng)
            note = f"declared but unlisted {param}={calls[ci]['arguments'][param]!r}"
        else:
            param = rng.choice(["verbose", "extra_option", "debug_mode"])
            calls[ci]["arguments"][param] = rng.choice([True, "yes", 1])
            note = f"undeclared {param}"
        out.append(("extra_param", calls, note))

    # wrong_function
    rng = rng_for("wrong_function")
    if exact:
        calls = copy.deepcopy(exact)
        ci = rng.randrange(len(calls))
        others = [n for n in names if n != calls[ci]["name"]]
        before = calls[ci]["name"]
        calls[ci]["name"] = rng.choice(others) if others and rng.random() < 0.6 else before.split(".")[-1] + "_v2"
        out.append(("wrong_function", calls, f"{before} -> {calls[ci]['name']}"))

    # reordered, missing_call, extra_call, duplicate_call
    rng = rng_for("reordered")
    if len(exact) > 1 and any(c != exact[0] for c in exact):
        # every other entry with any acceptable values, so that one call may fit several entries
        drawn = rng.random() < 0.5
        ordered = exact_calls(entry, rng) if drawn else exact
        calls = copy.deepcopy(ordered)
        for _ in range(20):
            rng.shuffle(calls)
            if calls != ordered:
                break
        out.append(("reordered", calls, "shuffled" + (", acceptable values drawn at random" if drawn else "")))
    rng = rng_for("missing_call")
    if exact:
        calls = copy.deepcopy(exact)
        gone = calls.pop(rng.randrange(len(calls)))
        out.append(("missing_call", calls, f"dropped {gone['name']}"))
    rng = rng_for("extra_call")
    if exact:
        calls = copy.deepcopy(exact)
        extra = copy.deepcopy(rng.choice(exact))
        if extra["arguments"]:
            param = rng.choice(sorted(extra["arguments"]))
            extra["arguments"][param] = _wrong(extra["arguments"][param], rng)
        calls.insert(rng.randrange(len(calls) + 1), extra)
        out.append(("extra_call", calls, f"extra {extra['name']}"))
    rng = rng_for("duplicate_call")
    if exact:
        calls = copy.deepcopy(exact)
        twin = copy.deepcopy(rng.choice(exact))
        calls.insert(rng.randrange(len(calls) + 1), twin)
        out.append(("duplicate_call", calls, f"twice {twin['name']}"))

    # nested_change: inside a dict value (a dict parameter, or a dict in a list)
    rng = rng_for("nested_change")
    calls = copy.deepcopy(exact)
    dicts = [s for s in _sites(calls, entry) if isinstance(s[2], dict) and s[2]]
    if dicts:
        _, key, value, schema, depth = rng.choice(dicts)
        inner = rng.choice(sorted(value))
        how = rng.choice(["change", "change", "drop", "add"])
        if how == "change":
            before = value[inner]
            value[inner] = _wrong(before, rng)
            note = f"{key!r}.{inner}: {before!r} -> {value[inner]!r}"
        elif how == "drop":
            del value[inner]
            note = f"{key!r}: dropped key {inner!r}"
        else:
            value["note"] = "added"
            note = f"{key!r}: added key 'note'"
        out.append(("nested_change", calls, note + f" (depth {depth})"))
    return out


# ---------------------------------------------------------------------------------------------- run


def build_cases(bfcl: types.SimpleNamespace, seed: int, per_kind: int, categories: list[str]) -> list[dict[str, Any]]:
    cases = []
    for category in categories:
        for entry in load_entries(bfcl.data, category):
            if category not in IRRELEVANCE_CATEGORIES and not entry.get("ground_truth"):
                continue
            for rep in range(per_kind):
                def rng_for(kind: str, _id=entry["id"], _rep=rep) -> random.Random:
                    return random.Random(f"{seed}:{_id}:{kind}:{_rep}")

                for kind, calls, note in build_variants(entry, category, rng_for):
                    if rep and kind in ("exact", "optional_omitted", "no_call"):
                        continue  # the same on every repetition
                    cases.append({"id": entry["id"], "category": category, "kind": kind, "calls": calls,
                                  "note": note, "entry": entry})
    return cases


def judge(bfcl: types.SimpleNamespace, cases: list[dict[str, Any]]) -> None:
    from verifiers import get_verifier

    verifier = get_verifier("tool_calling")
    for case in cases:
        entry, category, calls = case["entry"], case["category"], case["calls"]
        try:
            case["bfcl"], case["bfcl_error"] = bfcl_verdict(bfcl, entry, category, calls)
        except Exception as exc:  # noqa: BLE001
            case["bfcl"], case["bfcl_error"] = None, f"CRASH {type(exc).__name__}: {exc}"
        reference = [] if category in IRRELEVANCE_CATEGORIES else entry["ground_truth"]
        try:
            res = verifier.check_calls(calls, entry["function"], reference)
            case["ours"], case["ours_reason"] = bool(res.is_verified), res.explanation
            details = res.details or {}
            detail = (details.get("invalid") or [{}])[0].get("kind") or details.get("mismatch") or ""
            case["ours_cause"] = f"{details.get('reason', '')}:{detail}" if detail else str(details.get("reason", ""))
        except Exception as exc:  # noqa: BLE001
            case["ours"], case["ours_reason"], case["ours_cause"] = None, f"CRASH {type(exc).__name__}: {exc}", "crash"
        case["greedy_only"] = (
            "parallel" in category and case["bfcl"] is False and case["ours"] is True
            and bfcl_assignment_exists(bfcl, entry, calls)
        )


def _pct(num: int, den: int) -> str:
    return f"{num / den:7.2%}" if den else "      -"


def table(cases: list[dict[str, Any]], key: str, order: list[str], title: str) -> None:
    stats: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        for group in (case[key], "ALL"):
            s = stats[group]
            s["n"] += 1
            if case["bfcl"] is None or case["ours"] is None:
                s["crash"] += 1
            elif case["greedy_only"]:
                s["greedy_only"] += 1
            else:
                s["scored"] += 1
                s["bfcl_true"] += case["bfcl"]
                s["agree"] += case["bfcl"] == case["ours"]
                s["bfcl_T_ours_F"] += case["bfcl"] and not case["ours"]
                s["bfcl_F_ours_T"] += (not case["bfcl"]) and case["ours"]
    print(f"\n{title}")
    print(f"{'':24} {'cases':>6} {'scored':>6} {'bfcl_T':>6} {'agree':>6} {'agree%':>7} "
          f"{'bT/oF':>6} {'bF/oT':>6} {'greedy':>6} {'crash':>5}")
    for group in [g for g in order if g in stats] + ["ALL"]:
        s = stats[group]
        if group == "ALL":
            print("-" * 92)
        print(f"{group:24} {s['n']:6d} {s['scored']:6d} {s['bfcl_true']:6d} {s['agree']:6d} "
              f"{_pct(s['agree'], s['scored'])} {s['bfcl_T_ours_F']:6d} {s['bfcl_F_ours_T']:6d} "
              f"{s['greedy_only']:6d} {s['crash']:5d}")


def causes(cases: list[dict[str, Any]]) -> None:
    """Disagreements counted by the kind of case and our verdict's reason (and first invalid or mismatch kind)."""
    counts = Counter(
        (c["kind"], "bfcl=T ours=F" if c["bfcl"] else "bfcl=F ours=T", c["ours_cause"])
        for c in cases
        if not c["greedy_only"] and c["bfcl"] is not None and c["ours"] is not None and c["bfcl"] != c["ours"]
    )
    if not counts:
        return
    print("\ndisagreements by cause (kind, direction, our reason)")
    for (kind, direction, cause), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:6d}  {kind:18} {direction}  {cause}")


def show(cases: list[dict[str, Any]], per_kind: int) -> None:
    wrong = [c for c in cases if not c["greedy_only"] and (c["bfcl"] != c["ours"] or c["bfcl"] is None)]
    print(f"\ndisagreements and crashes: {len(wrong)} (first {per_kind} per kind)")
    shown: Counter = Counter()
    for case in sorted(wrong, key=lambda c: KINDS.index(c["kind"])):
        if shown[case["kind"]] >= per_kind:
            continue
        shown[case["kind"]] += 1
        calls = json.dumps(case["calls"], ensure_ascii=False)
        answer = json.dumps(case["entry"].get("ground_truth") or [], ensure_ascii=False)
        print(f"\n  [{case['kind']}] {case['id']} ({case['category']}): {case['note']}")
        print(f"    bfcl={case['bfcl']} ours={case['ours']}")
        print(f"    bfcl error: {case['bfcl_error'] or '-'}")
        print(f"    ours ({case['ours_cause']}): {case['ours_reason']}")
        print(f"    calls:  {calls[:500]}")
        print(f"    answer: {answer[:500]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bfcl", type=Path, required=True,
                        help="the berkeley-function-call-leaderboard folder that holds bfcl_eval/")
    parser.add_argument("--seed", type=int, default=0, help="seed of the candidate generator (default 0)")
    parser.add_argument("--per-kind", type=int, default=1, help="variants of each random kind per entry (default 1)")
    parser.add_argument("--category", action="append", choices=AST_CATEGORIES + IRRELEVANCE_CATEGORIES,
                        help="only this BFCL category (repeatable; default: all Python ones)")
    parser.add_argument("--show", type=int, nargs="?", const=5, default=0,
                        help="list the first N disagreements per kind (default N: 5)")
    args = parser.parse_args()
    try:
        bfcl = load_bfcl(args.bfcl.expanduser().resolve())
    except BfclMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    categories = args.category or list(AST_CATEGORIES + IRRELEVANCE_CATEGORIES)
    cases = build_cases(bfcl, args.seed, max(1, args.per_kind), categories)
    judge(bfcl, cases)
    entries = len({(c["category"], c["id"]) for c in cases})
    print(f"BFCL agreement: {len(cases)} cases from {entries} entries (seed {args.seed}); "
          "greedy_only cases (BFCL's greedy pairing alone rejects) are left out of 'scored'")
    table(cases, "kind", list(KINDS), "per kind")
    table(cases, "category", categories, "per BFCL category")
    scored = [c for c in cases if not c["greedy_only"] and c["bfcl"] is not None and c["ours"] is not None]
    agree = sum(c["bfcl"] == c["ours"] for c in scored)
    greedy = sum(c["greedy_only"] for c in cases)
    crashes = len(cases) - len(scored) - greedy
    print(f"\noverall agreement: {agree}/{len(scored)} = {agree / max(1, len(scored)):.2%}; "
          f"greedy_only {greedy}; crashes {crashes}")
    causes(cases)
    if args.show:
        show(cases, args.show)


if __name__ == "__main__":
    main()
