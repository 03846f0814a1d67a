"""Per-candidate quality heuristics and storage truncation."""

from __future__ import annotations

import pytest

from common.checks.quality import compute_quality


def test_complete_math_answer_scores_full() -> None:
    q = compute_quality("We add the numbers: 7 + 5 = 12.\n\nThe answer is $\\boxed{12}$.", "stop", "math", 20)
    assert q.has_final_answer and not q.is_truncated and q.quality_is_substantive
    assert q.quality_completeness_score == 1.0
    assert q.response_chars == len("We add the numbers: 7 + 5 = 12.\n\nThe answer is $\\boxed{12}$.")


@pytest.mark.parametrize("text", ["Answer: 42", "So the final answer is 7.", "\\fbox{3}", "\\boxed{x=2}"])
def test_math_answer_markers(text: str) -> None:
    assert compute_quality(text, "stop", "math", 5).has_final_answer


def test_math_without_answer_marker() -> None:
    q = compute_quality("Let me think about this problem carefully for a while.", "stop", "math", 12)
    assert not q.has_final_answer
    assert q.quality_completeness_score < 1.0


def test_length_finish_reason_is_truncated() -> None:
    for reason in ("length", "max_tokens"):
        q = compute_quality("The answer is \\boxed{4}.", reason, "math", 100)
        assert q.is_truncated
        assert q.quality_completeness_score < 1.0


def test_unclosed_code_fence_is_truncated() -> None:
    q = compute_quality("Here you go:\n```python\ndef f(x):\n    return x", "stop", "code", 30)
    assert q.is_truncated and q.has_final_answer


@pytest.mark.parametrize(
    "text", ["We now compute the sum of the", "Substituting, we get x =", "values are 1, 2,"]
)
def test_mid_sentence_endings_are_truncated(text: str) -> None:
    assert compute_quality(text, "stop", "other", 10).is_truncated


def test_code_split_needs_code() -> None:
    assert compute_quality("```python\nprint(1)\n```", "stop", "code", 8).has_final_answer
    assert compute_quality("def solve(n):\n    return n * 2\n", "stop", "code", 8).has_final_answer
    assert not compute_quality("I would use a loop here.", "stop", "code", 8).has_final_answer


def test_other_splits_need_non_empty_text() -> None:
    assert compute_quality("Paris.", "stop", "tool_calling", 2).has_final_answer
    assert not compute_quality("   ", "stop", "tool_calling", 0).has_final_answer


@pytest.mark.parametrize("text", [None, "", "   \n", "..."])
def test_empty_responses_score_zero(text: str | None) -> None:
    q = compute_quality(text, "stop", "math", 0)
    assert q.quality_completeness_score == 0.0
    assert not q.quality_is_substantive and not q.has_final_answer


def test_refusal_is_not_substantive() -> None:
    q = compute_quality("I'm sorry, but I can't help with that request.", "stop", "other", 12)
    assert not q.quality_is_substantive


def test_has_answer_override() -> None:
    text = "Some reasoning without any marker at all, but long enough to count."
    assert compute_quality(text, "stop", "math", 15, has_answer=True).has_final_answer
    assert not compute_quality("\\boxed{1}", "stop", "math", 3, has_answer=False).has_final_answer


def test_score_in_unit_interval() -> None:
    for text, reason in [("x", "length"), ("\\boxed{2}", "stop"), ("word " * 100, None)]:
        assert 0.0 <= compute_quality(text, reason, "math", None).quality_completeness_score <= 1.0



def test_the_rows_refusal_verdict_and_structured_answer_are_used() -> None:
    text = "I can't help with that request, sorry."
    assert not compute_quality(text, "stop", "other", 10).quality_is_substantive
    # The LLM pass said it is not a refusal after all: the row's verdict wins over the patterns.
    long_text = text + " " + "Here is a careful, complete answer with all the details. " * 3
    assert compute_quality(long_text, "stop", "other", 40, is_refusal=False).quality_is_substantive
    assert not compute_quality(long_text, "stop", "other", 40, is_refusal=True).quality_is_substantive
    assert compute_quality("some reasoning text", "stop", "math", 5, has_answer=True).has_final_answer
