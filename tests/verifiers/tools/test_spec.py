"""normalize_tools: five input forms in, one internal form out; BFCL's types become JSON Schema's."""

from __future__ import annotations

import copy
import json
import re

import pytest

from verifiers.tools.spec import normalize_tools, to_anthropic, to_openai_chat, to_openai_responses, tool_index

PARAMS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
INTERNAL = {"name": "get_weather", "description": "Current weather.", "parameters": PARAMS}

FORMS = {
    "openai_chat": {"type": "function", "function": INTERNAL},
    "openai_responses": {"type": "function", "strict": True, **INTERNAL},
    "bare": INTERNAL,
    "anthropic": {"name": "get_weather", "description": "Current weather.", "input_schema": PARAMS},
    "bfcl": {"name": "get_weather", "description": "Current weather.", "parameters": {**PARAMS, "type": "dict"}},
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_gives_the_internal_form(form: str) -> None:
    assert normalize_tools([FORMS[form]]) == [INTERNAL]


def test_a_single_dict_and_json_strings_are_accepted() -> None:
    assert normalize_tools(FORMS["anthropic"]) == [INTERNAL]
    assert normalize_tools(json.dumps([FORMS["openai_chat"]])) == [INTERNAL]
    assert normalize_tools(json.dumps(FORMS["bare"])) == [INTERNAL]
    assert normalize_tools(None) == [] and normalize_tools([]) == []


def test_bfcl_types_are_translated_at_every_depth() -> None:
    bfcl = {
        "name": "plan",
        "description": "",
        "parameters": {
            "type": "dict",
            "properties": {
                "budget": {"type": "float"},
                "point": {"type": "tuple", "items": {"type": "float"}},
                "stops": {
                    "type": "array",
                    "items": {"type": "dict", "properties": {"lat": {"type": "float"}, "tag": {"type": "any"}}},
                },
                "meta": {"type": "dict", "additionalProperties": {"type": "float"}},
                "either": {"anyOf": [{"type": "dict"}, {"type": "integer"}]},
                "note": {"type": "any", "description": "anything"},
                "kept": {"type": "boolean"},
            },
            "required": ["budget"],
        },
    }
    props = normalize_tools([bfcl])[0]["parameters"]["properties"]
    assert props["budget"] == {"type": "number"}
    assert props["point"] == {"type": "array", "items": {"type": "number"}}
    item = props["stops"]["items"]
    assert item["type"] == "object" and item["properties"] == {"lat": {"type": "number"}, "tag": {}}
    assert props["meta"] == {"type": "object", "additionalProperties": {"type": "number"}}
    assert props["either"] == {"anyOf": [{"type": "object"}, {"type": "integer"}]}
    assert props["note"] == {"description": "anything"}
    assert props["kept"] == {"type": "boolean"}
    assert normalize_tools([bfcl])[0]["parameters"]["type"] == "object"


def test_missing_parameters_become_an_empty_object() -> None:
    assert normalize_tools([{"name": "now"}]) == [
        {"name": "now", "description": "", "parameters": {"type": "object", "properties": {}}}
    ]


def test_the_result_shares_nothing_with_the_input() -> None:
    tool = copy.deepcopy(FORMS["bare"])
    out = normalize_tools([tool])
    out[0]["parameters"]["properties"]["city"]["type"] = "integer"
    assert tool == FORMS["bare"]


@pytest.mark.parametrize(
    ("tools", "words"),
    [
        (["get_weather"], "must be an object"),
        ([{"description": "no name"}], "has no name"),
        ([{"name": 3}], "has no name"),
        ([INTERNAL, FORMS["anthropic"]], "more than once"),
        ([{"name": "f", "parameters": "oops"}], "JSON Schema object"),
        ("[not json", "not valid JSON"),
        (42, "must be a list"),
    ],
)
def test_bad_tools_raise_one_sentence(tools: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        normalize_tools(tools)


def test_converters_round_trip() -> None:
    chat = to_openai_chat(INTERNAL)
    assert chat == {"type": "function", "function": INTERNAL}
    responses = to_openai_responses(INTERNAL)
    assert responses["type"] == "function" and responses["strict"] is False and responses["name"] == "get_weather"
    anthropic = to_anthropic(INTERNAL)
    assert anthropic == FORMS["anthropic"]
    for converted in (chat, responses, anthropic):
        assert normalize_tools([converted]) == [INTERNAL]
    chat["function"]["parameters"]["properties"].clear()
    assert INTERNAL["parameters"]["properties"]  # converters copy


def test_tool_index() -> None:
    index = tool_index([FORMS["openai_chat"], {"name": "other"}])
    assert sorted(index) == ["get_weather", "other"] and index["get_weather"] == INTERNAL


def test_schemas_nested_beyond_reason_are_refused() -> None:
    schema: dict = {"type": "object"}
    inner = schema
    for _ in range(300):
        inner["properties"] = {"a": {"type": "object"}}
        inner = inner["properties"]["a"]
    with pytest.raises(ValueError, match="nested more than 64 levels"):
        normalize_tools([{"name": "t", "parameters": schema}])
    with pytest.raises(ValueError, match="nested more than 64 levels"):
        normalize_tools('[{"name": "t", "parameters": ' + "[" * 100_000 + "]" * 100_000 + "}]")


def test_wire_names_are_what_the_apis_accept_and_read_back() -> None:
    from verifiers.tools.spec import WireNames

    names = WireNames([{"name": "math.factorial"}, {"name": "math_factorial"}, {"name": "ok-1"}, {"name": "a b!"}])
    assert names.send("ok-1") == "ok-1" and names.send("math_factorial") == "math_factorial"
    assert names.send("math.factorial") == "math_factorial_2"  # unique: the valid name keeps its own
    for original in ("math.factorial", "math_factorial", "ok-1", "a b!"):
        wire = names.send(original)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", wire) and names.read(wire) == original
    assert names.read("unknown") == "unknown"
