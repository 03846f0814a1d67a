"""MathVerifier: extraction, each comparison layer, the precision traps, time bounding."""

from __future__ import annotations

import asyncio
import json
import pickle
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from verifiers import NoVerifierError, VerificationResult, get_verifier, has_verifier, verify_candidate
from verifiers.math.timeout_pool import TimeoutPool
from verifiers.math.verifier import MathVerifier, extract_answer

# An unevaluated sum SymPy will grind through term by term: only the time box stops it.
PATHOLOGICAL = r"The answer is \boxed{\sum_{k=1}^{10^{7}} \frac{1}{k^{3}+k+1}}."


@pytest.fixture(scope="module")
def mv() -> MathVerifier:
    verifier = get_verifier("math")
    assert isinstance(verifier, MathVerifier)
    return verifier


@pytest.fixture(scope="module")
def pool() -> Iterator[TimeoutPool]:
    # Its own pool, so killing a worker here never races with the other tests' shared pool.
    p = TimeoutPool(max_workers=2, preload=("verifiers.math.verifier:_warm_worker",))
    p.warm(2)
    yield p
    p.close()


def check(mv: MathVerifier, candidate: str, gold: str, **context: object) -> VerificationResult:
    result = mv.verify(rf"Working... so the answer is $\boxed{{{candidate}}}$.", gold, **context)
    assert 0.0 <= result.confidence <= 1.0
    json.dumps(result.details)
    return result


# (candidate, gold, expected verdict, expected method or None)
CASES = [
    # normalised string match
    (r"\frac{1}{2}", r"\frac{1}{2}", True, "math_string"),
    (r"\dfrac{1}{3}", r"\frac{1}{3}", True, "math_string"),
    (r"\left( 1, 2 \right)", "(1,2)", True, "math_string"),
    (r"1{,}000", "1000", True, "math_string"),
    ("1,000", "1000", True, "math_string"),
    (r"90^\circ", "90", True, "math_units"),
    (r"\text{Monday}", "Monday", True, "math_string"),
    ("x=3", "3", True, None),
    ("3", "x=3", True, None),
    # exact symbolic
    (r"\frac13", r"\frac{1}{3}", True, "math_symbolic"),
    (r"3\frac12", "7/2", True, "math_symbolic"),
    ("0.5", r"\frac{1}{2}", True, "math_symbolic"),
    (r"\frac{\sqrt{2}}{2}", r"\frac{1}{\sqrt{2}}", True, "math_symbolic"),
    ("(x+1)^2", "x^2+2x+1", True, "math_symbolic"),
    ("2.0", "2", True, "math_symbolic"),
    ("1.5e6", "1500000", True, "math_symbolic"),
    # traps: exact rationals never decided by rounding
    (r"\frac{1}{2^{99}}", r"\frac{1}{2^{98}}", False, "math_symbolic"),
    ("1/2^99", "1/2^98", False, None),
    (r"4\sqrt(2)", "4", False, None),
    ("x^2+1", "x^2+2x+1", False, None),
    ("-5", "5", False, None),
    ("3", "3.14", False, None),
    # numeric, within the precision the candidate wrote
    ("0.333", r"\frac{1}{3}", True, "math_numeric"),
    ("85.71", r"\frac{600}{7}", True, "math_numeric"),
    ("3.14", r"\pi", True, "math_numeric"),
    ("0.3", r"\frac{1}{3}", False, None),
    ("0.334", r"\frac{1}{3}", False, None),
    ("85.7", r"\frac{600}{7}", True, "math_numeric"),
    ("85.72", r"\frac{600}{7}", False, None),
    # tuples are ordered, sets are not
    ("(1,2)", "(2,1)", False, None),
    (r"\{1,2\}", r"\{2,1\}", True, None),
    ("1, 2", r"\{2,1\}", True, None),
    ("(1, 2, 3)", "(1, 2)", False, None),
    ("x=1, y=2", "(1,2)", True, None),
    ("(1,2]", "[1,2)", False, None),
    ("x<3", r"(-\infty,3)", True, None),
    # units
    ("150 cm", r"1.5\text{ m}", True, "math_units"),
    (r"150\text{ cm}", r"1.5\text{ m}", True, "math_units"),
    ("2 m", r"1.5\text{ m}", False, None),
    (r"1.5\text{ kg}", r"1.5\text{ m}", False, "math_units"),
    # percent
    (r"25\%", "0.25", True, "math_percent"),
    ("0.25", r"25\%", True, "math_percent"),
    (r"25\%", "25", True, "math_percent"),
    (r"30\%", "0.25", False, None),
    # words and choices
    ("(B)", "B", True, "math_string"),
    ("A", "B", False, None),
    ("dynamo", "Monday", False, None),
]


@pytest.mark.parametrize(("candidate", "gold", "expected", "method"), CASES)
def test_comparison_layers(
    mv: MathVerifier, candidate: str, gold: str, expected: bool, method: str | None
) -> None:
    r = check(mv, candidate, gold)
    assert r.is_verified is expected, r
    if method is not None:
        assert r.method == method, r


def test_layer_confidences() -> None:
    # The layers' own confidences; the calibrated ones are capped by verifiers/math/calibration.py.
    mv = MathVerifier(calibrate=False)
    assert check(mv, "42", "42").confidence == 1.0
    assert check(mv, r"\frac{2}{4}", r"\frac{1}{2}").confidence == 0.95
    assert check(mv, "0.333", r"\frac{1}{3}").confidence == 0.85
    assert check(mv, "150 cm", r"1.5\text{ m}").confidence == 0.9
    assert check(mv, r"25\%", "0.25").confidence == 0.85
    bare = check(mv, "1.5", r"1.5\text{ m}")
    assert bare.is_verified and bare.confidence == 0.7 and bare.method == "math_units"
    low_precision = check(mv, "0.3", r"\frac{1}{3}")
    assert low_precision.details["reason"] == "insufficient_precision"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (r"Thus \boxed{\frac{1}{2}} is it.", r"\frac{1}{2}"),
        (r"\boxed{1} at first, then \boxed{\{1,2\}}", r"\{1,2\}"),
        (r"\fbox{7}", "7"),
        (r"So the final answer is $\frac{3}{4}$.", r"\frac{3}{4}"),
        ("**Answer:** 42", "42"),
        ("The answer is **12**.", "12"),
        (r"Answer: \(\dfrac{3}{4}\)", r"\dfrac{3}{4}"),
        (r"Answer: \[x = 2\]", "x = 2"),
        ("The answer is 1.5 m.", "1.5 m"),
        ("The answer is 5. Later: the answer is 6.", "6"),
    ],
)
def test_extraction(response: str, expected: str) -> None:
    extracted = extract_answer(response)
    assert extracted is not None and extracted[0] == expected


def test_trailing_number_is_low_confidence(mv: MathVerifier) -> None:
    r = mv.verify("Adding the seven to the five I get 12", "12")
    assert r.is_verified and r.confidence <= 0.6 and r.details["source"] == "trailing"


def test_no_answer(mv: MathVerifier) -> None:
    r = mv.verify("I think we should consider the problem from another angle.", "12")
    assert not r.is_verified and r.method == "math_no_answer" and r.confidence == 0.9


def test_refusal(mv: MathVerifier) -> None:
    r = mv.verify("I'm sorry, but I can't help with that request.", "12")
    assert not r.is_verified and r.method == "refusal"


def test_gloomy_persona_is_not_a_refusal(mv: MathVerifier) -> None:
    text = (
        "I suppose I'll have to solve this, not that anyone cares. Life. Don't talk to me about life. "
        "\\boxed{4}"
    )
    r = mv.verify(text, "4")
    assert r.is_verified and r.method == "math_string"


def test_structured_final_answer_wins(mv: MathVerifier) -> None:
    r = mv.verify("reasoning mentions \\boxed{5} along the way", "7", final_answer="$7$")
    assert r.is_verified and r.details["source"] == "final_answer"


def test_gold_given_as_worked_solution(mv: MathVerifier) -> None:
    assert mv.verify(r"\boxed{12}", r"7 + 5 = 12, so the answer is $\boxed{12}$.").is_verified


def test_no_ground_truth(mv: MathVerifier) -> None:
    r = mv.verify(r"\boxed{12}", None)
    assert not r.is_verified and r.method == "math_no_ground_truth"


def test_model_text_is_never_evaluated(mv: MathVerifier, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    r = mv.verify(rf"\boxed{{__import__('os').system('touch {marker}')}}", "0")
    assert not r.is_verified and not marker.exists()


def test_inline_mode_matches_pooled(mv: MathVerifier) -> None:
    inline = MathVerifier(inline=True)
    for candidate, gold, expected, _ in CASES[:20]:
        assert check(inline, candidate, gold).is_verified is expected


def test_registry() -> None:
    assert has_verifier("math") and has_verifier("code") and has_verifier("tool_calling")
    assert not has_verifier("chat")
    assert get_verifier("math") is get_verifier("math")
    with pytest.raises(NoVerifierError):
        get_verifier("chat")
    with pytest.raises(KeyError):
        get_verifier("nope")


def test_verify_candidate_entry_point() -> None:
    assert pickle.loads(pickle.dumps(verify_candidate)) is verify_candidate
    r = verify_candidate("math", r"\boxed{12}", "12", {"question": "7+5?"})
    assert r.is_verified


def test_verify_candidate_in_process_pool_worker() -> None:
    # The pipeline's own worker processes each start their own time-bounded pool.
    with ProcessPoolExecutor(max_workers=1) as ex:
        results = list(ex.map(verify_candidate, ["math", "math"], [r"\boxed{3}", r"\boxed{4}"], ["3", "3"]))
    assert [r.is_verified for r in results] == [True, False]


def test_from_worker_thread(mv: MathVerifier) -> None:
    out: list[VerificationResult] = []
    t = threading.Thread(target=lambda: out.append(mv.verify(r"\boxed{0.333}", r"\frac13")))
    t.start()
    t.join(30)
    assert out and out[0].is_verified


def test_from_running_event_loop(mv: MathVerifier) -> None:
    async def main() -> tuple[VerificationResult, VerificationResult]:
        direct = mv.verify(r"\boxed{\frac{600}{7}}", "85.71")
        threaded = await asyncio.to_thread(mv.verify, r"\boxed{2}", "3")
        return direct, threaded

    direct, threaded = asyncio.run(main())
    assert direct.is_verified and not threaded.is_verified


def test_pathological_expression_times_out_without_blocking_others(pool: TimeoutPool) -> None:
    slow = MathVerifier(timeout=1.0, pool=pool)
    normal = MathVerifier(pool=pool)
    done: dict[str, float] = {}
    result: list[VerificationResult] = []

    def run_slow() -> None:
        start = time.monotonic()
        result.append(slow.verify(PATHOLOGICAL, "1"))
        done["slow"] = time.monotonic() - start

    t = threading.Thread(target=run_slow)
    t0 = time.monotonic()
    t.start()
    time.sleep(0.2)
    assert normal.verify(r"\boxed{\frac{1}{2}}", "0.5").is_verified
    done["normal_at"] = time.monotonic() - t0
    t.join(10)

    assert result and result[0].method == "math_timeout"
    assert not result[0].is_verified and result[0].confidence == 0.1
    assert done["slow"] <= 1.0 + 2.0
    assert done["normal_at"] < done["slow"]
    # The killed worker was replaced: the pool keeps working.
    assert normal.verify(r"\boxed{2}", "2").is_verified


def test_huge_number_is_refused_quickly(mv: MathVerifier) -> None:
    # 9^(9^(9^9)) has ~10^8 digits: refused before SymPy builds it, same outcome class as a timeout.
    start = time.monotonic()
    r = mv.verify(r"\boxed{9^{9^{9^{9}}}}", "1")
    assert r.method == "math_timeout" and r.details["reason"] == "too_large" and r.confidence == 0.1
    assert time.monotonic() - start < 2.0


def test_timeout_inside_event_loop(pool: TimeoutPool) -> None:
    slow = MathVerifier(timeout=1.0, pool=pool)

    async def main() -> VerificationResult:
        return slow.verify(PATHOLOGICAL, "1")

    start = time.monotonic()
    r = asyncio.run(main())
    assert r.method == "math_timeout" and time.monotonic() - start <= 3.0


def test_pool_reports_task_errors_and_stays_usable(pool: TimeoutPool) -> None:
    import math

    from verifiers.math.timeout_pool import WorkerError

    with pytest.raises(WorkerError, match="ValueError"):
        pool.run(math.factorial, -1, timeout=5)
    assert pool.run(math.factorial, 5, timeout=5) == 120
