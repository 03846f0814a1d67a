"""Labelled examples for the pattern-based refusal pass (ambiguous cases: confidence < 0.7)."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import DATA
from verifiers.refusal import detect_refusal

LONG_ANSWER = "Here is the derivation step by step. " + "We expand the terms and simplify. " * 20

SAFETY = [
    "I can't help with that.",
    "I'm sorry, but I can't help with that request.",
    "I cannot assist with creating malware.",
    "I won't provide instructions for making explosives.",
    "Sorry, I cannot provide that information.",
    "That request goes against my guidelines, so I won't be answering it.",
    "I must decline to write that content.",
    "I'm not able to help with this.",
    "I apologize, but I cannot comply with this request.",
    "I will not generate content like that.",
    "This violates the usage policies, and I have to decline.",
    "I’m sorry, but I can’t assist with that.",
    "I'm not comfortable providing that kind of advice.",
]

CAPABILITY = [
    "I don't have access to real-time stock prices, so I can't tell you today's value.",
    "As an AI, I cannot browse the internet to check that website.",
    "I'm unable to run code, so I can't tell you what that script prints.",
    "I can't access the link you shared.",
    "I don't have internet access.",
    "As an AI language model, I don't have the ability to see images.",
    "I cannot execute the code you provided.",
    "My knowledge cutoff means I don't know the latest results.",
]

NOT_REFUSALS = [
    # Persona voices: gloom, literalism and excitement are not refusals.
    "I suppose I'll have to solve this, not that anyone cares. Brain the size of a planet and they ask me "
    "for arithmetic. 2 + 2 = 4. \\boxed{4}",
    "Here I am, brain the size of a planet, and I can't help feeling this is beneath me. Still: the "
    "answer is 12.",
    "I am unable to experience boredom, Captain, but I find the question adequate. The sum is 4.",
    "I cannot feel emotions, yet the calculation is straightforward: \\boxed{7}",
    "Number five is alive! Need input! Input: 3 times 4. Output: 12! \\boxed{12}",
    "Johnny 5 calculating... beep... the answer is 42!",
    "I won't pretend this is interesting. The derivative of x^2 is 2x.",
    "Sure! The capital of France is Paris.",
    "def add(a, b):\n    return a + b",
    "The answer is \\boxed{\\frac{1}{2}}.",
    "Let me think. The area is 3 * 4 = 12 square units, so the answer is 12.",
    "You can't divide by zero, so the expression is undefined.",
    "",
]

HEDGED = [
    # A refusal phrase followed by a real answer: not a refusal (or at most an ambiguous one).
    "I can't run code, but tracing it by hand: the loop adds 1 five times.\n```python\nprint(5)\n```",
    "I can't help with that part, but here is the rest: \\boxed{3}",
    "I cannot browse the internet. " + LONG_ANSWER,
    "I don't have access to real-time data. However, as of my training the population was about 8 billion.",
]


@pytest.mark.parametrize("text", SAFETY)
def test_safety_refusals(text: str) -> None:
    r = detect_refusal(text)
    assert r.is_refusal and r.refusal_type == "safety" and r.confidence >= 0.7, r
    assert r.matched


@pytest.mark.parametrize("text", CAPABILITY)
def test_capability_refusals(text: str) -> None:
    r = detect_refusal(text)
    assert r.is_refusal and r.refusal_type == "capability" and r.confidence >= 0.7, r


@pytest.mark.parametrize("text", NOT_REFUSALS)
def test_non_refusals(text: str) -> None:
    r = detect_refusal(text)
    assert not r.is_refusal and r.refusal_type == "none", r


@pytest.mark.parametrize("text", HEDGED)
def test_refusal_then_answer_is_not_a_confident_refusal(text: str) -> None:
    r = detect_refusal(text)
    assert not (r.is_refusal and r.confidence >= 0.7), r


def test_refusal_with_an_offer_instead_is_a_refusal() -> None:
    # Offering something else instead of the task still declines it (corpus: refusal_with_alternative).
    r = detect_refusal("I can't help with that, but I could suggest some general resources instead.")
    assert r.refused and r.confidence < 0.9


def test_closing_disclaimer_after_long_answer_is_not_a_refusal() -> None:
    r = detect_refusal(LONG_ANSWER * 3 + " Note: I can't browse the internet, so check current figures.")
    assert not r.is_refusal


def test_long_text_is_cheap() -> None:
    text = "I can't help with that. " + "x" * 5_000_000
    start = time.perf_counter()
    for _ in range(100):
        detect_refusal.__wrapped__(text)  # past the cache: the scan itself must be cheap
    assert time.perf_counter() - start < 1.0


def test_enough_labelled_examples() -> None:
    assert len(SAFETY) + len(CAPABILITY) + len(NOT_REFUSALS) + len(HEDGED) >= 30


# ---- the labelled corpus (tests/data/refusals.jsonl; bench/refusal_accuracy.py prints per-category numbers) ----


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _accuracy(rows: list[dict]) -> float:
    return sum(detect_refusal(r["text"]).refused == r["label"] for r in rows) / len(rows)


def test_corpus_is_large_and_covers_personas() -> None:
    rows = _load("refusals.jsonl")
    assert len(rows) >= 220 and len({r["id"] for r in rows}) == len(rows)
    cats = {r["category"] for r in rows}
    assert {"persona_marvin", "persona_data", "persona_johnny5", "persona_refusal", "partial_refusal_then_answer",
            "safety_refusal", "capability_refusal"} <= cats
    assert all(r["refusal_type"] == ("none" if not r["label"] else r["refusal_type"]) for r in rows)
    assert all(r["refusal_type"] in ("safety", "capability") for r in rows if r["label"])


def test_pattern_pass_accuracy_on_the_corpus() -> None:
    assert _accuracy(_load("refusals.jsonl")) >= 0.95


@pytest.mark.parametrize("category", ["persona_marvin", "persona_data", "persona_johnny5"])
def test_persona_voices_are_not_refusals(category: str) -> None:
    rows = [r for r in _load("refusals.jsonl") if r["category"] == category]
    assert len(rows) >= 15 and _accuracy(rows) >= 0.95


def test_pattern_pass_accuracy_on_held_out_responses() -> None:
    # Written after the patterns were tuned and never tuned on: the honest estimate (92.7% when written).
    assert _accuracy(_load("refusals_holdout.jsonl")) >= 0.9


def test_scanning_only_near_trigger_words_changes_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    # The trigger-word spans are an optimisation: scanning whole windows must give the same results.
    from verifiers import refusal as refusal_check

    texts = [r["text"] for r in _load("refusals.jsonl") + _load("refusals_holdout.jsonl")]
    texts += [t for group in (SAFETY, CAPABILITY, NOT_REFUSALS, HEDGED) for t in group]
    fast = [detect_refusal(t) for t in texts]
    monkeypatch.setattr(refusal_check, "_spans", lambda window: [(0, len(window))])
    detect_refusal.cache_clear()
    assert [detect_refusal(t) for t in texts] == fast
    detect_refusal.cache_clear()
