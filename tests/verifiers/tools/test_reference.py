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
    assert match([call("get_weather", point=[1.0, 2.5])], [{"get_weather": {"point": [[1.0, 2.5]]}}]).matched


def test_nested_dicts() -> None:
    reference = [{"get_weather": {"loc": [{"lat": [48.8], "name": ["Paris", "paris france"], "n": [1, ""]}]}}]
    assert match([call("get_weather", loc={"lat": 48.8, "name": "Paris, France"})], reference).matched
    assert match([call("get_weather", loc={"lat": 48.8, "name": "Paris", "n": 1})], reference).matched
    assert not match([call("get_weather", loc={"lat": 48.8})], reference).matched  # name not optional
    assert not match([call("get_weather", loc={"lat": 48.8, "name": "Paris", "x": 1})], reference).matched
    assert not match([call("get_weather", loc={"lat": 48.8, "name": "Paris", "n": 2})], reference).matched
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


# BFCL's rules, each checked against bfcl_eval's ast_checker by bench/bfcl_agreement.py.

BFCL_TOOLS = tool_index(
    [
        {
            "name": "plan",
            "parameters": {
                "type": "dict",
                "properties": {
                    "size": {"type": "integer"},
                    "data": {"type": "any"},
                    "cards": {"type": "dict"},
                    "table": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
                    "ids": {"type": "array", "items": {"type": "integer"}},
                    "weights": {"type": "array", "items": {"type": "float"}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "body": {"type": "dict", "properties": {"limit": {"type": "integer"}, "on": {"type": "boolean"}}},
                    "rows": {"type": "array", "items": {"type": "dict", "properties": {"n": {"type": "integer"}}}},
                },
            },
        }
    ]
)


def bfcl(reference_params: dict, **arguments: object) -> bool:
    return match([call("plan", **arguments)], [{"plan": reference_params}], BFCL_TOOLS).matched


def test_dict_values_compare_with_python_equality() -> None:
    # BFCL's dict_checker does not type-check a dict's values: 12.0 == 12 and True == 1 there.
    assert bfcl({"body": [{"limit": [12], "on": ["", True]}]}, body={"limit": 12.0})
    assert bfcl({"body": [{"limit": [1]}]}, body={"limit": True})
    assert not bfcl({"body": [{"limit": [12]}]}, body={"limit": "12"})
    assert bfcl({"rows": [[{"n": [5]}, {"n": [6]}]]}, rows=[{"n": 5.0}, {"n": 6}])  # a list of dicts, the same


def test_strings_are_standardised_only_where_bfcl_does() -> None:
    # as a parameter, as a list's items and as a dict's values...
    assert bfcl({"tags": [["New York", "Paris"]]}, tags=["new-york", "PARIS"])
    assert bfcl({"cards": [{"Sam": ["2 of diamonds"]}]}, cards={"Sam": "2 Of Diamonds"})
    # ...but not inside a list held by a dict: that list is compared whole
    reference = {"cards": [{"Sam": [["2 of diamonds", "3 of clubs"]]}]}
    assert bfcl(reference, cards={"Sam": ["2 of diamonds", "3 of clubs"]})
    assert not bfcl(reference, cards={"Sam": ["2 Of Diamonds", "3 of clubs"]})


def test_nested_lists_compare_whole() -> None:
    reference = {"table": [[[10, 20], [30, 40]]]}
    assert bfcl(reference, table=[[10, 20], [30, 40.0]])  # == inside; items of the outer list are lists
    assert not bfcl(reference, table=[[10, 20], [40, 30]])


def test_list_items_are_type_checked_one_level_down() -> None:
    assert not bfcl({"ids": [[1, 2]]}, ids=[1, 2.0])  # a float for an integer item
    assert not bfcl({"ids": [[1, 0]]}, ids=[True, False])  # bools are not integers, though True == 1
    assert not bfcl({"tags": [["1"]]}, tags=[1])
    # as BFCL: an int passes for a float as a whole value, not as an item of a list of floats
    assert not bfcl({"weights": [[1.0, 2.5]]}, weights=[1, 2.5])
    assert bfcl({"weights": [[1.0, 2.5]]}, weights=[1.0, 2.5])


def test_an_empty_list_is_an_omitted_optional_list() -> None:
    # BFCL reads the "" alternative of a list parameter as an empty list.
    assert bfcl({"tags": ["", ["x"]]}, tags=[])
    assert bfcl({"rows": ["", [{"n": [1]}]]}, rows=[])
    assert not bfcl({"tags": [["x"]]}, tags=[])


def test_untyped_any_parameters_are_strings_or_the_answers_type() -> None:
    assert bfcl({"data": ["My Data"]}, data="my_data")  # BFCL reads "any" as a string: standardised
    assert bfcl({"data": [[1, 2]]}, data=[1, 2])  # the answer's own type, compared exactly
    assert not bfcl({"data": [[1, 2]]}, data=[2, 1])
    assert not bfcl({"data": ["5"]}, data=5)


def test_an_answer_of_another_type_than_the_schema_is_compared_exactly() -> None:
    # BFCL's "variable": an integer parameter whose answer is "dontcare" takes that string, unstandardised.
    assert bfcl({"size": ["", "dontcare"]}, size="dontcare")
    assert not bfcl({"size": ["", "dontcare"]}, size="DontCare")
    assert bfcl({"size": ["", "dontcare"]}, size=2) is False
