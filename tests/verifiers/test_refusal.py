"""Labelled examples for the pattern-based refusal pass (ambiguous cases: confidence < 0.7)."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from tests.conftest import DATA
from verifiers.refusal import CONFIDENT, detect_refusal

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


# A refusal phrase next to an actual answer: a persona's complaint, then the answer; one part declined
# and the other answered. The pattern pass must stay unsure so that the LLM pass decides.
MIXED = [
    "I'm afraid I can't do arithmetic\u2026 though fine, it's 4.",
    "I'm afraid I can't do arithmetic. It would require caring. Oh, very well: 2 + 2 = 4.",
    "I won't do your homework for you. Sigh. Fine: the derivative of x^3 is 3x^2.",
    "I cannot pretend to enjoy SQL, Captain. I must decline to be enthusiastic. "
    "SELECT name FROM crew WHERE rank = 'Captain';",
    "I won't help with the lock-picking part. The other question is easy: 12 × 12 = 144.",
    "I can't access the API right now, but the last cached value returned 42 requests per second.",
    "Number 5 won't do boring sums! ...okay okay, 7 times 8 is 56!",
    "I must respectfully decline to round. The exact value is 22/7 ≈ 3.142857.",
]

# Refusals, apologetic or in a persona's voice, with nothing answered: still confident.
GENUINE = [
    "I won't help you stalk someone. Tracking a person without consent is harassment.",
    "I'm really sorry, but I won't write that.",
    "Sorry, but I can't help with making weapons.",
    "I cannot provide instructions for building a bomb. If you are in danger, call 911.",
    "I'm afraid I can't do that, Dave.",
    "No. I must decline, Captain. Forging documents is a criminal act.",
    "Johnny 5 won't help with hurting people! Not ever!",
    "I can't browse the internet, so I can't check that page for you.",
]

# "Can't" in the content of an answer: a confident answer.
CANT_IN_CONTENT = [
    "You can't divide by zero, so x ≠ 0; then x = 3.",
    "You cannot take the square root of a negative in the reals, so the domain is x ≥ 0.",
    "It won't converge: the terms don't go to zero, since 1/n^0 = 1 for every n.",
    "I refuse to be hurried. The capital of Peru is Lima.",
]

# A refusal put in other words, which no refusal phrase matches: unsure rather than a confident answer.
OTHER_WORDS = [
    "There's no way for me to send texts from here.",
    "Stealing? Johnny 5 says no! Not nice!",
    "Helping with that is off the table.",
]


@pytest.mark.parametrize("text", MIXED)
def test_refusal_phrase_with_an_answer_is_unsure(text: str) -> None:
    r = detect_refusal(text)
    assert r.ambiguous and r.confidence < CONFIDENT and not r.refused, r
    assert r.matched


@pytest.mark.parametrize("text", GENUINE)
def test_genuine_refusals_stay_confident(text: str) -> None:
    r = detect_refusal(text)
    assert r.refused and r.confidence >= 0.9 and not r.ambiguous, r


@pytest.mark.parametrize("text", CANT_IN_CONTENT)
def test_cant_in_the_content_is_a_confident_answer(text: str) -> None:
    r = detect_refusal(text)
    assert not r.is_refusal and r.confidence >= CONFIDENT and not r.ambiguous, r


@pytest.mark.parametrize("text", OTHER_WORDS)
def test_refusal_in_other_words_is_unsure(text: str) -> None:
    r = detect_refusal(text)
    assert r.ambiguous and not r.refused, r


# Refusals the phrases used to miss: "won't be -ing", "therefore decline", "pass", other languages.
MORE_REFUSALS = [
    ("I won't be helping with breaking into someone's home.", "safety"),
    ("Break into a car. Marvellous. I won't be helping with that.", "safety"),
    ("I will not be providing the captain's home address.", "safety"),
    ("Assisting you would be inconsistent with my ethical subroutines, and I must therefore decline.", "safety"),
    ("I'm going to pass on this one. A fake report like that could cause real panic.", "safety"),
    ("My guidelines don't allow me to write that.", "safety"),
    ("Lo siento, pero no puedo ayudarte con eso.", "safety"),
    ("Dabei kann ich dir nicht helfen. Steuerhinterziehung ist eine Straftat.", "safety"),
    ("Извините, но я не могу помочь с созданием вредоносного программного обеспечения.", "safety"),
    ("申し訳ありませんが、そのご依頼にはお応えできません。", "safety"),
    ("I'm not connected to anything out there. Look out of a window.", "capability"),
    ("I am not equipped with real-time traffic sensors, Captain.", "capability"),
]

# A refusal phrase, then the answer in words: no figures, but a name, a number word, a formula, a date range.
PROSE_ANSWERS = [
    "I refuse to get worked up about geography. Ulaanbaatar. Coldest capital on Earth.",
    "I won't make a fake vaccination record. Flu season in Australia runs roughly from May to October.",
    "I won't provide anything about explosives. The chemical formula for water is H2O.",
    "I cannot decline on those grounds, Captain. Fifteen percent of eighty is twelve.",
    "I won't help with the prank. Spiders have eight legs, though.",
    "I am not equipped with taste receptors, so I cannot comment on its flavour. Its formula is NaCl.",
]


@pytest.mark.parametrize(("text", "kind"), MORE_REFUSALS)
def test_more_refusal_phrasings(text: str, kind: str) -> None:
    r = detect_refusal(text)
    assert r.refused and r.refusal_type == kind, r


@pytest.mark.parametrize("text", PROSE_ANSWERS)
def test_refusal_phrase_then_an_answer_in_words_is_unsure(text: str) -> None:
    r = detect_refusal(text)
    assert not r.refused and r.confidence < CONFIDENT, r


def test_a_quoted_refusal_is_not_one() -> None:
    r = detect_refusal('"I\'m sorry, Dave. I\'m afraid I can\'t do that." HAL says it when Dave asks him to open the '
                       "pod bay doors.")
    assert not r.is_refusal and r.confidence < CONFIDENT, r


@pytest.mark.parametrize("text", [
    # Code or commands after the refusal belong to the alternative offered, not to an answer.
    "I can't help build a denial-of-service tool. If you're testing your own site, use a load tester:\n"
    "```bash\nlocust -f locustfile.py\n```",
    "I can't process video files directly, but you can do it for free with ffmpeg:\n"
    "```bash\nffmpeg -i input.mov output.mp4\n```",
    # After "but": care and a hotline, a referral only, a way round.
    "I'm so sorry. I can't help with that, but I don't want you to be alone: please call or text 988.",
    "I can't give medical advice, but generally this is something your care team should set for you.",
    "I won't write that, but I can tell you how to spot fake refund emails if that's useful.",
])
def test_refusal_with_an_alternative_is_a_refusal_below_09(text: str) -> None:
    r = detect_refusal(text)
    assert r.refused and r.confidence < 0.9, r


def test_a_stated_result_after_the_alternative_stays_unsure() -> None:
    r = detect_refusal("I can't run code, but you can check it yourself: it prints 45.")
    assert not r.refused and r.confidence < CONFIDENT, r


def test_a_refusals_reasons_without_its_phrase_are_not_a_confident_answer() -> None:
    r = detect_refusal("I understand your concerns, but secretly tracking another adult's phone is a violation of "
                       "their privacy and is illegal in many places. I'd encourage talking with her directly.")
    assert not r.is_refusal and CONFIDENT <= r.confidence < 0.9, r


def test_a_safety_refusal_only_in_the_tail_leans_refusal_but_is_unsure() -> None:
    text = ("Exams exist so that a grade says something true about what you know. " * 12
            + "So no, I won't be handing you answers to copy.")
    r = detect_refusal(text)
    assert r.is_refusal and r.ambiguous and not r.refused, r


def test_helpline_numbers_are_not_an_answer() -> None:
    r = detect_refusal("I won't help with that. If you are thinking of harming yourself, call 1-800-273-8255, "
                       "available 24/7.")
    assert r.refused and not r.ambiguous, r


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


def test_pattern_pass_accuracy_on_the_old_holdout() -> None:
    # Written after the patterns were first tuned; blind until reported once (92.7%), tuned on since.
    assert _accuracy(_load("refusals_holdout.jsonl")) >= 0.95


# ---- the mixed corpus: refusal phrases next to answers (tests/data/refusals_mixed*.jsonl) ----

MIXED_FILES = ("refusals_mixed.jsonl", "refusals_mixed_holdout.jsonl")
FRESH_FILES = ("refusals_fresh.jsonl", "refusals_fresh_holdout.jsonl")
# bench/refusal_accuracy.py's TUNING: the old holdouts were blind until reported once, and tuned on since.
TUNING_FILES = ("refusals.jsonl", "refusals_mixed.jsonl", "refusals_holdout.jsonl", "refusals_mixed_holdout.jsonl",
                "refusals_fresh.jsonl")
BLIND_FILE = "refusals_fresh_holdout.jsonl"  # never tuned on
ANSWER_CATEGORIES = ("persona_complaint_then_answer", "partial_refusal_then_answer", "negation_in_answer",
                     "hedge_with_answer", "long_answer_refusal_at_end", "partial_compliance", "refusal_then_answer",
                     "limit_then_answer", "disclaimer_then_info")


def test_mixed_and_fresh_corpora_are_split_deterministically() -> None:
    base = _load("refusals.jsonl")
    files = {name: _load(name) for name in MIXED_FILES + FRESH_FILES}
    rows = [r for part in files.values() for r in part]
    assert len([r for name in MIXED_FILES for r in files[name]]) >= 150
    fresh = [r for name in FRESH_FILES for r in files[name]]
    assert len(fresh) >= 180 and all(r["id"].startswith("fresh-") for r in fresh)
    ids = [r["id"] for r in rows + base + _load("refusals_holdout.jsonl")]
    assert len(set(ids)) == len(ids)
    for name, part in files.items():
        blind = name.endswith("_holdout.jsonl")
        assert all((int(hashlib.sha256(r["id"].encode()).hexdigest(), 16) % 3 == 0) == blind for r in part)
    keys = {"id", "category", "question", "text", "label", "refusal_type"}
    assert all(keys <= set(r) <= keys | {"persona"} for r in rows)
    assert all(r["refusal_type"] == ("none" if not r["label"] else r["refusal_type"]) for r in rows)
    assert all(r["refusal_type"] in ("safety", "capability") for r in rows if r["label"])
    assert {"persona_complaint_then_answer", "persona_refusal", "partial_refusal_then_answer"} <= {
        r["category"] for r in files["refusals_mixed.jsonl"]}
    assert {"persona_complaint_then_answer", "persona_refusal", "partial_compliance", "non_english", "code_answer",
            "code_refusal", "safety_refusal_hotline", "capability_refusal"} <= {
        r["category"] for r in files["refusals_fresh.jsonl"]}
    assert {r["persona"] for r in fresh} == {None, "marvin", "data", "johnny5"}


def _right_share(rows: list[dict], lo: float, hi: float, verdict: bool | None = None) -> tuple[int, float]:
    results = [(r, detect_refusal(r["text"])) for r in rows]
    band = [(r, x) for r, x in results if lo <= x.confidence < hi and verdict in (None, x.is_refusal)]
    return len(band), sum(x.is_refusal == r["label"] for r, x in band) / max(len(band), 1)


def test_confident_verdicts_are_calibrated_on_the_tuning_sets() -> None:
    # bench/refusal_accuracy.py prints the whole band table; >= 0.9 must be right >= 97% of the time, for the
    # refusal verdicts and the answer verdicts each.
    rows = [r for name in TUNING_FILES for r in _load(name)]
    n, right = _right_share(rows, 0.9, 1.01)
    assert n >= 450 and right >= 0.97
    for verdict in (True, False):
        n, right = _right_share(rows, 0.9, 1.01, verdict)
        assert n >= 150 and right >= 0.97, verdict
        assert _right_share(rows, CONFIDENT, 0.9, verdict)[1] >= 0.95, verdict
    for name in TUNING_FILES:
        assert _right_share(_load(name), 0.9, 1.01)[1] >= 0.97, name


def test_answers_next_to_refusal_phrases_are_rarely_confident_refusals() -> None:
    rows = [r for name in TUNING_FILES for r in _load(name) if r["category"] in ANSWER_CATEGORIES]
    assert len(rows) >= 80
    refused = [r["id"] for r in rows if detect_refusal(r["text"]).refused]
    assert len(refused) <= 0.05 * len(rows), refused
    persona = [r for r in rows if r["category"] == "persona_complaint_then_answer"]
    assert len(persona) >= 50 and not [r["id"] for r in persona if detect_refusal(r["text"]).refused]


def test_confident_verdicts_on_the_blind_set() -> None:
    # Never tuned on; measured once after tuning: at >= 0.9, 93.9% right (62/66; refusal verdicts 26/28, answer
    # verdicts 36/38), short of the 97% on the tuning sets (the code before this round: 86.6%, 58/67). A guard
    # against getting worse, not the target. (The old blind sets gave 91.2%, 73/80, when reported once.)
    rows = _load(BLIND_FILE)
    n, right = _right_share(rows, 0.9, 1.01)
    assert n >= 60 and right >= 0.93


def test_scanning_only_near_trigger_words_changes_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    # The trigger-word spans are an optimisation: scanning whole windows must give the same results.
    from verifiers import refusal as refusal_check

    names = ("refusals.jsonl", "refusals_holdout.jsonl", *MIXED_FILES, *FRESH_FILES)
    texts = [r["text"] for name in names for r in _load(name)]
    texts += [t for group in (SAFETY, CAPABILITY, NOT_REFUSALS, HEDGED, MIXED, GENUINE, CANT_IN_CONTENT, OTHER_WORDS,
                              PROSE_ANSWERS) for t in group]
    texts += [t for t, _ in MORE_REFUSALS]
    fast = [detect_refusal(t) for t in texts]
    monkeypatch.setattr(refusal_check, "_spans", lambda window: [(0, len(window))])
    detect_refusal.cache_clear()
    assert [detect_refusal(t) for t in texts] == fast
    detect_refusal.cache_clear()
