"""The candidate checker's own rules (the verification flow end to end is in tests/e2e/)."""

from __future__ import annotations

from common.checks.checker import judge_question
from common.data.query import Query


def test_the_judge_is_told_the_whole_conversation_not_just_its_last_line() -> None:
    single = Query("q1", "tool_calling", "Weather in Oslo?", ({"role": "user", "content": "Weather in Oslo?"},))
    assert judge_question(single) == "Weather in Oslo?"
    turns = (
        {"role": "user", "content": "What is 5 factorial?"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "name": "fact", "arguments": '{"n": 5}'}]},
        {"role": "tool", "tool_call_id": "c1", "name": "fact", "content": "120"},
        {"role": "user", "content": "Yes please, do the same for the next number."},
    )
    multi = Query("q2", "tool_calling", turns[-1]["content"], turns, system="Always answer in French.")
    assert judge_question(multi) == (
        "[system] Always answer in French.\n[user] What is 5 factorial?\n"
        '[assistant] (calls fact({"n": 5}))\n[tool result fact] 120\n'
        "[user] Yes please, do the same for the next number."
    )


def test_nothing_to_check_against_is_no_verdict_not_a_wrong_one() -> None:
    import asyncio

    from common.checks.checker import CandidateChecker
    from common.config import ExperimentConfig
    from common.model.api import Candidate

    checker = CandidateChecker(ExperimentConfig(splits=["math"], model="m"), judge=None)
    try:
        no_gold = Query("m1", "math", "What is 2+2?", ({"role": "user", "content": "What is 2+2?"},))
        row = asyncio.run(checker.check(no_gold, Candidate(text="The answer is \\boxed{4}.")))
        assert row["is_verified"] is None and row["confidence"] is None
        assert row["verification_reason"] == "no_ground_truth"
        gold = Query("m2", "math", "What is 2+2?", ({"role": "user", "content": "What is 2+2?"},), ground_truth="4")
        assert asyncio.run(checker.check(gold, Candidate(text="The answer is \\boxed{4}.")))["is_verified"] is True
    finally:
        checker.close()
