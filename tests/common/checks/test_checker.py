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
