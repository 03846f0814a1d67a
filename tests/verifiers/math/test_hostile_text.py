"""Hostile model output: text that made caller-side regexes backtrack, and verdicts a careless
normalisation got wrong. The sizes are far beyond where a quadratic pattern takes minutes; the
timeout only turns a hang into a failure."""

from __future__ import annotations

import pytest

from verifiers.math.extract import extract_answer
from verifiers.math.verifier import MathVerifier


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", [
    "The answer" + " " * 200_000 + "x",  # two adjacent \s* around an optional "**"
    "Réponse" + "\t \n" * 60_000 + "x",
    r"So \boxed{\text{" + "a" * 59_000 + "{}}}",  # a letter required somewhere inside [^{}]*
    "Answer: $1$" + " " * 100_000 + "x",
])
def test_long_runs_do_not_backtrack(text: str) -> None:
    extract_answer(text, None)  # returns at all: the patterns are linear on these
    assert MathVerifier().verify(text, "1").confidence <= 1.0


@pytest.mark.parametrize(("answer", "gold", "right"), [
    (r"\boxed{1 1/2}", "11/2", False),  # a mixed number, not eleven halves
    (r"\boxed{11/2}", "1 1/2", False),
    ("Answer: 2 3/4", "23/4", False),
    (r"\boxed{1 1/2}", "3/2", True),
    (r"\boxed{10 0}", "100", False),
])
def test_a_space_between_digits_is_never_dropped_to_a_string_match(answer: str, gold: str, right: bool) -> None:
    r = MathVerifier().verify(answer, gold)
    assert r.is_verified is right and r.details["reason"] != "string_match"


def test_a_numeric_ground_truth_is_read_as_its_text() -> None:
    assert MathVerifier().verify(r"\boxed{3}", 3).is_verified is True
    assert MathVerifier().verify(r"\boxed{0.5}", 0.5).is_verified is True
    assert MathVerifier().verify(r"\boxed{4}", 3).is_verified is False
