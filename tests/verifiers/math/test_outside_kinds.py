"""The kinds of miss an outside evaluation found, each with its right forms and its near misses.

1 relations vs intervals, 2 labelled values vs bare lists, 3 integer-parameter families, 4 sentence
answers, 5 notation (circled numerals, ordinals, mixed numbers, degree marks, percent precision),
6 number words and units, 7 robustness (ellipsis sums, long sums, huge interval endpoints).
Kinds 1-6 run inline for speed; kind 7 goes through the worker pool, where a crash would show.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.verifiers.math.cases import Case, boxed, check_case
from verifiers.math.extract import extract_answer
from verifiers.math.magnitude import log10_of_huge, same_huge
from verifiers.math.numwords import from_words, number_phrases, words_value
from verifiers.math.params import strip_qualifier
from verifiers.math.series import series_sum
from verifiers.math.verifier import MathVerifier


@pytest.fixture(scope="module")
def mv() -> MathVerifier:
    # The comparison layers' own confidences; test_tuning_kinds.py checks what calibration makes of them.
    return MathVerifier(inline=True, calibrate=False)




RELATIONS: list[Case] = [
    (boxed(r"x \ge -1"), r"[-1, \infty)", None, True, "interval_match", (0.95, 0.95)),
    (boxed(r"0 < t \le 3"), r"(0, 3]", None, True, "interval_match", (0.95, 0.95)),
    (boxed(r"y < 0 \text{ or } y = 4"), r"(-\infty, 0) \cup \{4\}", None, True, "interval_match", (0.95, 0.95)),
    (boxed("y < 0 or y = 4"), r"(-\infty, 0) \cup \{4\}", None, True, "interval_match", (0.95, 0.95)),
    (boxed(r"y < 0 \lor y = 4"), r"(-\infty, 0) \cup \{4\}", None, True, "interval_match", (0.95, 0.95)),
    (boxed(r"y = 4 \text{ or } y < 0"), r"\{4\} \cup (-\infty, 0)", None, True, "interval_match", (0.95, 0.95)),
    # the other way round: interval candidate, relation gold
    (boxed(r"(-\infty, 0) \cup \{4\}"), r"y < 0 \text{ or } y = 4", None, True, "interval_match", (0.95, 0.95)),
    (boxed(r"[-1, \infty)"), r"x \ge -1", None, True, "interval_match", (0.95, 0.95)),
    (boxed(r"(0, 3]"), r"0 < t \le 3", None, True, "interval_match", (0.95, 0.95)),
    # "and" between two bounds is an intersection, i.e. a chain
    (boxed(r"t > 0 \text{ and } t \le 3"), r"(0, 3]", None, True, "interval_match", (0.95, 0.95)),
    (boxed(r"t > 0 \land t \le 3"), r"(0, 3]", None, True, "interval_match", (0.95, 0.95)),
    (boxed(r"-1 \le x \text{ and } x < 2"), r"[-1, 2)", None, True, "interval_match", (0.95, 0.95)),
    # wrong endpoints or openness
    (boxed(r"x > -1"), r"[-1, \infty)", None, False, "bracket_mismatch", (0.9, 0.9)),
    (boxed(r"0 \le t \le 3"), r"(0, 3]", None, False, "bracket_mismatch", (0.9, 0.9)),
    (boxed(r"t > 0 \text{ and } t < 3"), r"(0, 3]", None, False, "bracket_mismatch", (0.9, 0.9)),
    (boxed(r"y \le 0 \text{ or } y = 4"), r"(-\infty, 0) \cup \{4\}", None, False, "bracket_mismatch", (0.9, 0.9)),
    (boxed(r"y < 0 \text{ or } y = 5"), r"(-\infty, 0) \cup \{4\}", None, False, "endpoint_mismatch", (0.9, 0.9)),
    (boxed(r"y < 0"), r"(-\infty, 0) \cup \{4\}", None, False, "interval_mismatch", (0.9, 0.9)),
    (boxed(r"(-\infty, 0) \cup \{4, 5\}"), r"y < 0 \text{ or } y = 4", None, False, "interval_mismatch", (0.9, 0.9)),
    # two unknowns are not one set of reals
    (boxed("x < 1, y > 2"), r"(-\infty, 1) \cup (2, \infty)", None, False, None, (0.0, 1.0)),
]

LABELS: list[Case] = [
    (
        boxed(r"\text{Smallest} = 3, \text{Largest} = 9"),
        "3, 9",
        "Find the smallest and largest values of f on [0, 4].",
        True,
        "labels_dropped",
        (0.8, 0.8),
    ),
    # labels in the other order than the question names them: the question's order decides
    (boxed(r"\text{Largest} = 9, \text{Smallest} = 3"), "3, 9", "Find the smallest and largest values.", True,
     "labels_dropped", (0.8, 0.8)),
    (boxed(r"\text{min} = 3, \text{max} = 9"), "3, 9", "What are the minimum and maximum of f?", True,
     "labels_dropped", (0.8, 0.8)),
    ("Anna: 5, Ben: 8", "5, 8", "How many apples do Anna and Ben have?", True, "labels_dropped", (0.8, 0.8)),
    (boxed(r"\text{Anna: } 5, \text{Ben: } 8"), "5, 8", "How many apples do Anna and Ben have?", True,
     "labels_dropped", (0.8, 0.8)),
    ("Final answer: the minimum is 3 and the maximum is 9", "3, 9", "Find the minimum and maximum.", True,
     "labels_dropped", (0.8, 0.8)),
    # a closing sentence: trailing extraction keeps its own cap
    ("Checking both ends. The minimum is 3 and the maximum is 9.", "3, 9", "Find the minimum and maximum.", True,
     "labels_dropped", (0.6, 0.6)),
    (boxed(r"3 \text{ and } 9"), "3, 9", None, True, "set_match", (0.95, 0.95)),
    # no question: the written order is all there is, and it is a weaker match
    (boxed(r"\text{Smallest} = 3, \text{Largest} = 9"), "3, 9", None, True, "labels_dropped_written_order",
     (0.7, 0.7)),
    # a set-valued question: any order
    ("First root = 9, second root = 3", "3, 9", "Find all solutions of x^2 - 12x + 27 = 0.", True,
     "labels_dropped_unordered", (0.8, 0.8)),
    # near misses: a wrong value, or values swapped against the question's order
    (boxed(r"\text{Smallest} = 3, \text{Largest} = 8"), "3, 9", "Find the smallest and largest values.", False,
     "element_mismatch", (0.5, 0.9)),
    (boxed(r"\text{Smallest} = 9, \text{Largest} = 3"), "3, 9", "Find the smallest and largest values.", False,
     "element_mismatch", (0.5, 0.9)),
    (boxed(r"\text{Smallest} = 3, \text{Largest} = 9"), "9, 3", "Find the smallest and largest values.", False,
     "element_mismatch", (0.5, 0.9)),
    ("Anna: 5, Ben: 8", "5, 8", "How many apples do Ben and Anna have?", False, "element_mismatch", (0.5, 0.9)),
    ("Checking both ends. The minimum is 3 and the maximum is 8.", "3, 9", "Find the minimum and maximum.", False,
     None, (0.0, 0.6)),
    ("First root = 9, second root = 4", "3, 9", "Find all solutions.", False, "element_mismatch", (0.5, 0.9)),
]

PARAMETERS: list[Case] = [
    # a letter read as an integer by convention (its family has a period in pi): a little less sure
    (boxed(r"\frac{\pi}{4} + m\pi"), r"\frac{\pi}{4} + j\pi", None, True, "parameter_renamed", (0.85, 0.85)),
    # a declared parameter
    (boxed(r"\frac{\pi}{4} + k\pi, k\in\mathbb{Z}"), r"\frac{\pi}{4} + n\pi", None, True, "parameter_renamed",
     (0.9, 0.9)),
    (boxed(r"x = \frac{\pi}{4} + m\pi \text{ for some integer } m"), r"\frac{\pi}{4} + j\pi", None, True,
     "parameter_renamed", (0.9, 0.9)),
    (boxed(r"\frac{\pi}{4} + n\pi, \text{ where } n \text{ is an integer}"), r"\frac{\pi}{4} + k\pi", None, True,
     "parameter_renamed", (0.9, 0.9)),
    (boxed(r"\frac{\pi}{4} + k\pi \ (k \in \mathbb{Z})"), r"\frac{\pi}{4} + n\pi", None, True, "parameter_renamed",
     (0.9, 0.9)),
    (boxed(r"x = 2k\pi"), r"2n\pi", None, True, "parameter_renamed", (0.85, 0.85)),
    (boxed(r"2k+1, k \in \mathbb{Z}"), "2n+1", None, True, "parameter_renamed", (0.9, 0.9)),
    # another member of the same family written first, or the parameter counted the other way
    (boxed(r"\frac{5\pi}{4} + n\pi"), r"\frac{\pi}{4} + k\pi", None, True, "parameter_shift", (0.85, 0.85)),
    (boxed(r"\frac{\pi}{4} - n\pi"), r"\frac{\pi}{4} + k\pi", None, True, "parameter_shift", (0.85, 0.85)),
    (boxed(r"\frac{\pi}{6} + 2n\pi, \frac{5\pi}{6} + 2n\pi"), r"\frac{\pi}{6} + 2k\pi, \frac{5\pi}{6} + 2k\pi", None,
     True, "set_match", (0.85, 0.85)),
    (boxed(r"x = \frac{\pi}{6} + 2n\pi \text{ or } x = \frac{5\pi}{6} + 2n\pi, n \in \mathbb{Z}"),
     r"\frac{\pi}{6} + 2k\pi, \frac{5\pi}{6} + 2k\pi", None, True, "set_match", (0.9, 0.9)),
    # different periods or offsets
    (boxed(r"\frac{\pi}{4} + 2k\pi"), r"\frac{\pi}{4} + k\pi", None, False, "parameter_mismatch", (0.9, 0.9)),
    (boxed(r"\frac{\pi}{4} + \frac{n\pi}{2}"), r"\frac{\pi}{4} + k\pi", None, False, "parameter_mismatch", (0.9, 0.9)),
    (boxed(r"\frac{\pi}{2} + n\pi"), r"\frac{\pi}{4} + k\pi", None, False, "parameter_mismatch", (0.9, 0.9)),
    (boxed(r"\frac{\pi}{4} + 2m\pi, m \in \mathbb{Z}"), r"\frac{\pi}{4} + k\pi", None, False, "parameter_mismatch",
     (0.9, 0.9)),
    # without a period or a declaration a renamed letter is a different variable
    (boxed("2k+1"), "2n+1", None, False, None, (0.0, 1.0)),
    (boxed("x+1"), "y+1", None, False, None, (0.0, 1.0)),
]

SENTENCES: list[Case] = [
    ("Playing the strategy out, the second player wins the game.", "second player", None, True,
     "phrase_in_sentence", (0.5, 0.5)),
    ("The second player wins the game.", "second player", None, True, "phrase_in_sentence", (0.5, 0.5)),
    ("Final Answer: The second player wins.", "second player", None, True, "phrase_in_sentence", (0.5, 0.5)),
    (boxed(r"\text{The second player wins}"), r"\text{second player}", None, True, "phrase_in_sentence",
     (0.5, 0.5)),
    (boxed(r"\text{Second player}"), "second player", None, True, "string_match", (1.0, 1.0)),
    ("The first player wins the game.", "second player", None, False, "text_mismatch", (0.0, 0.5)),
    ("The second player loses the game.", "second player", None, False, "text_mismatch", (0.0, 0.5)),
    ("In the end the second player cannot win.", "second player", None, False, "text_mismatch", (0.0, 0.5)),
    ("Final Answer: The first player wins.", "second player", None, False, "text_mismatch", (0.0, 0.5)),
    # hedging between answers is not choosing one
    ("Final Answer: The first player or the second player wins.", "second player", None, False, "text_mismatch",
     (0.0, 0.5)),
    (boxed(r"\text{rhombus and square}"), r"\text{rhombus}", None, False, "text_mismatch", (0.0, 0.5)),
    (boxed(r"\text{The figure is a rhombus}"), r"\text{rhombus}", None, True, "phrase_in_sentence", (0.5, 0.5)),
]

NOTATION: list[Case] = [
    # circled numerals: a multi-select answer
    (boxed("①④"), "14", None, True, "circled_choices", (0.85, 0.85)),
    (boxed("①④"), "1,4", None, True, "circled_choices", (0.9, 0.9)),
    (boxed(r"\textcircled{1}\textcircled{4}"), "1, 4", None, True, "circled_choices", (0.9, 0.9)),
    (boxed("①, ④"), "①④", None, True, "circled_choices", (0.9, 0.9)),
    (boxed("①③"), "14", None, False, "circled_mismatch", (0.9, 0.9)),
    (boxed("①④"), "1", None, False, "circled_mismatch", (0.9, 0.9)),
    # ordinals
    (boxed("3^{rd}"), "3", None, True, "string_match", (1.0, 1.0)),
    (boxed("3rd"), "3", None, True, "string_match", (1.0, 1.0)),
    (boxed(r"21^{\text{st}}"), "21", None, True, "string_match", (1.0, 1.0)),
    (boxed(r"2^{nd}"), "2", None, True, "string_match", (1.0, 1.0)),
    (boxed("3^{rd}"), "4", None, False, "exact_mismatch", (0.95, 0.95)),
    # mixed numbers: juxtaposed proper fraction = mixed number; explicit operator or improper = product
    (boxed(r"2\frac{3}{8}"), r"\frac{19}{8}", None, True, "exact_match", (0.95, 0.95)),
    (boxed(r"2 \frac{3}{8}"), r"\frac{19}{8}", None, True, "exact_match", (0.95, 0.95)),
    (boxed(r"2\cdot\frac{3}{8}"), r"\frac{3}{4}", None, True, "exact_match", (0.95, 0.95)),
    (boxed(r"2\cdot\frac{3}{8}"), r"\frac{19}{8}", None, False, "exact_mismatch", (0.95, 0.95)),
    (boxed(r"2\frac{9}{8}"), r"\frac{9}{4}", None, True, "exact_match", (0.95, 0.95)),
    # degree marks
    (boxed(r"30\textcirc"), "30", None, True, "degree_sign", (0.85, 0.85)),
    (boxed(r"30^{\circ}"), "30", None, True, "degree_sign", (0.85, 0.85)),
    (boxed(r"30^\circ"), "30", None, True, "degree_sign", (0.85, 0.85)),
    (boxed("30°"), "30", None, True, "degree_sign", (0.85, 0.85)),
    (boxed("30^"), "30", None, True, "degree_sign", (0.85, 0.85)),
    (boxed("30^"), r"\frac{\pi}{6}", None, True, "degrees_radians", (0.85, 0.85)),
    (boxed(r"31\textcirc"), "30", None, False, "exact_mismatch", (0.85, 0.85)),
    # percent to the precision written
    (boxed(r"33.3\%"), r"33.33\%", None, True, "within_written_precision", (0.85, 0.85)),
    (boxed(r"33.33\%"), r"33.3\%", None, True, "within_written_precision", (0.85, 0.85)),
    (boxed(r"33.3\%"), r"\frac{100}{3}\%", None, True, "within_written_precision", (0.85, 0.85)),
    (boxed(r"\frac{100}{3}\%"), r"33.3\%", None, True, "within_gold_precision", (0.8, 0.8)),
    (boxed(r"33.4\%"), r"\frac{100}{3}\%", None, False, "outside_written_precision", (0.9, 0.9)),
    (boxed(r"33.2\%"), r"33.33\%", None, False, "outside_written_precision", (0.9, 0.9)),
]

WORDS: list[Case] = [
    (boxed("one and a half"), "3/2", None, True, "number_words", (0.85, 0.85)),
    (boxed("two and three quarters"), r"\frac{11}{4}", None, True, "number_words", (0.85, 0.85)),
    (boxed("minus three"), "-3", None, True, "number_words", (0.85, 0.85)),
    (boxed("forty-two"), "42", None, True, "number_words", (0.85, 0.85)),
    (boxed("one hundred and five"), "105", None, True, "number_words", (0.85, 0.85)),
    (boxed("a third"), r"\frac{1}{3}", None, True, "number_words", (0.85, 0.85)),
    (boxed("1.5 apples"), "1.5", None, True, "bare_number_vs_unit", (0.7, 0.7)),
    (boxed(r"1.5 \text{ apples}"), "1.5", None, True, "bare_number_vs_unit", (0.7, 0.7)),
    (boxed("twelve apples"), "12", None, True, "number_words", (0.7, 0.7)),
    ("Each friend gets one and a half, naturally.", r"\frac{3}{2}", None, True, "number_words", (0.6, 0.6)),
    ("The answer is one and a half apples.", "1.5", None, True, "number_words", (0.7, 0.7)),
    # near misses
    (boxed("one and a quarter"), "3/2", None, False, "exact_mismatch", (0.9, 1.0)),
    (boxed("1.6 apples"), "1.5", None, False, "magnitude_mismatch", (0.9, 0.9)),
    (boxed("thirteen apples"), "12", None, False, "magnitude_mismatch", (0.9, 0.9)),
    ("Each friend gets two and a half, naturally.", r"\frac{3}{2}", None, False, None, (0.0, 0.6)),
    (boxed(r"\text{none}"), r"\text{zero solutions}", None, False, "text_mismatch", (0.0, 0.4)),
]




@pytest.mark.parametrize("case", RELATIONS)
def test_relations_against_intervals(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", LABELS)
def test_labelled_values_against_bare_lists(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", PARAMETERS)
def test_integer_parameter_families(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", SENTENCES)
def test_sentence_answers_go_to_the_judge(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", NOTATION)
def test_notation(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


@pytest.mark.parametrize("case", WORDS)
def test_number_words_and_units(mv: MathVerifier, case: Case) -> None:
    check_case(mv, case)


def test_guessy_paths_stay_below_sure() -> None:
    """Every verdict reached by dropping labels, reading words or a sentence is below 0.9."""
    guessy = {"labels_dropped", "labels_dropped_unordered", "labels_dropped_written_order", "number_words",
              "phrase_in_sentence"}
    for case in LABELS + SENTENCES + WORDS:
        if case[3] and case[4] in guessy:
            assert case[5][1] < 0.9, case


# ---------------------------------------------------------------------------------------------
# The helpers, directly
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("one and a half", Fraction(3, 2)),
        ("two and three quarters", Fraction(11, 4)),
        ("a half", Fraction(1, 2)),
        ("one third", Fraction(1, 3)),
        ("minus forty-two", Fraction(-42)),
        ("negative one half", Fraction(-1, 2)),
        ("two thousand three hundred", Fraction(2300)),
        ("one million", Fraction(10**6)),
        ("two point five", Fraction(5, 2)),
        ("zero", Fraction(0)),
        ("three five", None),  # two numbers
        ("three and five", None),  # a list, not one number
        ("third", None),  # an ordinal on its own
        ("a", None),
        ("second player", None),
    ],
)
def test_number_words(text: str, value: Fraction | None) -> None:
    assert words_value(text) == value


def test_number_phrases_in_a_sentence() -> None:
    assert number_phrases("So she has one and a half, naturally.") == [("one and a half", Fraction(3, 2))]
    assert [p for p, _ in number_phrases("A dog and a cat met one friend and two enemies.")] == ["one", "two"]
    assert from_words("zero solutions") == (r"0 \text{ solutions}", True)
    assert from_words("three") == ("three", False)  # left to the existing single-word path


def test_extraction_of_stated_lists() -> None:
    # Only when the gold is a list does a closing sentence stand for all its values.
    text = "Checking both ends. The minimum is 3 and the maximum is 9."
    assert extract_answer(text, several=True) == ("The minimum is 3 and the maximum is 9", "trailing")
    assert extract_answer(text) == ("9", "trailing")
    assert extract_answer("So the values are 3 and 9.", several=True) == ("3 and 9", "trailing")
    assert extract_answer("Anna: 5, Ben: 8", several=True) == ("Anna: 5, Ben: 8", "whole")


@pytest.mark.parametrize(
    ("text", "body", "param"),
    [
        (r"\frac{\pi}{4} + k\pi, k\in\mathbb{Z}", r"\frac{\pi}{4} + k\pi", "k"),
        (r"\frac{\pi}{4} + m\pi \text{ for some integer } m", r"\frac{\pi}{4} + m\pi", "m"),
        (r"2n\pi, \text{ where } n \text{ is an integer}", r"2n\pi", "n"),
        (r"k\pi, k = 0, \pm 1, \pm 2, \ldots", r"k\pi", "k"),
        (r"\frac{\pi}{4} + k\pi", r"\frac{\pi}{4} + k\pi", None),
        (r"x \in \mathbb{Z}", r"x \in \mathbb{Z}", None),  # nothing before the clause: no family
    ],
)
def test_integer_qualifiers(text: str, body: str, param: str | None) -> None:
    assert strip_qualifier(text) == (body, param)


def test_series_closed_forms() -> None:
    assert series_sum(r"1 + 2 + 3 + \ldots + 1000").value == 500500
    assert series_sum(r"1 + 2 + 4 + \ldots + 2^{10}").value == 2047
    assert series_sum(r"\frac12 + \frac14 + \frac18 + \ldots + \frac{1}{1024}").value == Fraction(1023, 1024)
    assert not series_sum(r"1 + 2 + \ldots + 1000").certain  # two terms could start other progressions
    assert series_sum(r"1 + 2 + 3 + \ldots + n") is None
    assert series_sum(r"2 + 4 + \ldots + 7") is None  # 7 is not a term
    assert series_sum(r"1 - 2 + 3 + \ldots + 9") is None


def test_huge_numbers_by_their_logarithm() -> None:
    a, b = log10_of_huge("10^{10^{10}}"), log10_of_huge("10^{10000000000}")
    assert a is not None and b is not None and same_huge(a, b)
    c = log10_of_huge("2^{10^{10}}")
    assert c is not None and not same_huge(a, c)
    assert log10_of_huge("10^{10^{10^{10}}}") is None  # its exponent cannot be built either


# ---------------------------------------------------------------------------------------------
# Kind 7, through the pool: a verdict every time, never an exception or a dead worker
# ---------------------------------------------------------------------------------------------

LONG_SUM = "+".join(str(i) for i in range(1, 2001))

ROBUST: list[Case] = [
    (boxed(r"1 + 2 + 3 + \cdots + 1000"), "500500", None, True, "series_sum", (0.9, 0.9)),
    (boxed(r"1 + 2 + \ldots + 1000"), "500500", None, True, "series_sum", (0.8, 0.8)),
    (boxed("500500"), r"1 + 2 + 3 + \cdots + 1000", None, True, "series_sum", (0.9, 0.9)),
    (boxed(r"1 + 2 + 3 + \cdots + 1000 = 500500"), "500500", None, True, None, (0.95, 1.0)),
    (boxed(r"1 + 2 + 3 + \cdots + 1000"), "500501", None, False, "exact_mismatch", (0.9, 1.0)),
    (boxed(r"1 + 2 + 4 + \cdots + 1024"), "2047", None, True, "series_sum", (0.9, 0.9)),
    (boxed(r"1 + 2 + 3 + \cdots + n"), r"\frac{n(n+1)}{2}", None, False, "unresolved_series", (0.0, 0.3)),
    (boxed(LONG_SUM), "2001000", None, True, "exact_match", (0.95, 0.95)),
    (boxed(LONG_SUM), "2001001", None, False, "exact_mismatch", (0.95, 0.95)),
    (boxed(r"[0, 10^{10^{10}})"), r"[0, 10^{10^{10}})", None, True, "string_match", (1.0, 1.0)),
    (boxed(r"x \in [0, 10^{10^{10}})"), r"[0, 10^{10^{10}})", None, True, "interval_match", (0.85, 0.85)),
    (boxed(r"0 \le x < 10^{10^{10}}"), r"[0, 10^{10^{10}})", None, True, "interval_match", (0.85, 0.85)),
    (boxed(r"[0, 10^{10^{10}})"), r"[0, 10^{10000000000})", None, True, "interval_match", (0.85, 0.85)),
    (boxed(r"[0, 10^{10^{10}})"), r"[0, 5)", None, False, "endpoint_mismatch", (0.9, 0.9)),
    (boxed(r"[0, 2^{10^{10}})"), r"[0, 10^{10^{10}})", None, False, "endpoint_mismatch", (0.9, 0.9)),
    (boxed(r"[0, \infty)"), r"[0, 10^{10^{10}})", None, False, "endpoint_mismatch", (0.9, 0.9)),
    (boxed(r"[0, 10^{10^{10}}]"), r"[0, 10^{10^{10}})", None, False, "bracket_mismatch", (0.9, 0.9)),
]


@pytest.fixture(scope="module")
def pooled() -> MathVerifier:
    return MathVerifier(calibrate=False)


@pytest.mark.parametrize("case", ROBUST)
def test_long_and_huge_answers_get_a_verdict(pooled: MathVerifier, case: Case) -> None:
    check_case(pooled, case)


def test_undecidable_huge_answers_are_low_confidence_with_a_reason(pooled: MathVerifier) -> None:
    # A tower whose exponent is itself too large stays undecided: a verdict, not a crash.
    r = pooled.verify(boxed(r"[0, 10^{10^{10^{10}}})"), r"[0, 5)")
    assert not r.is_verified and r.confidence <= 0.1 and r.details["reason"] == "too_large"
    # Parentheses nested past the recursion limit: an error verdict from the worker, which survives.
    deep = "(" * 3000 + "1" + ")" * 3000
    r = pooled.verify(boxed(deep), "1")
    assert not r.is_verified and r.confidence <= 0.3 and r.details["reason"]
    assert pooled.verify(boxed("2"), "2").is_verified
