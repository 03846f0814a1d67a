"""Strict checks of one tool call's arguments against its tool's JSON Schema.

Strict means closed: a parameter the schema does not declare is an error even where the schema leaves
`additionalProperties` open or unsaid (as BFCL's do), because a model that invents parameters has
misread the tool. Everything else is plain JSON Schema (jsonschema): an integer is a number, "5" is
not, a bool is neither, and 3.0 is an integer. One exception: a parameter given its own declared
"default" is valid whatever its type or enum says (BFCL's `{"type": "string", "default": null}`).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import validator_for

from verifiers.tools.spec import LIST_SUBSCHEMAS, MAP_SUBSCHEMAS, MAX_SCHEMA_DEPTH, ONE_SUBSCHEMA, depth

__all__ = ["KINDS", "CallCheck", "call_parts", "check_call", "parse_arguments"]

# Most specific first: when a call breaks several rules, the first kind here is the one reported.
KINDS = ("unknown_parameter", "missing_required", "wrong_type", "enum", "invalid")
_KIND_OF = {
    "additionalProperties": "unknown_parameter",
    "unevaluatedProperties": "unknown_parameter",
    "required": "missing_required",
    "dependentRequired": "missing_required",
    "type": "wrong_type",
    "enum": "enum",
    "const": "enum",
}
_JSON_TYPE = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
MAX_VALUE_CHARS = 80


@dataclass(frozen=True)
class CallCheck:
    valid: bool
    kind: str | None  # None when valid; "unknown_tool", "malformed_json" or one of KINDS
    message: str  # one sentence a model could act on; "" when valid
    arguments: dict[str, Any] | None  # the parsed arguments; None when they could not be parsed


def call_parts(call: Any) -> tuple[str | None, Any]:
    """(name, raw arguments) of a call written as {"name", "arguments"}, in OpenAI Chat form
    ({"function": {...}}) or as an Anthropic tool_use block ({"name", "input"})."""
    if not isinstance(call, dict):
        return None, None
    body = call["function"] if isinstance(call.get("function"), dict) else call
    name = body.get("name")
    raw = body["arguments"] if "arguments" in body else body.get("input")
    return (name if isinstance(name, str) and name else None), raw


def parse_arguments(raw: Any) -> tuple[dict[str, Any] | None, str]:
    """(arguments, "") or (None, why not). Missing, None and "" arguments are {}."""
    if raw is None:
        return {}, ""
    if isinstance(raw, str):
        if not raw.strip():
            return {}, ""
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            return None, f"are not valid JSON ({exc.msg} at character {exc.pos})"
        except RecursionError:
            return None, "are nested too deeply to read"
        except ValueError as exc:  # e.g. an integer longer than Python will convert
            return None, f"cannot be read ({exc})"
    if not isinstance(raw, dict):
        return None, f"must be a JSON object, got {_json_type(raw)}"
    if depth(raw) > MAX_SCHEMA_DEPTH:
        return None, f"are nested more than {MAX_SCHEMA_DEPTH} levels deep"
    return raw, ""


def check_call(call: Any, tools_by_name: dict[str, dict[str, Any]]) -> CallCheck:
    """Check one call against tools in the internal form (see `verifiers.tools.spec.tool_index`)."""
    try:
        return _check_call(call, tools_by_name)
    except RecursionError:  # arguments a model nested deeper than the checks can walk
        name, _ = call_parts(call)
        return CallCheck(False, "malformed_json", f"the arguments for tool {name} are nested too deeply to read.",
                         None)


def _check_call(call: Any, tools_by_name: dict[str, dict[str, Any]]) -> CallCheck:
    name, raw = call_parts(call)
    if name is None:
        return CallCheck(False, "unknown_tool", "the tool call has no tool name.", None)
    arguments, problem = parse_arguments(raw)
    tool = tools_by_name.get(name)
    if tool is None:
        known = ", ".join(sorted(tools_by_name)[:10]) or "none"
        return CallCheck(False, "unknown_tool", f"unknown tool {name!r} (available tools: {known}).", arguments)
    if arguments is None:
        return CallCheck(False, "malformed_json", f"the arguments for tool {name} {problem}.", None)
    schema = tool.get("parameters") or {"type": "object", "properties": {}}
    validator = _strict_validator(json.dumps(schema, sort_keys=True, default=str))
    if validator is None:
        return _by_hand(arguments, schema, name)
    try:
        errors = list(validator.iter_errors(arguments))
    except Exception:  # e.g. a $ref that resolves nowhere: the tool's fault, not the model's
        return _by_hand(arguments, schema, name)
    errors = [e for e in errors if not _is_declared_default(e)]
    if not errors:
        return CallCheck(True, None, "", arguments)
    described = [_describe(e, name) for e in errors]
    kind, message = min(described, key=lambda d: KINDS.index(d[0]))
    return CallCheck(False, kind, message, arguments)


def _is_declared_default(error: ValidationError) -> bool:
    """Whether the failing value is its own schema's declared "default": a tool documents that value as
    what it uses when the parameter is left out, so giving it explicitly is no error even where the
    type or enum leaves it out (BFCL's tools, from Python signatures: "default": null on a string)."""
    schema = error.schema
    if not isinstance(schema, dict) or "default" not in schema:
        return False
    try:
        return json.dumps(error.instance, sort_keys=True) == json.dumps(schema["default"], sort_keys=True)
    except (TypeError, ValueError):
        return False


def _closed(schema: Any, close: bool = True) -> Any:
    """`schema` with additionalProperties: false on every object schema that declares properties and has
    no schema of its own for extra keys."""
    if isinstance(schema, list):
        return [_closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "allOf" and isinstance(value, list):
            # Closing each allOf branch would make each reject the properties the others declare.
            out[key] = [_closed(v, close=False) for v in value]
        elif key in ONE_SUBSCHEMA or key in LIST_SUBSCHEMAS:
            out[key] = _closed(value)
        elif key in MAP_SUBSCHEMAS and isinstance(value, dict):
            out[key] = {name: _closed(v) for name, v in value.items()}
        else:
            out[key] = value
    props = out.get("properties")
    # A tool that declares no parameters and says extra ones are welcome takes keyword arguments: open.
    kwargs_style = props == {} and out.get("additionalProperties") is True
    if close and isinstance(props, dict) and not isinstance(out.get("additionalProperties"), dict) and not kwargs_style:
        out["additionalProperties"] = False
    return out


@functools.lru_cache(maxsize=1024)
def _strict_validator(schema_json: str) -> Any:
    """The compiled closed validator for a schema (given as canonical JSON, so it can key the cache), or
    None when the schema itself is not valid JSON Schema."""
    schema = _closed(json.loads(schema_json))
    try:
        cls = validator_for(schema, default=Draft202012Validator)
    except Exception:  # an unknown "$schema" must not stop the check
        cls = Draft202012Validator
    try:
        cls.check_schema(schema)
    except SchemaError:
        return None
    return cls(schema)


def _by_hand(arguments: dict[str, Any], schema: dict[str, Any], tool: str) -> CallCheck:
    # The tool's schema is not valid JSON Schema. That is the tool author's fault, so rather than
    # reporting "invalid" against the model we check only what stays meaningful: the top-level
    # parameter names and the required list.
    properties = schema.get("properties")
    if isinstance(properties, dict):
        unknown = [k for k in arguments if k not in properties]
        if unknown:
            return CallCheck(False, "unknown_parameter", _unknown_message(unknown, "", tool), arguments)
    required = schema.get("required")
    if isinstance(required, list):
        missing = [r for r in required if isinstance(r, str) and r not in arguments]
        if missing:
            return CallCheck(False, "missing_required", _missing_message(missing, "", tool), arguments)
    return CallCheck(True, None, "", arguments)


def _describe(error: ValidationError, tool: str) -> tuple[str, str]:
    where = _path(error.absolute_path)
    kind = _KIND_OF.get(str(error.validator), "invalid")
    instance, expected = error.instance, error.validator_value
    if error.validator in ("anyOf", "oneOf") and error.context and all(e.validator == "type" for e in error.context):
        return "wrong_type", f"parameter {where!r} of tool {tool} has the wrong type: got {_shown(instance)}."
    if kind == "unknown_parameter" and isinstance(instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        declared = schema.get("properties") or {}
        patterns = list(schema.get("patternProperties") or {})
        unknown = [k for k in instance if k not in declared and not any(re.search(p, k) for p in patterns)]
        return kind, _unknown_message(unknown or list(instance), where, tool)
    if kind == "missing_required" and isinstance(instance, dict):
        names = expected if isinstance(expected, list) else []
        missing = [n for n in names if isinstance(n, str) and n not in instance]
        return kind, _missing_message(missing, where, tool) if missing else f"{error.message}."
    subject = f"parameter {where!r} of tool {tool}" if where else f"the arguments of tool {tool}"
    if kind == "wrong_type":
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return kind, f"{subject} must be {wanted}, got {_shown(instance)}."
    if error.validator == "enum":
        return kind, f"{subject} must be one of {_short(expected)}, got {_short(instance)}."
    if error.validator == "const":
        return kind, f"{subject} must be {_short(expected)}, got {_short(instance)}."
    return kind, f"{subject} is invalid: {_short_text(error.message)}."


def _unknown_message(names: list[str], where: str, tool: str) -> str:
    full = ", ".join(repr(_join(where, n)) for n in names)
    return f"unknown parameter{'s' if len(names) > 1 else ''} {full} for tool {tool}."


def _missing_message(names: list[str], where: str, tool: str) -> str:
    full = ", ".join(repr(_join(where, n)) for n in names)
    return f"missing required parameter{'s' if len(names) > 1 else ''} {full} for tool {tool}."


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else _join(out, str(part))
    return out


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _json_type(value: Any) -> str:
    return "null" if value is None else _JSON_TYPE.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    return f"{_json_type(value)} {_short(value)}"


def _short(value: Any) -> str:
    return _short_text(json.dumps(value, ensure_ascii=False, default=str))


def _short_text(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."
