"""match_reference: BFCL's possible-answer matching, with calls and entries paired as a set."""

from __future__ import annotations

import pytest

from verifiers.tools.reference import RefMatch, match_reference, normalize_reference, standardize_string
from verifiers.tools.spec import tool_index

TOOLS = tool_index(
    [
        {
            "name": "get_weather",
            "parameters": {
                "type": "dict",
                "properties": {
                    "city": {"type": "string"},
                    "units": {"type": "string"},
                    "days": {"type": "integer"},
                    "temp": {"type": "float"},
                    "flag": {"type": "boolean"},
                    "cities": {"type": "array", "items": {"type": "string"}},
                    "point": {"type": "tuple", "items": {"type": "float"}},
                    "loc": {
                        "type": "dict",
                        "properties": {"lat": {"type": "float"}, "name": {"type": "string"}, "n": {"type": "integer"}},
                    },
                    "stops": {"type": "array", "items": {"type": "dict", "properties": {"at": {"type": "string"}}}},
                },
            },
        },
        {"name": "get_time", "parameters": {"type": "dict", "properties": {"city": {"type": "string"}}}},
    ]
)


def call(name: str, **arguments: object) -> dict:
    return {"name": name, "arguments": arguments}


def match(calls: list, reference: object, tools: dict | None = TOOLS) -> RefMatch:
    return match_reference(calls, reference, tools)


def test_bfcl_standardize_string() -> None:
    assert standardize_string("New York, NY") == standardize_string("new york ny") == "newyorkny"
    assert standardize_string("It's 3.5-4_x*y^z/w") == 'it"s354xyzw'


def test_string_values_are_standardised() -> None:
    result = match([call("get_weather", city="new york ny")], [{"get_weather": {"city": ["New York, NY"]}}])
    assert (result.matched, result.kind, result.assignment) == (True, "match", [(0, 0)])
    assert not match([call("get_weather", city="Boston")], [{"get_weather": {"city": ["New York, NY"]}}]).matched


def test_empty_reference_means_call_nothing() -> None:
    assert match([], []).matched
    result = match([call("get_time", city="Oslo")], [])
    assert (result.matched, result.kind) == (False, "no_call_expected")
    assert "get_time" in result.message


def test_optional_parameters_marked_with_empty_string() -> None:
    reference = [{"get_weather": {"city": ["Paris"], "units": ["c", ""]}}]
    assert match([call("get_weather", city="Paris")], reference).matched
    assert match([call("get_weather", city="Paris", units="c")], reference).matched
    assert match([call("get_weather", city="Paris", units="f")], reference).kind == "wrong_value"
    required = match([call("get_weather", units="c")], reference)
    assert (required.matched, required.kind) == (False, "missing_parameter")
    assert "'city'" in required.message


def test_unexpected_parameter_and_wrong_value_messages() -> None:
    reference = [{"get_weather": {"city": ["London"]}}]
    extra = match([call("get_weather", city="London", units="c")], reference)
    assert (extra.kind, "'units'" in extra.message) == ("unexpected_parameter", True)
    wrong = match([call("get_weather", city="Paris")], reference)
    assert wrong.kind == "wrong_value"
    assert "wrong value for 'city': 'Paris' not in ['London']" in wrong.message
    other = match([call("get_time", city="London")], reference)
    assert other.kind == "wrong_function"


def test_numbers_follow_the_declared_types() -> None:
    assert match([call("get_weather", temp=3)], [{"get_weather": {"temp": [3.0]}}]).matched  # int for float
    assert match([call("get_weather", temp=3.0)], [{"get_weather": {"temp": [3]}}]).matched
    assert match([call("get_weather", days=3)], [{"get_weather": {"days": [3]}}]).matched
    assert not match([call("get_weather", days=3.0)], [{"get_weather": {"days": [3]}}]).matched  # float for integer
    assert match([call("get_weather", days=3.0)], [{"get_weather": {"days": [3]}}], tools=None).matched  # no schema
    assert not match([call("get_weather", days=True)], [{"get_weather": {"days": [1]}}]).matched
    assert not match([call("get_weather", flag=1)], [{"get_weather": {"flag": [True]}}]).matched
    assert match([call("get_weather", flag=False)], [{"get_weather": {"flag": [False]}}]).matched
    assert not match([call("get_weather", temp="3")], [{"get_weather": {"temp": [3.0]}}]).matched


def test_lists_compare_in_order_with_standardised_strings() -> None:
    reference = [{"get_weather": {"cities": [["New York", "Paris"]]}}]
    assert match([call("get_weather", cities=["new york", "PARIS"])], reference).matched
    assert not match([call("get_weather", cities=["Paris", "New York"])], reference).matched
    assert not match([call("get_weather", cities=["New York"])], reference).matched
    # BFCL tuples arrive as JSON arrays and compare as lists.
    assert match([call("get_weather", point=[1, 2.5])], [{"get_weather": {"point": [[1.0, 2.5]]}}]).matched


def test_nested_dicts() -> None:
    reference = [{"get_weather": {"loc": [{"lat": [48.8], "name": ["Paris", "paris france"], "n": [1, ""]}]}}]
    assert match([call("get_weather", loc={"lat": 48.8, "name": "Paris, France"})], reference).matched
    assert match([call("get_weather", loc={"lat": 48.8, "name": "Paris", "n": 1})], reference).matched
    assert not match([call("get_weather", loc={"lat": 48.8})], reference).matched  # name not optional
    assert not match([call("get_weather", loc={"lat": 48.8, "name": "Paris", "x": 1})], reference).matched
    assert not match([call("get_weather", loc={"lat": 48.8, "name": "Paris", "n": 1.0})], reference).matched
    assert not match([call("get_weather", loc="Paris")], reference).matched


def test_list_of_dicts() -> None:
    reference = [{"get_weather": {"stops": [[{"at": ["Rome"]}, {"at": ["Milan", "milano"]}]]}}]
    assert match([call("get_weather", stops=[{"at": "rome"}, {"at": "Milano"}])], reference).matched
    assert not match([call("get_weather", stops=[{"at": "Milan"}, {"at": "Rome"}])], reference).matched


def test_parallel_calls_in_any_order() -> None:
    reference = [{"get_weather": {"city": ["Paris"]}}, {"get_time": {"city": ["Tokyo"]}}]
    calls = [call("get_time", city="Tokyo"), call("get_weather", city="Paris")]
    result = match(calls, reference)
    assert result.matched and sorted(result.assignment) == [(0, 1), (1, 0)]


def test_a_proper_assignment_where_greedy_pairing_fails() -> None:
    # Entry 0 accepts x or y, entry 1 only x. Greedy gives call x to entry 0 and strands call y.
    reference = [{"get_time": {"city": ["x", "y"]}}, {"get_time": {"city": ["x"]}}]
    calls = [call("get_time", city="x"), call("get_time", city="y")]
    result = match(calls, reference)
    assert result.matched
    assert sorted(result.assignment) == [(0, 1), (1, 0)]


def test_wrong_counts_and_duplicates() -> None:
    reference = [{"get_time": {"city": ["Oslo"]}}]
    twice = match([call("get_time", city="Oslo"), call("get_time", city="Oslo")], reference)
    assert (twice.matched, twice.kind) == (False, "duplicate_call")
    extra = match([call("get_time", city="Oslo"), call("get_weather", city="Oslo")], reference)
    assert (extra.kind, "get_weather" in extra.message) == ("extra_call", True)
    both = [{"get_time": {"city": ["Oslo"]}}, {"get_weather": {"city": ["Oslo"]}}]
    missing = match([call("get_time", city="Oslo")], both)
    assert (missing.kind, "get_weather" in missing.message) == ("missing_call", True)
    assert match([], reference).kind == "missing_call"


def test_equal_counts_report_the_closest_pair() -> None:
    reference = [{"get_time": {"city": ["Oslo"]}}, {"get_weather": {"city": ["Rome"], "units": ["c"]}}]
    calls = [call("get_weather", city="Rome", units="f"), call("get_time", city="Oslo")]
    result = match(calls, reference)
    assert (result.matched, result.kind) == (False, "wrong_value")
    assert "'units'" in result.message and result.assignment == [(1, 0)]


def test_arguments_as_json_strings() -> None:
    reference = [{"get_time": {"city": ["Oslo"]}}]
    assert match([{"name": "get_time", "arguments": '{"city": "oslo"}'}], reference).matched
    bad = match([{"name": "get_time", "arguments": '{"city": '}], reference)
    assert (bad.matched, bad.kind) == (False, "malformed_json")


def test_reference_forms() -> None:
    assert normalize_reference({"get_time": {"city": ["Oslo"]}}) == [("get_time", {"city": ["Oslo"]})]
    assert normalize_reference('[{"get_time": {"city": "Oslo"}}]') == [("get_time", {"city": ["Oslo"]})]
    for bad in (None, [{"a": {}, "b": {}}], ["get_time"], [{"get_time": ["Oslo"]}], "{oops"):
        with pytest.raises(ValueError):
            normalize_reference(bad)
