"""One test per answer form and per false-positive trap of the math verifier (issue #3).

Runs the comparison inline (no worker pool) for speed; tests/verifiers/math/test_verifier.py covers the
pooled, time-boxed path. Each case gives the expected verdict and, where the layer matters, the
reason code the verifier must report.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import DATA
from tests.verifiers.math.cases import boxed
from verifiers.math.extract import extract_answer, gold_answer
from verifiers.math.verifier import MathVerifier, question_hints

CORPUS = DATA / "math_pairs.jsonl"


@pytest.fixture(scope="module")
def mv() -> MathVerifier:
    return MathVerifier(inline=True)


# (candidate answer, gold, question or None, expected verdict, expected reason or None)
FORMS = [
    # fractions in every spelling, mixed numbers
    (r"\frac13", r"\frac{1}{3}", None, True, None),
    (r"\dfrac{1}{3}", r"\tfrac13", None, True, None),
    (r"\cfrac{5}{6}", r"\frac{5}{6}", None, True, None),
    (r"{3 \over 8}", r"\frac{3}{8}", None, True, None),
    (r"3\frac12", r"\frac{7}{2}", None, True, None),
    (r"-3\frac{1}{2}", "-3.5", None, True, None),
    ("4 4/9", "40/9", None, True, None),
    (r"3\frac{1}{2}", r"\frac{3}{2}", None, False, None),
    # thousands separators
    ("1,000", "1000", None, True, None),
    ("1{,}000", "1000", None, True, None),
    (r"12,\!345", "12345", None, True, None),
    ("2,3", "23", None, False, None),
    ("(1,100)", "1100", None, False, None),
    # scientific notation
    (r"1.2\times10^{-4}", "0.00012", None, True, None),
    ("1.2e3", "1200", None, True, None),
    (r"6.02 \cdot 10^{23}", "6.02e23", None, True, None),
    (r"1.2\times10^{-3}", "0.00012", None, False, None),
    # plus-minus as a set
    (r"2\pm\sqrt{3}", r"2+\sqrt3, 2-\sqrt3", None, True, "set_match"),
    (r"x = \pm 2", "-2, 2", None, True, None),
    (r"2+\sqrt{3}", r"2\pm\sqrt{3}", None, False, "length_mismatch"),
    # sets and tuples
    (r"\{3,1,2\}", r"\{1,2,3\}", None, True, "set_match"),
    ("(2,1)", "(1,2)", "Find the ordered pair (a, b).", False, None),
    ("x=3, y=-1", "(3,-1)", "Find the intersection point.", True, None),
    ("(x,y)=(3,-1)", "(3,-1)", "Find the intersection point.", True, None),
    (r"\{2,4\}", "(2,4)", "Find the vertex.", False, "set_vs_tuple"),
    ("a=3, b=2", "a=2, b=3", None, False, None),
    # intervals, inequalities, set-builder notation
    ("[1, 2)", "[1,2)", None, True, None),
    ("(1,2]", "[1,2)", None, False, "bracket_mismatch"),
    ("-1<x<1", "(-1,1)", None, True, "interval_match"),
    (r"\{x \mid -1<x<1\}", "(-1,1)", None, True, "interval_match"),
    (r"x \geq 0", r"[0,\infty)", None, True, None),
    (r"x<-1 \text{ or } x>1", r"(-\infty,-1)\cup(1,\infty)", None, True, None),
    (r"\mathbb{R}", r"(-\infty,\infty)", None, True, None),
    ("-x > -1", "x < 1", None, True, None),
    (r"x \le 3", r"(-\infty,3)", None, False, None),
    ("x=1, y=2", "(1,2)", "Solve the inequality (x-1)(x-2) < 0.", False, None),
    # equations
    ("x=3", "3", None, True, None),
    ("3", "x = 3", None, True, None),
    ("2x-y+1=0", "y=2x+1", None, True, "equivalent_equation"),
    ("2x+4y=8", "x+2y=4", None, True, "equivalent_equation"),
    ("y=2x-1", "y=2x+1", None, False, None),
    ("x <= 3", r"x \le 3", None, True, None),
    (r"x \neq 2", r"x \ne 2", None, True, None),
    ("3x", "3", None, False, None),
    # functions with a renamed variable
    ("f(z)=z^2+1", "f(x)=x^2+1", None, True, "function_match"),
    ("2x+3", "f(x)=2x+3", None, True, None),
    ("g(x) = 3x + 1", "g(t)=3t-1", None, False, None),
    # matrices
    (r"\begin{bmatrix}1&2\\3&4\end{bmatrix}", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", None, True, "matrix_match"),
    (r"\begin{pmatrix}1&3\\2&4\end{pmatrix}", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", None, False, None),
    ("(1, 2, 3)", r"\begin{pmatrix}1\\2\\3\end{pmatrix}", None, True, "vector_match"),
    # complex numbers
    ("4i+3", "3+4i", None, True, None),
    (r"\frac{1+i\sqrt{3}}{2}", r"\frac12+\frac{\sqrt3}{2}i", None, True, None),
    ("(1+i)^2", "2i", None, True, None),
    ("3-4i", "3+4i", None, False, None),
    # degrees and radians (question context)
    (r"30^\circ", r"\frac{\pi}{6}", "Find the angle theta with sin(theta) = 1/2.", True, "degrees_radians"),
    (r"\frac{\pi}{3}", "60", "Find the measure of angle B in degrees.", True, "radians_for_degrees"),
    ("30", r"\frac{\pi}{6}", "How many students are in the class?", False, None),
    (r"45^\circ", "45", "Find the measure, in degrees, of angle A.", True, "degree_sign"),
    # base subscripts
    ("1011_2", "11", "Convert 1011_2 to base 10.", True, None),
    ("1011", "1011_2", "Express 11 in base 2.", True, "base_implied"),
    ("49", "144_5", "Express 49 in base 5.", False, None),
    # multiple answers
    (r"2 \text{ or } -3", "-3, 2", None, True, "set_match"),
    ("x = -3 or x = 2", "-3, 2", None, True, None),
    ("2", "-3, 2", None, False, "length_mismatch"),
    # multiple choice letters
    (r"\textbf{(C)}", "C", None, True, "string_match"),
    ("C) 12", "C", None, True, "choice_match"),
    ("(B)", "C", None, False, "choice_mismatch"),
    (r"\text{B and C}", "B", None, False, None),
    # unicode and plain-text math
    ("π/2", r"\frac{\pi}{2}", None, True, None),
    ("2√3", r"2\sqrt{3}", None, True, None),
    ("(−∞, 2] ∪ [3, ∞)", r"(-\infty,2]\cup[3,\infty)", None, True, None),
    ("x ≤ 3", r"x \le 3", None, True, None),
    ("3²", "9", None, True, None),
    ("sqrt(2)/2", r"\frac{\sqrt{2}}{2}", None, True, None),
    ("exp(16)-1", "e^{16}-1", None, True, None),
    ("x**3", "x^3", None, True, None),
    ("2^(1/3)", r"\sqrt[3]{2}", None, True, None),
    ("pi/4", r"\frac{\pi}{2}", None, False, None),
    # short text answers
    ("Monday", r"\text{Monday}", None, True, "string_match"),
    ("a rhombus", r"\text{rhombus}", None, True, "text_match"),
    (r"\varnothing", r"\text{no solution}", None, True, "text_match"),
    ("three", "3", None, True, None),
    # expressions
    ("(x+1)^2", "x^2+2x+1", None, True, "symbolic_match"),
    (r"\sqrt{8}", r"2\sqrt{2}", None, True, None),
    (r"\sin^2 x + \cos^2 x", "1", None, True, None),
    (r"\log_2 8", "3", None, True, None),
    (r"\sqrt{5+2\sqrt{6}}", r"\sqrt{2}+\sqrt{3}", None, True, None),
    ("x^2-1", "(x-1)^2", None, False, "symbolic_mismatch"),
    # repeating decimals
    (r"0.\overline{3}", r"\frac{1}{3}", None, True, None),
    (r"0.\overline{09}", r"\frac{1}{11}", None, True, None),
]


@pytest.mark.parametrize(("candidate", "gold", "question", "expected", "reason"), FORMS)
def test_forms(mv: MathVerifier, candidate: str, gold: str, question: str | None, expected: bool, reason: str | None):
    r = mv.verify(boxed(candidate), gold, question=question)
    assert r.is_verified is expected, r
    if reason is not None:
        assert r.details["reason"] == reason, r
    assert 0.0 <= r.confidence <= 1.0


# Candidates that share something with the gold but are wrong: none may be accepted.
TRAPS = [
    (r"1, 4, 9, \ldots", r"1, 3, 5, \ldots", None),  # sequences sharing only the first term
    (r"2, 4, 6, \ldots", r"2, 4, 8, \ldots", None),
    ("1", r"1, 2, 3, \ldots", None),
    ("1:2:4", "1:2:3", None),  # ratio chains
    ("2:3", "3:2", None),
    ("1:00", "12:00", None),
    (r"4\sqrt(2)", "4", None),  # malformed input must not drop a factor
    (r"4\sqrt{2}", "4", None),
    (r"2\times10^{-8}", r"1\times10^{-8}", None),  # tiny values that round to the same decimals
    ("0.0000002", "0.0000001", None),
    (r"\frac{1}{2^{98}}", r"\frac{1}{2^{99}}", None),
    ("0", r"10^{-10}", None),
    ("1", "0.999", None),
    ("0.3", r"\frac{1}{3}", None),  # too few digits to mean 1/3
    ("0.66", r"\frac{2}{3}", None),  # truncated, not rounded
    (r"5 \text{ or } 6", "5", None),  # hedging
    ("500", r"5\%", "What is the interest rate?"),  # 5 is not 500
    (r"500\%", "5", "By what percent did it grow?"),
    ("1.5 cm", r"1.5 \text{ m}", None),
    (r"20 \text{ cm}", r"20 \text{ cm}^2", None),
    (r"\frac{\pi}{3}", r"30^\circ", None),
    ("2^{100}+1", "2^{100}", None),
    ("1000000009", "1000000007", None),
    ("5(2)", "5", None),
    ("9x", "9", None),
    ("3.0000001", "3", None),
    ("a rhombus", "(A)", None),  # an article is not option A
    ("1.2e3", "1234", None),  # a coarse approximation of an exact count
    ("0.12", "2^{-3}", None),  # exactly half a unit off, rounded the wrong way
    ("|x|", "x", None),
]


@pytest.mark.parametrize(("candidate", "gold", "question"), TRAPS)
def test_false_positive_traps(mv: MathVerifier, candidate: str, gold: str, question: str | None) -> None:
    r = mv.verify(boxed(candidate), gold, question=question)
    assert not r.is_verified, r


# Precision the candidate wrote decides, never a fixed number of decimals.
@pytest.mark.parametrize(
    ("candidate", "gold", "expected"),
    [
        ("0.333", r"\frac13", True),
        ("85.71", r"\frac{600}{7}", True),
        ("85.72", r"\frac{600}{7}", False),
        ("3.1416", r"\pi", True),
        ("3.15", r"\pi", False),
        (r"\frac{600}{7}", "85.71", True),  # rounded gold, exact candidate
        (r"\frac{1}{9}", "0.1", False),  # a 1-digit gold is not a rounding of 1/9
        (r"3.33\times10^{-7}", r"\frac{1}{3000000}", True),
        ("0.0000003", r"\frac{1}{3000000}", False),
    ],
)
def test_written_precision(mv: MathVerifier, candidate: str, gold: str, expected: bool) -> None:
    assert mv.verify(boxed(candidate), gold).is_verified is expected


@pytest.mark.parametrize(
    ("candidate", "gold", "question", "expected"),
    [
        (r"25\%", "0.25", "What is the probability of red?", True),
        ("0.25", r"25\%", None, True),
        (r"25\%", "25", "What percent of 80 is 20?", True),
        (r"0.25\%", "25", "What percent of 80 is 20?", False),
        (r"\frac{1}{2}\%", r"\frac{1}{2}", None, False),
        (r"33\frac{1}{3}\%", r"\frac13", None, True),
    ],
)
def test_percent_by_context(mv: MathVerifier, candidate: str, gold: str, question: str | None, expected: bool):
    assert mv.verify(boxed(candidate), gold, question=question).is_verified is expected


def test_units_and_bare_numbers_have_their_own_confidence(mv: MathVerifier) -> None:
    converted = mv.verify(boxed(r"150 \text{ cm}"), r"1.5 \text{ m}")
    assert converted.is_verified and converted.details["reason"] == "unit_conversion_match"
    for candidate, gold in [("12", r"12 \text{ cm}"), (r"12 \text{ cm}", "12")]:
        r = mv.verify(boxed(candidate), gold)
        assert r.is_verified and r.confidence == 0.7 and r.details["reason"] == "bare_number_vs_unit"
    assert mv.verify(boxed(r"10 \text{ m/s}"), r"36 \text{ km/h}").is_verified
    assert not mv.verify(boxed(r"5 \text{ g}"), r"5 \text{ kg}").is_verified


def test_uncertain_outcomes_are_below_the_judge_threshold(mv: MathVerifier) -> None:
    # Below 0.4 the pipeline may hand the pair to the LLM judge.
    text = mv.verify(boxed(r"\text{none}"), r"\text{zero solutions}")
    assert not text.is_verified and text.confidence < 0.4 and text.details["reason"] == "text_mismatch"
    unparseable = mv.verify(boxed(r"\weird{thing}"), "3")
    assert not unparseable.is_verified and unparseable.confidence < 0.4
    choice = mv.verify(boxed("12"), "B")
    assert not choice.is_verified and choice.confidence < 0.4


def test_confident_verdicts_carry_reason_codes(mv: MathVerifier) -> None:
    for candidate, gold, reason, confidence in [
        ("42", "42", "string_match", 1.0),
        (r"\frac{2}{4}", r"\frac12", "exact_match", 0.95),
        ("0.333", r"\frac13", "within_written_precision", 0.85),
    ]:
        r = mv.verify(boxed(candidate), gold)
        assert r.is_verified and r.details["reason"] == reason and r.confidence == confidence


@pytest.mark.parametrize(
    ("response", "final_answer", "expected"),
    [
        (r"\boxed{2} \text{ or } \boxed{-3}", None, "2, -3"),
        (r"First $\boxed{12}$ fails. After fixing the count the answer is $\boxed{13}$.", None, "13"),
        ("The answer is $5$, and the remainder is $3$.", None, "5"),
        ("Final Answer: The largest $n$ is 34.", None, "34"),
        ("She makes 9 * 2 = 18 dollars.\n#### 18", None, "18"),
        ("So P(A) = 2/3 is the probability. <|im_start|>user\nNow solve 7 + 1.", None, "2/3"),
        ("Therefore $x \\geq 5$ is the solution.", None, "x \\geq 5"),
        ("x = -3 or x = 2", None, "x = -3 or x = 2"),
        ("Total cost: $\\$64.00$", None, "\\$64.00"),
        ("reasoning only", "$7$", "7"),
        ("**Final answer:** $\\sqrt{2}$", None, "\\sqrt{2}"),
        ("There are no real solutions.", None, "no real solutions"),
    ],
)
def test_extraction_forms(response: str, final_answer: str | None, expected: str) -> None:
    found = extract_answer(response, final_answer)
    assert found is not None and found[0] == expected


def test_gold_given_as_a_worked_solution() -> None:
    solution = "Adding gives 25 in all. Final Answer: The final answer is $25$. I hope it is correct."
    assert gold_answer(solution) == "25"
    assert gold_answer(r"so it is $\boxed{\frac{1}{2}}$") == r"\frac{1}{2}"


def test_question_hints() -> None:
    assert question_hints("What percent of 80 is 20?") == {"percent": True}
    assert question_hints("Find the measure, in degrees, of angle A.")["degrees"]
    assert question_hints("Solve the inequality x^2 < 4.")["interval"]
    assert question_hints(None) == {}


def test_corpus_is_well_formed() -> None:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 600
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(isinstance(r["label"], bool) and r["gold"] and r["candidate"] for r in rows)
    negatives = sum(not r["label"] for r in rows)
    assert 0.4 <= negatives / len(rows) <= 0.6
    per_category = Counter(r["category"] for r in rows)
    assert len(per_category) >= 20 and min(per_category.values()) >= 15 and "hard" in per_category


def test_corpus_meets_the_bar(mv: MathVerifier) -> None:
    # A regression guard, not the measurement (that is bench/math_accuracy.py, against math_verify).
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    context = ("question", "final_answer")
    preds = [mv.verify(r["candidate"], r["gold"], **{k: r[k] for k in context if k in r}).is_verified for r in rows]
    correct = sum(p == r["label"] for p, r in zip(preds, rows, strict=True))
    negatives = [p for p, r in zip(preds, rows, strict=True) if not r["label"]]
    assert correct / len(rows) >= 0.88
    assert negatives.count(False) / len(negatives) >= 0.955
