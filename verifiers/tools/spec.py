"""Tool definitions in one internal form, whatever form a dataset or provider wrote them in.

The internal form is a plain JSON-serialisable dict:

    {"name": str, "description": str, "parameters": <JSON Schema object>}

Accepted input forms (a list, one dict, or a JSON string of either):
  OpenAI Chat       {"type": "function", "function": {"name", "description", "parameters"}}
  OpenAI Responses  {"type": "function", "name", "description", "parameters", "strict"?}
  bare              {"name", "description", "parameters"}
  Anthropic         {"name", "description", "input_schema"}
  BFCL              bare, with the types "dict", "float", "tuple" and "any" in its schemas
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
from typing import Any

__all__ = ["WireNames", "normalize_tools", "to_anthropic", "to_openai_chat", "to_openai_responses", "tool_index"]

# BFCL's Python-flavoured type names; "any" maps to None: no type constraint at all.
_BFCL_TYPES: dict[str, str | None] = {"dict": "object", "float": "number", "tuple": "array", "any": None}
# Keywords whose value is one subschema (or, for draft-4 "items", a list), a list of subschemas, or a
# name -> subschema map: where schema walks have to recurse.
ONE_SUBSCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "unevaluatedProperties")
LIST_SUBSCHEMAS = ("anyOf", "oneOf", "allOf", "prefixItems")
MAP_SUBSCHEMAS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


MAX_SCHEMA_DEPTH = 64  # far beyond any real tool; deeper ones would only exhaust the recursive walks


def depth(value: Any) -> int:
    """How deeply lists and dicts nest in `value`, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_SCHEMA_DEPTH:  # past the limit the answer is already known
                stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _standard_types(schema: Any) -> Any:
    """A copy of `schema` with BFCL's type names turned into JSON Schema's, at every depth."""
    if not isinstance(schema, dict):
        return copy.deepcopy(schema)
    out: dict[str, Any] = {}
    kind = _standard_type(schema["type"]) if "type" in schema else None
    if kind is not None:
        out["type"] = kind
    for key, value in schema.items():
        if key == "type":
            continue
        if key in ONE_SUBSCHEMA and isinstance(value, (dict, list)):
            out[key] = [_standard_types(v) for v in value] if isinstance(value, list) else _standard_types(value)
        elif key in LIST_SUBSCHEMAS and isinstance(value, list):
            out[key] = [_standard_types(v) for v in value]
        elif key in MAP_SUBSCHEMAS and isinstance(value, dict):
            out[key] = {name: _standard_types(v) for name, v in value.items()}
        else:
            out[key] = copy.deepcopy(value)
    return out


def _standard_type(kind: Any) -> Any:
    if isinstance(kind, str):
        return _BFCL_TYPES.get(kind, kind)
    if isinstance(kind, list):
        mapped = [_BFCL_TYPES.get(k, k) if isinstance(k, str) else k for k in kind]
        # "any" anywhere in a union leaves nothing to constrain.
        return None if None in mapped else mapped
    return kind


def _parameters(raw: Any, name: str) -> dict[str, Any]:
    if isinstance(raw, str) and raw.strip().startswith("{"):  # some datasets store the schema as a JSON string
        with contextlib.suppress(json.JSONDecodeError):
            raw = json.loads(raw)
    if raw is None or raw == {}:
        return {"type": "object", "properties": {}}
    if not isinstance(raw, dict):
        raise ValueError(f"the parameters of tool {name!r} must be a JSON Schema object, got {type(raw).__name__}.")
    schema = _standard_types(raw)
    # BFCL and some hand-written tools give properties without saying the whole is an object.
    if "type" not in schema and "properties" in schema:
        schema["type"] = "object"
    return schema


def _one_tool(entry: Any, position: int) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ValueError(f"tool #{position} must be an object, got {type(entry).__name__}.")
    body = entry["function"] if isinstance(entry.get("function"), dict) else entry
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"tool #{position} has no name (a non-empty string is required).")
    schema = body["input_schema"] if "input_schema" in body else body.get("parameters")
    description = body.get("description")
    return {
        "name": name,
        "description": description if isinstance(description, str) else "",
        "parameters": _parameters(schema, name),
    }


def normalize_tools(tools: Any) -> list[dict[str, Any]]:
    """Tools in the internal form; raises ValueError (one sentence) on entries that are not tools or on
    duplicate names. None or an empty list gives []. The result shares nothing with the input."""
    if tools is None:
        return []
    if isinstance(tools, str):
        try:
            tools = json.loads(tools)
        except json.JSONDecodeError as exc:
            raise ValueError(f"tools are not valid JSON ({exc.msg}).") from None
        except RecursionError:
            raise ValueError(f"tools are nested more than {MAX_SCHEMA_DEPTH} levels deep.") from None
    if depth(tools) > MAX_SCHEMA_DEPTH:
        raise ValueError(f"tools are nested more than {MAX_SCHEMA_DEPTH} levels deep.")
    if isinstance(tools, dict):
        tools = [tools]
    if not isinstance(tools, list):
        raise ValueError(f"tools must be a list of tool definitions, got {type(tools).__name__}.")
    out = [_one_tool(entry, i) for i, entry in enumerate(tools)]
    seen: set[str] = set()
    for tool in out:
        if tool["name"] in seen:
            raise ValueError(f"tool name {tool['name']!r} is defined more than once.")
        seen.add(tool["name"])
    return out


def tool_index(tools: Any) -> dict[str, dict[str, Any]]:
    """Name -> internal tool, from tools in any accepted form."""
    return {tool["name"]: tool for tool in normalize_tools(tools)}


def to_openai_chat(tool: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": _copy(tool)}


def to_openai_responses(tool: dict[str, Any], strict: bool = False) -> dict[str, Any]:
    # The Responses API treats functions as strict unless told otherwise, and strict mode rejects schemas
    # with optional parameters or open objects, which most datasets' tools have.
    return {"type": "function", **_copy(tool), "strict": strict}


def to_anthropic(tool: dict[str, Any]) -> dict[str, Any]:
    body = _copy(tool)
    return {"name": body["name"], "description": body["description"], "input_schema": body["parameters"]}


def _copy(tool: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": tool["name"],
        "description": tool.get("description") or "",
        "parameters": copy.deepcopy(tool.get("parameters") or {"type": "object", "properties": {}}),
    }


# What the OpenAI and Anthropic APIs accept as a tool name; BFCL's dotted names ("math.factorial") are not.
_WIRE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class WireNames:
    """Tool names as sent to an API and back: a name the APIs accept stays as it is; any other gets a
    unique stand-in ("math.factorial" -> "math_factorial"), and the model's calls are read back to the
    dataset's names, so checks, references and rows only ever see the real ones."""

    def __init__(self, tools: list[dict[str, Any]] | None) -> None:
        names = [t["name"] for t in tools or []]
        self.out: dict[str, str] = {n: n for n in names if _WIRE_NAME.fullmatch(n)}
        used = set(self.out)
        for name in names:
            if name in self.out:
                continue
            base = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:56] or "tool"
            wire, i = base, 2
            while wire in used:
                wire, i = f"{base}_{i}", i + 1
            self.out[name] = wire
            used.add(wire)
        self.back = {wire: name for name, wire in self.out.items()}

    def send(self, name: str) -> str:
        return self.out.get(name, name)

    def read(self, name: str) -> str:
        return self.back.get(name, name)

    def tools(self, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**t, "name": self.send(t["name"])} for t in tools]
