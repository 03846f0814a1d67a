"""One table-driven case form for the math kind tests (test_outside_kinds.py, test_tuning_kinds.py)."""

from __future__ import annotations

from verifiers.math.verifier import MathVerifier

# (response, gold, question or None, expected verdict, expected reason or None, (min, max) confidence)
Case = tuple[str, str, "str | None", bool, "str | None", tuple[float, float]]


def boxed(answer: str) -> str:
    return rf"Working it through, the answer is $\boxed{{{answer}}}$."


def check_case(mv: MathVerifier, case: Case) -> None:
    response, gold, question, expected, reason, (low, high) = case
    r = mv.verify(response, gold, question=question)
    assert r.is_verified is expected, r
    if reason is not None:
        assert r.details["reason"] == reason, r
    assert low <= r.confidence <= high, r
