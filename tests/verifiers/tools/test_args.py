"""check_call: strict JSON Schema checks of one call's arguments, with one kind per failure."""

from __future__ import annotations

import copy
import json

import pytest

from verifiers.tools.args import CallCheck, check_call
from verifiers.tools.spec import tool_index

WEATHER = {
    "name": "get_weather",
    "description": "",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1},
            "temp": {"type": "number"},
            "units": {"type": "string", "enum": ["c", "f"]},
            "mode": {"const": "fast"},
            "loc": {"type": "object", "properties": {"lat": {"type": "number"}}},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        },
        "required": ["city"],
    },
}
TOOLS = tool_index([WEATHER])


def check(arguments: object, name: str = "get_weather") -> CallCheck:
    return check_call({"name": name, "arguments": arguments}, TOOLS)


@pytest.mark.parametrize(
    "arguments",
    [
        {"city": "Paris"},
        '{"city": "Paris", "days": 3}',
        {"city": "Paris", "temp": 20},  # an integer is a number
        {"city": "Paris", "temp": 20.5, "units": "c", "mode": "fast", "code": "CDG"},
        {"city": "Paris", "loc": {"lat": 48.8}},
        {"city": "Paris", "tags": {"any": "key"}},  # a schema for extra keys is kept
    ],
)
def test_valid_calls(arguments: object) -> None:
    result = check(arguments)
    assert result.valid and result.kind is None and result.message == ""
    assert isinstance(result.arguments, dict) and result.arguments["city"] == "Paris"


@pytest.mark.parametrize(
    ("arguments", "kind", "words"),
    [
        ({"city": "Paris", "units_x": "c"}, "unknown_parameter", "unknown parameter 'units_x' for tool get_weather"),
        ({"city": "Paris", "loc": {"lat": 1, "lon": 2}}, "unknown_parameter", "'loc.lon'"),
        ({}, "missing_required", "missing required parameter 'city'"),
        ({"city": "Paris", "temp": "5"}, "wrong_type", "'temp' of tool get_weather must be number, got string"),
        ({"city": "Paris", "days": True}, "wrong_type", "must be integer, got boolean"),
        ({"city": "Paris", "temp": False}, "wrong_type", "must be number"),
        ({"city": 7}, "wrong_type", "must be string"),
        ({"city": "Paris", "loc": {"lat": "north"}}, "wrong_type", "'loc.lat'"),
        ({"city": "Paris", "units": "kelvin"}, "enum", "must be one of"),
        ({"city": "Paris", "mode": "slow"}, "enum", '"fast"'),
        ({"city": "Paris", "days": 0}, "invalid", "minimum"),
        ({"city": "Paris", "code": "cdg"}, "invalid", "'code'"),
        ('{"city": "Paris"', "malformed_json", "not valid JSON"),
        ("[1, 2]", "malformed_json", "must be a JSON object, got array"),
        (["city"], "malformed_json", "must be a JSON object"),
    ],
)
def test_each_invalid_kind(arguments: object, kind: str, words: str) -> None:
    result = check(arguments)
    assert not result.valid
    assert result.kind == kind
    assert words in result.message
    assert result.message.endswith(".")


def test_unknown_tool() -> None:
    result = check({"city": "Paris"}, name="get_forecast")
    assert (result.valid, result.kind) == (False, "unknown_tool")
    assert "get_forecast" in result.message and "get_weather" in result.message
    nameless = check_call({"arguments": {}}, TOOLS)
    assert nameless.kind == "unknown_tool"


@pytest.mark.parametrize("arguments", [None, "", "  "])
def test_missing_arguments_are_an_empty_object(arguments: object) -> None:
    empty = {"name": "now", "parameters": None}
    result = check_call({"name": "now", "arguments": arguments}, tool_index([empty]))
    assert result.valid and result.arguments == {}
    assert check_call({"name": "now"}, tool_index([empty])).valid


def test_strict_even_where_the_schema_leaves_objects_open() -> None:
    open_schema = {
        "name": "book",
        "parameters": {
            "type": "object",
            "properties": {"room": {"type": "object", "properties": {"size": {"type": "string"}}}},
            "additionalProperties": True,
        },
    }
    tools = tool_index([open_schema])
    before = copy.deepcopy(tools)
    assert check_call({"name": "book", "arguments": {"room": {"size": "xl"}}}, tools).valid
    top = check_call({"name": "book", "arguments": {"room": {}, "guests": 2}}, tools)
    nested = check_call({"name": "book", "arguments": {"room": {"size": "xl", "view": "sea"}}}, tools)
    assert (top.kind, nested.kind) == ("unknown_parameter", "unknown_parameter")
    assert "'room.view'" in nested.message
    assert tools == before  # the caller's schema is not closed in place


def test_the_most_specific_kind_is_reported_first() -> None:
    result = check({"days": "x", "units": "k", "extra": 1})
    assert result.kind == "unknown_parameter"
    assert check({"days": "x", "units": "k"}).kind == "missing_required"
    assert check({"city": "P", "units": "k", "days": "x"}).kind == "wrong_type"


def test_an_invalid_tool_schema_is_checked_by_hand() -> None:
    broken = {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "bogus"}}, "required": ["a"]}}
    tools = tool_index([broken])
    assert check_call({"name": "f", "arguments": {"a": 1}}, tools).valid
    assert check_call({"name": "f", "arguments": {"a": 1, "b": 2}}, tools).kind == "unknown_parameter"
    assert check_call({"name": "f", "arguments": {}}, tools).kind == "missing_required"


def test_bfcl_tools_are_checked_after_normalisation() -> None:
    bfcl = {"name": "area", "parameters": {"type": "dict", "properties": {"r": {"type": "float"}}, "required": ["r"]}}
    tools = tool_index(json.dumps([bfcl]))
    assert check_call({"name": "area", "arguments": {"r": 2}}, tools).valid
    assert check_call({"name": "area", "arguments": {"r": "2"}}, tools).kind == "wrong_type"


def test_openai_and_anthropic_call_shapes() -> None:
    chat = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'}}
    tool_use = {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"town": "Rome"}}
    assert check_call(chat, TOOLS).valid
    assert check_call(tool_use, TOOLS).kind == "unknown_parameter"


def test_a_parameters_declared_default_is_always_valid() -> None:
    # BFCL's tools come from Python signatures: `district: str = None` is {"type": "string", "default": null},
    # and BFCL's answers list that null. A tool's own default is what it uses anyway, so sending it is no error.
    tool = {
        "name": "find",
        "parameters": {
            "type": "dict",
            "properties": {
                "district": {"type": "string", "default": None},
                "year": {"type": "integer", "default": "dontcare"},
                "unisex": {"type": "string", "enum": ["True", "False", "dontcare"], "default": "dontcare"},
                "rating": {"type": "float"},
                "filters": {"type": "dict", "default": {}, "properties": {"a": {"type": "string"}}, "required": ["a"]},
            },
        },
    }
    tools = tool_index([tool])

    def kind(**arguments: object) -> str | None:
        return check_call({"name": "find", "arguments": arguments}, tools).kind

    assert kind(district=None, year="dontcare", unisex="dontcare", filters={}) is None
    assert kind(district=1) == "wrong_type"  # only the default itself
    assert kind(year="any") == "wrong_type"
    assert kind(year=True) == "wrong_type"
    assert kind(unisex="maybe") == "enum"
    assert kind(rating=None) == "wrong_type"  # no default declared
    assert kind(filters={"b": "x"}) == "unknown_parameter"


def test_arguments_nested_beyond_reason_are_malformed_not_a_crash() -> None:
    tools = {"t": {"name": "t", "description": "", "parameters": {"type": "object", "properties": {"x": {}}}}}
    for levels in (65, 100_000):  # past the limit, and past Python's own recursion limit
        deep = '{"x": ' + "[" * levels + "]" * levels + "}"
        check = check_call({"name": "t", "arguments": deep}, tools)
        assert not check.valid and check.kind == "malformed_json" and "nested" in check.message
    assert check_call({"name": "t", "arguments": '{"x": ' + "[" * 60 + "]" * 60 + "}"}, tools).valid
