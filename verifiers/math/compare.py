"""Compare a candidate answer with the gold answer; runs inside a time-boxed worker process.

Layers, strictest first, each with its own confidence and a reason code (`Verdict.reason`):
normalised string (1.0) -> multiple-choice letter / short text (0.75 match, 0.35 mismatch: the
judge may look) -> shape: collections, intervals and inequalities, equations, functions,
matrices, ratios, sequences, base-b numerals -> per value (math_values / math_units): exact
SymPy equality (0.95), numeric equality at 60 digits (0.9), within the precision the candidate
wrote (0.85), units / percent / degrees (0.6-0.9). Unparseable or undecidable: below 0.4.

Reasons of the readings that are a step removed from the written answer (never >= 0.9 unless exact):
  circled_choices 0.9 (0.85 when "14" is read digit by digit) / circled_mismatch 0.9: ①④ = {1, 4}
  number_words <= 0.85: "one and a half", "twelve apples" read as numbers
  phrase_in_sentence 0.5: the gold phrase inside a sentence answer; the LLM judge decides
  labels_dropped 0.8 (question's or requested order), labels_dropped_unordered 0.8 (set question),
    labels_dropped_written_order 0.7: "Smallest = 3, Largest = 9" against "3, 9"
  parameter_renamed 0.9 (declared k in Z) / 0.85 (k, m, n, j, l by convention), parameter_shift 0.85
    (pi/4 + k pi = 5pi/4 + n pi), parameter_mismatch 0.9
  series_sum 0.9 (three written terms) / 0.8 (two), unresolved_series 0.2: 1 + 2 + ... + 1000
  huge_endpoint_match 0.85 (an interval with it reports interval_match at 0.85): [0, 10^{10^{10}})
  option_text_match/_mismatch <= 0.9: "Alina" for the gold "(D) Alina", or for option D in the question
  option_value_match/_mismatch <= 0.9: the letter "C" read through the question's "A. 20 B. 22 C. 25"
  choice_value_match/_mismatch <= 0.85: "C. 25%" with no options to read C by (the value it writes);
    value_expected 0.3: a bare "C" for a value gold, nothing to read it by
  named_value_match/_mismatch <= 0.85: "j" (or "j > -1" to "which is bigger") for the value the
    question gives j ("Let j = 52 - s"; verifiers.math.definitions)
  decimal_comma <= 0.8: "1,22" = 1.22 (never for "find all solutions" questions)
  time_match/time_mismatch 0.9: 20:34 = 20:34:00 = 08:34 p.m. (when marked as a time or asked for one)
  matrix_expression_match/_mismatch <= 0.85: a written-out sum or product of matrices, evaluated
  not_factored 0.85: "factor ..." answered with the expanded polynomial
  different_variables 0.85: a symbolic mismatch between expressions in different letters

Every confidence here is the layer's own; MathVerifier caps it by what the (reason, verdict) kind
has measured on the tuning data (verifiers/math/calibration.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import sympy

from verifiers.math.choices import candidate_letter, gold_choice, letter_prefix, question_options
from verifiers.math.circled import compare_circled
from verifiers.math.definitions import picked_side, question_values
from verifiers.math.labels import labelled_values, question_order
from verifiers.math.magnitude import Endpoint, endpoint, huge_vs_value, same_huge
from verifiers.math.normalize import (
    NUMBER_WORDS,
    ORDINAL_WORDS,
    clean_latex,
    normalize_connectors,
    plain_text,
    string_key,
)
from verifiers.math.numwords import from_words
from verifiers.math.params import compare_parametric, mentions_parameter, strip_qualifier
from verifiers.math.parse import TooLarge
from verifiers.math.series import has_dots, series_sum
from verifiers.math.shapes import Shape, and_chain, shape, split_relation, top_split
from verifiers.math.units import compare_quantities
from verifiers.math.values import Hints, Verdict, compare_exprs, proportional, sym

MAX_PARSE_CHARS = 1000
# A long answer made only of numbers and arithmetic ("1+2+...+2000" written out) is cheap for our
# parser, which loops rather than recurses over terms; anything else that long is not parsed.
MAX_ARITHMETIC_CHARS = 60000
_ARITHMETIC = re.compile(r"(?:[\d\s+\-*/().{}^]|\\(?:cdot|times|frac|ldots|cdots|dots)(?![a-zA-Z]))*")
# Number words are read exactly, but a phrase is a guess at what the writer meant.
NUMBER_WORDS_CAP = 0.85
# A letter read through the question's list of options, or a value the model wrote after its letter.
OPTION_CAP = 0.9
CHOICE_VALUE_CAP = 0.85
# A name the question defines ("Let j = 52 - s"), read as its value.
NAMED_VALUE_CAP = 0.85
DECIMAL_COMMA_CAP = 0.8
SENTENCE_CONFIDENCE = 0.5


def compare_answers(
    candidate: str, gold: str, hints: dict[str, bool] | None = None, question: str | None = None
) -> dict[str, Any]:
    """Worker entry point: a JSON-able verdict (it crosses a process boundary)."""
    try:
        v = compare(candidate, gold, Hints(**(hints or {}), question=(question or "")[:2000]))
    except TooLarge:
        v = Verdict(False, 0.1, "math_timeout", "too_large")
    except MemoryError:
        # Same failure class as a timeout: too big to decide within budget.
        v = Verdict(False, 0.1, "math_timeout", "memory_limit")
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - a SymPy crash is "undecided", not a crash
        v = Verdict(False, 0.1, "math_error", f"error:{type(exc).__name__}")
    return {"ok": v.ok, "confidence": v.confidence, "method": v.method, "reason": v.reason}


def _too_long(text: str, limit: int) -> bool:
    return len(text) > limit and not (len(text) <= MAX_ARITHMETIC_CHARS and _ARITHMETIC.fullmatch(text))


def compare(candidate: str, gold: str, h: Hints) -> Verdict:
    """The verdict on two extracted answers; also used recursively on elements of collections."""
    if _too_long(candidate, 2 * MAX_PARSE_CHARS) or _too_long(gold, 2 * MAX_PARSE_CHARS):
        return Verdict(candidate.strip() == gold.strip(), 0.3, "math_string", "too_long_to_parse")
    c, g = clean_latex(candidate), clean_latex(gold)
    if string_key(c) == string_key(g):
        return Verdict(True, 1.0, "math_string", "string_match")
    if _too_long(c, MAX_PARSE_CHARS) or _too_long(g, MAX_PARSE_CHARS):
        return Verdict(False, 0.3, "math_string", "too_long_to_parse")
    circled = compare_circled(c, g)
    if circled is not None:
        return circled
    (cw, c_words), (gw, g_words) = from_words(c), from_words(g)
    if (c_words or g_words) and not (c_words != g_words and _text(g if c_words else c) is not None):
        # "one and a half" -> \frac{3}{2}; but "zero solutions" against "none" stays words.
        c, g = cw, gw
        v = compare(c, g, h)
        return Verdict(True, min(v.confidence, NUMBER_WORDS_CAP), v.method, "number_words") if v.ok else v
    choice = _compare_choice(c, g, h)
    if choice is not None:
        return choice
    named = _compare_named(c, g, h)
    if named is not None:
        return named
    tc, tg = _text(c), _text(g)
    if tc is not None and tg is not None:
        ok = tc == tg
        if not ok and _phrase_in_sentence(tg, tc):
            # "The second player wins the game." for "second player": likely, but the judge decides.
            return Verdict(True, SENTENCE_CONFIDENCE, "math_text", "phrase_in_sentence")
        # Two phrasings of one idea ("none" / "no solution") may still agree: let the judge look.
        return Verdict(ok, 0.75 if ok else 0.35, "math_text", "text_match" if ok else "text_mismatch")
    if tc is not None or tg is not None:
        return Verdict(False, 0.8, "math_text", "text_vs_math")
    c, g = _spaced_numbers(c), _spaced_numbers(_gold_interval(g))
    if c.count(r"\begin") >= 2 and g.count(r"\begin") == 1:
        evaluated = _matrix_expression(c)
        if evaluated is not None:
            v = compare(evaluated, g, h)
            return Verdict(v.ok, min(v.confidence, 0.85), v.method, f"matrix_expression_{_outcome(v)}")
    special = _decimal_comma(c, g, h) or _compare_times(c, g, h)
    if special is not None:
        return special
    (c, c_param), (g, g_param) = strip_qualifier(c), strip_qualifier(g)
    if c_param or g_param:
        h = replace(h, params=h.params | {p for p in (c_param, g_param) if p})
    c, g = and_chain(c), and_chain(g)
    labelled = _compare_labelled(c, g, h)
    if labelled is not None:
        return labelled
    cs = shape(normalize_connectors(c), h.interval and not h.point)
    gs = shape(normalize_connectors(g), h.interval and not h.point)
    return _compare_shapes(cs, gs, h)


def _compare_labelled(c: str, g: str, h: Hints) -> Verdict | None:
    """'Smallest = 3, Largest = 9' for the bare list '3, 9': the values, in the question's order."""
    found = labelled_values(c)
    if found is None or labelled_values(g) is not None:
        return None
    gs = shape(normalize_connectors(g))
    if gs.kind not in ("list", "set", "tuple", "pair") or len(gs.items) != len(found):
        return None
    labels, values = [lab for lab, _ in found], [v for _, v in found]
    if gs.kind == "set" or (h.set_answer and not h.ordered):
        return _collection(values, gs.items, False, h, 0.8, "labels_dropped_unordered")
    order = None if h.ordered or not h.question else question_order(labels, h.question)
    if order is not None:
        values = [v for _, v in sorted(zip(order, values, strict=True))]
    elif not h.ordered:
        # Nothing says which order the gold lists them in but the candidate's own.
        return _collection(values, gs.items, True, h, 0.7, "labels_dropped_written_order")
    return _collection(values, gs.items, True, h, 0.8, "labels_dropped")


# ---------------------------------------------------------------------------------------------
# Words: multiple choice, text answers
# ---------------------------------------------------------------------------------------------

_BARE_LETTER = re.compile(r"^\(?([A-Ea-e])\)?$")
_NAME = re.compile(r"^[a-zA-Z]$")
_REL_OP = re.compile(r"<|>|\\[lg]e(?![a-zA-Z])")
_WORDS = re.compile(r"^[A-Za-z][A-Za-z' -]*[A-Za-z]$")
_MATH_WORDS = {"sin", "cos", "tan", "log", "ln", "exp", "sqrt", "pi", "and", "or"}
_ARTICLES = re.compile(r"^(?:a|an|the)\s+")
_EMPTY = {"no solution", "no solutions", "no real solution", "no real solutions", "none", "empty set"}
_EMPTY_MATH = re.compile(r"^(?:\\emptyset|\\varnothing|\\\{\s*\\\}|\{\s*\})$")
# A sentence that names the gold but says the opposite ("the second player cannot win").
_NEGATION = re.compile(r"\b(?:not|no|never|cannot|neither|nor|lose|loses|lost|fails?|\w+n't)\b", re.I)


# "rhombus or square", "rhombus and square": naming the gold among others is hedging, not answering.
_HEDGE = re.compile(r"\b(?:or|either|and)\b", re.I)


def _phrase_in_sentence(phrase: str, sentence: str) -> bool:
    """The gold phrase stands, once and as whole words, in a longer sentence with no negation."""
    if len(sentence.split()) <= len(phrase.split()) or _NEGATION.search(sentence):
        return False
    if _HEDGE.search(sentence) and not _HEDGE.search(phrase):
        return False
    return len(re.findall(rf"\b{re.escape(phrase)}\b", sentence)) == 1


def _compare_choice(c: str, g: str, h: Hints) -> Verdict | None:
    """Option letters: letter for letter, a letter for the option's value, the option's text for a letter."""
    gold = gold_choice(g)
    if gold is not None:
        letter, text = gold
        got = candidate_letter(c)
        if got is not None:
            return Verdict(got == letter, 0.95, "math_string", "choice_match" if got == letter else "choice_mismatch")
        text = text or (question_options(h.question) or {}).get(letter)
        if text is None:
            # The model may have written the option's value; only the question's options could tell.
            return Verdict(False, 0.3, "math_string", "choice_expected")
        # "(D) Alina" answered "Alina", or "B" answered with what option B says.
        v = compare(c, text, h)
        return Verdict(v.ok, min(v.confidence, OPTION_CAP), v.method, f"option_text_{_outcome(v)}")
    prefix = letter_prefix(c)
    bare = _BARE_LETTER.match(plain_text(c))
    if prefix is None and bare is None:
        return None
    letter = prefix[0] if prefix else bare.group(1).upper()  # type: ignore[union-attr]
    options = question_options(h.question)
    written = prefix[1] if prefix else ""
    if options and letter in options and (not written or compare(written, options[letter], h).ok):
        if bare is not None and bare.group(1).islower() and bare.group(1) in options.values():
            return None  # "c" among options "(a) c (b) 2 (c) 5": a name or a letter?
        # "C" or "C. 25%" for the value option C stands for (a value written after the letter must be
        # that option's: "(b) 5" in a question whose parts are (a) and (b) is not option B).
        v = compare(options[letter], g, h)
        return Verdict(v.ok, min(v.confidence, OPTION_CAP), v.method, f"option_value_{_outcome(v)}")
    if written:
        # "C. 25%" with no list of options to check the letter against: the value it writes.
        v = compare(written, g, h)
        return Verdict(v.ok, min(v.confidence, CHOICE_VALUE_CAP), v.method, f"choice_value_{_outcome(v)}")
    if bare is not None and bare.group(1).isupper() and not options:
        # A bare option letter for a value gold, and no options to read it by.
        return Verdict(False, 0.3, "math_string", "value_expected")
    return None


def _outcome(v: Verdict) -> str:
    return "match" if v.ok else "mismatch"


def _compare_named(c: str, g: str, h: Hints) -> Verdict | None:
    """"j" (or "j > -1" to "which is bigger: -1 or j?") for the value the question gives j."""
    if not h.question or not (_NAME.match(c) or _REL_OP.search(c)):
        return None
    name = c.strip()
    if not _NAME.match(name):
        parts, ops = split_relation(c)
        if len(ops) != 1 or ops[0] not in ("<", ">", r"\le", r"\ge"):
            return None
        side = picked_side((parts[0], ops[0], parts[1]), h.question)
        if side is None:
            return None
        name = side
    if _NAME.match(name):
        values = question_values(h.question)
        if name not in values or _NAME.match(g.strip()):
            return None
        name = str(values[name])
    v = compare(name, g, h)
    return Verdict(v.ok, min(v.confidence, NAMED_VALUE_CAP), v.method, f"named_value_{_outcome(v)}")


# ---------------------------------------------------------------------------------------------
# Written forms: decimal commas, space-separated lists, clock times, "relation: interval" golds
# ---------------------------------------------------------------------------------------------

_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")
_DOT_NUMBER = re.compile(r"^-?(?:\d+\.\d+|\d+)$")
_SPACED = re.compile(r"^-?\d+(?:\.\d+)?(?:\s+-?\d+(?:\.\d+)?)+$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:(a)|(p))?(?:\.?\s*m\.?)?$", re.I)
_TIME_WORDS = re.compile(r"\btime\b|o'clock|\bclock\b|\b[ap]\.?m\.?(?!\w)|\bwhat hour\b", re.I)


def _decimal_comma(c: str, g: str, h: Hints) -> Verdict | None:
    """'1,22' for 1.22 (a decimal comma; '1,220' is a thousands separator, already read as 1220)."""
    if h.set_answer:
        return None  # "find all solutions": "3,5" is two answers
    for a, b in ((c, g), (g, c)):
        if _COMMA_DECIMAL.match(a) and _DOT_NUMBER.match(b) and "." in b:
            v = compare(a.replace(",", "."), b, h)
            if v.ok:
                return Verdict(True, min(v.confidence, DECIMAL_COMMA_CAP), v.method, "decimal_comma")
    return None


def _spaced_numbers(s: str) -> str:
    """'6 4 0' is the list 6, 4, 0 (never the product 6*4*0)."""
    return re.sub(r"\s+", ", ", s) if _SPACED.match(s) else s


def _gold_interval(g: str) -> str:
    """'x<-7:(-\\infty,-7)': a gold that gives the set twice, as a relation and as an interval."""
    if ":" not in g:
        return g
    parts = top_split(g, ":")
    if len(parts) == 2 and split_relation(parts[0])[1] and shape(parts[1]).kind == "interval":
        return parts[1]
    return g


_MATRIX_LITERAL = re.compile(r"\\begin\{([pbvB]?matrix)\}(.*?)\\end\{\1\}", re.S)
_MATRIX_OP = re.compile(r"^\s*(\+|-|\\cdot|\\times|\*)?\s*$")


def _matrix_expression(s: str) -> str | None:
    """'A + B', 'A B', 'A \\cdot B' of written-out matrices: the matrix they make, written out."""
    pieces = list(_MATRIX_LITERAL.finditer(s))
    if not 2 <= len(pieces) <= 4 or s[: pieces[0].start()].strip() or s[pieces[-1].end() :].strip():
        return None
    matrices, ops = [], []
    for k, m in enumerate(pieces):
        if k:
            gap = _MATRIX_OP.match(s[pieces[k - 1].end() : m.start()])
            if gap is None:
                return None
            ops.append(gap.group(1) or "*")
        rows = [[sym(x) for x in r.split("&")] for r in re.split(r"\\\\", m.group(2)) if r.strip()]
        if not rows or any(x is None for r in rows for x in r) or len({len(r) for r in rows}) != 1:
            return None
        matrices.append(sympy.Matrix(rows))
    try:
        # Products first, then sums and differences, left to right.
        terms, signs = [matrices[0]], [1]
        for op, mat in zip(ops, matrices[1:], strict=True):
            if op in ("+", "-"):
                terms.append(mat)
                signs.append(1 if op == "+" else -1)
            else:
                terms[-1] = terms[-1] * mat
        total = terms[0] * signs[0]
        for sign, term in zip(signs[1:], terms[1:], strict=True):
            total = total + sign * term
    except (sympy.ShapeError, sympy.NonSquareMatrixError, TypeError, ValueError):
        return None
    rows_text = r" \\ ".join(" & ".join(sympy.latex(sympy.nsimplify(x) if x.is_Float else x) for x in total.row(i))
                               for i in range(total.rows))
    return rf"\begin{{pmatrix}}{rows_text}\end{{pmatrix}}"


def _clock(s: str) -> tuple[int, int, int, bool] | None:
    m = _TIME.match(plain_text(s).strip())
    if not m:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 24 or minute > 59 or second > 59:
        return None
    marked = bool(m.group(3) or m.group(4) or m.group(5))
    if m.group(4) or m.group(5):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group(5) else 0)
    return hour % 24, minute, second, marked


def _compare_times(c: str, g: str, h: Hints) -> Verdict | None:
    """20:34 = 20:34:00 = 08:34 p.m.: clock times, when one is marked as a time or the question asks one."""
    cc, gc = _clock(c), _clock(g)
    if cc is None or gc is None or not (cc[3] or gc[3] or _TIME_WORDS.search(h.question)):
        return None
    same = cc[:3] == gc[:3]
    return Verdict(same, 0.9, "math_string", "time_match" if same else "time_mismatch")


def _text(s: str) -> str | None:
    """Lower-cased words for a text answer; None for math. Number words are math ('three' = 3)."""
    if _EMPTY_MATH.match(s.strip()):
        return "\u2205"
    p = plain_text(s).strip(" .!")
    if not _WORDS.match(p):
        return None
    low = _ARTICLES.sub("", p.lower())
    if low in _EMPTY:
        return "\u2205"
    if low in NUMBER_WORDS or low in ORDINAL_WORDS:
        return None
    words = low.split()
    if len(words) == 1 and (len(low) < 3 and low not in ("no", "ok") or low in _MATH_WORDS):
        return None
    if not re.search(r"\\text|\\mathrm|\\textbf", s) and all(len(w) <= 2 for w in words):
        return None
    return low




# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------

_ORDERED = {"tuple", "pair", "vector", "assigns"}
_UNORDERED = {"set", "list"}


def _compare_shapes(c: Shape, g: Shape, h: Hints) -> Verdict:
    """Dispatch on what the two answers are; a one-element collection may stand for its element."""
    c, g = _resolve_pair(c, g, h), _resolve_pair(g, c, h)
    # "V_1 : V_2 = 11:21" is the ratio 11:21 with its name.
    c, g = _named_ratio_value(c), _named_ratio_value(g)
    ck, gk = c.kind, g.kind
    if "matrix" in (ck, gk):
        return _compare_matrix(c, g, h)
    if "sequence" in (ck, gk):
        if ck != gk:
            return Verdict(False, 0.85, "math_symbolic", "sequence_vs_other")
        return _collection(c.items, g.items, True, h, 0.9, "sequence_match")
    if "ratio" in (ck, gk):
        return _compare_ratio(c, g, h)
    if "interval" in (ck, gk) or "relation" in (ck, gk):
        return _compare_sets_of_reals(c, g, h)
    if "base" in (ck, gk):
        return _compare_base(c, g, h)
    c_coll, g_coll = ck in _ORDERED | _UNORDERED, gk in _ORDERED | _UNORDERED
    if c_coll and g_coll:
        return _compare_collections(c, g, h)
    if c_coll or g_coll:
        coll, other = (c, g) if c_coll else (g, c)
        if len(coll.items) != 1:
            return Verdict(False, 0.9, "math_symbolic", "length_mismatch")
        single = shape(coll.items[0])
        return _compare_values(single, other, h) if c_coll else _compare_values(other, single, h)
    return _compare_values(c, g, h)


def _named_ratio_value(s: Shape) -> Shape:
    return shape(s.items[0]) if s.kind == "assign" and ":" in (s.var or "") else s


def _resolve_pair(s: Shape, other: Shape, h: Hints) -> Shape:
    """'(1, 2)': an open interval next to an interval or in an inequality question, else a point."""
    if s.kind != "pair":
        return s
    as_interval = other.kind in ("interval", "relation") or (h.interval and not h.point and other.kind != "pair")
    if as_interval:
        closed = s.brackets == "[]"
        return Shape("interval", intervals=[(s.items[0], s.items[1], closed, closed)])
    return s


def _compare_collections(c: Shape, g: Shape, h: Hints) -> Verdict:
    """Tuples keep their order, sets and answer lists don't; a set is never a point."""
    ck, gk = c.kind, g.kind
    if len(c.items) != len(g.items):
        return Verdict(False, 0.9, "math_symbolic", "length_mismatch")
    if ck == gk == "pair" and c.brackets != g.brackets:
        return Verdict(False, 0.85, "math_symbolic", "bracket_mismatch")
    if ck == gk == "assigns" and set(c.names) == set(g.names):
        by_name = dict(zip(c.names, c.items, strict=True))
        return _collection([by_name[n] for n in g.names], g.items, True, h, 0.95, "assignment_match")
    if "assigns" in (ck, gk) and ck != gk and ck in _ORDERED and gk in _ORDERED:
        # "y = -1, x = 2" for the point (2, -1): the values in the order of their names.
        assigns = c if ck == "assigns" else g
        order = _name_order(assigns.names, h.question)
        if order is not None and order != list(range(len(order))):
            items = [assigns.items[k] for k in order]
            ci, gi = (items, g.items) if assigns is c else (c.items, items)
            return _collection(ci, gi, True, h, 0.85, "tuple_match")
    if ck in _ORDERED and gk in _ORDERED:
        return _collection(c.items, g.items, True, h, 0.95 if ck == gk else 0.9, "tuple_match")
    if ck in _UNORDERED and gk in _UNORDERED:
        if h.ordered and ck == gk == "list":
            # "Put 0, 6, h in decreasing order": the order is the answer.
            return _collection(c.items, g.items, True, h, 0.95, "tuple_match")
        return _collection(c.items, g.items, False, h, 0.95 if ck == gk else 0.9, "set_match")
    if "set" in (ck, gk):
        return Verdict(False, 0.7, "math_symbolic", "set_vs_tuple")
    if h.set_answer and not h.ordered:
        # "Find all solutions": "(1, 2)" and "2, 1" list the same solutions.
        return _collection(c.items, g.items, False, h, 0.85, "set_match")
    # A bare list against a tuple: read the list in order, but it is a weaker match.
    return _collection(c.items, g.items, True, h, 0.85, "tuple_match")


def _name_order(names: list[str], question: str) -> list[int] | None:
    """Indices putting the names in their conventional order: as the question first names them, else
    alphabetically for single letters (x, y, z); None when neither says."""
    if len(set(names)) != len(names):
        return None
    firsts = []
    for n in names:
        m = re.search(rf"(?<![A-Za-z\\]){re.escape(n)}(?![A-Za-z])", question)
        firsts.append(m.start() if m else -1)
    if question and all(f >= 0 for f in firsts) and len(set(firsts)) == len(firsts):
        return sorted(range(len(names)), key=lambda k: firsts[k])
    if all(re.fullmatch(r"[a-zA-Z]", n) for n in names):
        return sorted(range(len(names)), key=lambda k: names[k])
    return None


def _collection(ci: list[str], gi: list[str], ordered: bool, h: Hints, cap: float, reason: str) -> Verdict:
    """Element-wise comparison; the weakest element's confidence (capped) is the collection's."""
    if len(ci) != len(gi):
        return Verdict(False, 0.9, "math_symbolic", "length_mismatch")
    verdicts: list[Verdict] = []
    if ordered:
        for a, b in zip(ci, gi, strict=True):
            v = compare(a, b, h)
            if not v.ok:
                return Verdict(False, min(0.9, max(v.confidence, 0.5)), v.method, "element_mismatch")
            verdicts.append(v)
    else:
        remaining = list(gi)
        for a in ci:
            for j, b in enumerate(remaining):
                v = compare(a, b, h)
                if v.ok:
                    verdicts.append(v)
                    del remaining[j]
                    break
            else:
                return Verdict(False, 0.9, "math_symbolic", "element_mismatch")
    if not verdicts:
        return Verdict(True, cap, "math_symbolic", reason)
    worst = min(verdicts, key=lambda v: v.confidence)
    return Verdict(True, min(worst.confidence, cap), worst.method, reason)


def _compare_matrix(c: Shape, g: Shape, h: Hints) -> Verdict:
    """Same shape and entries; a column (or row) vector may be written as a tuple."""
    if c.kind == g.kind == "matrix":
        if [len(r) for r in c.rows] != [len(r) for r in g.rows]:
            return Verdict(False, 0.9, "math_symbolic", "shape_mismatch")
        flat_c = [x for r in c.rows for x in r]
        flat_g = [x for r in g.rows for x in r]
        return _collection(flat_c, flat_g, True, h, 0.95, "matrix_match")
    mat, other = (c, g) if c.kind == "matrix" else (g, c)
    if other.kind in _ORDERED and (all(len(r) == 1 for r in mat.rows) or len(mat.rows) == 1):
        # A column vector written as a tuple: the same vector.
        entries = [x for r in mat.rows for x in r]
        items_c, items_g = (entries, other.items) if mat is c else (other.items, entries)
        return _collection(items_c, items_g, True, h, 0.85, "vector_match")
    return Verdict(False, 0.9, "math_symbolic", "shape_mismatch")


def _compare_ratio(c: Shape, g: Shape, h: Hints) -> Verdict:
    """1:2:3 = 2:4:6 (every term, not just the first); a:b may be given as a/b."""
    if c.kind == g.kind == "ratio":
        if len(c.items) != len(g.items):
            return Verdict(False, 0.9, "math_symbolic", "length_mismatch")
        cv, gv = [sym(x) for x in c.items], [sym(x) for x in g.items]
        if any(v is None for v in cv + gv):
            return Verdict(False, 0.3, "math_symbolic", "unparseable")
        if any(v == 0 for v in cv + gv):
            # "12:00" is a time, not a ratio: only the same written value matches.
            return Verdict(False, 0.8, "math_string", "ratio_with_zero")
        # a:b:c = ka:kb:kc, checked exactly as cross products.
        ok = all(sympy.simplify(x * gv[0] - y * cv[0]) == 0 for x, y in zip(cv, gv, strict=True))
        return Verdict(ok, 0.9, "math_symbolic", "ratio_match" if ok else "ratio_mismatch")
    rat, other = (c, g) if c.kind == "ratio" else (g, c)
    if len(rat.items) == 2 and other.kind == "scalar":
        as_fraction = Shape("scalar", text=rf"\frac{{{rat.items[0]}}}{{{rat.items[1]}}}")
        v = _compare_values(as_fraction, other, h) if rat is c else _compare_values(other, as_fraction, h)
        return Verdict(v.ok, min(v.confidence, 0.85), v.method, "ratio_as_fraction" if v.ok else v.reason)
    return Verdict(False, 0.85, "math_symbolic", "ratio_vs_other")


def _compare_base(c: Shape, g: Shape, h: Hints) -> Verdict:
    """A base-b gold wants its digits; a base-b candidate to a decimal gold is read by value."""
    if g.kind == "base":
        digits, base = g.items
        if c.kind == "base":
            same = c.items[1] == base and c.items[0].upper().lstrip("0") == digits.upper().lstrip("0")
            return Verdict(same, 0.95, "math_string", "base_match" if same else "base_mismatch")
        written = re.sub(r"\s", "", plain_text(c.text))
        # "1011" for 1011_2: the base is implied by the question.
        same = c.kind == "scalar" and written.upper().lstrip("0") == digits.upper().lstrip("0")
        return Verdict(same, 0.85, "math_string", "base_implied" if same else "base_mismatch")
    digits, base = c.items
    written = re.sub(r"\s", "", plain_text(g.text)) if g.kind == "scalar" else ""
    if written.upper().lstrip("0") == digits.upper().lstrip("0"):
        # Gold "1011", candidate "1011_2": the same numeral with its base written out.
        return Verdict(True, 0.85, "math_string", "base_annotated")
    value = Shape("scalar", text=str(int(digits, int(base))))
    v = _compare_values(value, g, h)
    return Verdict(v.ok, min(v.confidence, 0.9), v.method, "base_value" if v.ok else v.reason)


# ---------------------------------------------------------------------------------------------
# Intervals, inequalities, relations
# ---------------------------------------------------------------------------------------------


def _compare_sets_of_reals(c: Shape, g: Shape, h: Hints) -> Verdict:
    """Intervals, inequalities and set-builder sets, compared as sets of reals."""
    c, g = _as_interval(c), _as_interval(g)
    if c.kind == g.kind == "relation":
        return _compare_relations(c, g)
    if c.kind != g.kind:
        unsure = "relation" in (c.kind, g.kind)
        return Verdict(False, 0.5 if unsure else 0.85, "math_symbolic", f"{c.kind}_vs_{g.kind}")
    ci, gi = _sorted_intervals(c.intervals), _sorted_intervals(g.intervals)
    if ci is None or gi is None:
        return Verdict(False, 0.3, "math_symbolic", "unparseable_interval")
    if len(ci) != len(gi):
        return Verdict(False, 0.9, "math_symbolic", "interval_mismatch")
    worst = 0.95
    for (clo, chi, clc, chc), (glo, ghi, glc, ghc) in zip(ci, gi, strict=True):
        # A bracket at an infinite end carries no information.
        if (clc != glc and clo.finite) or (chc != ghc and chi.finite):
            return Verdict(False, 0.9, "math_symbolic", "bracket_mismatch")
        for ce, ge in ((clo, glo), (chi, ghi)):
            v = _compare_endpoints(ce, ge, h)
            if not v.ok:
                return Verdict(False, 0.9, "math_symbolic", "endpoint_mismatch")
            worst = min(worst, v.confidence)
    return Verdict(True, worst, "math_symbolic", "interval_match")


def _compare_endpoints(c: Endpoint, g: Endpoint, h: Hints) -> Verdict:
    if c.huge is None and g.huge is None:
        return _compare_values(Shape("scalar", text=c.text), Shape("scalar", text=g.text), h)
    if c.huge is not None and g.huge is not None:
        same = same_huge(c.huge, g.huge)
    else:
        huge, other = (c.huge, g.value) if c.huge is not None else (g.huge, c.value)
        same = huge is not None and huge_vs_value(huge, other)
    return Verdict(same, 0.85 if same else 0.9, "math_symbolic", "huge_endpoint_match" if same else "endpoint_mismatch")


def _sorted_intervals(ivs: list[tuple[str, str, bool, bool]]) -> list[tuple[Endpoint, Endpoint, bool, bool]] | None:
    out = []
    for lo, hi, lc, hc in ivs:
        le, he = endpoint(lo), endpoint(hi)
        if le is None or he is None:
            return None
        out.append((le, he, lc, hc))
    return sorted(out, key=lambda t: t[0].sort_key())


_FLIP = {">": "<", r"\ge": r"\le", "<": ">", r"\le": r"\ge"}
_STRICT = {"<": True, ">": True, r"\le": False, r"\ge": False}


def _as_interval(s: Shape) -> Shape:
    """'-x > -1', '2x + 1 <= 5', 'x^2 < 4': an inequality in one unknown is a union of intervals."""
    if s.kind != "relation":
        return s
    intervals = []
    unknowns = set()
    for piece in s.items or [s.text]:
        parts, ops = split_relation(piece)
        # "y = 4" next to "y < 0" is the point {4} of the same set.
        if not ops or (any(op not in _STRICT for op in ops) and ops != ["="]):
            return s
        sides = [sym(p) for p in parts]
        if any(x is None for x in sides):
            return s
        free = set().union(*(x.free_symbols for x in sides))
        unknowns |= free
        if len(free) != 1 or len(unknowns) != 1:
            return s  # "x < 1, y > 2" is not a set of reals in one unknown
        var = next(iter(free))
        lo, hi, lo_closed, hi_closed = -sympy.oo, sympy.oo, False, False
        for k, op in enumerate(ops):
            # left op right  <=>  a*var + b op 0 with a, b constants.
            expr = sympy.expand(sides[k] - sides[k + 1])
            a, b = expr.coeff(var, 1), expr.coeff(var, 0)
            linear = sympy.expand(expr - a * var - b) == 0 and a != 0 and a.is_number
            if op == "=":
                if not linear:
                    return s
                lo = hi = -b / a
                lo_closed = hi_closed = True
                continue
            if not linear:
                solved = _solve_nonlinear(sides, ops, var)
                if solved is None:
                    return s
                intervals.extend(solved)
                break
            bound, less = -b / a, op in ("<", r"\le")
            if a < 0:
                less = not less
            if less and (bound < hi or (bound == hi and _STRICT[op])):
                hi, hi_closed = bound, not _STRICT[op]
            elif not less and (bound > lo or (bound == lo and _STRICT[op])):
                lo, lo_closed = bound, not _STRICT[op]
        else:
            intervals.append((sympy.latex(lo), sympy.latex(hi), lo_closed, hi_closed))
    return Shape("interval", intervals=intervals)


_SYMPY_REL = {"<": sympy.Lt, ">": sympy.Gt, r"\le": sympy.Le, r"\ge": sympy.Ge}


def _solve_nonlinear(sides: list[Any], ops: list[str], var: Any) -> list[tuple[str, str, bool, bool]] | None:
    """'x^2 < 4', '|x| \\ge 2': let SymPy solve a one-variable inequality over the reals."""
    x = sympy.Symbol(var.name, real=True)
    sides = [side.subs(var, x) for side in sides]
    solution: Any = sympy.S.Reals
    for k, op in enumerate(ops):
        solution = solution.intersect(sympy.solveset(_SYMPY_REL[op](sides[k], sides[k + 1]), x, sympy.S.Reals))
    parts = solution.args if isinstance(solution, sympy.Union) else [solution]
    if not all(isinstance(p, sympy.Interval) for p in parts):
        return None
    return [(sympy.latex(p.start), sympy.latex(p.end), not p.left_open, not p.right_open) for p in parts]


def _relation_parts(s: Shape) -> list[tuple[str, Any]] | None:
    """Each relation as (op, lhs - rhs) with > and >= turned around into < and <=."""
    out = []
    for piece in s.items or [s.text]:
        parts, ops = split_relation(piece)
        if len(ops) != 1:
            return None
        lhs, rhs = sym(parts[0]), sym(parts[1])
        if lhs is None or rhs is None:
            return None
        op = ops[0]
        if op in (">", r"\ge"):
            lhs, rhs, op = rhs, lhs, _FLIP[op]
        out.append((op, lhs - rhs))
    return out


def _ascending(s: Shape) -> tuple[list[str], list[str]] | None:
    """'b > a > c' as ['c', 'a', 'b'] with ['<', '<']: a chain read from its smallest end."""
    if s.items and len(s.items) > 1:
        return None
    parts, ops = split_relation(s.text)
    if len(ops) < 2 or any(op not in _STRICT for op in ops):
        return None
    if all(op in ("<", r"\le") for op in ops):
        return parts, ops
    if all(op in (">", r"\ge") for op in ops):
        return parts[::-1], [_FLIP[op] for op in ops[::-1]]
    return None


def _compare_chains(c: Shape, g: Shape) -> Verdict | None:
    """'y_1 < y_2 < y_3' = 'y_3 > y_2 > y_1': the same order of the same terms."""
    ca, ga = _ascending(c), _ascending(g)
    if ca is None or ga is None:
        return None
    if ca[1] != ga[1] or len(ca[0]) != len(ga[0]):
        return Verdict(False, 0.85, "math_symbolic", "relation_mismatch")
    for a, b in zip(ca[0], ga[0], strict=True):
        if string_key(a) == string_key(b):
            continue
        x, y = sym(a), sym(b)
        if x is None or y is None or sympy.expand(x - y) != 0:
            return Verdict(False, 0.85, "math_symbolic", "relation_mismatch")
    return Verdict(True, 0.9, "math_symbolic", "equivalent_relation")


def _compare_relations(c: Shape, g: Shape) -> Verdict:
    """'x + 2y \\le 4' vs '2y \\le 4 - x': same direction, lhs - rhs equal up to a positive factor."""
    cr, gr = _relation_parts(c), _relation_parts(g)
    if cr is None or gr is None:
        chain = _compare_chains(c, g)
        return chain or Verdict(False, 0.3, "math_symbolic", "unparseable_relation")
    if len(cr) != len(gr):
        return Verdict(False, 0.85, "math_symbolic", "relation_mismatch")
    for (cop, cexpr), (gop, gexpr) in zip(cr, gr, strict=True):
        if cop != gop or not proportional(cexpr, gexpr, positive=cop not in ("=", r"\ne")):
            return Verdict(False, 0.85, "math_symbolic", "relation_mismatch")
    return Verdict(True, 0.9, "math_symbolic", "equivalent_relation")


# ---------------------------------------------------------------------------------------------
# Values: equations, assignments, functions, scalars
# ---------------------------------------------------------------------------------------------


def _compare_values(c: Shape, g: Shape, h: Hints) -> Verdict:
    """Single values: x = 3 counts as 3; equations compare as equations; functions by their bodies."""
    if g.kind == "func" or c.kind == "func":
        return _compare_functions(c, g, h)
    if g.kind == "assign" and c.kind == "assign":
        if c.var == g.var:
            return _compare_quantities(c.items[0], g.items[0], h)
        return _compare_equations(c, g)
    if g.kind == "equation" or c.kind == "equation":
        if "scalar" in (c.kind, g.kind):
            return Verdict(False, 0.7, "math_symbolic", "equation_vs_value")
        return _compare_equations(c, g)
    c_text = c.items[0] if c.kind == "assign" else c.text
    g_text = g.items[0] if g.kind == "assign" else g.text
    return _compare_quantities(c_text, g_text, h)


def _compare_quantities(c_text: str, g_text: str, h: Hints) -> Verdict:
    """Two single values: sums with an ellipsis and integer-parameter families first, then units."""
    if has_dots(c_text) or has_dots(g_text):
        return _compare_series(c_text, g_text, h)
    if h.factor:
        unfactored = _not_factored(c_text, g_text)
        if unfactored is not None:
            return unfactored
    if mentions_parameter(c_text, h.params) and mentions_parameter(g_text, h.params):
        v = compare_parametric(c_text, g_text, h.params)
        if v is not None:
            return v
    return compare_quantities(c_text, g_text, h)


def _not_factored(c_text: str, g_text: str) -> Verdict | None:
    """'Factor completely': x^4 - 4x^3 + ... for (x^2 + 1)(x^2 - 4x + 13) is equal, but not the answer."""
    gv = sym(g_text)
    factored = isinstance(gv, (sympy.Mul, sympy.Pow)) and any(
        isinstance(f, sympy.Add) and f.free_symbols for f in sympy.Mul.make_args(gv) + (getattr(gv, "base", None),)
    )
    if not factored:
        return None
    cv = sym(c_text)
    if isinstance(cv, sympy.Add) and cv.free_symbols:
        return Verdict(False, 0.85, "math_symbolic", "not_factored")
    return None


def _compare_series(c_text: str, g_text: str, h: Hints) -> Verdict:
    """'1 + 2 + \\cdots + 1000' is the number 500500 (by the progression its first terms set)."""
    texts, certain = [], True
    for text in (c_text, g_text):
        if has_dots(text):
            total = series_sum(text)
            if total is None:
                return Verdict(False, 0.2, "math_symbolic", "unresolved_series")
            texts.append(sympy.latex(total.value))
            certain = certain and total.certain
        else:
            texts.append(text)
    v = compare_quantities(texts[0], texts[1], h)
    # Two written terms could start more than one progression (1 + 2 + ... : +1 or *2?).
    cap = 0.9 if certain else 0.8
    return Verdict(True, min(v.confidence, cap), v.method, "series_sum") if v.ok else v


def _compare_functions(c: Shape, g: Shape, h: Hints) -> Verdict:
    """f(z) = z^2 + 1 is f(x) = x^2 + 1: compare the bodies after renaming the argument."""
    if c.kind == g.kind == "func" and c.name != g.name:
        return Verdict(False, 0.8, "math_symbolic", "function_name_mismatch")
    var = g.var if g.kind == "func" else c.var if c.kind == "func" else None
    cbody, gbody = sym(_body(c)), sym(_body(g))
    if cbody is None or gbody is None:
        return Verdict(False, 0.3, "math_symbolic", "unparseable")
    if var is not None:
        x = sympy.Symbol(var)
        cbody, gbody = _rename_single(cbody, x), _rename_single(gbody, x)
    v = compare_exprs(cbody, gbody)
    return Verdict(v.ok, v.confidence, v.method, "function_match" if v.ok else v.reason)


def _body(s: Shape) -> str:
    """The right-hand side of f(x) = ... or y = ..., else the expression itself."""
    return s.items[0] if s.kind in ("func", "assign") else s.text


def _rename_single(expr: Any, x: Any) -> Any:
    """Call the one free variable of `expr` x (f(z) = z^2 -> x^2)."""
    free = getattr(expr, "free_symbols", set())
    if len(free) == 1 and x not in free:
        return expr.subs(next(iter(free)), x)
    return expr


def _compare_equations(c: Shape, g: Shape) -> Verdict:
    """y = 2x + 1 vs 2x - y + 1 = 0: lhs - rhs equal up to a non-zero constant factor."""
    sides = []
    for s in (c, g):
        if s.kind == "assign":
            lhs, rhs = s.var or "", s.items[0]
        else:
            lhs, rhs = s.items[0], s.items[1]
        a, b = sym(lhs), sym(rhs)
        if a is None or b is None:
            return Verdict(False, 0.3, "math_symbolic", "unparseable")
        sides.append(a - b)
    ok = proportional(sides[0], sides[1], positive=False)
    return Verdict(ok, 0.9 if ok else 0.85, "math_symbolic", "equivalent_equation" if ok else "equation_mismatch")


