# ruff: noqa: E501 - a data file: pairs and notes read best as whole lines
"""Builds tests/data/math_outside.jsonl and tests/data/math_outside_holdout.jsonl.

Labelled (gold, candidate) math answer pairs taken from public outside sources, so the
project's math verifier can be calibrated and evaluated on data its authors did not write.
Nothing here was produced by, or checked against, the project's own verifier.

A row's ``label`` says whether the candidate's FINAL answer is mathematically the same answer
as the gold for that question. The sources' own asserts are what THEIR verifier does (xfails,
known false positives, extraction limits); every case was read and labelled on its merits, so
a label can differ from the source's assert (the note then says so). Pairs whose right label
is genuinely ambiguous were dropped (see DROPPED below).

Sources (repository @ commit, path, licence)
  mathverify       huggingface/Math-Verify @5d148cf, tests/test_all.py, test_numina_cases.py,
                   test_open_thoughts.py, test_boxed.py, test_strict.py, test_yujianll.py
                   (Apache-2.0 repo licence; the test files carry an MIT header)
  lighteval        huggingface/lighteval @3fd1526, tests/unit/metrics/test_extractive_match.py
                   (MIT); only the cases Math-Verify does not already have
  hendrycks        hendrycks/math @985bdc1, modeling/math_equivalence_test.py (MIT)
  mario            MARIO-Math-Reasoning/MARIO_EVAL @13584f2, math_evaluation/tests/test_is_equiv.py
                   (MIT, as declared in its setup.py)
  nemoskills       NVIDIA/NeMo-Skills @583b90a, tests/test_math_equal.py (Apache-2.0)
  verl             volcengine/verl @d69068d, tests/utils/reward_score/test_numeric_canonicalization_on_cpu.py
                   (Apache-2.0)
  simpleevals      openai/simple-evals @ee3b031, common.py EQUALITY_TEMPLATE examples (MIT)
  verifybench      ZJU-REAL/VerifyBench @893d46f, docs/index.html benchmark examples (MIT)
  compassverifier  open-compass/CompassVerifier @2d7cba6, README.md test_sample (Apache-2.0)
  qwen25math       QwenLM/Qwen2.5-Math @a45202b, evaluation/data/eval_rm_maj_example/math_cot_100.jsonl:
                   100 MATH test questions x 8 sampled model solutions (evaluation/ is MIT). One row
                   per distinct extracted answer per question; gold is the MATH answer string,
                   candidate the full sampled solution; labels are ours (the file's own scores
                   have false negatives, e.g. 10{,}000 vs 10000, 4:30 p.m. vs 4:30).
  mathcoder        mathllm/MathCoder @d6c91fb, outs/MathCoder-*/mathematics/*-{correct,wrong}.jsonl:
                   MathCoder model outputs on the DeepMind Mathematics dataset (Apache-2.0 both).
                   Candidate is the model's final prose message (which ends in \\boxed{}); the
                   question is the dataset question. Hand-reviewed rows come from both the
                   files the authors' checker called correct (it has false positives, e.g.
                   "-9 > 0") and wrong (it has false negatives, e.g. "-990 > -993", "-312u");
                   plus every 13th distinct numerically-unequal pair of the wrong files,
                   which is false by construction.
  handwritten      written for this set to cover kinds the sources lack or under-represent
                   (relation vs interval, "y<0 or y=4" unions, labelled values, integer-parameter
                   names, sentence answers, circled numerals, ordinals, mixed numbers, degree
                   notations, percent precision, number words, long sums, huge interval
                   endpoints). Where noted, the question and gold come from an outside benchmark
                   file (QwenLM/Qwen2.5-Math evaluation/data/...: OlympiadBench, college_math,
                   cn_middle_school, gaokao2023en, gaokao_math_cloze) and only the candidates are ours.

Transcribed by hand (not re-extracted by this script): the hendrycks, mario, nemoskills, verl
and simpleevals rows (short string literals copied from the cited test files) and all
handwritten rows. Math-Verify, lighteval, VerifyBench, CompassVerifier, Qwen2.5-Math and
MathCoder rows are re-extracted from the repositories, keyed by file and line / index, with
the review decisions below.

Normalisation: a gold that is a whole reference solution is replaced by its final (boxed)
answer; a gold wrapped in one pair of $...$, $$...$$ or \\(...\\) loses the wrapper; a few
source strings with doubled backslashes from raw-string mistakes are repaired (noted per row).
Candidates are kept as the source wrote them, except where a row's note says otherwise.
Exact (gold, candidate) repeats are dropped (first one kept).

Labelling conventions: units, currency signs, "\\text{...}" wrappers and a dropped percent sign
in a question that asks for a percent do not make an answer wrong; a decimal that agrees with an
exact gold to at least 13 significant digits (1/12 = 0.0833333333333333) counts as equal, coarser
approximations with no stated precision were dropped; an unevaluated but fully determined value
(a matrix sum, a variable the question fixes, "r" when r is the asked-for option) counts as that
value; a form the question explicitly asks for (a factorisation) is required.

Last build: 959 rows (361 false, 37.6%); tuning 635 (239 false), holdout 324 (122 false);
dropped 49 reviewed pairs and 12 exact duplicates; 143 handwritten rows (14.9%).

DROPPED (reasons; the build prints the counts)
  - duplicates of an earlier (gold, candidate) pair;
  - ambiguous right label: approximations of irrationals or rounded fractions with no stated
    precision (e.g. 40\\pi vs 125.663, (3/5, 8/3] vs (0.6, 2.6667]); lists that differ only in
    order with no question saying whether order matters (10, 4, -2 vs 4, 10, -2); ordered pair
    vs set ((3,1) vs {1,3}); "32, 349" (list or spaced thousands); f(x) vs f(y); |z| bounds that
    may describe a complex annulus; unit suffixes that may be variables (10m vs 10); "x \\approx 11"
    against an exact 11; prime factors listed with multiplicity (2, 3, 3) or as powers (2^3)
    against the distinct primes; boxed True/False for a "which is bigger" question;
  - malformed source strings (a form feed or tab from \\f / \\t in non-raw strings, golds such as
    "1 = \\zzz = x = 0" or "\\boxed{1} no no no no no \\boxed{2}").

Split: a row goes to the holdout when int(sha256(id).hexdigest(), 16) % 3 == 0, decided from
the id alone before any verifier result is looked at. Ids are "<source>-<n>" with n taken
from the source position (case number, question/sample index or table position), so they
stay stable when a row is dropped.

Usage
  python tests/data/make_math_outside.py --sources /path/to/mirrors   # rebuild both files
  python tests/data/make_math_outside.py                              # check the existing files (no network)
The sources directory holds one entry per repository, named "<owner>+<name>" (a bare git
mirror in "<owner>+<name>/repo", a git checkout, or a plain tree); git is used only to read
files at the pinned commits.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
TUNE = HERE / "math_outside.jsonl"
HOLD = HERE / "math_outside_holdout.jsonl"
KEYS = ("id", "category", "gold", "candidate", "label", "note", "source")

COMMITS = {
    "huggingface/Math-Verify": "5d148cfaaf99214c2e4ffb4bc497ab042c592a7a",
    "huggingface/lighteval": "3fd15266bc8448b797e61462d293aa3fd40b3580",
    "ZJU-REAL/VerifyBench": "893d46f9f4ca953cc5128b2968452eeabdfc0b3c",
    "open-compass/CompassVerifier": "2d7cba6df0b21f9c6121786ac1e5770c68473598",
    "QwenLM/Qwen2.5-Math": "a45202bd16f1ec06f433442dc1152d0074773465",
    "mathllm/MathCoder": "d6c91fbd8c02ad9f9669423f4ff331dc1605d126",
}
T, F = True, False


def in_holdout(row_id: str) -> bool:
    return int(hashlib.sha256(row_id.encode("utf-8")).hexdigest(), 16) % 3 == 0


class Sources:
    """Reads files of pinned public repositories from a local directory of mirrors."""

    def __init__(self, root: Path):
        self.root = root

    def read(self, repo: str, path: str) -> str:
        owner, name = repo.split("/")
        commit = COMMITS[repo]
        for base in (self.root / f"{owner}+{name}", self.root / name, self.root / f"{owner}__{name}"):
            if (base / path).is_file():
                return (base / path).read_text(encoding="utf-8")
            for gitdir in (base / "repo", base / ".git", base):
                if (gitdir / "HEAD").is_file() and (gitdir / "objects").is_dir():
                    out = subprocess.run(["git", "--git-dir", str(gitdir), "show", f"{commit}:{path}"],
                                         capture_output=True, check=True)
                    return out.stdout.decode("utf-8")
        raise FileNotFoundError(f"{repo}:{path} not found under {self.root}")


def strip_math(s: str) -> str:
    """Removes one pair of $...$, $$...$$ or \\(...\\) wrapping the whole gold string."""
    t = s.strip()
    for a, b in (("$$", "$$"), ("$", "$"), ("\\(", "\\)")):
        if t.startswith(a) and t.endswith(b) and len(t) > len(a) + len(b):
            inner = t[len(a):-len(b)]
            if a != "$" or "$" not in inner:
                return inner.strip()
    return t


def clean_gold(s: str) -> str:
    """strip_math, then unwrap a \\boxed{...} that spans the whole gold."""
    t = strip_math(s)
    if t.startswith("\\boxed{") and last_boxed(t) is not None and len(last_boxed(t)) == len(t) - len("\\boxed{}"):
        return last_boxed(t).strip()
    return t


def last_boxed(s: str) -> str | None:
    i = s.rfind("\\boxed{")
    if i < 0:
        return None
    j = k = i + len("\\boxed{")
    depth = 1
    while k < len(s) and depth:
        depth += {"{": 1, "}": -1}.get(s[k], 0)
        k += 1
    return s[j:k - 1] if depth == 0 else None


def parametrize_cases(src: str) -> list[dict]:
    """(gold, pred, ...) tuples of every @pytest.mark.parametrize with gold and pred arguments."""
    out = []
    for node in ast.walk(ast.parse(src)):
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                continue
            names = [n.strip() for n in ast.literal_eval(dec.args[0]).split(",")]
            if not {"gold", "pred"} <= set(names):
                continue
            seen: Counter = Counter()
            for elt in dec.args[1].elts:
                if not isinstance(elt, ast.Tuple):
                    continue
                vals = []
                for e in elt.elts:
                    try:
                        vals.append(ast.literal_eval(e))
                    except ValueError:
                        vals.append(None)  # f-strings: given explicitly in the review table
                d = dict(zip(names, vals, strict=True))
                d["line"] = elt.lineno
                d["k"] = seen[elt.lineno]
                seen[elt.lineno] += 1
                out.append(d)
    return out


# --------------------------------------------------------------------------- Math-Verify review
MATHVERIFY = [  # (n, file, line, k, label or 'drop', category or reason, note, overrides)
    (1, 'test_all', 62, 0, T, 'integer', 'identical negative integer'),
    (2, 'test_all', 64, 0, T, 'thousands', 'comma thousands separators'),
    (3, 'test_all', 65, 0, T, 'thousands', 'space as thousands separator'),
    (4, 'test_all', 66, 0, T, 'decimal', 'trailing .0 on an integer'),
    (5, 'test_all', 68, 0, T, 'thousands', 'thousands separator with decimal part'),
    (6, 'test_all', 70, 0, T, 'decimal', 'decimal comma (European style)'),
    (7, 'test_all', 71, 0, T, 'decimal', 'gold written with a decimal comma'),
    (8, 'test_all', 72, 0, T, 'extraction', 'French sentence, decimal comma and currency sign'),
    (9, 'test_all', 74, 0, T, 'decimal', 'missing leading zero'),
    (10, 'test_all', 76, 0, T, 'thousands', 'thousands separator with decimal part'),
    (11, 'test_all', 77, 0, 'drop', 'duplicate of the previous case'),
    (12, 'test_all', 79, 0, T, 'units', 'leading dollar sign and thousands separator'),
    (13, 'test_all', 80, 0, T, 'units', 'trailing dollar sign'),
    (14, 'test_all', 82, 0, T, 'extraction', 'last number of a sentence, euro sign; an earlier number is a distractor'),
    (15, 'test_all', 83, 0, 'drop', 'duplicate of the previous case'),
    (16, 'test_all', 85, 0, T, 'extraction', 'unit m² glued to the number; an earlier number is a distractor'),
    (17, 'test_all', 86, 0, T, 'extraction', 'unit m² glued to the number; an earlier number is a distractor'),
    (18, 'test_all', 87, 0, T, 'decimal', 'gold written with a decimal comma (0,111 = 0.111)'),
    (19, 'test_all', 89, 0, F, 'extraction', 'candidate is a garbage token that merely contains the digit'),
    (20, 'test_all', 99, 0, T, 'fraction', 'slash fraction vs \\frac'),
    (21, 'test_all', 100, 0, T, 'fraction', 'negative slash fraction vs \\frac'),
    (22, 'test_all', 110, 0, T, 'intervals', 'identical half-open interval'),
    (23, 'test_all', 111, 0, 'drop', 'duplicate of the previous case'),
    (24, 'test_all', 112, 0, F, 'intervals', 'different right endpoint'),
    (25, 'test_all', 113, 0, F, 'intervals', 'open vs half-open interval'),
    (26, 'test_all', 114, 0, F, 'intervals', 'number vs a (negated) interval'),
    (27, 'test_all', 125, 0, T, 'extraction', 'display math \\[ \\]'),
    (28, 'test_all', 126, 0, T, 'extraction', 'inline $ $'),
    (29, 'test_all', 127, 0, T, 'extraction', 'display $$ $$'),
    (30, 'test_all', 128, 0, T, 'extraction', 'inline \\( \\)'),
    (31, 'test_all', 130, 0, T, 'extraction', 'unevaluated 9+1'),
    (32, 'test_all', 132, 0, T, 'extraction', 'inline math split across lines; the source asserts 0 (an extraction limit), the answer is still 9'),
    (33, 'test_all', 133, 0, T, 'extraction', 'inline \\( \\) split across lines; the source asserts 0 (an extraction limit), the answer is still 9'),
    (34, 'test_all', 135, 0, T, 'extraction', 'display math split across lines'),
    (35, 'test_all', 136, 0, T, 'extraction', 'display $$ split across lines'),
    (36, 'test_all', 138, 0, T, 'extraction', 'final value after an escaped dollar and an earlier fraction'),
    (37, 'test_all', 140, 0, T, 'fraction', '\\frac13 shorthand'),
    (38, 'test_all', 141, 0, T, 'fraction', '3/3 equals 1'),
    (39, 'test_all', 143, 0, T, 'expressions', '\\sqrt3 shorthand'),
    (40, 'test_all', 145, 0, T, 'fraction', '\\cfrac'),
    (41, 'test_all', 146, 0, T, 'fraction', '\\dfrac'),
    (42, 'test_all', 147, 0, T, 'fraction', '\\tfrac'),
    (43, 'test_all', 149, 0, T, 'fraction', 'slash fraction inside math'),
    (44, 'test_all', 151, 0, T, 'fraction', '\\left( \\right) around the value'),
    (45, 'test_all', 152, 0, T, 'fraction', 'boxed fraction'),
    (46, 'test_all', 153, 0, T, 'units', '\\text unit after the value'),
    (47, 'test_all', 154, 0, T, 'units', '\\textbf unit after the value'),
    (48, 'test_all', 156, 0, T, 'relations', 'k = value vs bare value'),
    (49, 'test_all', 157, 0, 'drop', 'duplicate of case 46'),
    (50, 'test_all', 167, 0, T, 'percent', '"percent" spelled out'),
    (51, 'test_all', 168, 0, T, 'percent', '"pct"'),
    (52, 'test_all', 169, 0, T, 'percent', 'space before %'),
    (53, 'test_all', 170, 0, T, 'percent', '% outside the math'),
    (54, 'test_all', 171, 0, T, 'percent', '"percent" outside the math'),
    (55, 'test_all', 172, 0, T, 'percent', 'boxed number then "pct"'),
    (56, 'test_all', 173, 0, T, 'percent', '"pct" inside an unclosed box'),
    (57, 'test_all', 174, 0, T, 'percent', '"percent" inside an unclosed box'),
    (58, 'test_all', 175, 0, T, 'percent', '"percentage" inside an unclosed box'),
    (59, 'test_all', 185, 0, T, 'extraction', 'boxed expression at the end of a solution'),
    (60, 'test_all', 190, 0, T, 'matrices', 'boxed matrix', {'gold': '\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}'}),
    (61, 'test_all', 195, 0, T, 'percent', 'gold reduced from a long text to its final answer', {'gold': '28\\%'}),
    (62, 'test_all', 200, 0, T, 'extraction', 'long repetitive response; final answer written 14 {, }916', {'gold': '14{,}916'}),
    (63, 'test_all', 205, 0, T, 'text', '"m and n" answer split across two math spans', {'gold': '12\\text{ and }13', 'question': 'Between which two consecutive integers does $\\sqrt{30}+\\sqrt{50}$ lie? Answer in the form "$m$ and $n$".'}),
    (64, 'test_all', 211, 0, T, 'sets_tuples', 'polar coordinates; the source string doubles its backslashes'),
    (65, 'test_all', 216, 0, T, 'fraction', 'boxed fraction after a long computation'),
    (66, 'test_all', 221, 0, T, 'text', 'boxed \\text name'),
    (67, 'test_all', 227, 0, T, 'angles', '90^\\circ at the end of a long solution'),
    (68, 'test_all', 232, 0, T, 'expressions', 'radical'),
    (69, 'test_all', 237, 0, T, 'fraction', 'fraction at the end of a long solution'),
    (70, 'test_all', 242, 0, T, 'integer', 'boxed integer'),
    (71, 'test_all', 247, 0, T, 'units', '\\mbox{ cm}^2 unit'),
    (72, 'test_all', 252, 0, T, 'multiple_answers', 'two integer roots'),
    (73, 'test_all', 257, 0, T, 'extraction', 'boxed value followed by \\pmod'),
    (74, 'test_all', 262, 0, T, 'angles', 'degree sign inside align'),
    (75, 'test_all', 267, 0, T, 'integer', 'zero'),
    (76, 'test_all', 273, 0, T, 'base', 'base-5 numeral'),
    (77, 'test_all', 278, 0, T, 'sets_tuples', 'labelled ordered triple'),
    (78, 'test_all', 283, 0, T, 'plus_minus', '\\pm root pair'),
    (79, 'test_all', 288, 0, T, 'plus_minus', '\\pm root pair'),
    (80, 'test_all', 293, 0, T, 'sets_tuples', 'set with \\pm element'),
    (81, 'test_all', 298, 0, T, 'relations', 'chained inequality of function values'),
    (82, 'test_all', 303, 0, T, 'expressions', 'trigonometric product'),
    (83, 'test_all', 308, 0, T, 'expressions', 'symbolic fraction (the source candidate contains stray list syntax)'),
    (84, 'test_all', 313, 0, T, 'units', '\\textnormal unit'),
    (85, 'test_all', 314, 0, T, 'intervals', 'union of four intervals, \\tfrac12 shorthand'),
    (86, 'test_all', 319, 0, T, 'expressions', '\\sqrt 2 without braces'),
    (87, 'test_all', 320, 0, T, 'expressions', '\\frac94\\pi'),
    (88, 'test_all', 321, 0, T, 'intervals', 'point union interval', {'gold': '\\{-1\\} \\cup [0,7)'}),
    (89, 'test_all', 336, 0, T, 'relations', '>= vs \\geq'),
    (90, 'test_all', 341, 0, T, 'relations', '< vs \\lt'),
    (91, 'test_all', 346, 0, T, 'relations', '\\leq vs <='),
    (92, 'test_all', 351, 0, T, 'relations', '> vs \\gt'),
    (93, 'test_all', 356, 0, T, 'relations', '!= vs \\neq'),
    (94, 'test_all', 362, 0, F, 'relations', 'direction of the inequality reversed'),
    (95, 'test_all', 367, 0, F, 'relations', '\\geq vs \\leq'),
    (96, 'test_all', 372, 0, T, 'relations', '\\neq vs !='),
    (97, 'test_all', 378, 0, T, 'relations', 'flipped inequality 5 \\geq x'),
    (98, 'test_all', 383, 0, T, 'relations', 'flipped inequality 5 \\leq x'),
    (99, 'test_all', 388, 0, T, 'relations', 'chain with a wrong intermediate value; the last value is 11'),
    (100, 'test_all', 393, 0, F, 'equations', 'equation vs only its right-hand side'),
    (101, 'test_all', 399, 0, 'drop', 'duplicate of case 98'),
    (102, 'test_all', 405, 0, 'drop', 'candidate ends "= 1/3 \\approx 11": which value is final is ambiguous'),
    (103, 'test_all', 411, 0, T, 'relations', 'x = 11 vs 11'),
    (104, 'test_all', 417, 0, 'drop', '"x \\approx 11" against an exact 11: approximate vs exact, ambiguous'),
    (105, 'test_all', 423, 0, 'drop', '"1/3 \\approx 1.3" has a wrong approximation: ambiguous which is final'),
    (106, 'test_all', 429, 0, T, 'relations', 'inequality multiplied by -1'),
    (107, 'test_all', 435, 0, F, 'relations', 'x < 1 vs x > -1'),
    (108, 'test_all', 441, 0, T, 'relations', 'non-strict inequality multiplied by -1'),
    (109, 'test_all', 447, 0, F, 'equations', 'equation vs its right-hand side'),
    (110, 'test_all', 452, 0, 'drop', 'gold "1 = \\zzz = x = 0" is malformed'),
    (111, 'test_all', 457, 0, F, 'equations', 'equation vs its right-hand side'),
    (112, 'test_all', 458, 0, F, 'equations', 'equation vs its right-hand side'),
    (113, 'test_all', 459, 0, T, 'relations', 'k=1 vs 1'),
    (114, 'test_all', 460, 0, T, 'relations', '1 vs k=1'),
    (115, 'test_all', 461, 0, T, 'relations', 'both chains end in z = 2; the candidate has a false intermediate step'),
    (116, 'test_all', 462, 0, 'drop', 'duplicate of the previous case'),
    (117, 'test_all', 463, 0, T, 'equations', 'same line written in slope-intercept form'),
    (118, 'test_all', 466, 0, T, 'equations', 'ellipse equation scaled by 1/4'),
    (119, 'test_all', 476, 0, T, 'extraction', 'long rambling solution ending in a boxed answer'),
    (120, 'test_all', 482, 0, T, 'matrices', 'identity matrix in a sentence'),
    (121, 'test_all', 488, 0, T, 'matrices', 'bmatrix vs pmatrix zero matrix'),
    (122, 'test_all', 494, 0, T, 'matrices', 'array matrix with \\left[ \\right]'),
    (123, 'test_all', 500, 0, T, 'matrices', 'matrix of fractions'),
    (124, 'test_all', 506, 0, T, 'matrices', 'unevaluated matrix sum equals the gold'),
    (125, 'test_all', 512, 0, T, 'matrices', 'unevaluated product with the identity'),
    (126, 'test_all', 518, 0, F, 'matrices', 'one entry differs'),
    (127, 'test_all', 565, 0, T, 'decimal', '1/12 written to 16 significant digits'),
    (128, 'test_all', 566, 0, T, 'sets_tuples', '4.5 vs 9/2 inside a pair'),
    (129, 'test_all', 568, 0, T, 'expressions', 'split fraction'),
    (130, 'test_all', 569, 0, T, 'expressions', 'trigonometric identity sec^2 = tan^2 + 1'),
    (131, 'test_all', 571, 0, 'drop', 'source string contains a form-feed character (\\f in a non-raw string)'),
    (132, 'test_all', 577, 0, T, 'matrices', 'cube root written as a power'),
    (133, 'test_all', 584, 0, T, 'equations', 'plane equation multiplied by -1'),
    (134, 'test_all', 586, 0, 'drop', 'decimal approximation to 2 places of a vector of fractions: ambiguous'),
    (135, 'test_all', 593, 0, T, 'expressions', 'commuted denominator'),
    (136, 'test_all', 600, 0, F, 'expressions', 'missing variable in a factor'),
    (137, 'test_all', 601, 0, F, 'expressions', '2 vs golden ratio'),
    (138, 'test_all', 602, 0, F, 'expressions', '4 vs an irrational value near 4.43'),
    (139, 'test_all', 603, 0, F, 'expressions', '1\\sqrt{19} vs 1'),
    (140, 'test_all', 605, 0, 'drop', 'interval endpoints rounded to 2 places: ambiguous'),
    (141, 'test_all', 607, 0, F, 'expressions', 'missing 2n term'),
    (142, 'test_all', 621, 0, T, 'extraction', 'fraction at the end of plain-text reasoning'),
    (143, 'test_all', 627, 0, T, 'extraction', 'number in the final sentence'),
    (144, 'test_all', 633, 0, T, 'extraction', 'ordered pair in the final sentence'),
    (145, 'test_all', 639, 0, F, 'intervals', '[0,1) vs (0,1) at the end of a solution'),
    (146, 'test_all', 645, 0, F, 'intervals', 'domain: complement of the right interval'),
    (147, 'test_all', 651, 0, T, 'extraction', 'boxed $16,\\!386.20 then a repeated restart'),
    (148, 'test_all', 657, 0, T, 'extraction', 'number in the final sentence'),
    (149, 'test_all', 663, 0, T, 'thousands', 'final answer 12,000,023 with \\! separators earlier'),
    (150, 'test_all', 669, 0, T, 'extraction', 'boxed 14{,}916 after a contradictory 14{,}922'),
    (151, 'test_all', 675, 0, T, 'sets_tuples', "pair; the gold's doubled backslashes normalised", {'gold': '\\left(\\frac{1}{5},\\frac{1}{6}\\right)'}),
    (152, 'test_all', 681, 0, T, 'sets_tuples', "pair; the gold's doubled backslashes normalised", {'gold': '\\left(\\frac{4}{5},\\frac{1}{5}\\right)'}),
    (153, 'test_all', 689, 0, T, 'expressions', '10\\sqrt{10.5}/27 equals 5\\sqrt{42}/27'),
    (154, 'test_all', 695, 0, T, 'units', 'boxed dollar amount'),
    (155, 'test_all', 701, 0, T, 'percent', 'gold reduced to its boxed 20 (percent); candidate boxes 20 \\%', {'gold': '20', 'question': 'What percent of the people in Mathopolis are children?'}),
    (156, 'test_all', 723, 0, T, 'intervals', 'gold reduced to its boxed interval', {'gold': '[-2, 7]'}),
    (157, 'test_all', 728, 0, T, 'sentence', 'answer given as a sentence: "Jane started growing Sphere 3 hours ago"'),
    (158, 'test_all', 734, 0, T, 'extraction', 'number in the final sentence'),
    (159, 'test_all', 740, 0, F, 'sets_tuples', 'wrong point (0,0)'),
    (160, 'test_all', 746, 0, T, 'extraction', '"The largest n is 34"'),
    (161, 'test_all', 748, 0, T, 'sets_tuples', "pair; the gold's doubled backslashes normalised", {'gold': '\\left( \\frac{4}{3}, -\\frac{1}{3} \\right)'}),
    (162, 'test_all', 753, 0, 'drop', '(3,1) vs {1,3}: ordered pair vs set, no question to say which is meant'),
    (163, 'test_all', 754, 0, 'drop', '(1,3) vs {1,3}: ordered pair or interval vs set, no question to say which is meant'),
    (164, 'test_all', 756, 0, T, 'percent', 'gold "100%" is unescaped LaTeX (a comment), normalised', {'gold': '100\\%'}),
    (165, 'test_all', 762, 0, T, 'decimal', 'money amount'),
    (166, 'test_all', 768, 0, T, 'integer', 'large integer'),
    (167, 'test_all', 774, 0, T, 'integer', 'boxed integer'),
    (168, 'test_all', 780, 0, T, 'extraction', 'final line 14{,}916 after a contradictory 14{,}940'),
    (169, 'test_all', 786, 0, T, 'percent', 'boxed percent'),
    (170, 'test_all', 792, 0, T, 'decimal', 'money amount in plain text'),
    (171, 'test_all', 798, 0, T, 'percent', 'gold 100 (percent); candidate ends "$100$"', {'question': 'By what percent does the minimum error in the measurement of position increase?'}),
    (172, 'test_all', 804, 0, T, 'equations', 'plane equation'),
    (173, 'test_all', 810, 0, T, 'thousands', '10,455 with a thousands comma; earlier boxed intermediate values'),
    (174, 'test_all', 821, 0, T, 'intervals', 'boxed interval'),
    (175, 'test_all', 827, 0, 'drop', 'gold is the pair (A,B)=(-6,10); the candidate answers "x in (-6,10)" to a different question: ambiguous'),
    (176, 'test_all', 833, 0, F, 'base', 'base-3 numerals differ in one digit'),
    (177, 'test_all', 838, 0, T, 'multiple_choice', 'letter with and without parentheses', {'gold': '\\text{C}'}),
    (178, 'test_all', 843, 0, T, 'thousands', '\\! thousands separators', {'gold': '11111111100'}),
    (179, 'test_all', 848, 0, T, 'thousands', '\\! thousands separator', {'gold': '32349'}),
    (180, 'test_all', 853, 0, 'drop', '"32, 349" could be a list or a spaced thousands separator'),
    (181, 'test_all', 858, 0, T, 'intervals', 'x \\in union of intervals', {'gold': '(2, 12) \\cup (12, 102)'}),
    (182, 'test_all', 863, 0, T, 'text', '\\text{E} vs E'),
    (183, 'test_all', 868, 0, T, 'multiple_answers', 'two boxes vs one box; gold boxes unwrapped', {'gold': '1, 2'}),
    (184, 'test_all', 873, 0, T, 'multiple_answers', 'two boxed roots in reverse order', {'gold': '1,-2'}),
    (185, 'test_all', 888, 0, T, 'relation_vs_interval', 'double inequality vs x in closed interval; doubled backslashes normalised', {'gold': '-2 \\le x \\le 7'}),
    (186, 'test_all', 894, 0, 'drop', 'same pair as the previous case'),
    (187, 'test_all', 901, 0, T, 'relation_vs_interval', 'x in closed interval vs double inequality; doubled backslashes normalised', {'cand': '$-2 \\le x \\le 7$'}),
    (188, 'test_all', 907, 0, 'drop', 'same pair as the previous case'),
    (189, 'test_all', 922, 0, T, 'decimal', 'gold is sqrt(17) printed to 15 decimals', {'gold': '4.123105625617661', 'cand': '$\\sqrt{17}$'}),
    (190, 'test_all', 937, 0, F, 'expressions', '4 vs 4\\sqrt{2}'),
    (191, 'test_all', 951, 0, 'drop', 'source string contains a tab character (\\t in a non-raw string)'),
    (192, 'test_numina_cases', 9, 0, T, 'sets_tuples', 'set of quadruples in another order'),
    (193, 'test_numina_cases', 14, 0, T, 'labelled_values', 'labelled pair vs bare pair'),
    (194, 'test_numina_cases', 19, 0, T, 'sets_tuples', 'semicolon tuples vs comma tuples, reordered'),
    (195, 'test_numina_cases', 24, 0, 'drop', '1 <= |z| <= 3/2: z may be complex (an annulus), the real-interval reading is not certain'),
    (196, 'test_numina_cases', 29, 0, T, 'sets_tuples', 'semicolon list vs set'),
    (197, 'test_numina_cases', 34, 0, T, 'labelled_values', 'labelled lengths vs bare list'),
    (198, 'test_numina_cases', 39, 0, T, 'sets_tuples', '"or" between pairs vs comma'),
    (199, 'test_numina_cases', 44, 0, T, 'labelled_values', 'labelled ratio vs bare ratio'),
    (200, 'test_numina_cases', 49, 0, T, 'labelled_values', 'labelled value vs bare value'),
    (201, 'test_numina_cases', 54, 0, T, 'labelled_values', 'labelled solutions vs pairs'),
    (202, 'test_numina_cases', 59, 0, T, 'labelled_values', 'labelled triple vs bare triple'),
    (203, 'test_numina_cases', 64, 0, T, 'labelled_values', 'labelled ratio vs bare ratio'),
    (204, 'test_numina_cases', 69, 0, T, 'multiple_answers', 'one box per pair'),
    (205, 'test_numina_cases', 74, 0, T, 'multiple_answers', 'two boxes vs one boxed list; gold boxes unwrapped', {'gold': '1 \\text{ and } -2'}),
    (206, 'test_numina_cases', 79, 0, T, 'text', '\\text{odd} vs odd'),
    (207, 'test_numina_cases', 84, 0, T, 'text', '\\text{e} vs e'),
    (208, 'test_numina_cases', 89, 0, 'drop', 'duplicate of case 181'),
    (209, 'test_numina_cases', 94, 0, F, 'multiple_choice', 'different letters'),
    (210, 'test_numina_cases', 95, 0, T, 'multiple_answers', '"and" list vs boxed list'),
    (211, 'test_numina_cases', 96, 0, 'drop', 'duplicate of case 191'),
    (212, 'test_numina_cases', 101, 0, F, 'sets_tuples', 'one tuple of the gold is incomplete'),
    (213, 'test_numina_cases', 106, 0, T, 'labelled_values', 'labelled pair vs boxed pair'),
    (214, 'test_numina_cases', 111, 0, T, 'labelled_values', 'labelled values vs bare list; gold boxes unwrapped', {'gold': 'x = -5,\\ p = \\frac{14}{3}'}),
    (215, 'test_numina_cases', 116, 0, T, 'labelled_values', 'labelled list vs reordered bare list; gold boxes unwrapped', {'gold': 'a=4,\\,-8,\\,-10'}),
    (216, 'test_numina_cases', 121, 0, T, 'equations', 'two constant solutions, n vs x as argument; broken \\\\boxed prefix removed', {'gold': 'W(n) = 1 \\text{ and } W(n) = -1'}),
    (217, 'test_numina_cases', 126, 0, T, 'multiple_answers', '"or" vs comma list'),
    (218, 'test_numina_cases', 132, 0, T, 'labelled_values', 'boxed "p = ... and p = ..." vs comma list', {'gold': 'p = -1 \\text{ and } p = \\dfrac{15}{8}'}),
    (219, 'test_numina_cases', 137, 0, T, 'relation_vs_interval', 'range as a double inequality vs open interval'),
    (220, 'test_numina_cases', 138, 0, T, 'multiple_answers', '"and" vs comma; gold boxes unwrapped', {'gold': '6 \\text{ and } 8'}),
    (221, 'test_numina_cases', 139, 0, T, 'text', '\\text{Even} vs Even'),
    (222, 'test_open_thoughts', 9, 0, T, 'multiple_answers', 'boxed primes vs braced list; gold boxes unwrapped', {'gold': '2, 3, 5, 7, 13'}),
    (223, 'test_open_thoughts', 14, 0, T, 'equations', 'identical functional equation answer'),
    (224, 'test_open_thoughts', 19, 0, T, 'relation_vs_interval', 'chained inequality vs open interval'),
    (225, 'test_open_thoughts', 24, 0, T, 'sentence', 'identical sentence answer'),
    (226, 'test_open_thoughts', 29, 0, T, 'labelled_values', 'labelled values in another order'),
    (227, 'test_open_thoughts', 34, 0, T, 'sets_tuples', 'list of pairs'),
    (228, 'test_open_thoughts', 39, 0, T, 'intervals', 'identical interval to infinity'),
    (229, 'test_open_thoughts', 44, 0, T, 'labelled_values', 'x = ... list'),
    (230, 'test_open_thoughts', 49, 0, T, 'units', 'yuan unit'),
    (231, 'test_open_thoughts', 54, 0, T, 'sets_tuples', '(x, y) = ... and ...'),
    (232, 'test_open_thoughts', 59, 0, T, 'integer', 'boxed integer'),
    (233, 'test_open_thoughts', 64, 0, T, 'multiple_answers', '"and" list'),
    (234, 'test_open_thoughts', 69, 0, T, 'sets_tuples', 'two boxed pairs'),
    (235, 'test_open_thoughts', 74, 0, T, 'sets_tuples', 'two boxed pairs'),
    (236, 'test_open_thoughts', 79, 0, T, 'sets_tuples', 'two boxed pairs with "for part (a)" text between'),
    (237, 'test_open_thoughts', 84, 0, T, 'relations', 'boxed inequality'),
    (238, 'test_open_thoughts', 89, 0, T, 'labelled_values', 'two boxed labelled values'),
    (239, 'test_open_thoughts', 94, 0, T, 'extraction', 'long <think> solution'),
    (240, 'test_open_thoughts', 99, 0, T, 'multiple_answers', 'three boxes with "and"'),
    (241, 'test_open_thoughts', 104, 0, T, 'multiple_answers', 'three boxes with commas'),
    (242, 'test_open_thoughts', 114, 0, T, 'labelled_values', '|AB|=1 vs 1'),
    (243, 'test_open_thoughts', 119, 0, T, 'labelled_values', 'A:B=1 vs 1'),
    (244, 'test_open_thoughts', 124, 0, T, 'labelled_values', 'f(x)=1 vs 1'),
    (245, 'test_open_thoughts', 129, 0, T, 'expressions', 'two roots with rearranged exponents'),
    (246, 'test_open_thoughts', 134, 0, T, 'expressions', 'vertex form of both quadratics'),
    (247, 'test_open_thoughts', 139, 0, T, 'expressions', 'combined fractions'),
    (248, 'test_open_thoughts', 144, 0, 'drop', 'duplicate of case 244'),
    (249, 'test_open_thoughts', 149, 0, T, 'multiple_answers', 'boxes with words between vs boxed list; gold boxes unwrapped', {'gold': '1 \\text{ papers and } 2 \\text{ bins}'}),
    (250, 'test_open_thoughts', 154, 0, 'drop', 'gold "\\boxed{1} no no no no no \\boxed{2}" is malformed'),
    (251, 'test_boxed', 8, 0, 'drop', 'gold uses doubled backslashes and "++++++": malformed'),
    (252, 'test_boxed', 9, 0, T, 'integer', 'AIME-style 004', {'gold': '004'}),
    (253, 'test_boxed', 14, 0, T, 'integer', 'gold reduced to its boxed 840', {'gold': '840'}),
    (254, 'test_strict', 8, 0, 'drop', 'f(x) vs f(y): whether the variable name matters depends on the question'),
    (255, 'test_strict', 8, 1, 'drop', 'f(x) vs f(y): whether the variable name matters depends on the question'),
    (256, 'test_yujianll', 11, 0, T, 'labelled_values', 'identical n = list'),
    (257, 'test_yujianll', 12, 0, F, 'labelled_values', 'different lists'),
    (258, 'test_yujianll', 13, 0, T, 'intervals', 'identical labelled interval'),
    (259, 'test_yujianll', 14, 0, F, 'intervals', 'different right endpoint'),
    (260, 'test_yujianll', 15, 0, F, 'expressions', 'different recurrence bounds'),
    (261, 'test_yujianll', 20, 0, T, 'expressions', 'commuted product inside a sum'),
    (262, 'test_yujianll', 25, 0, T, 'multiple_answers', '"and" with \\text'),
    (263, 'test_yujianll', 26, 0, F, 'multiple_answers', 'different values'),
    (264, 'test_yujianll', 27, 0, T, 'expressions', 'identical expression with \\mathrm{e}'),
    (265, 'test_yujianll', 28, 0, F, 'expressions', '1 - 1/e vs 1 + 1/e (the source asserts 1: a known false positive)'),
    (266, 'test_yujianll', 29, 0, F, 'plus_minus', '\\pm 2021 vs only 2021'),
    (267, 'test_yujianll', 30, 0, T, 'plus_minus', '\\pm 2021 vs both values'),
    (268, 'test_yujianll', 31, 0, F, 'time', '12:00 vs 1:00'),
    (269, 'test_yujianll', 32, 0, T, 'time', 'identical clock time'),
]

# --------------------------------------------------------------------------- MathCoder review
MATHCODER = [  # (n, model, file kind, line, label or 'drop', category or reason, note)
    (1, 'MathCoder-CL-13b', 'correct', 5, T, 'decimal', 'integer quotient vs gold written 1363.0'),
    (2, 'MathCoder-CL-13b', 'correct', 7, T, 'fraction', '-2/5 vs gold -0.4'),
    (3, 'MathCoder-CL-13b', 'correct', 13, T, 'sets_tuples', 'single prime factor vs gold list [113]'),
    (4, 'MathCoder-CL-13b', 'correct', 21, T, 'fraction', '\\frac{-11}{4} vs -2.75'),
    (5, 'MathCoder-CL-13b', 'correct', 33, T, 'decimal', '-19 vs -19.0'),
    (6, 'MathCoder-CL-13b', 'correct', 56, T, 'sets_tuples', '21 vs gold list [21]'),
    (7, 'MathCoder-CL-13b', 'correct', 60, T, 'decimal', '8 vs 8.0'),
    (8, 'MathCoder-CL-13b', 'correct', 99, T, 'decimal', '13 vs 13.0'),
    (9, 'MathCoder-CL-13b', 'correct', 128, T, 'fraction', '-1/2 vs -0.5'),
    (10, 'MathCoder-CL-13b', 'correct', 135, T, 'decimal', '-0 vs 0.0'),
    (11, 'MathCoder-CL-13b', 'correct', 140, T, 'decimal', '2 vs 2.0'),
    (12, 'MathCoder-CL-13b', 'correct', 181, T, 'fraction', '3/2 vs 1.5'),
    (13, 'MathCoder-CL-13b', 'correct', 193, T, 'expressions', '52f vs 52*f'),
    (14, 'MathCoder-CL-13b', 'correct', 236, T, 'decimal', '-0 vs -0.0'),
    (15, 'MathCoder-CL-13b', 'correct', 259, T, 'fraction', '-3/2 vs -1.5'),
    (16, 'MathCoder-CL-13b', 'correct', 278, T, 'fraction', '\\frac{-3}{10} vs -0.3'),
    (17, 'MathCoder-CL-13b', 'correct', 291, F, 'multiple_choice', 'answers option (b) = -17/11; the right option is (a) = -1'),
    (18, 'MathCoder-CL-13b', 'correct', 318, F, 'relations', 'says -2/2699 is bigger than 0'),
    (19, 'MathCoder-CL-13b', 'correct', 332, T, 'sets_tuples', '73 vs [73]'),
    (20, 'MathCoder-CL-13b', 'correct', 358, T, 'fraction', '1/2 vs 0.5'),
    (21, 'MathCoder-CL-13b', 'correct', 373, T, 'sets_tuples', '103 vs [103]'),
    (22, 'MathCoder-CL-13b', 'correct', 385, T, 'sets_tuples', '7 vs [7]'),
    (23, 'MathCoder-CL-13b', 'correct', 417, 'drop', 'prime factors written as 2^3 vs [2]: ambiguous'),
    (24, 'MathCoder-CL-13b', 'correct', 421, T, 'fraction', '3/10 vs 0.3'),
    (25, 'MathCoder-CL-13b', 'correct', 423, T, 'sets_tuples', '53 vs [53]'),
    (26, 'MathCoder-CL-13b', 'correct', 441, T, 'fraction', '9/5 vs 1.8'),
    (27, 'MathCoder-CL-13b', 'correct', 485, T, 'sets_tuples', '3 vs [3]'),
    (28, 'MathCoder-CL-13b', 'correct', 491, F, 'fraction', '673897/96283 (about 6.999) vs 7'),
    (29, 'MathCoder-CL-13b', 'correct', 520, T, 'sets_tuples', '37 vs [37]'),
    (30, 'MathCoder-CL-13b', 'correct', 527, T, 'decimal', 'boxed 0 (followed by a wrong remark) vs 0.0'),
    (31, 'MathCoder-CL-13b', 'correct', 568, T, 'decimal', '9 vs 9.0'),
    (32, 'MathCoder-CL-13b', 'correct', 606, T, 'decimal', '0 vs -0.0'),
    (33, 'MathCoder-CL-13b', 'wrong', 3, F, 'multiple_choice', 'option (c) = -0.2; i = -13 is smallest'),
    (34, 'MathCoder-CL-13b', 'wrong', 9, F, 'sets_tuples', 'wrong first element'),
    (35, 'MathCoder-CL-13b', 'wrong', 20, F, 'scientific', '1.7e-5 vs 0.75'),
    (36, 'MathCoder-CL-13b', 'wrong', 29, T, 'multiple_choice', 'option letter c names the gold value -0.1'),
    (37, 'MathCoder-CL-13b', 'wrong', 36, F, 'sets_tuples', 'wrong prime factors'),
    (38, 'MathCoder-CL-13b', 'wrong', 41, F, 'multiple_choice', 'option (c) 0 vs 0.013'),
    (39, 'MathCoder-CL-13b', 'wrong', 59, 'drop', 'prime factors listed with multiplicity (2, 3, 3) vs distinct [2, 3]: ambiguous'),
    (40, 'MathCoder-CL-13b', 'wrong', 65, F, 'complex', 'complex value vs -3'),
    (41, 'MathCoder-CL-13b', 'wrong', 66, F, 'multiple_choice', 'variable q = -1 is not nearest to 0.1'),
    (42, 'MathCoder-CL-13b', 'wrong', 96, F, 'multiple_answers', 'one root of two'),
    (43, 'MathCoder-CL-13b', 'wrong', 100, T, 'sets_tuples', 'comma list vs space-separated sorted list'),
    (44, 'MathCoder-CL-13b', 'wrong', 106, F, 'expressions', 'constant vs -20x'),
    (45, 'MathCoder-CL-13b', 'wrong', 114, T, 'expressions', '-312u vs -312*u'),
    (46, 'MathCoder-CL-13b', 'wrong', 121, F, 'expressions', 'wrong derivative'),
    (47, 'MathCoder-CL-13b', 'wrong', 133, F, 'sets_tuples', 'divisors of -27 vs prime factor 3'),
    (48, 'MathCoder-CL-13b', 'wrong', 134, 'drop', 'prime factors with multiplicity: ambiguous'),
    (49, 'MathCoder-CL-13b', 'wrong', 144, T, 'expressions', '-150y vs -150*y'),
    (50, 'MathCoder-CL-13b', 'wrong', 151, T, 'multiple_choice', '"(a) -1/10" vs -0.1'),
    (51, 'MathCoder-CL-13b', 'wrong', 168, F, 'multiple_choice', 'z = 34 is not closest to -1'),
    (52, 'MathCoder-CL-13b', 'wrong', 169, F, 'relations', '"r > 17" but r = 16'),
    (53, 'MathCoder-CL-13b', 'wrong', 179, F, 'sets_tuples', 'wrong prime factors'),
    (54, 'MathCoder-CL-13b', 'wrong', 181, F, 'sets_tuples', 'wrong factorisation'),
    (55, 'MathCoder-CL-13b', 'wrong', 199, T, 'expressions', '-48g vs -48*g'),
    (56, 'MathCoder-CL-13b', 'wrong', 205, 'drop', 'prime factors with multiplicity: ambiguous'),
    (57, 'MathCoder-CL-13b', 'wrong', 216, T, 'multiple_choice', 'names variable j, whose value 0.25 is the gold'),
    (58, 'MathCoder-CL-13b', 'wrong', 224, F, 'expressions', 'expression in i vs -3'),
    (59, 'MathCoder-CL-13b', 'wrong', 225, T, 'sets_tuples', '"5, 3, -2" vs "5 3 -2"'),
    (60, 'MathCoder-CL-13b', 'wrong', 228, T, 'sets_tuples', '"-4, 1, 2" vs "-4 1 2"'),
    (61, 'MathCoder-CL-13b', 'wrong', 229, F, 'sets_tuples', 'wrong last element'),
    (62, 'MathCoder-CL-13b', 'wrong', 244, T, 'multiple_choice', 'names variable r, whose value 0.1875 is the gold (reasoning is muddled)'),
    (63, 'MathCoder-CL-13b', 'wrong', 249, F, 'sets_tuples', 'wrong values'),
    (64, 'MathCoder-CL-13b', 'wrong', 251, F, 'expressions', 'p in terms of r vs -4'),
    (65, 'MathCoder-CL-13b', 'wrong', 252, F, 'relations', '"j > t" but j = -49 < t = -48'),
    (66, 'MathCoder-CL-13b', 'wrong', 258, F, 'sets_tuples', 'wrong prime factors'),
    (67, 'MathCoder-CL-13b', 'wrong', 259, F, 'expressions', '704 - 40\\sqrt{7} vs 4'),
    (68, 'MathCoder-CL-13b', 'wrong', 268, T, 'sets_tuples', '"12, 3, 0" vs "12 3 0"'),
    (69, 'MathCoder-CL-13b', 'wrong', 270, F, 'sets_tuples', '2 vs [11]'),
    (70, 'MathCoder-CL-13b', 'wrong', 273, F, 'multiple_choice', 'r is not among the options'),
    (71, 'MathCoder-CL-13b', 'wrong', 275, F, 'sets_tuples', 'wrong order and values'),
    (72, 'MathCoder-CL-13b', 'wrong', 276, F, 'expressions', '0 vs -360*f'),
    (73, 'MathCoder-CL-13b', 'wrong', 307, F, 'multiple_choice', 'v = -0.2 is not closest to f = -1'),
    (74, 'MathCoder-CL-13b', 'wrong', 310, F, 'expressions', 'expression in a vs 6'),
    (75, 'MathCoder-CL-13b', 'wrong', 322, F, 'sets_tuples', '71 vs [13]'),
    (76, 'MathCoder-CL-13b', 'wrong', 341, F, 'sets_tuples', '3 vs [2, 3]'),
    (77, 'MathCoder-CL-7b', 'correct', 20, T, 'fraction', '-\\frac{11}{4} vs -2.75'),
    (78, 'MathCoder-CL-7b', 'correct', 48, T, 'sets_tuples', '11 vs [11]'),
    (79, 'MathCoder-CL-7b', 'correct', 63, T, 'fraction', '3/4 vs 0.75'),
    (80, 'MathCoder-CL-7b', 'correct', 146, T, 'fraction', '\\frac{2}{1} vs 2.0'),
    (81, 'MathCoder-CL-7b', 'correct', 297, T, 'fraction', '1409/5 vs 281.8'),
    (82, 'MathCoder-CL-7b', 'correct', 304, T, 'sets_tuples', '"2, 3" vs [2, 3]'),
    (83, 'MathCoder-CL-7b', 'correct', 415, T, 'fraction', '-2/5 vs -0.4'),
    (84, 'MathCoder-CL-7b', 'correct', 475, T, 'fraction', '-3/4 vs -0.75'),
    (85, 'MathCoder-CL-7b', 'correct', 500, T, 'fraction', 'unreduced -1271/5084 equals -0.25'),
    (86, 'MathCoder-CL-7b', 'wrong', 3, F, 'sets_tuples', '-1, -3 vs [11]'),
    (87, 'MathCoder-CL-7b', 'wrong', 34, 'drop', 'boxed "True" with a sentence naming 1 as greater: ambiguous final answer'),
    (88, 'MathCoder-CL-7b', 'wrong', 41, T, 'multiple_choice', 'names variable i, whose value -13 is the gold'),
    (89, 'MathCoder-CL-7b', 'wrong', 83, F, 'sets_tuples', 'not in decreasing order'),
    (90, 'MathCoder-CL-7b', 'wrong', 121, F, 'multiple_choice', 'y = -0.17 is not the third biggest'),
    (91, 'MathCoder-CL-7b', 'wrong', 130, F, 'multiple_choice', 'l = -1 is not the second smallest'),
    (92, 'MathCoder-CL-7b', 'wrong', 144, T, 'multiple_choice', 'names v, whose value -1 is the gold'),
    (93, 'MathCoder-CL-7b', 'wrong', 156, F, 'sets_tuples', 'wrong order and values'),
    (94, 'MathCoder-CL-7b', 'wrong', 164, F, 'sets_tuples', 'wrong values'),
    (95, 'MathCoder-CL-7b', 'wrong', 166, F, 'multiple_choice', 'option d = -2/13 vs gold -0.2 (option c)'),
    (96, 'MathCoder-CL-7b', 'wrong', 176, F, 'multiple_choice', 'option c = q = -1 vs gold -0.5'),
    (97, 'MathCoder-CL-7b', 'wrong', 192, T, 'sets_tuples', '"-2, 3, 5" vs "-2 3 5"'),
    (98, 'MathCoder-CL-7b', 'wrong', 199, F, 'sets_tuples', 'two wrong values'),
    (99, 'MathCoder-CL-7b', 'wrong', 204, F, 'multiple_choice', 'u = 0.2 is not the second smallest'),
    (100, 'MathCoder-CL-7b', 'wrong', 215, T, 'expressions', 'derivative left as k, which the question fixes at 3'),
    (101, 'MathCoder-CL-7b', 'wrong', 231, F, 'complex', 'complex expression vs 10'),
    (102, 'MathCoder-CL-7b', 'wrong', 234, F, 'sets_tuples', '1, i, t = 1, -4, 3 is not decreasing'),
    (103, 'MathCoder-CL-7b', 'wrong', 235, F, 'multiple_answers', 'two values vs -0.1'),
    (104, 'MathCoder-CL-7b', 'wrong', 258, T, 'multiple_choice', 'names i, whose value 45 is the gold'),
    (105, 'MathCoder-CL-7b', 'wrong', 259, F, 'multiple_choice', 'd = -1 is not the third biggest'),
    (106, 'MathCoder-CL-7b', 'wrong', 269, F, 'expressions', '-360 vs -360*f'),
    (107, 'MathCoder-CL-7b', 'wrong', 286, T, 'multiple_choice', 'names c, whose value 4 is the gold'),
    (108, 'MathCoder-CL-7b', 'wrong', 307, F, 'expressions', 'expression in j vs -9'),
    (109, 'MathCoder-CL-7b', 'wrong', 313, T, 'multiple_choice', 'names s, whose value 17 is the gold'),
    (110, 'MathCoder-CL-7b', 'wrong', 336, T, 'multiple_choice', 'names g, whose value -4 is the gold'),
    (111, 'MathCoder-CL-7b', 'wrong', 341, F, 'sets_tuples', '2, 3 vs [2]'),
    (112, 'MathCoder-CL-7b', 'wrong', 355, F, 'complex', 'complex value vs 108'),
    (113, 'MathCoder-CL-7b', 'wrong', 357, F, 'multiple_choice', 'r = 16 is not greater than 17'),
    (114, 'MathCoder-CL-7b', 'wrong', 361, F, 'expressions', 'unrelated expression'),
    (115, 'MathCoder-CL-7b', 'wrong', 363, F, 'expressions', 'expression in m vs 0'),
    (116, 'MathCoder-CL-7b', 'wrong', 366, F, 'expressions', '-312 vs -312*u'),
    (117, 'MathCoder-CL-7b', 'wrong', 368, F, 'relations', '"o(6) > t" but o(6) = -49 < t = -48'),
    (118, 'MathCoder-CL-7b', 'wrong', 379, F, 'multiple_choice', 'option (c) = -3 vs gold -0.1'),
    (119, 'MathCoder-CL-7b', 'wrong', 392, F, 'sets_tuples', '2, 3, 5 vs [7]'),
    (120, 'MathCoder-CL-7b', 'wrong', 394, F, 'expressions', '-8y - 1 vs -8'),
    (121, 'MathCoder-CL-7b', 'wrong', 395, F, 'expressions', '-46 vs -96*u'),
    (122, 'MathCoder-CL-7b', 'wrong', 400, F, 'sets_tuples', '2 vs [3]'),
    (123, 'MathCoder-CL-7b', 'wrong', 403, F, 'sets_tuples', '317 vs [3]'),
    (124, 'MathCoder-L-13b', 'correct', 23, T, 'decimal', '383.000000 vs [383]'),
    (125, 'MathCoder-L-13b', 'correct', 48, T, 'sets_tuples', '"3, 5" vs [3, 5]'),
    (126, 'MathCoder-L-13b', 'correct', 198, T, 'decimal', '45.0000 vs 45.0'),
    (127, 'MathCoder-L-13b', 'correct', 318, T, 'decimal', '30 vs 30.0'),
    (128, 'MathCoder-L-13b', 'correct', 392, T, 'decimal', '-2.0 vs -2'),
    (129, 'MathCoder-L-13b', 'correct', 444, F, 'decimal', '0.603704 vs exact 0.6'),
    (130, 'MathCoder-L-13b', 'correct', 475, T, 'fraction', '1/4 vs 0.25'),
    (131, 'MathCoder-L-13b', 'wrong', 10, F, 'expressions', '171t vs -15'),
    (132, 'MathCoder-L-13b', 'wrong', 65, 'drop', 'prime factors with multiplicity: ambiguous'),
    (133, 'MathCoder-L-13b', 'wrong', 82, F, 'expressions', '2 - x vs 0'),
    (134, 'MathCoder-L-13b', 'wrong', 129, F, 'sets_tuples', '2, 79 vs [11]'),
    (135, 'MathCoder-L-13b', 'wrong', 144, F, 'expressions', '52 vs 52*f'),
    (136, 'MathCoder-L-13b', 'wrong', 145, F, 'sets_tuples', 'not in decreasing order'),
    (137, 'MathCoder-L-13b', 'wrong', 164, F, 'expressions', '4\\sqrt{5} (the square root of the gold) vs 80'),
    (138, 'MathCoder-L-13b', 'wrong', 167, 'drop', 'boxed "False" for "which is smaller": ambiguous'),
    (139, 'MathCoder-L-13b', 'wrong', 177, F, 'sets_tuples', 'pair of wrong values vs -4'),
    (140, 'MathCoder-L-13b', 'wrong', 182, F, 'sets_tuples', 'l, r, 4 = 3, -1, 4 is not decreasing'),
    (141, 'MathCoder-L-13b', 'wrong', 196, F, 'decimal', '"-22.5 - 1" = -23.5 vs -22.5'),
    (142, 'MathCoder-L-13b', 'wrong', 210, F, 'scientific', '-2.5e-10 vs 3281.5'),
    (143, 'MathCoder-L-13b', 'wrong', 212, F, 'expressions', '0 vs -20*x'),
    (144, 'MathCoder-L-13b', 'wrong', 214, 'drop', 'boxed "-1 - 1" meant as "x = -1, m = -1": ambiguous'),
    (145, 'MathCoder-L-13b', 'wrong', 232, T, 'expressions', '-96u vs -96*u'),
    (146, 'MathCoder-L-13b', 'wrong', 233, F, 'expressions', '-48 vs -48*g'),
    (147, 'MathCoder-L-13b', 'wrong', 243, F, 'multiple_choice', 'r = 2/9 is not the third biggest'),
    (148, 'MathCoder-L-13b', 'wrong', 258, F, 'expressions', '-150 vs -150*y'),
    (149, 'MathCoder-L-13b', 'wrong', 266, F, 'text', '"true" is not an answer to "which is bigger"'),
    (150, 'MathCoder-L-13b', 'wrong', 267, F, 'expressions', '12 - b vs 3'),
    (151, 'MathCoder-L-13b', 'wrong', 278, 'drop', 'prime factors with multiplicity: ambiguous'),
    (152, 'MathCoder-L-13b', 'wrong', 292, F, 'multiple_choice', 'option b = 0.4 vs r = 0.1875'),
    (153, 'MathCoder-L-13b', 'wrong', 306, F, 'sets_tuples', 'pairs vs -1'),
    (154, 'MathCoder-L-13b', 'wrong', 318, F, 'expressions', 'radical expression vs -576'),
    (155, 'MathCoder-L-13b', 'wrong', 320, F, 'multiple_choice', 'o = 0.1 is not nearest to -7'),
    (156, 'MathCoder-L-13b', 'wrong', 328, F, 'sets_tuples', 'wrong values'),
    (157, 'MathCoder-L-13b', 'wrong', 339, F, 'sets_tuples', '3, 7 vs [7]'),
    (158, 'MathCoder-L-13b', 'wrong', 355, F, 'scientific', '4.27e-5 vs 5.0'),
    (159, 'MathCoder-L-13b', 'wrong', 363, F, 'expressions', '0 vs -312*u'),
    (160, 'MathCoder-L-13b', 'wrong', 366, F, 'decimal', '-2.489 vs [11]'),
    (161, 'MathCoder-L-13b', 'wrong', 376, F, 'sets_tuples', '4, 13, 28 vs [103]'),
    (162, 'MathCoder-L-13b', 'wrong', 377, F, 'scientific', '1.1111e-5 vs -0.25'),
    (163, 'MathCoder-L-13b', 'wrong', 380, F, 'decimal', '0.0625 vs [2]'),
    (164, 'MathCoder-L-13b', 'wrong', 382, F, 'sets_tuples', '2, 2 vs [3]'),
    (165, 'MathCoder-L-13b', 'wrong', 388, F, 'decimal', '82.5 vs [3]'),
    (166, 'MathCoder-L-13b', 'wrong', 394, F, 'sets_tuples', '3 vs [3457]'),
    (167, 'MathCoder-L-13b', 'wrong', 400, F, 'decimal', '-2.437668 vs [53]'),
    (168, 'MathCoder-L-13b', 'wrong', 401, F, 'sets_tuples', 'list of distances vs -2'),
    (169, 'MathCoder-L-70b', 'correct', 1, 'drop', 'prime factors written as 3^2 vs [3]: ambiguous'),
    (170, 'MathCoder-L-70b', 'correct', 36, T, 'sets_tuples', '383 vs [383]'),
    (171, 'MathCoder-L-70b', 'correct', 212, T, 'fraction', '\\frac{-1}{2} vs -0.5'),
    (172, 'MathCoder-L-70b', 'correct', 246, T, 'fraction', '-58/5 vs -11.6'),
    (173, 'MathCoder-L-70b', 'correct', 325, T, 'thousands', '15,921 vs 15921'),
    (174, 'MathCoder-L-70b', 'correct', 451, T, 'sets_tuples', '13 vs [13]'),
    (175, 'MathCoder-L-70b', 'correct', 483, T, 'fraction', '-1/4 vs -0.25'),
    (176, 'MathCoder-L-70b', 'correct', 543, T, 'fraction', '-1/2 vs -0.5'),
    (177, 'MathCoder-L-70b', 'correct', 633, T, 'fraction', '-3/4 vs -0.75'),
    (178, 'MathCoder-L-70b', 'correct', 666, T, 'fraction', '\\frac{-1}{4} vs -0.25'),
    (179, 'MathCoder-L-70b', 'correct', 682, T, 'decimal', '81 vs 81.0'),
    (180, 'MathCoder-L-70b', 'correct', 683, T, 'decimal', '88.0 vs 88'),
    (181, 'MathCoder-L-70b', 'wrong', 0, T, 'relations', '"-990 > -993" names -990 as the greater'),
    (182, 'MathCoder-L-70b', 'wrong', 44, F, 'sets_tuples', '2, 5, 13 vs [2, 7]'),
    (183, 'MathCoder-L-70b', 'wrong', 81, T, 'expressions', '-20x vs -20*x'),
    (184, 'MathCoder-L-70b', 'wrong', 94, F, 'sets_tuples', 'increasing instead of decreasing'),
    (185, 'MathCoder-L-70b', 'wrong', 108, F, 'multiple_choice', 'option c = f = 16 vs gold -1'),
    (186, 'MathCoder-L-70b', 'wrong', 118, T, 'sets_tuples', '"[6, 4, 0]" vs "6 4 0"'),
    (187, 'MathCoder-L-70b', 'wrong', 122, F, 'expressions', '198 vs 792*r'),
    (188, 'MathCoder-L-70b', 'wrong', 150, F, 'multiple_choice', 'option (a) = z vs gold 45.0 (option b)'),
    (189, 'MathCoder-L-70b', 'wrong', 164, T, 'sets_tuples', '"4, 3, -1" vs "4 3 -1"'),
    (190, 'MathCoder-L-70b', 'wrong', 168, F, 'multiple_choice', 'v = -7 is not smaller than -8'),
    (191, 'MathCoder-L-70b', 'wrong', 172, F, 'multiple_answers', 'one root of two'),
    (192, 'MathCoder-L-70b', 'wrong', 183, 'drop', 'prime factors with multiplicity: ambiguous'),
    (193, 'MathCoder-L-70b', 'wrong', 191, F, 'sets_tuples', 'not in descending order'),
    (194, 'MathCoder-L-70b', 'wrong', 194, F, 'sets_tuples', 'non-integer "factors"'),
    (195, 'MathCoder-L-70b', 'wrong', 195, F, 'multiple_choice', 'h = 282 is not smaller than 281.8'),
    (196, 'MathCoder-L-70b', 'wrong', 203, F, 'sets_tuples', '67 vs [2]'),
    (197, 'MathCoder-L-70b', 'wrong', 204, F, 'expressions', 'expression in a vs 6'),
    (198, 'MathCoder-L-70b', 'wrong', 216, F, 'expressions', '-36\\sqrt{6} vs -576'),
    (199, 'MathCoder-L-70b', 'wrong', 225, F, 'sets_tuples', '-1, 1.2 vs [2]'),
    (200, 'MathCoder-L-70b', 'wrong', 229, F, 'sets_tuples', 'wrong values and order'),
    (201, 'MathCoder-L-7b', 'correct', 60, T, 'fraction', '-\\frac{4}{1} vs -4'),
    (202, 'MathCoder-L-7b', 'correct', 102, F, 'relations', 'asserts -9 > 0'),
    (203, 'MathCoder-L-7b', 'correct', 223, F, 'relations', 'asserts -2/2699 > 0'),
    (204, 'MathCoder-L-7b', 'correct', 333, T, 'fraction', '\\frac{-2}{5} vs -0.4'),
    (205, 'MathCoder-L-7b', 'correct', 358, T, 'decimal', '1.0 vs 1'),
    (206, 'MathCoder-L-7b', 'correct', 365, T, 'fraction', '-1/10 vs -0.1'),
    (207, 'MathCoder-L-7b', 'correct', 433, F, 'decimal', '0.0018 vs 0'),
    (208, 'MathCoder-L-7b', 'correct', 438, T, 'thousands', '13,849 vs 13849'),
    (209, 'MathCoder-L-7b', 'correct', 461, F, 'fraction', '1/144 vs 0'),
    (210, 'MathCoder-L-7b', 'wrong', 0, F, 'sets_tuples', '3920 vs [3457]'),
    (211, 'MathCoder-L-7b', 'wrong', 1, F, 'relations', 'asserts 79 > 80'),
    (212, 'MathCoder-L-7b', 'wrong', 27, F, 'fraction', '1/(45/12) = 4/15 vs 0.5'),
    (213, 'MathCoder-L-7b', 'wrong', 55, 'drop', 'boxed "true" with a sentence naming -8: ambiguous'),
    (214, 'MathCoder-L-7b', 'wrong', 56, F, 'text', '"true", and the text says -993 is greater'),
    (215, 'MathCoder-L-7b', 'wrong', 144, F, 'expressions', '-6650j - 37 vs -6650'),
    (216, 'MathCoder-L-7b', 'wrong', 188, F, 'relations', 'asserts -296784/37 > -8021'),
    (217, 'MathCoder-L-7b', 'wrong', 209, F, 'expressions', '"1 \\times 5 + 5" = 10 vs 5'),
    (218, 'MathCoder-L-7b', 'wrong', 217, F, 'expressions', 'h in terms of p vs 4'),
    (219, 'MathCoder-L-7b', 'wrong', 218, F, 'expressions', '3z vs 3'),
    (220, 'MathCoder-L-7b', 'wrong', 235, F, 'text', '"s" is not a solution value'),
    (221, 'MathCoder-L-7b', 'wrong', 241, F, 'expressions', 'linear expression vs -10188'),
    (222, 'MathCoder-L-7b', 'wrong', 253, T, 'relations', '"v > g" names v, whose value -1 is the gold'),
    (223, 'MathCoder-L-7b', 'wrong', 254, F, 'expressions', '48 - 108p vs -108'),
    (224, 'MathCoder-L-7b', 'wrong', 267, F, 'expressions', 'radical vs -576'),
    (225, 'MathCoder-L-7b', 'wrong', 268, F, 'sets_tuples', 'increasing instead of decreasing'),
    (226, 'MathCoder-L-7b', 'wrong', 277, F, 'expressions', '6f + 113 vs 11'),
    (227, 'MathCoder-L-7b', 'wrong', 299, T, 'relations', '"q > -7" names q, whose value -6 is the gold'),
    (228, 'MathCoder-L-7b', 'wrong', 308, F, 'sets_tuples', '5 vs [3, 5]'),
    (229, 'MathCoder-L-7b', 'wrong', 330, F, 'complex', 'complex value vs 0'),
    (230, 'MathCoder-L-7b', 'wrong', 343, F, 'scientific', '1.0658e-14 vs 3'),
    (231, 'MathCoder-L-7b', 'wrong', 351, 'drop', 'prime factors with multiplicity: ambiguous'),
    (232, 'MathCoder-L-7b', 'wrong', 362, F, 'expressions', 'p + 9 vs 5'),
    (233, 'MathCoder-L-7b', 'wrong', 380, F, 'sets_tuples', 'not in descending order'),
    (234, 'MathCoder-L-7b', 'wrong', 384, F, 'expressions', 'radical vs 891'),
    (235, 'MathCoder-L-7b', 'wrong', 398, F, 'expressions', '575i vs -72'),
    (236, 'MathCoder-L-7b', 'wrong', 401, F, 'decimal', '2.25 vs [2]'),
    (237, 'MathCoder-L-7b', 'wrong', 421, 'drop', '"-5, -1" lists w and a for "solve for w": ambiguous'),
    (238, 'MathCoder-L-7b', 'wrong', 422, F, 'expressions', '-10t - 3 vs -10'),
    (239, 'MathCoder-L-7b', 'wrong', 423, F, 'fraction', '40/3 vs [13]'),
    (240, 'MathCoder-L-7b', 'wrong', 445, F, 'multiple_choice', 'u = -5 is not nearest to 0'),
]

# --------------------------------------------------------------------------- lighteval extras
# Only the cases of tests/unit/metrics/test_extractive_match.py that Math-Verify lacks. (line, label, category, note)
LIGHTEVAL = [
    (84, T, "multiple_choice", "letter at the end of a sentence"),
    (86, T, "multiple_choice", "letter after a rejected alternative"),
    (87, T, "multiple_choice", "letter followed by rejected alternatives"),
    (88, T, "multiple_choice", "\"The answer: D\" with rejected alternatives after"),
    (90, T, "multiple_choice", "letter at the start followed by rejected alternatives"),
    (91, T, "multiple_choice", "gold option with its text vs bare letter"),
    (92, F, "multiple_choice", "gold option A vs letter C"),
    (93, T, "multiple_choice", "gold option with its text vs bare letter"),
    (94, "drop", "gold is a multi-line text that names two options"),
    (95, "drop", "gold is a multi-line text that names two options"),
    (96, "drop", "gold is a multi-line text with two option-like lines"),
    (107, T, "multiple_choice", "French sentence, rejected alternative after"),
    (109, T, "multiple_choice", "Chinese punctuation after the letter"),
    (110, T, "multiple_choice", "Chinese punctuation after the letter"),
    (111, T, "multiple_choice", "letter glued to Chinese text"),
    (121, T, "extraction", "Chinese word problem, last number"),
    (128, T, "extraction", "Chinese word problem, bold answer with a unit"),
    (135, T, "extraction", "Chinese word problem, bold answer with a unit"),
    (142, T, "extraction", "Chinese word problem, answer with a unit"),
    (149, T, "extraction", "Chinese word problem, answer with a currency word"),
    (156, T, "extraction", "Chinese word problem"),
    (163, T, "extraction", "Arabic word problem, bold answer"),
    (170, T, "extraction", "Arabic word problem, bold answer"),
    (185, T, "percent", "French text whose final bold answer is 25% (the reasoning is muddled)"),
    (192, T, "extraction", "French, answer inside an equation in parentheses"),
    (193, T, "extraction", "French, the answer is the second number mentioned, not the last computed"),
    (194, T, "extraction", "French, amount with a currency sign"),
    (195, T, "extraction", "French, decimal comma earlier, final value 70"),
    (202, T, "fraction", "Chinese text, fraction with a unit"),
    (209, T, "extraction", "Chinese text, value glued to a unit"),
    (210, T, "extraction", "Chinese text, value with a unit"),
    (217, T, "fraction", "Chinese text, slash fraction"),
    (218, T, "fraction", "8/46 reduces to 4/23"),
    (219, T, "expressions", "same unevaluated quotient followed by an approximation"),
    (228, T, "extraction", "Hindi text, last number with a unit"),
    (235, T, "extraction", "final \"the answer is 0\" after garbled reasoning"),
    (245, T, "extraction", "answer 1 after an earlier 1000"),
    (246, "drop", "\"just about 1\": approximate wording, ambiguous"),
    (1105, T, "labelled_values", "boxed labelled solutions with \\quad \\text{and} vs semicolon list"),
    (1135, "drop", "gold \"\\boxed{1} and and and or thus but \\boxed{2} and \\boxed{3}\" is malformed"),
    (1140, "drop", "gold \"\\boxed{1} and and and or thus but \\boxed{2} and \\boxed{3}\" is malformed"),
]

# --------------------------------------------------------------------------- transcribed test cases
# (gold, candidate, label, category, note[, question])
PERCENT_Q = "What percent of 50 is 5?"
HENDRYCKS = [
    (r"\tfrac{1}{2} + \frac1{72}", r"\\frac{1}{2} + 2/3", F, "fraction", "1/2 + 1/72 vs 1/2 + 2/3 (candidate has a doubled backslash as in the source)"),
    (r"10, 4, -2", r"4, 10, -2", "drop", "same numbers in another order, no question says whether order matters"),
    (r"10, 4, 2", r"4, 12, 2", F, "multiple_answers", "different numbers"),
    (r"\tfrac{1}{2} +\! \frac1{72}", r"\\dfrac{1}{2} +\frac{1}{72}", T, "fraction", "\\! spacing and \\dfrac (candidate has a doubled backslash as in the source)"),
    (r"10\text{ units}", "10 ", T, "units", "unit text dropped"),
    (r"10\text{ units}", "100 ", F, "units", "different number"),
    ("10", r"\$10", T, "units", "escaped dollar sign"),
    (r"\left(x-2\right)\left(x+2\right)", "(x-2)(x+2)", T, "expressions", "\\left \\right sizing"),
    ("0.1, 4, 2", "4, .1, 2", "drop", "same numbers in another order, no question says whether order matters"),
    ("0.1", ".1", T, "decimal", "missing leading zero"),
    (r"10\%", "10", T, "percent", "percent sign dropped in a percent question", PERCENT_Q),
    (r"10\sqrt{3} + \sqrt4", r"10\sqrt3 + \sqrt{4}", T, "expressions", "\\sqrt with and without braces"),
    (r"\frac34i", r"\frac{3}{4}i", T, "complex", "\\frac34 shorthand"),
    (r"\tfrac83", r"\frac{8}{3}", T, "fraction", "\\tfrac83 shorthand"),
    (r"5x - 7y + 11z + 4 = 0", r"x + y - z + 2 = 0", F, "equations", "different planes"),
    ("1/2", r"\frac{1}{2}", T, "fraction", "slash vs \\frac"),
]

MARIO = [
    (r"{x, x - 1}", r"{x - 1, x}", T, "sets_tuples", "set in another order"),
    (r"x + \sqrt2I", r"x + 1.414I", "drop", "3-decimal approximation of sqrt(2): no precision stated"),
    (r"11,\! 111,\! 111,\! 100", "11111111100", T, "thousands", "\\! thousands separators"),
    ("1 1/2", "1.5", T, "mixed_number", "mixed number written with a space"),
    ("4210_{7}", "4210_7", T, "base", "braced vs bare base subscript"),
    (r"1\frac12", "1.5", T, "mixed_number", "mixed number 1\\frac12"),
    (r"2\frac58", "2.625", T, "mixed_number", "mixed number 2\\frac58"),
    (".1, 4.0", "0.1, 4", T, "multiple_answers", "decimal formatting inside a list"),
    (r"10\%", "10", T, "percent", "percent sign dropped in a percent question", PERCENT_Q),
    (r"10\%", "0.1", T, "percent", "percent as a decimal fraction"),
    (r"\frac13, \sqrt3, \pi", "1/3, 1.732, 3.1416", "drop", "decimal approximations of irrationals: no precision stated"),
    (r"40\pi", "125.663", "drop", "40\\pi = 125.6637...: truncated approximation, no precision stated"),
    ("1, 2, 3", "1, 3, 2", "drop", "same numbers in another order, no question says whether order matters"),
    (r"7, -2, \text{ and } -5", "-5,-2,7", "drop", "same numbers in another order, no question says whether order matters"),
    ("[1, 2, 3]", "(1, 3, 2)", F, "sets_tuples", "bracketed ordered lists in a different order (the source asserts not equal)"),
    ("[x, x + 1]", "[x, 1 + x]", T, "sets_tuples", "commuted entry"),
    ("[x, x + 1]", "[x + 1, x]", F, "sets_tuples", "entries swapped"),
    ("1+2i", "i(2-i)", T, "complex", "i(2-i) = 1 + 2i"),
    (r"\tfrac23 +\frac1{72}", r"\\dfrac{2}{3} +\frac{1}{72}", T, "fraction", "\\tfrac vs \\dfrac (candidate has a doubled backslash as in the source)"),
    (r"$\frac{\sqrt{17}}{17}$", r"$\frac{\sqrt{17}}{17}$", T, "fraction", "identical"),
    (r"$\frac{4\sqrt{5}}{5}$", r"$\frac{4\sqrt{5}}{5}$", T, "fraction", "identical"),
    (r"\frac{\sqrt{3}}{2}", "0.8660254037844386", T, "decimal", "sqrt(3)/2 to 16 significant digits"),
    (r"10\text{ units}", "10", T, "units", "unit text dropped"),
    ("10 square units", "10", T, "units", "plain-text unit dropped"),
    (r"10 \text{cm}", "10", T, "units", "unit dropped"),
    (r"10\text{ cm}^2", "10", T, "units", "squared unit dropped"),
    (r"10\text{ cm}^{2}", "10", T, "units", "squared unit dropped"),
    ("10weeks", "10", T, "units", "unit glued to the number"),
    ("10 weeks", "10", T, "units", "unit dropped"),
    ("10 cm^2", "10", T, "units", "plain-text squared unit dropped"),
    ("20:34", "20:34:00", T, "time", "seconds added"),
    ("20:34", r"08:34 \text{P.M.}", T, "time", "24-hour vs 12-hour clock"),
    ("10cm", "10", "drop", "\"10cm\" may be 10*c*m (the source asserts not equal)"),
    ("10m", "10", "drop", "\"10m\" may be 10*m (the source asserts not equal)"),
    (r"$\sqrt{5}$", r"$\\sqrt{5}$", T, "expressions", "candidate has a doubled backslash as in the source"),
    (r"\sin(x)=\frac{42}{59}", r"\cos(x)=\frac{42}{59}", F, "equations", "sin vs cos"),
    (r"$\frac{v_{0}}{r_{0}} \frac{1}{\left(1+r / r_{0}\right)^{3 / 2}}$", r"$\frac{v_0 \cdot \left(\frac{r_0}{r + r_0}\right)^{0.5}}{(r + r_0)}$", T, "expressions", "rewritten with a 0.5 power"),
    (r"11z^{7}(5+11z^{7})", r"11z^7(11z^7+5)", T, "expressions", "commuted factor"),
    (r"$\frac{8-7x}{6}$", r"$4/3-7x/6$", T, "expressions", "split fraction"),
    (r"(2x+3)(2x -1)(2x+1)", r"(2x - 1)(2x + 1)(2x + 3)", T, "expressions", "reordered factors"),
    (r"2^6 * 3^5 * 5^4", r"2^6 3^5 5^4", T, "expressions", "implicit product"),
    (r"\begin{pmatrix} 1 & 1/2 \\ 1/3 & 4 \end{pmatrix}", r"\begin{pmatrix} 1 & 0.5 \\ 1/3 & 4 \end{pmatrix}", T, "matrices", "0.5 vs 1/2 entry"),
    (r"\begin{matrix} x \\ \sqrt{3} + 2x  \\ \frac12 \end{matrix}", r"\begin{matrix} x \\ \sqrt{3} + 2x \\ 0.5 \end{matrix}", T, "matrices", "0.5 vs \\frac12 entry"),
    (r"\begin{matrix} \frac12 \\ 1 \end{matrix}", "[0.5, 1]", T, "matrices", "column vector vs bracket list"),
    (r"\begin{cases} a+b=\frac12 \\ a-b=\sqrt3 \end{cases}", r"\begin{cases} a+b=0.5\\ a-b=1.732\end{cases}", "drop", "1.732 approximates sqrt(3): no precision stated"),
    (r"\sec x", r"\frac1{\cos x}", T, "expressions", "sec as 1/cos"),
    (r"\sin(90^{\circ}-x)", r"\cos(x)", T, "angles", "co-function identity with degrees"),
    (r"2.314814814815 \times 10^{-3}", r"\frac{1}{432}", T, "scientific", "1/432 to 13 significant digits"),
    (r"x \in [0.5, \infty)", r"[1/2, \infty)", T, "intervals", "0.5 vs 1/2 endpoint"),
    (r"[1,+\infty)", r"[2^{\frac{1}{2^{1000}}}, \infty)", F, "huge_numbers", "2^(1/2^1000) is slightly above 1 (the source asserts equal: float rounding)"),
    ("[-3,2]", "(-3,2)", F, "intervals", "closed vs open"),
    ("[1, 2)", "[x, y)", F, "intervals", "numbers vs variables"),
    ("x = 1, y = 2, z = 3", "1, 2, 3", T, "labelled_values", "labelled values vs bare list"),
    ("f(x) = 2x + 3", "2x + 3", T, "equations", "f(x) = expression vs expression"),
    ("f(x) = 2x + 3", "y = 2x + 3", T, "equations", "f(x) = vs y ="),
]

NEMOSKILLS = [
    ("5", "5", T, "integer", "identical"),
    ("5", "5.0", T, "decimal", "trailing .0"),
    ("1/2", "0.5", T, "fraction", "slash fraction vs decimal"),
    (r"\frac{1}{2}", "0.5", T, "fraction", "\\frac vs decimal"),
    (r"918\frac{1}{2}", "918.5", T, "mixed_number", "mixed number vs decimal"),
    ("x^2+2x+1", "x^2 + 2*x + 1", T, "expressions", "explicit *"),
    ("x^2+2x+1", "x^2 + 2*x - (-1)", T, "expressions", "double negative"),
    ("y = x^2+2x+1", "2x+ 1+x^2", T, "expressions", "y = expression vs reordered expression"),
    ("odd", r"\text{odd}", T, "text", "\\text wrapper"),
    ("E", r"\mathrm{E}", T, "multiple_choice", "\\mathrm wrapper"),
    ("A", r"\textbf{A}", T, "multiple_choice", "\\textbf wrapper"),
    ("f'", "f'", T, "text", "identical prime symbol"),
    ("185", "185\\", T, "integer", "stray trailing backslash"),
    (".185", "0.185", T, "decimal", "missing leading zero"),
    (r"\frac {1}{2}", "0.5", T, "fraction", "space after \\frac"),
    (r"17\text{ any text}", "17", T, "units", "trailing text"),
    (r"\$10", "10", T, "units", "escaped dollar sign"),
    ("10%", "10", T, "percent", "percent sign dropped in a percent question", PERCENT_Q),
    (r"10\%", "10", T, "percent", "percent sign dropped in a percent question", PERCENT_Q),
    ("2.5", r"\frac{5}{2}", T, "fraction", "decimal vs fraction (the source passes the float 5/2)"),
    (r"\frac{1}{3}", r"\dfrac{1}{3}", T, "fraction", "\\dfrac"),
    ("(r+5)(r+5)", "(r+5)^2", T, "expressions", "square written as a product"),
    (r"\frac{\sqrt{3}}{3}", r"\frac{\sqrt{3}}{3} \approx 0.577", T, "expressions", "exact value followed by an approximation"),
    ("C", "C. x = 42", T, "multiple_choice", "letter followed by its option text"),
    (r"\begin{pmatrix}0&0&0\\0&1&0\\0&0&1\end{pmatrix}", r"\begin{bmatrix} 0 & 0 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 1 \end{bmatrix}", T, "matrices", "pmatrix vs bmatrix"),
    ("5", "5.001", F, "decimal", "close but different number"),
    ("x^2+2x+1", "x^3+2x+1", F, "expressions", "different exponent"),
    ("odd", r"\text{oddd}", F, "text", "misspelt word"),
    ("E", r"\mathrm{E}*2", F, "expressions", "letter times 2"),
    (r"\sqrt{67},-\sqrt{85}", r"\sqrt{67}", F, "multiple_answers", "one of two values"),
]

VERL = [
    ("033", "33", T, "integer", "AIME-style zero padding"),
    ("+033", "33", T, "integer", "plus sign and zero padding"),
    ("-0", "0", T, "integer", "negative zero"),
    ("000", "0", T, "integer", "zero padding"),
]

SIMPLEEVALS = [
    ("$2x+3$", "$3+2x$", T, "expressions", "commuted sum"),
    ("3/2", "1.5", T, "fraction", "fraction vs decimal"),
    ("$x^2+2x+1$", "$y^2+2y+1$", F, "expressions", "different variable"),
    ("$x^2+2x+1$", "$(x+1)^2$", T, "expressions", "factored form"),
    ("3245/5", "649", T, "fraction", "equal; the template answers No only because it forbids non-trivial simplification"),
    ("2/(-3)", "-2/3", T, "fraction", "sign moved"),
    ("72 degrees", "72", T, "angles", "unit word dropped"),
    ("64", "64 square feet", T, "units", "unit added"),
]

# --------------------------------------------------------------------------- handwritten
# (category, gold, candidate, label, note, question or None, origin or None)
# origin = (dataset, 0-based line) in QwenLM/Qwen2.5-Math evaluation/data/<dataset>/test.jsonl:
# the question (and, checked, the gold) come from there; the candidate is ours.
Q_TAN = r"Solve $\tan x = 1$ over the real numbers."
Q_F = r"Solve $\frac{(y-4)^2}{y} \le 0$ over the real numbers."
Q_MINMAX = r"Find the smallest and the largest value of $f(x)=x^2-4x+7$ on $[0,5]$. Give the smallest first."
Q_MARBLES = "Anna and Ben have 13 marbles together, and Ben has 3 more than Anna. How many marbles does each have? Give Anna's number first."
Q_SYS = "Solve the system $x+y=1$, $x-y=3$."
Q_GAME = "Two players alternately take 1 or 2 stones from a pile of 9 stones; whoever takes the last stone wins. Which player has a winning strategy?"
Q_RACE = "Four runners finish in the order Ann, Bo, Cy, Di. In which place does Cy finish?"
Q_TERM = "Which term of the arithmetic sequence 3, 7, 11, ... equals 83?"
Q_MIX = r"Compute $1\frac{3}{4} + \frac{5}{8}$."
Q_DEG = "What is the acute angle between the line $y=x$ and the $x$-axis, in degrees?"
Q_FLOUR = "A recipe needs 3 cups of flour. How many cups are needed for half of the recipe?"
Q_APPLES = "Three apples are shared equally between two children. How many apples does each child get?"
Q_CUBE = "How many edges does a cube have?"
Q_SUM100 = r"Compute $1+2+3+\cdots+100$."
Q_GEO = r"Compute $1+2+4+\cdots+512$."
Q_ODD = "What is the sum of the first 10 positive odd numbers?"
Q_TRI = "What kind of triangle (by its sides) has side lengths 5, 5 and 8?"
Q_PRIME = "Is 91 a prime number?"
Q_T = r"Find all real $t$ with $t > 0$ and $t^2 \le 9$. Give the answer as an interval."
Q_DOMAIN = r"Find the domain of $f(x)=\sqrt{x+1}$."
Q_DOMAIN2 = r"Find the domain of $g(x)=\sqrt{2-x}$."
Q_COS = r"Solve $\cos x = 1$ over the real numbers."
Q_STMTS = "Which of the following statements are true? ① 2 is prime. ② 9 is prime. ③ 15 is prime. ④ 17 is prime."
Q_POW2 = r"For which real $x$ is $\log_2 x$ defined and less than 100? Give an interval."
Q_SMALL = r"For which real $x$ is $0 < x \le 10^{-30}$? Give an interval."
Q_POW64 = r"For which real $x$ does $x > 2^{64}$ hold? Give an interval."
Q_POW3 = r"Give the interval of real $x$ with $3^{40} \le x \le 3^{41}$."
Q_CLOSED = r"Find a closed form for $1+2+\cdots+n$."
Q_GAP = r"Solve $(x-2)^2(x-4) \ge 0$ over the real numbers."
HANDWRITTEN = [
    # relation vs interval
    ("relation_vs_interval", r"[-1,\infty)", r"$x \ge -1$", T, "inequality for an interval gold", Q_DOMAIN, None),
    ("relation_vs_interval", r"[-1,\infty)", r"$x > -1$", F, "strict inequality loses the endpoint", Q_DOMAIN, None),
    ("relation_vs_interval", r"[-1,\infty)", r"The domain is all real numbers $x$ with $x\geq -1$.", T, "sentence with an inequality", Q_DOMAIN, None),
    ("relation_vs_interval", r"[-1,\infty)", r"$\{x \mid x \ge -1\}$", T, "set-builder notation", Q_DOMAIN, None),
    ("relation_vs_interval", r"(-\infty, 2]", r"$x \le 2$", T, "inequality for an interval gold", Q_DOMAIN2, None),
    ("relation_vs_interval", r"(-\infty, 2]", r"$x < 2$", F, "strict inequality loses the endpoint", Q_DOMAIN2, None),
    ("relation_vs_interval", r"$x \geqslant 16$", r"$[16, \infty)$", T, "interval for an inequality gold", None, ("college_math", 894)),
    ("relation_vs_interval", r"$x \geqslant 16$", r"$(16, \infty)$", F, "open endpoint", None, ("college_math", 894)),
    ("relation_vs_interval", r"$-1<x \leqslant 1:(-1,1]$", r"$(-1, 1]$", T, "gold gives both forms; candidate the interval", None, ("college_math", 11)),
    ("relation_vs_interval", r"$-1<x \leqslant 1:(-1,1]$", r"$-1 \le x < 1$", F, "endpoints' openness swapped", None, ("college_math", 11)),
    ("relation_vs_interval", r"$x<-7:(-\infty,-7)$", r"$x \in (-\infty, -7)$", T, "x \\in interval", None, ("college_math", 544)),
    ("relation_vs_interval", r"$x<-7:(-\infty,-7)$", r"$(-\infty,-7]$", F, "closed endpoint", None, ("college_math", 544)),
    ("relation_vs_interval", r"$k \geqslant 2$ or $k<-20:(-\infty,-20) \cup[2, \infty)$", r"$(-\infty,-20)\cup[2,\infty)$", T, "union of intervals", None, ("college_math", 634)),
    ("relation_vs_interval", r"$k \geqslant 2$ or $k<-20:(-\infty,-20) \cup[2, \infty)$", r"$k < -20$ or $k > 2$", F, "k = 2 lost", None, ("college_math", 634)),
    ("relation_vs_interval", r"$\{x|-2\leq x < 1\}$", r"$[-2, 1)$", T, "set-builder gold, interval candidate", None, ("gaokao2023en", 0)),
    ("relation_vs_interval", r"$\{x|-2\leq x < 1\}$", r"$(-2, 1)$", F, "left endpoint lost", None, ("gaokao2023en", 0)),
    # chained inequalities
    ("relation_vs_interval", "(0,3]", r"$0 < t \le 3$", T, "chained inequality for a half-open interval", Q_T, None),
    ("relation_vs_interval", "(0,3]", r"$0 \le t \le 3$", F, "chained inequality includes 0", Q_T, None),
    ("relation_vs_interval", "(0,3]", r"So $t$ can be any number with $3 \geq t > 0$.", T, "reversed chained inequality in a sentence", Q_T, None),
    ("relation_vs_interval", "3<m<4", r"$m\in(3,4)$", T, "interval for a chained inequality gold", None, ("cn_middle_school", 3)),
    ("relation_vs_interval", "3<m<4", r"$2<m<3$", F, "neighbouring option", None, ("cn_middle_school", 3)),
    ("relation_vs_interval", r"\frac{1}{3}<x<7", r"$x\in\left(\frac13, 7\right)$", T, "interval for a chained inequality gold", None, ("cn_middle_school", 58)),
    ("relation_vs_interval", r"\frac{1}{3}<x<7", r"$\frac{1}{3}<x\le 7$", F, "right endpoint included", None, ("cn_middle_school", 58)),
    ("relation_vs_interval", r"\frac{1}{3}<x<7", r"$x > \frac{1}{3}$", F, "upper bound missing", None, ("cn_middle_school", 58)),
    # unions with isolated points, "or"
    ("relation_vs_interval", r"(-\infty,0)\cup\{4\}", r"$y<0$ or $y=4$", T, "\"or\" of a relation and a point", Q_F, None),
    ("relation_vs_interval", r"(-\infty,0)\cup\{4\}", r"$y \le 0$ or $y = 4$", F, "includes 0, where the expression is undefined", Q_F, None),
    ("relation_vs_interval", r"(-\infty,0)\cup\{4\}", r"$(-\infty, 0)$", F, "isolated point 4 missing", Q_F, None),
    ("relation_vs_interval", r"(-\infty,0)\cup\{4\}", r"$y \in (-\infty, 0) \cup \{4\}$", T, "same set with y \\in", Q_F, None),
    ("relation_vs_interval", r"$(-\infty, 0) \cup\{1\}$.", r"$P(0)<0$ or $P(0)=1$", T, "relations for a union with a point", None, ("olympiadbench", 76)),
    ("relation_vs_interval", r"$(-\infty, 0) \cup\{1\}$.", r"$P(0) \le 0$ or $P(0) = 1$", F, "0 included", None, ("olympiadbench", 76)),
    ("relation_vs_interval", r"\{2\} \cup[4, \infty)", r"$x = 2$ or $x \geq 4$", T, "point or ray", Q_GAP, None),
    ("relation_vs_interval", r"\{2\} \cup[4, \infty)", r"$[2, \infty)$", F, "fills the gap (2, 4)", Q_GAP, None),
    ("multiple_answers", r"$x=-1, x=0$ or $x=1$", r"$\{-1, 0, 1\}$", T, "solution set vs listed equations", None, ("college_math", 1012)),
    ("multiple_answers", r"$x=-1, x=0$ or $x=1$", r"$x = 0$ or $x = 1$", F, "x = -1 missing", None, ("college_math", 1012)),
    ("multiple_answers", r"$5$ or $9$", r"$x = 5$ or $x = 9$", T, "\"or\" with labels", None, ("gaokao2023en", 185)),
    ("multiple_answers", r"$5$ or $9$", r"$x = 9$", F, "one value only", None, ("gaokao2023en", 185)),
    # labelled values vs bare list
    ("labelled_values", "3, 12", "Smallest = 3, Largest = 12", T, "labelled values vs bare list", Q_MINMAX, None),
    ("labelled_values", "3, 12", "Smallest = 12, Largest = 3", F, "labels swapped", Q_MINMAX, None),
    ("labelled_values", "3, 12", "The minimum value is $3$ and the maximum value is $12$.", T, "values named in a sentence", Q_MINMAX, None),
    ("labelled_values", "3, 12", r"$\min f = 3$, $\max f = 7$", F, "wrong maximum (f(0) instead of f(5))", Q_MINMAX, None),
    ("labelled_values", "5, 8", "Anna: 5, Ben: 8", T, "named values vs bare list", Q_MARBLES, None),
    ("labelled_values", "5, 8", "Anna: 8, Ben: 5", F, "names swapped", Q_MARBLES, None),
    ("labelled_values", "5, 8", "Ben has 8 marbles and Anna has 5.", T, "named values in the other order", Q_MARBLES, None),
    ("labelled_values", "x=2, y=-1", "(2, -1)", T, "labelled solution vs ordered pair", Q_SYS, None),
    ("labelled_values", "x=2, y=-1", "(-1, 2)", F, "pair in the wrong order", Q_SYS, None),
    ("labelled_values", "(2,-1)", r"$y = -1$, $x = 2$", T, "labels in the other order", Q_SYS, None),
    # integer parameter names
    ("parametric", r"\frac{\pi}{4}+k\pi,\ k\in\mathbb{Z}", r"$\frac{\pi}{4}+m\pi,\ m\in\mathbb{Z}$", T, "integer parameter renamed", Q_TAN, None),
    ("parametric", r"\frac{\pi}{4}+k\pi,\ k\in\mathbb{Z}", r"$x=\frac{\pi}{4}+n\pi$", T, "parameter renamed, no domain stated", Q_TAN, None),
    ("parametric", r"\frac{\pi}{4}+k\pi,\ k\in\mathbb{Z}", r"$x = \frac{5\pi}{4} + k\pi,\ k \in \mathbb{Z}$", T, "same family shifted by one period", Q_TAN, None),
    ("parametric", r"\frac{\pi}{4}+k\pi,\ k\in\mathbb{Z}", r"$\frac{\pi}{4}+2k\pi,\ k\in\mathbb{Z}$", F, "period 2pi misses half the solutions", Q_TAN, None),
    ("parametric", r"\frac{\pi}{4}+k\pi,\ k\in\mathbb{Z}", r"$x=\frac{\pi}{4}$", F, "one solution only", Q_TAN, None),
    ("parametric", r"2k\pi", r"$x = 2n\pi,\ n \in \mathbb{Z}$", T, "integer parameter renamed", Q_COS, None),
    ("parametric", r"2k\pi", r"$x = k\pi$", F, "too many solutions", Q_COS, None),
    ("parametric", r"$x=\frac{1}{6} \pi+\pi k, \frac{1}{3} \pi+\pi k, \frac{2}{3} \pi+\pi k, \frac{5}{6} \pi+\pi k$", r"$x = \frac{\pi}{6}+n\pi,\ \frac{\pi}{3}+n\pi,\ \frac{2\pi}{3}+n\pi,\ \frac{5\pi}{6}+n\pi$ ($n\in\mathbb{Z}$)", T, "k (a real constant in the question) renamed n as the integer", None, ("olympiadbench", 269)),
    ("parametric", r"$x=\frac{1}{6} \pi+\pi k, \frac{1}{3} \pi+\pi k, \frac{2}{3} \pi+\pi k, \frac{5}{6} \pi+\pi k$", r"$x = \pm\frac{\pi}{6} + \frac{n\pi}{2},\ n \in \mathbb{Z}$", T, "the same four families written as two", None, ("olympiadbench", 269)),
    ("parametric", r"$x=\frac{1}{6} \pi+\pi k, \frac{1}{3} \pi+\pi k, \frac{2}{3} \pi+\pi k, \frac{5}{6} \pi+\pi k$", r"$x = \frac{\pi}{6} + \frac{n\pi}{2},\ n \in \mathbb{Z}$", F, "covers only two of the four families", None, ("olympiadbench", 269)),
    ("parametric", r"$x=\frac{1}{6} \pi+\pi k, \frac{1}{3} \pi+\pi k, \frac{2}{3} \pi+\pi k, \frac{5}{6} \pi+\pi k$", r"$x = \frac{\pi}{6}+n\pi,\ \frac{\pi}{3}+n\pi,\ \frac{2\pi}{3}+n\pi$", F, "one family missing", None, ("olympiadbench", 269)),
    # sentence answers
    ("sentence", "second player", "The second player wins.", T, "sentence whose noun phrase is the gold", Q_GAME, None),
    ("sentence", "second player", "Player 2 has a winning strategy.", T, "paraphrase of the gold", Q_GAME, None),
    ("sentence", "second player", "The first player wins.", F, "the other player", Q_GAME, None),
    ("sentence", "second player", "The second player loses.", F, "contains the gold's words but says the opposite", Q_GAME, None),
    ("sentence", "isosceles", "The triangle is isosceles.", T, "sentence answer", Q_TRI, None),
    ("sentence", "isosceles", "It is an equilateral triangle.", F, "wrong kind", Q_TRI, None),
    ("sentence", r"\text{No}", "No, since $91 = 7 \\times 13$.", T, "yes/no with a reason", Q_PRIME, None),
    ("sentence", r"\text{No}", "Yes, 91 is prime.", F, "wrong yes/no", Q_PRIME, None),
    # circled numerals
    ("unicode", r"$\textcircled{1}\textcircled{3}\textcircled{4}$", "①③④", T, "Unicode circled numerals vs \\textcircled", None, ("gaokao_math_cloze", 77)),
    ("unicode", r"$\textcircled{1}\textcircled{3}\textcircled{4}$", "①③", F, "one statement missing", None, ("gaokao_math_cloze", 77)),
    ("unicode", r"$\textcircled{1}\textcircled{3}\textcircled{4}$", r"$\textcircled{1}\textcircled{4}\textcircled{3}$", T, "same statements in another order", None, ("gaokao_math_cloze", 77)),
    ("unicode", r"$\textcircled{1}\textcircled{3}\textcircled{4}$", "1, 3, 4", T, "plain statement numbers", None, ("gaokao_math_cloze", 77)),
    ("unicode", r"$\textcircled{2}\textcircled{3}$", "②③", T, "Unicode circled numerals", None, ("gaokao_math_cloze", 86)),
    ("unicode", r"$\textcircled{2}\textcircled{3}$", "②④", F, "wrong statement", None, ("gaokao_math_cloze", 86)),
    ("unicode", r"$\textcircled{2}\textcircled{3}$", "所有真命题的序号是③②", T, "reversed order inside a Chinese sentence", None, ("gaokao_math_cloze", 86)),
    ("unicode", "①④", r"$\textcircled{1}\textcircled{4}$", T, "\\textcircled vs Unicode", Q_STMTS, None),
    ("unicode", "①④", "①②④", F, "extra statement", Q_STMTS, None),
    # ordinals
    ("ordinal", "3^{rd}", "third", T, "ordinal word", Q_RACE, None),
    ("ordinal", "3^{rd}", "Cy finishes in 3rd place.", T, "3rd in a sentence", Q_RACE, None),
    ("ordinal", "3^{rd}", "3", T, "bare number for an ordinal", Q_RACE, None),
    ("ordinal", "3^{rd}", "2^{nd}", F, "wrong place", Q_RACE, None),
    ("ordinal", r"21^{\text{st}}", "It is the 21st term.", T, "ordinal in a sentence", Q_TERM, None),
    ("ordinal", r"21^{\text{st}}", r"$20^{th}$", F, "off by one", Q_TERM, None),
    # mixed numbers
    ("mixed_number", r"2\frac{3}{8}", r"$\frac{19}{8}$", T, "improper fraction", Q_MIX, None),
    ("mixed_number", r"2\frac{3}{8}", "2.375", T, "decimal", Q_MIX, None),
    ("mixed_number", r"2\frac{3}{8}", "2 3/8", T, "mixed number with a space", Q_MIX, None),
    ("mixed_number", r"2\frac{3}{8}", r"$\frac{3}{4}$", F, "equals 2 times 3/8: the juxtaposition misread as a product", Q_MIX, None),
    ("mixed_number", r"2\frac{3}{8}", r"$2\frac{3}{4}$", F, "different fraction part", Q_MIX, None),
    ("mixed_number", r"\frac{19}{8}", r"$2\tfrac{3}{8}$", T, "mixed number for an improper-fraction gold", Q_MIX, None),
    # degrees
    ("angles", r"45^\circ", "45°", T, "Unicode degree sign", Q_DEG, None),
    ("angles", r"45^\circ", r"$45^{\circ}$", T, "braced \\circ", Q_DEG, None),
    ("angles", r"45^\circ", "45 degrees", T, "degree word", Q_DEG, None),
    ("angles", r"45^\circ", "45^", T, "bare caret left from a lost \\circ", Q_DEG, None),
    ("angles", r"45^\circ", r"$45^{o}$", T, "letter o used as a degree sign", Q_DEG, None),
    ("angles", r"45^\circ", r"$135^\circ$", F, "supplementary angle", Q_DEG, None),
    ("angles", r"45^\circ", r"$4.5^\circ$", F, "decimal point misplaced", Q_DEG, None),
    ("angles", r"$29^{\circ}$", r"$Z \approx 29°$", T, "Unicode degree sign with a relation", None, ("college_math", 649)),
    ("angles", r"$29^{\circ}$", r"$30^\circ$", F, "rounded wrongly", None, ("college_math", 649)),
    ("angles", r"$18.8^{\circ}$", r"$x \approx 18.8^\circ$", T, "unbraced \\circ", None, ("olympiadbench", 235)),
    ("angles", r"$18.8^{\circ}$", r"$18.9^{\circ}$", F, "last digit differs", None, ("olympiadbench", 235)),
    # percentages at different precision
    ("percent", "62.5%", r"$62.5\%$", T, "escaped percent", None, ("olympiadbench", 139)),
    ("percent", "62.5%", "0.625", T, "probability as a decimal", None, ("olympiadbench", 139)),
    ("percent", "62.5%", r"$62.50\,\%$", T, "trailing zero and thin space", None, ("olympiadbench", 139)),
    ("percent", "62.5%", r"$\frac{5}{8}$", T, "probability as a fraction", None, ("olympiadbench", 139)),
    ("percent", "62.5%", r"$63\%$", F, "rounded although the value is exact", None, ("olympiadbench", 139)),
    ("percent", "17.5%", "17.5 percent", T, "percent word", None, ("olympiadbench", 188)),
    ("percent", "17.5%", r"$17\%$", F, "truncated", None, ("olympiadbench", 188)),
    ("percent", r"$1.1\%$", r"$1.10\%$", T, "extra trailing zero", None, ("gaokao2023en", 189)),
    ("percent", r"$1.1\%$", r"$1\%$", F, "rounded to the wrong place", None, ("gaokao2023en", 189)),
    ("percent", "10%", "0.1", T, "growth rate as a decimal", None, ("cn_middle_school", 8)),
    ("percent", "10%", "20%", F, "wrong rate", None, ("cn_middle_school", 8)),
    ("percent", r"25 \%", r"C. $25\%$", T, "option letter with its value", None, ("cn_middle_school", 89)),
    ("percent", r"25 \%", "B", F, "wrong option (22%)", None, ("cn_middle_school", 89)),
    # number words and units words
    ("number_words", r"\frac{3}{2}", "one and a half", T, "number words", Q_FLOUR, None),
    ("number_words", r"\frac{3}{2}", "two and a half cups", F, "different number in words", Q_FLOUR, None),
    ("number_words", "1.5", "1.5 apples", T, "number with a unit noun", Q_APPLES, None),
    ("number_words", "1.5", "15 apples", F, "decimal point lost", Q_APPLES, None),
    ("number_words", "1.5", "Each child gets one and a half apples.", T, "number words in a sentence", Q_APPLES, None),
    ("number_words", "12", "twelve", T, "number word", Q_CUBE, None),
    ("number_words", "12", "a dozen", T, "dozen", Q_CUBE, None),
    ("number_words", "12", "twenty", F, "different number word", Q_CUBE, None),
    # long sums
    ("long_sums", "5050", r"$1 + 2 + 3 + \cdots + 100 = 5050$", T, "sum with \\cdots then the value", Q_SUM100, None),
    ("long_sums", "5050", r"$1+2+\cdots+99 = 4950$", F, "one term short", Q_SUM100, None),
    ("long_sums", "1023", r"$1+2+4+8+16+32+64+128+256+512=1023$", T, "sum written out in full", Q_GEO, None),
    ("long_sums", "1023", r"$2^{10}-1$", T, "closed form", Q_GEO, None),
    ("long_sums", "1023", r"$2^{10}$", F, "off by one", Q_GEO, None),
    ("long_sums", "100", r"$1+3+5+7+9+11+13+15+17+19 = 100$", T, "long explicit sum", Q_ODD, None),
    ("long_sums", "100", r"$1+3+5+\ldots+21 = 121$", F, "eleven terms", Q_ODD, None),
    ("long_sums", r"\frac{n(n+1)}{2}", r"$\frac{n^2+n}{2}$", T, "expanded numerator", Q_CLOSED, None),
    ("long_sums", r"\frac{n(n+1)}{2}", r"$\frac{n(n-1)}{2}$", F, "n-1 instead of n+1", Q_CLOSED, None),
    # huge numbers inside interval endpoints
    ("huge_numbers", r"(0, 2^{100})", r"$(0, 1267650600228229401496703205376)$", T, "2^100 written out", Q_POW2, None),
    ("huge_numbers", r"(0, 2^{100})", r"$(0, 1267650600228229401496703205377)$", F, "endpoint off by one", Q_POW2, None),
    ("huge_numbers", r"(0, 2^{100})", r"$(0, 2^{99})$", F, "exponent off by one", Q_POW2, None),
    ("huge_numbers", r"(0, 10^{-30}]", r"$(0, 1\times10^{-30}]$", T, "scientific notation", Q_SMALL, None),
    ("huge_numbers", r"(0, 10^{-30}]", r"$(0, 10^{-29}]$", F, "exponent off by one", Q_SMALL, None),
    ("huge_numbers", r"(2^{64}, \infty)", r"$(18446744073709551616, \infty)$", T, "2^64 written out", Q_POW64, None),
    ("huge_numbers", r"(2^{64}, \infty)", r"$(18446744073709551615, \infty)$", F, "2^64 - 1", Q_POW64, None),
    ("huge_numbers", r"[3^{40}, 3^{41}]", r"$[3^{40}, 3\cdot 3^{40}]$", T, "3^41 as 3 * 3^40", Q_POW3, None),
    ("huge_numbers", r"[3^{40}, 3^{41}]", r"$[3^{40}, 3^{42}]$", F, "wrong right endpoint", Q_POW3, None),
    # ordering relations
    ("relations", "y_{3}>y_{2}>y_{1}", r"$y_1<y_2<y_3$", T, "same order written increasingly", None, ("cn_middle_school", 47)),
    ("relations", "y_{3}>y_{2}>y_{1}", r"$y_{2}>y_{1}>y_{3}$", F, "another option", None, ("cn_middle_school", 47)),
    ("relations", "b > a > c", "$c < a < b$", T, "same order written increasingly", None, ("gaokao2023en", 83)),
    ("relations", "b > a > c", "$a > b > c$", F, "a and b swapped", None, ("gaokao2023en", 83)),
    ("relations", "b > a > c", "b, a, c", T, "decreasing list", None, ("gaokao2023en", 83)),
    ("multiple_choice", "x>2", r"A. $x>2$", T, "option letter with its text", None, ("cn_middle_school", 81)),
    ("multiple_choice", "x>2", r"C. $x<-2$", F, "wrong option", None, ("cn_middle_school", 81)),
]

# --------------------------------------------------------------------------- Qwen2.5-Math sampled solutions
# (idx, sample, label, category, note) for every extracted answer that differs from the gold string;
# an extracted answer equal to the gold string is labelled true (checked against the solution's last \boxed).
QWEN = [
    (1, 0, T, "fraction", "\\frac vs \\dfrac"),
    (3, 0, T, "time", "boxed 4:30 \\text{ p.m.} vs gold \\text{4:30 p.m.} (the file scores it wrong)"),
    (5, 0, T, "units", "100 vs 100 square units"),
    (6, 0, F, "fraction", "wrong probability"),
    (6, 3, F, "fraction", "wrong probability"),
    (6, 5, F, "fraction", "wrong probability"),
    (6, 6, F, "fraction", "wrong probability"),
    (10, 0, T, "angles", "48 vs 48^\\circ"),
    (17, 2, F, "integer", "rounded to the nearest thousand instead of ten thousand"),
    (26, 0, T, "units", "6 vs \\$6"),
    (27, 0, T, "percent", "198 vs 198\\% in a percent question"),
    (28, 0, F, "integer", "wrong count"),
    (28, 3, F, "integer", "wrong count"),
    (28, 5, F, "integer", "wrong count"),
    (28, 6, F, "integer", "wrong count"),
    (28, 7, F, "integer", "wrong count"),
    (37, 0, F, "mixed_number", "1\\frac{8}{91} vs 1\\frac{1}{10}"),
    (37, 4, F, "mixed_number", "1\\frac{1}{9} vs 1\\frac{1}{10}"),
    (38, 0, T, "angles", "120 vs 120^\\circ"),
    (53, 0, T, "thousands", "900000000 vs 900,\\!000,\\!000"),
    (54, 0, F, "percent", "wrong percent"),
    (54, 1, F, "percent", "wrong percent"),
    (54, 3, F, "percent", "wrong percent"),
    (54, 4, T, "percent", "25 vs 25\\% in a percent question"),
    (54, 5, F, "percent", "wrong percent"),
    (54, 6, F, "percent", "wrong percent"),
    (54, 7, F, "percent", "wrong percent"),
    (58, 1, F, "decimal", "wrong value"),
    (59, 0, T, "thousands", "3250 vs 3,\\!250"),
    (64, 0, T, "percent", "25 vs 25\\% in a percent question"),
    (70, 0, F, "integer", "wrong value"),
    (72, 0, F, "thousands", "integer part 9999 of a miscomputed quotient vs 10{,}000"),
    (72, 1, F, "thousands", "9998 vs 10{,}000"),
    (72, 3, F, "decimal", "9999.857142857143 vs 10{,}000"),
    (72, 5, F, "decimal", "9998.571428571429 vs 10{,}000"),
    (72, 6, F, "mixed_number", "9999\\frac{6}{7} vs 10{,}000"),
    (72, 7, T, "thousands", "10000 vs 10{,}000 (the file scores it wrong)"),
    (81, 3, F, "multiple_choice", "wrong graph letter"),
    (84, 0, F, "integer", "wrong value"),
    (85, 0, F, "integer", "wrong value"),
    (85, 3, F, "integer", "wrong value"),
    (92, 0, F, "expressions", "\\sqrt{34}+3\\sqrt{10} (about 14.3) vs 28"),
    (92, 2, F, "integer", "wrong value"),
    (97, 0, T, "fraction", "\\frac vs \\dfrac"),
    (98, 0, T, "thousands", "50625 vs 50,\\!625"),
    (98, 1, F, "thousands", "wrong value"),
    (98, 4, F, "thousands", "wrong value"),
    (98, 5, F, "thousands", "wrong value"),
]

MATHCODER_FILES = {
    "MathCoder-CL-7b": "outs/MathCoder-CL-7b/mathematics/mathematics_test_result-20230917-2303-{}.jsonl",
    "MathCoder-CL-13b": "outs/MathCoder-CL-13b/mathematics/mathematics_test_result-20230917-2308-{}.jsonl",
    "MathCoder-L-7b": "outs/MathCoder-L-7b/mathematics/mathematics_test_result-20230917-2314-{}.jsonl",
    "MathCoder-L-13b": "outs/MathCoder-L-13b/mathematics/mathematics_test_result-20230917-2337-{}.jsonl",
    "MathCoder-L-70b": "outs/MathCoder-L-70b/mathematics/mathematics_test_result-20230918-2031-{}.jsonl",
}
NUMERIC_WRONG_STRIDE = 13

LIC = {
    "mathverify": "Apache-2.0", "lighteval": "MIT", "hendrycks": "MIT", "mario": "MIT",
    "nemoskills": "Apache-2.0", "verl": "Apache-2.0", "simpleevals": "MIT", "verifybench": "MIT",
    "compassverifier": "Apache-2.0", "qwen25math": "MIT", "mathcoder": "Apache-2.0",
}


def classify(gold: str) -> str:
    s = strip_math(gold)
    if re.fullmatch(r"-?\d+", s):
        return "integer"
    if re.fullmatch(r"-?\d*\.\d+", s):
        return "decimal"
    if re.fullmatch(r"-?\d{1,3}((,\\!|,|\{,\})\d{3})+", s):
        return "thousands"
    if s.endswith("%"):
        return "percent"
    if "\\circ" in s:
        return "angles"
    if s.startswith("[") and s.endswith("]"):
        return "sets_tuples"
    if "\\frac" in s or re.fullmatch(r"-?\d+/\d+", s):
        return "fraction"
    if re.fullmatch(r"\(?[A-E]\)?", s) or s.startswith("\\text{(") or re.fullmatch(r"\\text\{[A-E]\}", s):
        return "multiple_choice"
    if "\\text" in s:
        return "text"
    if "," in s:
        return "sets_tuples" if s.startswith("(") else "multiple_answers"
    return "expressions"


def number(s: str):
    """Exact value of a plain number, slash fraction or \\frac; None for anything else."""
    from fractions import Fraction
    t = str(s).strip().replace(" ", "").replace("\\dfrac", "\\frac")
    m = re.fullmatch(r"(-?)\\frac\{(-?\d+)\}\{(-?\d+)\}", t)
    if m:
        if int(m.group(3)) == 0:
            return None
        v = Fraction(int(m.group(2)), int(m.group(3)))
        return -v if m.group(1) else v
    m = re.fullmatch(r"(-?\d+)/(-?\d+)", t)
    if m:
        return Fraction(int(m.group(1)), int(m.group(2))) if int(m.group(2)) else None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    try:
        return Fraction(t) if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", t) else None
    except ValueError:
        return None


class Build:
    def __init__(self, src: Sources):
        self.src = src
        self.rows: list[dict] = []
        self.dropped: list[tuple[str, str]] = []

    def add(self, prefix, n, category, gold, candidate, label, note, source, question=None, width=3):
        assert label in (True, False), (prefix, n, label)
        assert category and isinstance(gold, str) and isinstance(candidate, str), (prefix, n)
        row = {"id": f"{prefix}-{n:0{width}d}", "category": category, "gold": gold,
               "candidate": candidate, "label": label, "note": note, "source": source}
        if question:
            row["question"] = question
        self.rows.append(row)

    def drop(self, prefix, n, reason, width=3):
        self.dropped.append((f"{prefix}-{n:0{width}d}", reason))

    # ------------------------------------------------------------------ test suites
    def mathverify(self):
        repo = "huggingface/Math-Verify"
        cases = {}
        for f in sorted({e[1] for e in MATHVERIFY}):
            for c in parametrize_cases(self.src.read(repo, f"tests/{f}.py")):
                cases[(f, c["line"], c["k"])] = c
        for entry in MATHVERIFY:
            n, f, line, k, label = entry[:5]
            c = cases[(f, line, k)]
            if label == "drop":
                self.drop("mathverify", n, entry[5])
                continue
            cat, note = entry[5], entry[6]
            ov = entry[7] if len(entry) > 7 else {}
            gold = ov.get("gold") or clean_gold(c["gold"])
            cand = ov.get("cand") or c["pred"]
            expected = c.get("expected", c.get("result"))
            if expected is not None and bool(expected) != label and "asserts" not in note:
                note += f" (the source asserts {int(bool(expected))})"
            self.add("mathverify", n, cat, gold, cand, label, note,
                     f"huggingface/Math-Verify tests/{f}.py:{line} ({LIC['mathverify']})", ov.get("question"))

    def lighteval(self):
        path = "tests/unit/metrics/test_extractive_match.py"
        cases = {c["line"]: c for c in parametrize_cases(self.src.read("huggingface/lighteval", path))}
        for line, label, *rest in LIGHTEVAL:
            if label == "drop":
                self.drop("lighteval", line, rest[0], width=4)
                continue
            c = cases[line]
            self.add("lighteval", line, rest[0], clean_gold(c["gold"]), c["pred"], label, rest[1],
                     f"huggingface/lighteval {path}:{line} ({LIC['lighteval']})", width=4)

    def transcribed(self):
        tables = [
            ("hendrycks", HENDRYCKS, "hendrycks/math modeling/math_equivalence_test.py"),
            ("mario", MARIO, "MARIO-Math-Reasoning/MARIO_EVAL math_evaluation/tests/test_is_equiv.py"),
            ("nemoskills", NEMOSKILLS, "NVIDIA/NeMo-Skills tests/test_math_equal.py"),
            ("verl", VERL, "volcengine/verl tests/utils/reward_score/test_numeric_canonicalization_on_cpu.py"),
            ("simpleevals", SIMPLEEVALS, "openai/simple-evals common.py EQUALITY_TEMPLATE"),
        ]
        for prefix, table, where in tables:
            for n, entry in enumerate(table, 1):
                gold, cand, label = entry[:3]
                if label == "drop":
                    self.drop(prefix, n, entry[3])
                    continue
                question = entry[5] if len(entry) > 5 else None
                self.add(prefix, n, entry[3], clean_gold(gold), cand, label, entry[4],
                         f"{where} ({LIC[prefix]})", question)

    # ------------------------------------------------------------------ labelled examples
    def verifybench(self):
        html = self.src.read("ZJU-REAL/VerifyBench", "docs/index.html")
        s = html[html.index("const examples = [") + len("const examples = "):]
        s = s[:s.index("];") + 1]
        s = re.sub(r"(\{|,)\s*(question|answer|completions|text|correct)\s*:", r'\1 "\2":', s)
        examples = json.loads(re.sub(r",\s*([\]}])", r"\1", s))
        cats = ["complex", "expressions", "multiple_choice", "sentence"]
        notes = [("boxed i", "boxed 0"),
                 ("Catalan number written as \\frac{1}{n+1}\\binom{2n}{n} for gold C_n", "(n-1)-th Catalan number"),
                 ("\"B, D\" for BD", "answers a sub-question (3) instead of the options"),
                 ("boxed \\text sentence equal to the gold sentence", "list of unrelated facts")]
        for i, ex in enumerate(examples):
            gold = ex["answer"] if i != 2 else last_boxed(ex["answer"])
            for j, comp in enumerate(ex["completions"]):
                label = bool(comp["correct"])
                self.add("verifybench", 2 * i + j + 1, cats[i], gold, comp["text"], label,
                         notes[i][0 if label else 1] + " (the source marks the candidate " + ("correct" if label else "incorrect") + ")",
                         f"ZJU-REAL/VerifyBench docs/index.html benchmark examples ({LIC['verifybench']})", ex["question"])

    def compassverifier(self):
        readme = self.src.read("open-compass/CompassVerifier", "README.md")
        s = readme[readme.index("test_sample = [") + len("test_sample = "):]
        samples = ast.literal_eval(s[:s.index("\n]\n") + 2])
        notes = {"A": (T, "0.6875 for 11/16"),
                 "B": (F, "boxes the original polynomial: algebraically equal, but the question asks for a factorisation")}
        for i, smp in enumerate(samples[:2], 1):
            label, note = notes[smp["gold_judgment"]]
            self.add("compassverifier", i, "fraction" if i == 1 else "expressions", smp["gold_answer"],
                     smp["llm_response"], label, note,
                     f"open-compass/CompassVerifier README.md test_sample ({LIC['compassverifier']})", smp["question"])

    # ------------------------------------------------------------------ model outputs
    def qwen(self):
        path = "evaluation/data/eval_rm_maj_example/math_cot_100.jsonl"
        reviewed = {(i, k): (label, cat, note) for i, k, label, cat, note in QWEN}
        used = set()
        for line in self.src.read("QwenLM/Qwen2.5-Math", path).splitlines():
            r = json.loads(line)
            seen = set()
            for k, pred in enumerate(r["pred"]):
                if pred in seen:
                    continue
                seen.add(pred)
                key = (r["idx"], k)
                if key in reviewed:
                    label, cat, note = reviewed[key]
                    used.add(key)
                else:
                    boxed = last_boxed(r["response"][k]) or ""
                    assert pred.strip() == r["answer"].strip() and boxed.replace(" ", "") == pred.replace(" ", ""), key
                    label, cat, note = T, classify(r["answer"]), "sampled solution whose final boxed answer is the gold string"
                self.add("qwen25math", r["idx"] * 10 + k, cat, r["answer"], r["response"][k], label, note,
                         f"QwenLM/Qwen2.5-Math {path} idx={r['idx']} sample={k} ({LIC['qwen25math']})",
                         r["question"], width=4)
        assert used == set(reviewed), set(reviewed) - used

    def mathcoder(self):
        data = {}
        for model, pattern in MATHCODER_FILES.items():
            for kind in ("correct", "wrong"):
                path = pattern.format(kind)
                data[(model, kind)] = (path, self.src.read("mathllm/MathCoder", path).splitlines())

        def parse(model, kind, line):
            path, lines = data[(model, kind)]
            r = json.loads(lines[line])
            texts = [m for m in r["debug_result"][2:] if m["role"] == "text"]
            cand = texts[-2]["content"] if len(texts) >= 2 else ""
            answer = r.get("model_answer", r.get("completion"))
            boxed = last_boxed(cand)
            ok = boxed is not None and re.sub(r"\s", "", boxed).lower() == re.sub(r"\s", "", str(answer)).lower()
            question = r["messages"][1]["content"][0]["content"]
            return path, question, r["ground_truth"]["answer"], cand, boxed, ok

        def source(path, line):
            return (f"mathllm/MathCoder {path} line {line + 1} (Apache-2.0; questions and golds from the DeepMind "
                    "mathematics_dataset, Apache-2.0)")

        reviewed = set()
        for n, model, kind, line, label, *rest in MATHCODER:
            reviewed.add((model, kind, line))
            if label == "drop":
                self.drop("mathcoder", n, rest[0], width=4)
                continue
            path, q, gold, cand, boxed, ok = parse(model, kind, line)
            assert ok, (model, kind, line)
            self.add("mathcoder", n, rest[0], gold, cand, label, rest[1], source(path, line), q, width=4)
        # every NUMERIC_WRONG_STRIDE-th distinct numerically-unequal pair of the "wrong" files
        pool, seen = [], set()
        for model in MATHCODER_FILES:
            for line in range(len(data[(model, "wrong")][1])):
                path, q, gold, cand, boxed, ok = parse(model, "wrong", line)
                g, p = number(gold), number(boxed) if ok else None
                if not ok or g is None or p is None or g == p or (gold, boxed) in seen:
                    continue
                seen.add((gold, boxed))
                pool.append((model, line, path, q, gold, cand))
        for pos, (model, line, path, q, gold, cand) in enumerate(pool):
            if pos % NUMERIC_WRONG_STRIDE or (model, "wrong", line) in reviewed:
                continue
            self.add("mathcoder", 1000 + pos, classify(gold), gold, cand, F,
                     "final boxed value differs numerically from the gold (sampled)", source(path, line), q, width=4)

    # ------------------------------------------------------------------ handwritten
    def handwritten(self):
        datasets = {}
        for n, (cat, gold, cand, label, note, question, origin) in enumerate(HANDWRITTEN, 1):
            if origin:
                ds, line = origin
                if ds not in datasets:
                    datasets[ds] = self.src.read("QwenLM/Qwen2.5-Math", f"evaluation/data/{ds}/test.jsonl").splitlines()
                r = json.loads(datasets[ds][line])
                answer = r.get("answer", r.get("final_answer"))
                answer = answer[0] if isinstance(answer, list) else answer
                assert answer == gold, (n, answer, gold)
                question = r["question"]
                lic = f"; row licence: {r['license']}" if r.get("license") else ""
                note = (f"{note}; candidate written for this set, question and gold from QwenLM/Qwen2.5-Math "
                        f"evaluation/data/{ds}/test.jsonl line {line + 1} (evaluation/ is MIT{lic})")
            else:
                note = f"{note}; question, gold and candidate written for this set"
            self.add("handwritten", n, cat, clean_gold(gold), cand, label, note, "handwritten", question)

    # ------------------------------------------------------------------ all
    def run(self) -> list[dict]:
        for step in (self.mathverify, self.lighteval, self.transcribed, self.verifybench,
                     self.compassverifier, self.qwen, self.mathcoder, self.handwritten):
            step()
        out, seen = [], {}
        for row in self.rows:
            key = (row["gold"].strip(), row["candidate"].strip())
            if key in seen:
                self.dropped.append((row["id"], f"duplicate of {seen[key]}"))
                continue
            seen[key] = row["id"]
            out.append(row)
        ids = [r["id"] for r in out]
        assert len(ids) == len(set(ids)), "duplicate ids"
        return out


def summarize(rows: list[dict]) -> None:
    def line(title, counter):
        print(f"{title}: " + ", ".join(f"{k}={v}" for k, v in sorted(counter.items())))
    split = {"tune": [r for r in rows if not in_holdout(r["id"])], "holdout": [r for r in rows if in_holdout(r["id"])]}
    print(f"rows: {len(rows)} (false {sum(not r['label'] for r in rows)}, "
          f"{100 * sum(not r['label'] for r in rows) / max(len(rows), 1):.1f}%)")
    for name, part in split.items():
        print(f"  {name}: {len(part)} true={sum(r['label'] for r in part)} false={sum(not r['label'] for r in part)}")
    line("per source", Counter(r["id"].rsplit("-", 1)[0] for r in rows))
    line("false per source", Counter(r["id"].rsplit("-", 1)[0] for r in rows if not r["label"]))
    line("per category", Counter(r["category"] for r in rows))
    cats = Counter((r["category"], r["label"]) for r in rows)
    one_sided = sorted(c for c in {c for c, _ in cats} if not (cats[(c, True)] and cats[(c, False)]))
    print("categories with only one label:", ", ".join(one_sided) or "none")
    hw = sum(r["source"] == "handwritten" for r in rows)
    print(f"handwritten: {hw} ({100 * hw / max(len(rows), 1):.1f}%)")


def write(rows: list[dict]) -> None:
    for path, part in ((TUNE, [r for r in rows if not in_holdout(r["id"])]),
                       (HOLD, [r for r in rows if in_holdout(r["id"])])):
        with path.open("w", encoding="utf-8") as fh:
            for r in part:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def check() -> list[dict]:
    rows, problems = [], []
    for path, want_hold in ((TUNE, False), (HOLD, True)):
        for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            r = json.loads(text)
            rows.append(r)
            if set(r) - set(KEYS) - {"question"} or set(KEYS) - set(r):
                problems.append(f"{path.name}:{i} keys {sorted(r)}")
            if not isinstance(r["label"], bool):
                problems.append(f"{path.name}:{i} label is not a bool")
            if in_holdout(r["id"]) != want_hold:
                problems.append(f"{path.name}:{i} {r['id']} is in the wrong split")
    ids = Counter(r["id"] for r in rows)
    problems += [f"duplicate id {k}" for k, v in ids.items() if v > 1]
    pairs = Counter((r["gold"].strip(), r["candidate"].strip()) for r in rows)
    problems += [f"duplicate pair {k!r}" for k, v in pairs.items() if v > 1]
    if problems:
        sys.exit("\n".join(problems))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=Path, help="directory of repository mirrors; rebuild the files from them")
    args = ap.parse_args()
    if args.sources:
        build = Build(Sources(args.sources))
        rows = build.run()
        write(rows)
        reasons = Counter("duplicate" if why.startswith("duplicate") else "reviewed drop" for _, why in build.dropped)
        print(f"dropped: {len(build.dropped)} ({', '.join(f'{k} {v}' for k, v in sorted(reasons.items()))})")
    rows = check()
    summarize(rows)


if __name__ == "__main__":
    main()
