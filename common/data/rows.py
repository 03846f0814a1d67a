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
    """Tools in OpenAI form; bare {name, description, parameters} entries are wrapped."""
    tools = _maybe_json(tools, "tools")
    if tools in (None, [], {}):
        return None
    if isinstance(tools, dict):
        tools = [tools]
    if not isinstance(tools, list):
        raise ValueError(f"tools must be a list, got {type(tools).__name__}")
    out = []
    for t in tools:
        t = _maybe_json(t, "tool")
        if not isinstance(t, dict):
            raise ValueError(f"tool entry must be an object, got {type(t).__name__}")
        fn = t.get("function") if isinstance(t.get("function"), dict) else t
        name = fn.get("name")
        if not name or not isinstance(name, str):
            raise ValueError("tool entry has no name")
        params = _maybe_json(fn.get("parameters"), f"parameters of tool {name}")
        out.append({
            "type": "function",
            "function": {
                "name": name,
                "description": fn.get("description") or "",
                "parameters": params if isinstance(params, dict) else {"type": "object", "properties": {}},
            },
        })
    return out


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
        for key in ("tool_calls", "tool_call_id"):
            if m.get(key):
                msg[key] = m[key]
        prompt.append(msg)
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
    return Query(
        query_id=uid,
        split=split,
        question=question,
        messages=tuple(prompt),
        system=system or None,
        ground_truth=gt,
        tests=tests,
        tools=normalize_tools(meta.get("tools", row.get("tools"))),
        language=_str_or_none(meta.get("language") or row.get("language")),
        entry_point=entry_point,
        reasoning=_str_or_none(row.get("reasoning")),
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
    return Query(
        query_id=uid or _fallback_id(split, question),
        split=split,
        question=question,
        messages=({"role": "user", "content": question},),
        system=_str_or_none(row.get("system")),
        ground_truth=_str_or_none(row.get("ground_truth")),
        tests=tests,
        tools=normalize_tools(row.get("tools")),
        language=_str_or_none(row.get("language")),
        entry_point=entry_point,
        reasoning=_str_or_none(row.get("reasoning")),
    )
