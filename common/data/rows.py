"""Dataset rows to Query records: the Nemotron schema and the plain row form.

A row that cannot be read raises ValueError (the loader counts and skips it); a row with an
empty user turn gives None.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from common.data.query import Query
from verifiers.math.extract import last_boxed
from verifiers.tools import spec
from verifiers.tools.reference import normalize_reference

# --------------------------------------------------------------------------- small helpers


def norm_split(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def extract_last_boxed(text: str) -> str | None:
    """The ground truth of a reference answer, read exactly as the math verifier reads a candidate's:
    the last \\boxed{...} / \\fbox{...} (nested braces kept; adjacent boxes joined, "2, -3")."""
    boxed = last_boxed(text) if text else None
    return boxed.rstrip(".,").strip() if boxed else None



def _maybe_json(value: Any, what: str) -> Any:
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        try:
            return json.loads(s)
        except json.JSONDecodeError as e:
            raise ValueError(f"{what} is not valid JSON: {e}") from None
        except RecursionError:
            raise ValueError(f"{what} is nested too deeply") from None
        except ValueError as e:  # e.g. an integer longer than Python will convert
            raise ValueError(f"{what} cannot be read: {e}") from None
    return value


def _text(content: Any) -> str:
    # OpenAI content may be a list of typed parts; only the text parts make up the question.
    if content is None:
        return ""
    if isinstance(content, list):
        return "".join(p.get("text") or "" for p in content if isinstance(p, dict))
    return str(content)


def _is_empty_question(q: str) -> bool:
    s = q.strip()
    return not s or s == "-"


def normalize_tools(tools: Any) -> list[dict] | None:
    """Tools in the one internal form {name, description, parameters}, from any of the five accepted
    forms (OpenAI Chat, OpenAI Responses, bare, Anthropic, BFCL)."""
    tools = _maybe_json(tools, "tools")
    if tools in (None, [], {}):
        return None
    return spec.normalize_tools(tools) or None


def _neutral_calls(calls: Any) -> list[dict]:
    """A history turn's tool calls (OpenAI Chat form or neutral) as neutral {id, name, arguments}."""
    out = []
    for _i, c in enumerate(calls if isinstance(calls, list) else []):
        if not isinstance(c, dict):
            raise ValueError("a tool call in the messages is not an object")
        fn = c.get("function") if isinstance(c.get("function"), dict) else c
        args = fn.get("arguments")
        out.append({"id": str(c["id"]) if c.get("id") else None, "name": str(fn.get("name") or ""),
                    "arguments": args if isinstance(args, str) else json.dumps(args or {})})
    return out


def _pair_tool_ids(prompt: list[dict]) -> None:
    """Datasets often leave out call ids: a call without one takes the id of the tool message that
    answers it (in order), else a made-up one the tool message gets too, so every API can pair them."""
    for i, m in enumerate(prompt):
        if m["role"] != "assistant" or not m.get("tool_calls"):
            continue
        answers = []
        for t in prompt[i + 1:]:
            if t["role"] != "tool":
                break
            answers.append(t)
        for j, call in enumerate(m["tool_calls"]):
            answer = answers[j] if j < len(answers) else None
            if call["id"] is None:
                call["id"] = (answer or {}).get("tool_call_id") or f"call_{i}_{j}"
            if answer is not None and not answer.get("tool_call_id"):
                answer["tool_call_id"] = call["id"]


def _reference_calls(value: Any, tools: list[dict] | None) -> list | None:
    """A trusted reference: [] (no call is right) or BFCL possible answers [{name: {param: [values]}}],
    checked now against the row's tools, so one no candidate could ever match skips its row at load."""
    value = _maybe_json(value, "reference_calls")
    if value is None:
        return None
    if isinstance(value, dict):
        value = [value]
    try:
        entries = normalize_reference(value)
    except ValueError as e:
        raise ValueError(f"reference_calls: {e}") from None
    by_name = {t["name"]: t for t in tools or []}
    for name, params in entries:
        if name not in by_name:
            raise ValueError(f"reference_calls: expects a call to {name!r}, which is not among the row's tools")
        declared = (by_name[name].get("parameters") or {}).get("properties")
        if isinstance(declared, dict) and declared and (unknown := sorted(set(params) - set(declared))):
            raise ValueError(f"reference_calls: parameter {unknown[0]!r} of {name!r} is not in its schema")
    return value


def _parse_tests(tests: Any, entry_point: str | None) -> dict | list | None:
    if isinstance(tests, str) and ("assert" in tests or "def " in tests):
        try:
            return _parse_tests(json.loads(tests), entry_point)
        except json.JSONDecodeError:
            # a bare HumanEval check() body stored as text
            return {"test": tests, "entry_point": entry_point} if entry_point else {"test": tests}
    tests = _maybe_json(tests, "tests")
    if tests in (None, [], {}):
        return None
    if not isinstance(tests, dict | list):
        raise ValueError(f"tests must be an object or list, got {type(tests).__name__}")
    return tests


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _fallback_id(split: str, payload: Any) -> str:
    digest = hashlib.sha1(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{split}-{digest}"


# --------------------------------------------------------------------------- rows -> queries


def row_to_query(row: dict, split: str) -> Query | None:
    """None when the user turn is empty or "-" (caller counts it); ValueError when unparseable."""
    if not isinstance(row, dict):
        raise ValueError(f"row is a {type(row).__name__}, not an object")
    if row.get("messages") is not None:
        return _nemotron_row(row, split)
    if "question" in row:
        return _plain_row(row, split)
    raise ValueError("row has neither 'messages' (Nemotron form) nor 'question' (plain form)")


def _nemotron_row(row: dict, split: str) -> Query | None:
    messages = _maybe_json(row["messages"], "messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages is not a non-empty list")
    if not all(isinstance(m, dict) and m.get("role") for m in messages):
        raise ValueError("a message has no role")

    reference = messages[-1] if messages[-1]["role"] == "assistant" else None
    turns = messages[:-1] if reference is not None else messages
    system = next((_text(m.get("content")) for m in turns[:1] if m["role"] == "system"), None)

    prompt: list[dict] = []
    for m in turns:
        if m["role"] == "system":
            continue
        msg = {"role": m["role"], "content": _text(m.get("content"))}
        if m.get("tool_calls"):
            msg["tool_calls"] = _neutral_calls(m["tool_calls"])
        for key in ("tool_call_id", "name"):
            if m.get(key):
                msg[key] = str(m[key])
        prompt.append(msg)
    _pair_tool_ids(prompt)
    users = [m for m in prompt if m["role"] == "user"]
    if not users:
        raise ValueError("no user message")
    question = users[-1]["content"]
    if _is_empty_question(question):
        return None

    meta = _maybe_json(row.get("metadata"), "metadata") or {}
    if not isinstance(meta, dict):
        raise ValueError(f"metadata is a {type(meta).__name__}, not an object")
    entry_point = _str_or_none(meta.get("entry_point") or row.get("entry_point"))
    tests = _parse_tests(meta.get("tests", row.get("tests")), entry_point)
    if entry_point is None and isinstance(tests, dict):
        entry_point = _str_or_none(tests.get("entry_point") or tests.get("fn_name"))

    # Only math references are trusted as ground truth; tool-calling references are often
    # one of several valid calls, and code is judged by its tests.
    gt = None
    if norm_split(split) == "math" and reference is not None:
        gt = extract_last_boxed(_text(reference.get("content")))

    uid = _str_or_none(row.get("uuid") or row.get("id")) or _fallback_id(split, messages)
    tools = normalize_tools(meta.get("tools", row.get("tools")))
    return Query(
        query_id=uid,
        split=split,
        question=question,
        messages=tuple(prompt),
        system=system or None,
        ground_truth=gt,
        tests=tests,
        tools=tools,
        language=_str_or_none(meta.get("language") or row.get("language")),
        entry_point=entry_point,
        reasoning=_str_or_none(row.get("reasoning")),
        reference_calls=_reference_calls(meta.get("reference_calls", row.get("reference_calls")), tools),
    )


def _plain_row(row: dict, split: str) -> Query | None:
    if row.get("question") is None:
        raise ValueError("question is missing")  # a null cell from a Parquet row that lacks it
    question = _text(row["question"])
    if _is_empty_question(question):
        return None
    entry_point = _str_or_none(row.get("entry_point"))
    tests = _parse_tests(row.get("tests"), entry_point)
    if entry_point is None and isinstance(tests, dict):
        entry_point = _str_or_none(tests.get("entry_point") or tests.get("fn_name"))
    uid = _str_or_none(row.get("id") or row.get("query_id") or row.get("uuid"))
    tools = normalize_tools(row.get("tools"))
    return Query(
        query_id=uid or _fallback_id(split, question),
        split=split,
        question=question,
        messages=({"role": "user", "content": question},),
        system=_str_or_none(row.get("system")),
        ground_truth=_str_or_none(row.get("ground_truth")),
        tests=tests,
        tools=tools,
        language=_str_or_none(row.get("language")),
        entry_point=entry_point,
        reasoning=_str_or_none(row.get("reasoning")),
        reference_calls=_reference_calls(row.get("reference_calls"), tools),
    )
