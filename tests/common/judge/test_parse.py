"""Parsing judge replies: JSON broken by LaTeX inside strings, fences, prose, loose values."""

from __future__ import annotations

import json

import pytest

from common.judge.parse import as_bool, as_confidence, escape_latex, parse_json_object


@pytest.mark.parametrize(
    ("raw", "reasoning"),
    [
        # Invalid escapes (\s, \l, \c) would make json.loads fail outright.
        (r'{"reasoning": "\sqrt{4} = 2 and \left(x\right) \cdot y", "is_correct": true}',
         r"\sqrt{4} = 2 and \left(x\right) \cdot y"),
        # Valid escapes that are really LaTeX: \f(rac) \b(eta) \t(imes) \r(ight) \n(eq) \u(nderline).
        (r'{"reasoning": "\frac{1}{2} \beta \times \right) \neq \nu \underline{x}", "is_correct": true}',
         r"\frac{1}{2} \beta \times \right) \neq \nu \underline{x}"),
        # Real escapes stay escapes: newline before a word, tab before a word, quotes, backslash, unicode.
        (r'{"reasoning": "line one\nThe end\ttab \"q\" a\\b caf\u00e9", "is_correct": false}',
         'line one\nThe end\ttab "q" a\\b café'),
        # Already correct JSON with doubled backslashes is left as it is.
        (r'{"reasoning": "\\frac{1}{2}", "is_correct": true}', r"\frac{1}{2}"),
    ],
)
def test_latex_in_strings_survives(raw: str, reasoning: str) -> None:
    data = parse_json_object(raw)
    assert data is not None and data["reasoning"] == reasoning


def test_escape_latex_leaves_valid_json_outside_strings_alone() -> None:
    text = '{"a": [1, 2], "b": {"c": null}}'
    assert escape_latex(text) == text
    assert json.loads(escape_latex(r'{"x": "\frac"}')) == {"x": r"\frac"}


@pytest.mark.parametrize(
    "raw",
    [
        '```json\n{"is_correct": true, "confidence": 0.7, "reasoning": "ok"}\n```',
        'Here is my verdict: {"is_correct": true, "confidence": 0.7, "reasoning": "ok"} Hope that helps.',
        '{"is_correct": true, "confidence": 0.7, "reasoning": "ok",}',  # trailing comma
        "{'is_correct': True, 'confidence': 0.7, 'reasoning': 'ok'}",  # Python-style quotes
        '{"is_correct": true, "confidence": 0.7, "reasoning": "ok',  # cut off
    ],
)
def test_broken_json_is_repaired(raw: str) -> None:
    data = parse_json_object(raw)
    assert data is not None and as_bool(data["is_correct"]) is True


@pytest.mark.parametrize("raw", [None, "", "   ", "no json here", "[1, 2, 3]"])
def test_no_object_gives_none(raw: str | None) -> None:
    assert parse_json_object(raw) is None


@pytest.mark.parametrize(("value", "expected"), [(True, True), ("yes", True), ("False", False), (0, False),
                                                 ("maybe", None), (None, None), (0.5, None)])
def test_as_bool(value: object, expected: bool | None) -> None:
    assert as_bool(value) is expected


@pytest.mark.parametrize(("value", "expected"), [(0.8, 0.8), (85, 0.85), ("90%", 0.9), (-1, 0.0), (1000, 1.0),
                                                 ("high", 0.5), (None, 0.5), (float("nan"), 0.5)])
def test_as_confidence(value: object, expected: float) -> None:
    assert as_confidence(value) == pytest.approx(expected)


def test_a_reply_nested_past_the_recursion_limit_is_no_object() -> None:
    assert parse_json_object('{"is_correct": ' + "[" * 100_000 + "]" * 100_000 + "}") is None
