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


class _AgreeingJudge:
    """Stands in for LLMJudge: says every answer is right, and counts the questions."""

    def __init__(self) -> None:
        self.asked = 0

    async def judge(self, question: str, candidate: str, ground_truth: str | None, split: str, **_: object):
        from common.judge.judge import JudgeVerdict

        self.asked += 1
        return JudgeVerdict(True, 0.8, "same value", "judge-model")


def test_with_the_fallback_every_verdict_below_the_threshold_goes_to_the_judge_and_both_are_kept() -> None:
    import asyncio

    from common.checks.checker import CandidateChecker
    from common.config import ExperimentConfig
    from common.model.api import Candidate

    q = Query("m1", "math", "What is 2+2?", ({"role": "user", "content": "What is 2+2?"},), ground_truth="4")
    guessed = Candidate(text="Counting on my fingers, I get 4")  # a bare trailing number: never sure
    boxed = Candidate(text="The answer is \\boxed{4}.")
    for threshold, judged in ((0.7, True), (0.5, False)):
        judge = _AgreeingJudge()
        cfg = ExperimentConfig(splits=["math"], model="m", llm_judge_fallback=True, judge_threshold=threshold)
        checker = CandidateChecker(cfg, judge=judge)  # type: ignore[arg-type]
        try:
            row = asyncio.run(checker.check(q, guessed))
            assert row["local_confidence" if judged else "confidence"] < 0.7
            assert judge.asked == int(judged)
            if judged:
                assert row["local_is_verified"] is True and row["judge_is_correct"] is True
                assert row["confidence"] == 0.8 and row["verification_method"].endswith("+llm_judge")
            asyncio.run(checker.check(q, boxed))  # a confident verdict is never judged
            assert judge.asked == int(judged)
        finally:
            checker.close()
