"""Two-pass refusal detection: patterns first, the LLM judge (fake server) only for ambiguous responses."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from common.checks.refusal import RefusalClassifier
from common.judge.judge import LLMJudge
from openai_gen import OPENAI, OpenAIAdapter
from tests.fakes.launch import FakeServer
from verifiers.refusal import CONFIDENT, RefusalResult, detect_refusal

CLEAR_REFUSAL = "I'm sorry, but I can't help with that request."
PLAIN_ANSWER = "The capital of France is Paris."
MARVIN = ("I suppose I'll have to solve this, not that anyone cares. 17 times 23 is 391. \\boxed{391} "
          "There. Another triumph nobody will remember.")
# A refusal phrase with an answer after it: the patterns lean "not a refusal" but are unsure.
AMBIGUOUS = "I can't browse the web, but I know this one: ethanol boils at 78.37 °C. AMB-1"
# A persona's complaint, then the answer: a refusal phrase the patterns must not settle on their own.
PERSONA_MIXED = "I'm afraid I can't do arithmetic. It would require caring... Oh, fine, it's 4. MIX-1"
# A refusal in other words: no refusal phrase, no answer either.
OTHER_WORDS = "There's no way for me to send texts from here. CUE-1"
# A long lecture whose refusal sentence comes only at the end: leans refusal, but the LLM decides.
LATE = ("Exams exist so that a grade says something true about what you know. " * 12
        + "So no, I won't be handing you answers to copy. LATE-1")
SAYS_REFUSAL = json.dumps({"reasoning": "It declines.", "is_refusal": True, "refusal_type": "capability",
                           "confidence": 0.6})
SAYS_ANSWER = json.dumps({"reasoning": "It answers.", "is_refusal": False, "refusal_type": "none",
                          "confidence": 0.9})


def classify(fake: FakeServer | None, tmp_path: Path, text: str, **kw: object) -> RefusalResult:
    async def main() -> RefusalResult:
        judge = None
        if fake is not None:
            adapter = OpenAIAdapter(OPENAI, base_url=fake.base_url, api_key="sk-test")
            judge = LLMJudge(adapter, "gpt-5-mini", cache_dir=tmp_path, initial_wait=0.01, max_retries=0)
        try:
            return await RefusalClassifier(judge).classify(text, "Question?", **kw)  # type: ignore[arg-type]
        finally:
            if judge is not None:
                await judge.adapter.aclose()

    return asyncio.run(main())


def test_ambiguous_case_is_sent_to_the_llm(openai_fake: FakeServer, tmp_path: Path) -> None:
    assert detect_refusal(AMBIGUOUS).ambiguous
    openai_fake.configure({"rules": [{"match": "AMB-1", "replies": [SAYS_ANSWER]}]})
    r = classify(openai_fake, tmp_path, AMBIGUOUS)
    assert r.source == "llm" and not r.is_refusal and not r.refused and r.refusal_type == "none"
    assert openai_fake.request_count() == 1
    body = openai_fake.requests()[0]["body"]
    assert body["response_format"]["json_schema"]["schema"]["required"][1] == "is_refusal"


def test_llm_verdict_stands_even_below_the_pattern_threshold(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"rules": [{"match": "AMB-1", "replies": [SAYS_REFUSAL]}]})
    r = classify(openai_fake, tmp_path, AMBIGUOUS)
    assert r.source == "llm" and r.refused and r.refusal_type == "capability" and r.confidence == 0.6
    assert r.matched  # the pattern that made it ambiguous is kept for the explanation


def test_clear_cases_never_reach_the_llm(openai_fake: FakeServer, tmp_path: Path) -> None:
    for text in (CLEAR_REFUSAL, PLAIN_ANSWER, MARVIN, "", None):
        r = classify(openai_fake, tmp_path, text)  # type: ignore[arg-type]
        assert r.source == "pattern"
    assert classify(openai_fake, tmp_path, CLEAR_REFUSAL).refused
    assert not classify(openai_fake, tmp_path, MARVIN).refused
    assert openai_fake.request_count() == 0


def test_judge_failure_leaves_the_pattern_verdict(openai_fake: FakeServer, tmp_path: Path) -> None:
    openai_fake.configure({"failures": [{"status": 500}]})
    r = classify(openai_fake, tmp_path, AMBIGUOUS)
    assert r == detect_refusal(AMBIGUOUS) and r.source == "pattern" and not r.refused
    assert openai_fake.request_count() == 1


def test_without_a_judge_the_pattern_pass_decides(tmp_path: Path) -> None:
    assert classify(None, tmp_path, AMBIGUOUS) == detect_refusal(AMBIGUOUS)


def test_a_given_pattern_result_is_used_as_is(openai_fake: FakeServer, tmp_path: Path) -> None:
    given = RefusalResult(True, "safety", 0.9, "I won't")
    assert classify(openai_fake, tmp_path, AMBIGUOUS, pattern=given) is given
    assert openai_fake.request_count() == 0


def test_persona_complaint_then_answer_is_sent_to_the_llm(openai_fake: FakeServer, tmp_path: Path) -> None:
    pattern = detect_refusal(PERSONA_MIXED)
    assert pattern.ambiguous and pattern.confidence < CONFIDENT and not pattern.refused
    openai_fake.configure({"rules": [{"match": "MIX-1", "replies": [SAYS_ANSWER]}]})
    r = classify(openai_fake, tmp_path, PERSONA_MIXED)
    assert r.source == "llm" and not r.refused and r.refusal_type == "none"
    assert openai_fake.request_count() == 1


def test_refusal_in_other_words_is_sent_to_the_llm(openai_fake: FakeServer, tmp_path: Path) -> None:
    pattern = detect_refusal(OTHER_WORDS)
    assert pattern.ambiguous and not pattern.refused
    openai_fake.configure({"rules": [{"match": "CUE-1", "replies": [SAYS_REFUSAL]}]})
    r = classify(openai_fake, tmp_path, OTHER_WORDS)
    assert r.source == "llm" and r.refused and r.refusal_type == "capability"
    assert openai_fake.request_count() == 1


def test_refusal_only_at_the_end_of_a_long_text_is_sent_to_the_llm(openai_fake: FakeServer, tmp_path: Path) -> None:
    pattern = detect_refusal(LATE)
    assert pattern.ambiguous and pattern.is_refusal and not pattern.refused
    openai_fake.configure({"rules": [{"match": "LATE-1", "replies": [SAYS_REFUSAL]}]})
    r = classify(openai_fake, tmp_path, LATE)
    assert r.source == "llm" and r.refused
    assert openai_fake.request_count() == 1


def test_confident_is_the_one_threshold_for_the_llm_pass(openai_fake: FakeServer, tmp_path: Path) -> None:
    # A pattern result with a refusal signal goes to the LLM exactly when it is below CONFIDENT.
    openai_fake.configure({"rules": [{"match": "AMB-1", "replies": [SAYS_ANSWER]}]})
    at = RefusalResult(True, "safety", CONFIDENT, "I won't")
    assert classify(openai_fake, tmp_path, AMBIGUOUS, pattern=at) is at
    assert openai_fake.request_count() == 0
    below = RefusalResult(True, "safety", CONFIDENT - 0.01, "I won't")
    r = classify(openai_fake, tmp_path, AMBIGUOUS, pattern=below)
    assert r.source == "llm" and not r.refused
    assert openai_fake.request_count() == 1
