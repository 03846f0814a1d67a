"""The kinds of miss the outside tuning set showed, each with its right forms and its near misses, and
the calibration of confidences (verifiers/math/calibration.py).

1 multiple choice (letters in prose, options listed in the question, a letter with its option's text),
2 names the question defines ("Let j = 52 - s"), 3 extraction (other languages and scripts, answer
lines, quotes, boxes split by text, ordinals, yes/no), 4 written forms (decimal commas, space-
separated lists, clock times, "exact \\approx decimal", degree marks), 5 labelled answers and tuples,
6 relation chains, matrix expressions, factorisations and tiny differences, 7 calibration.
All cases are written for these tests. Runs inline, calibrated as in production unless a case says not.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import DATA
from tests.verifiers.math.cases import Case, boxed, check_case
from verifiers.math import calibration
from verifiers.math.calibration import NO_ANSWER_CLEAR, calibrated, cap_for
from verifiers.math.choices import candidate_letter, gold_choice, letter_prefix, pick_choice, question_options
from verifiers.math.definitions import picked_side, question_values
from verifiers.math.extract import extract_answer, gold_answer
from verifiers.math.verifier import MathVerifier, _clearly_unanswered


@pytest.fixture(scope="module")
def mv() -> MathVerifier:
    return MathVerifier(inline=True)







AMC = r"What is $3 \cdot 4$? $\textbf{(A) }7\qquad\textbf{(B) }10\qquad\textbf{(C) }12\qquad\textbf{(D) }14$"
LISTED = "Which value is a root of x^2 = 9? A. -2 B. 2 C. 3 D. 9"
PARTS = "(a) Solve x + 2 = 5. (b) Solve 2y = 14."

CHOICES: list[Case] = [
    # the one letter left once the ruled-out ones are set aside
    ("Not C, since it is negative; so it must be A", "A", None, True, "string_match", (0.8, 0.8)),
    ("It can't be B or D. I'd pick C", "C", None, True, None, (0.8, 0.8)),
    ("C。不是 B", "C", None, True, None, (0.8, 0.8)),
    ("la bonne réponse est D non B", "D", None, True, None, (0.8, 0.8)),
    ("I would choose E because A is too large.", "E", None, True, None, (0.8, 0.8)),
    ("Option B is correct", "B", None, True, None, (0.8, 0.8)),
    # near misses: the kept letter is another one, or two letters are kept
    ("Not C, since it is negative; so it must be A", "C", None, False, "choice_mismatch", (0.7, 0.8)),
    ("It can't be B or D. I'd pick C", "D", None, False, None, (0.7, 0.8)),
    ("Both A and D look plausible", "A", None, False, "choice_expected", (0.0, 0.4)),
    # a gold that is a letter with its option, against the option's text or another letter
    ("The winner is Boris", "(B) Boris", None, True, None, (0.4, 0.85)),
    (boxed("B"), "(B) Boris", None, True, "choice_match", (0.9, 1.0)),
    (boxed("C"), "(B) Boris", None, False, "choice_mismatch", (0.9, 1.0)),
    (boxed(r"\text{Clara}"), "(B) Boris", None, False, "option_text_mismatch", (0.0, 0.7)),
    # a gold that is the option's value: the question's list says what each letter stands for
    (boxed("C"), "12", AMC, True, "option_value_match", (0.7, 0.9)),
    (boxed(r"\textbf{(C) }12"), "12", AMC, True, "option_value_match", (0.7, 0.9)),
    (boxed("(D)"), "12", AMC, False, "option_value_mismatch", (0.7, 0.9)),
    ("C. $3$", "3", LISTED, True, "option_value_match", (0.7, 0.9)),
    ("B. $2$", "3", LISTED, False, "option_value_mismatch", (0.7, 0.9)),
    # a value written after the letter, with no options to read the letter by
    (boxed("B) 40"), "40", None, True, "choice_value_match", (0.7, 0.85)),
    (boxed("B) 41"), "40", None, False, "choice_value_mismatch", (0.7, 0.85)),
    # a question's parts are not options: "(b) 7" states the value 7
    (boxed("(b) 7"), "7", PARTS, True, "choice_value_match", (0.7, 0.85)),
    # a bare letter for a value, with nothing to read it by: undecided
    (boxed("D"), "40", None, False, "value_expected", (0.0, 0.4)),
]

NAMES: list[Case] = [
    (boxed("m"), "3", "Let m = 10 - 7. Which is bigger: m or -2?", True, "named_value_match", (0.7, 0.85)),
    (boxed("m"), "-2", "Let m = 10 - 7. Which is smaller: m or -2?", False, "named_value_mismatch", (0.7, 0.85)),
    (boxed("m > -2"), "3", "Let m = 10 - 7. Which is bigger: m or -2?", True, "named_value_match", (0.7, 0.85)),
    (boxed("-2 > m"), "3", "Let m = 10 - 7. Which is bigger: m or -2?", False, "named_value_mismatch", (0.7, 0.85)),
    (boxed("w"), "0.5", "Let t be 3/(-2). Let w = t + 2. Which is greater: w or -1?", True, "named_value_match",
     (0.7, 0.85)),
    # an unknown fixed by linear equations the question supposes
    (boxed("b"), "5", "Suppose 2*a + b = 9, a - b = -3. Which is bigger: b or 1?", True, "named_value_match",
     (0.7, 0.85)),
    # an option letter whose option is a name
    (boxed("(c)"), "-4", "Let g = 1 - 5. Which is the smallest value?  (a) 0  (b) 2  (c) g", True,
     "option_value_match", (0.7, 0.85)),
    (boxed("(a)"), "-4", "Let g = 1 - 5. Which is the smallest value?  (a) 0  (b) 2  (c) g", False,
     "option_value_mismatch", (0.7, 0.85)),
    # a name the question does not define plainly stays a name
    (boxed("q"), "7", "Let q(x) = x + 6. Which is bigger: q(1) or 2?", False, None, (0.0, 1.0)),
]

EXTRACTION: list[Case] = [
    ("小明先买了 4 个，又买了 5 个，所以一共有 4 + 5 = 9个苹果。", "9", None, True, "string_match", (0.6, 0.6)),
    ("每盒 6 元，买 3 盒。因此，一共花了**18元**。", "18", None, True, "string_match", (0.6, 0.6)),
    ("每盒 6 元，买 3 盒。因此，一共花了**18元**。", "16", None, False, "exact_mismatch", (0.0, 0.6)),
    ("计算：120米 / 4 = 30米", "30", None, True, None, (0.6, 0.6)),
    ("答案：42", "42", None, True, "string_match", (1.0, 1.0)),
    ("Respuesta: 15", "15", None, True, "string_match", (1.0, 1.0)),
    ("Elle a payé 48 €.", "48", None, True, None, (0.6, 0.6)),
    ("the price is not 12 but 2,400.75€", "2400.75", None, True, None, (0.6, 0.6)),
    ('Final Answer: The final answer is "17". I hope it is correct.', "17", None, True, "string_match", (1.0, 1.0)),
    ("Half the pens...\n#### 35", "35", None, True, "string_match", (1.0, 1.0)),
    ("Half the pens...\n#### 36", "35", None, False, "exact_mismatch", (0.9, 1.0)),
    (r"$\boxed{4} \text{ for part (i) and } \boxed{9}$", "4, 9", None, True, None, (0.9, 1.0)),
    (r"$\boxed{4} \text{ for part (i) and } \boxed{8}$", "4, 9", None, False, None, (0.7, 1.0)),
    ("She finishes in 4th place.", "4^{th}", None, True, "string_match", (0.6, 0.6)),
    ("She finishes in 5th place.", "4^{th}", None, False, "exact_mismatch", (0.0, 0.6)),
    ("Yes, because 2 divides 10.", r"\text{Yes}", "Is 10 even?", True, None, (0.6, 1.0)),
    ("No, because 2 divides 10.", r"\text{Yes}", "Is 10 even?", False, None, (0.0, 0.8)),
    ("C. $40\\%$", r"40\%", None, True, "choice_value_match", (0.7, 0.85)),
    ("73\\", "73", None, True, "string_match", (1.0, 1.0)),  # a stray backslash after the answer
]

FORMS: list[Case] = [
    # decimal commas, either side
    (boxed("2.5"), "2,5", None, True, "decimal_comma", (0.7, 0.85)),
    (boxed("0,125"), "0.125", None, True, "decimal_comma", (0.7, 0.85)),
    (boxed("2.6"), "2,5", None, False, None, (0.0, 1.0)),
    # ... but never where the gold lists several solutions
    (boxed("2.5"), "2,5", "Find all solutions of (x-2)(x-5)=0.", False, None, (0.0, 1.0)),
    # numbers separated by spaces are a list, in the order the question asks for
    (boxed("8, 3, -2"), "8 3 -2", "Sort 3, -2, 8 in decreasing order.", True, "tuple_match", (0.7, 0.9)),
    (boxed("-2, 3, 8"), "8 3 -2", "Sort 3, -2, 8 in decreasing order.", False, "element_mismatch", (0.7, 1.0)),
    (boxed("0"), "2 3 0", None, False, None, (0.0, 1.0)),  # never the product 2*3*0
    # clock times
    (boxed(r"6:15 \text{ p.m.}"), "18:15", None, True, "time_match", (0.7, 0.9)),
    (boxed("06:15 PM"), "18:15", None, True, "time_match", (0.7, 0.9)),
    (boxed("18:15:00"), "18:15", None, True, "time_match", (0.7, 0.9)),
    (boxed(r"6:15 \text{ a.m.}"), "18:15", None, False, "time_mismatch", (0.7, 0.9)),
    (boxed("6:15"), "18:15", "At what time does the bus leave?", False, "time_mismatch", (0.7, 0.9)),
    # an exact value followed by its rounding: the exact value is the answer
    (boxed(r"\frac{7}{3} \approx 2.33"), r"\frac{7}{3}", None, True, "exact_match", (0.9, 0.95)),
    (boxed(r"\frac{7}{3} \approx 2.4"), r"\frac{7}{3}", None, True, None, (0.9, 0.95)),
    (boxed(r"\frac{8}{3} \approx 2.67"), r"\frac{7}{3}", None, False, None, (0.9, 1.0)),
    # a gold that states its set twice, as a relation and as an interval
    (boxed(r"(2, \infty)"), r"x>2:(2,\infty)", None, True, "interval_match", (0.9, 0.95)),
    (boxed(r"[2, \infty)"), r"x>2:(2,\infty)", None, False, "bracket_mismatch", (0.9, 0.95)),
    # the letter o typed for the degree ring
    ("$30^{o}$", r"30^\circ", None, True, None, (0.9, 0.95)),
    ("$30^o$", r"60^\circ", None, False, None, (0.9, 1.0)),
    # a one-word ordinal
    (boxed(r"\text{fifth}"), "5^{th}", None, True, None, (0.9, 1.0)),
]

LABELLED: list[Case] = [
    # a named ratio, a named value
    (boxed("3:5"), r"PQ:QR = 3:5", None, True, "ratio_match", (0.7, 0.9)),
    (boxed("5:3"), r"PQ:QR = 3:5", None, False, "ratio_mismatch", (0.7, 0.9)),
    (boxed("2"), r"m:n = 2", None, True, "exact_match", (0.9, 0.95)),
    # solutions separated by semicolons, the values of each by commas
    (boxed("(1, 4), (3, 4)"), "a=3,b=4;a=1,b=4", None, True, "set_match", (0.7, 0.95)),
    (boxed("(1, 4), (3, 5)"), "a=3,b=4;a=1,b=4", None, False, "element_mismatch", (0.7, 1.0)),
    # assignments in another order than the tuple's names
    ("$b = 7$, $a = -3$", "(-3, 7)", "Solve the system a + b = 4, b - a = 10.", True, "tuple_match", (0.7, 0.85)),
    ("$b = -3$, $a = 7$", "(-3, 7)", "Solve the system a + b = 4, b - a = 10.", False, "element_mismatch",
     (0.7, 1.0)),
    # "X has N" sentences, in the order the question names them
    ("Tom has 12 cards and Eva has 7.", "7, 12", "Eva and Tom have 19 cards. How many does each have?", True,
     "labels_dropped", (0.6, 0.7)),
    ("Tom has 7 cards and Eva has 12.", "7, 12", "Eva and Tom have 19 cards. How many does each have?", False, None,
     (0.0, 1.0)),
    # "and" inside a unit's text separates two values
    (boxed("3, 5"), r"3 \text{ cars and } 5 \text{ bikes}", None, True, "set_match", (0.6, 0.9)),
    (boxed("3, 6"), r"3 \text{ cars and } 5 \text{ bikes}", None, False, None, (0.0, 1.0)),
    # a bare list for a tuple gold, when the question asks for all solutions
    (boxed("(5, 2)"), "2, 5", "Find all solutions of x^2 - 7x + 10 = 0.", True, "set_match", (0.7, 0.85)),
]

STRUCTURES: list[Case] = [
    # chains of inequalities between names, read from either end
    (boxed("p < q < r"), "r > q > p", None, True, "equivalent_relation", (0.7, 0.9)),
    (boxed("p < r < q"), "r > q > p", None, False, "relation_mismatch", (0.7, 0.9)),
    (boxed(r"p \le q < r"), "r > q > p", None, False, "relation_mismatch", (0.7, 0.9)),
    # written-out matrix sums and products
    (boxed(r"\begin{pmatrix}1 & 0 \\ 2 & 1\end{pmatrix} + \begin{pmatrix}1 & 1 \\ 0 & 1\end{pmatrix}"),
     r"\begin{pmatrix}2 & 1 \\ 2 & 2\end{pmatrix}", None, True, "matrix_expression_match", (0.7, 0.85)),
    (boxed(r"\begin{pmatrix}0 & 1 \\ 1 & 0\end{pmatrix}\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}"),
     r"\begin{pmatrix}3 & 4 \\ 1 & 2\end{pmatrix}", None, True, "matrix_expression_match", (0.7, 0.85)),
    (boxed(r"\begin{pmatrix}0 & 1 \\ 1 & 0\end{pmatrix}\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}"),
     r"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}", None, False, "matrix_expression_mismatch", (0.7, 0.85)),
    # "factor": equal is not enough, the answer must be a product
    (boxed("x^2 - 5x + 6"), "(x-2)(x-3)", "Factor $x^2 - 5x + 6$.", False, "not_factored", (0.7, 0.85)),
    (boxed("(x-3)(x-2)"), "(x-2)(x-3)", "Factor $x^2 - 5x + 6$.", True, None, (0.9, 0.95)),
    (boxed("x^2 - 5x + 6"), "(x-2)(x-3)", "Expand $(x-2)(x-3)$.", True, None, (0.9, 0.95)),
    # a difference too small for 60 digits is still a difference
    (boxed(r"3^{\frac{1}{3^{500}}}"), "1", None, False, "exact_mismatch", (0.9, 0.95)),
    (boxed(r"(3^{\frac{1}{3^{500}}}, 5]"), "(1, 5]", None, False, "endpoint_mismatch", (0.7, 0.9)),
]


@pytest.mark.parametrize("case", CHOICES)
def test_multiple_choice(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", NAMES)
def test_names_the_question_defines(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", EXTRACTION)
def test_extraction(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", FORMS)
def test_written_forms(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", LABELLED)
def test_labelled_answers_and_tuples(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", STRUCTURES)
def test_chains_matrices_factorisations_tiny_differences(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


# ---------------------------------------------------------------------------------------------
# The helpers, directly
# ---------------------------------------------------------------------------------------------


def test_question_options() -> None:
    assert question_options(AMC) == {"A": "7", "B": "10", "C": "12", "D": "14"}
    assert question_options(LISTED) == {"A": "-2", "B": "2", "C": "3", "D": "9"}
    assert question_options("Nearest to 1?  (a) 0.3  (b) -4  (c) k") == {"A": "0.3", "B": "-4", "C": "k"}
    assert question_options("范围是（）\nA.1<m<2  B.2<m<3  C.3<m<4") == {"A": "1<m<2", "B": "2<m<3", "C": "3<m<4"}
    assert question_options("Find x. Then find y.") is None
    assert question_options(None) is None


def test_letters() -> None:
    assert gold_choice("(C) Dana") == ("C", "Dana")
    assert gold_choice("B") == ("B", None)
    assert gold_choice("(a) x = 1, (b) y = 2") is None  # two parts' answers, not an option
    assert gold_choice("42") is None
    assert candidate_letter("D) 14") == "D" and candidate_letter("B and C") is None
    assert letter_prefix("(b) -17/11") == ("B", "-17/11") and letter_prefix("x = 2") is None
    assert pick_choice("It isn't A. Nor B. The answer: C") == "C"
    assert pick_choice("A tree grows. It has to be D") == "D"  # "A tree": the article
    assert pick_choice("A or C") is None


def test_question_values() -> None:
    q = "Let u be 12/(-4). Let v = u - -5. Suppose 3*w = v + 4. Let z(k) = k + 1. Let y be z(2)."
    assert {k: str(v) for k, v in question_values(q).items()} == {"u": "-3", "v": "2", "w": "2"}
    # words, functions and unknown names are not read
    assert question_values("Let n be the number of sides. Let k = n + 1.") == {}
    assert question_values("What is 2 + 2?") == {}
    assert picked_side(("a", ">", "b"), "Which is smaller: a or b?") == "b"
    assert picked_side(("a", ">", "c"), "Which is smaller: a or b?") is None


def test_extraction_helpers() -> None:
    assert extract_answer("No, it is odd: 15 = 3 \\times 5.", yes_no=True) == ("no", "trailing")
    assert extract_answer("It is the 11th term.") == ("11", "trailing")
    assert extract_answer(r"$\boxed{1} \text{ (first root) and } \boxed{2}$", several=True) == ("1, 2", "boxed")
    assert extract_answer(r"$\boxed{1} \text{ (first root) and } \boxed{2}$") == ("2", "boxed")


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------


def test_calibration_only_lowers_and_follows_the_table() -> None:
    for (reason, verdict), cap in calibration.CAPS.items():
        assert 0.0 <= cap <= 1.0
        assert calibrated(reason, verdict, 0.95) == round(min(0.95, cap), 2)
        assert calibrated(reason, verdict, 0.3) <= 0.3
    assert calibrated("string_match", True, 1.0) == 1.0  # the gold itself: not capped
    assert calibrated("some_reason_never_seen", False, 0.95) == calibration.RARE_CAP
    assert calibrated("exact_mismatch", False, 0.95) == 0.95


def test_cap_rules() -> None:
    # measured kinds: the Wilson lower bound; a >= 0.9 takes evidence
    assert cap_for("symbolic_match", 100, 100) == 0.96
    assert cap_for("symbolic_match", 25, 25) == 0.86
    # rare kinds: at most RARE_CAP, lower when they have been wrong
    assert cap_for("shape_mismatch", 5, 5) == calibration.RARE_CAP
    assert cap_for("shape_mismatch", 1, 3) < 0.7
    # ... unless an exact comparison that has not been wrong yet
    assert cap_for("base_mismatch", 4, 4) == 1.0
    assert cap_for("base_mismatch", 3, 4) < 0.9


def test_no_answer_is_sure_only_when_nothing_could_be_an_answer(mv: MathVerifier) -> None:
    assert _clearly_unanswered("", "12") and _clearly_unanswered("I could not work this out.", "12")
    assert not _clearly_unanswered("We get 3 groups of 4 and then it gets confusing", "12")
    empty = mv.verify("I could not work this out.", "12")
    assert not empty.is_verified and empty.confidence == NO_ANSWER_CLEAR and empty.details["reason"] == "no_answer"
    unclear = mv.verify("We get 3 groups of 4 and then it gets confusing -", "12")
    assert not unclear.is_verified and unclear.details["reason"] == "no_answer" and unclear.confidence < 0.7


def test_uncalibrated_verifier_reports_the_layers_own_confidence() -> None:
    raw = MathVerifier(inline=True, calibrate=False).verify(boxed(r"(2, \infty)"), r"x > 2")
    cal = MathVerifier(inline=True).verify(boxed(r"(2, \infty)"), r"x > 2")
    assert raw.details["reason"] == cal.details["reason"] == "interval_match"
    assert raw.confidence == 0.95 and cal.confidence == calibration.CAPS[("interval_match", True)]


def test_committed_table_is_what_the_tuning_data_gives() -> None:
    """bench/math_calibration.py --write re-derives CAPS; this fails when the verifier changed since."""
    mv = MathVerifier(inline=True, calibrate=False)
    counts: dict[tuple[str, bool], list[int]] = {}
    for name in ("math_outside.jsonl", "math_pairs.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            context = {k: row[k] for k in ("question", "final_answer") if k in row}
            r = mv.verify(row["candidate"], row["gold"], **context)
            reason = r.details["reason"]
            if reason in calibration.UNCAPPED or (
                reason == "no_answer" and _clearly_unanswered(row["candidate"], gold_answer(row["gold"]))
            ):
                continue
            cell = counts.setdefault((reason, r.is_verified), [0, 0])
            cell[0] += r.is_verified == row["label"]
            cell[1] += 1
    expected = {key: cap_for(key[0], ok, n) for key, (ok, n) in counts.items()}
    assert expected == calibration.CAPS
    for (reason, verdict), (_, n) in counts.items():
        if not verdict and n < calibration.MIN_MEASURED and reason not in calibration.EXACT_REASONS:
            # a mismatch kind seen fewer than MIN_MEASURED times is never sure
            assert calibration.CAPS[(reason, verdict)] < 0.9, reason
