"""Multiple choice: option letters, the options a question lists, the letter a response settles on.

Three things models and datasets do with lettered options:
- the gold is a letter ("B", "(B)") or a letter with its option ("(D) Alina", "D. 42");
- the gold is the option's value ("25%") and the model answers with the letter ("C", "C. 25%"):
  the question's own list of options ("A. 20% B. 22% C. 25%", "(a) -1  (b) -17/11  (c) f",
  "\\textbf{(A) }2\\qquad\\textbf{(B) }3") says what the letter stands for;
- the model names its letter in prose, around letters it rules out: "It's not A, so it's B",
  "B. 不是 A", "réponse est C non A", "The answer is D, it can't be A or B".
Regex only (runs in the caller and in the worker); nothing is evaluated.
"""

from __future__ import annotations

import re

from verifiers.math.normalize import plain_text

# A gold that is only a letter, or a letter and the option's text.
_GOLD_LETTER = re.compile(r"^(?:\(([A-Ea-e])\)|([A-E]))$")
_GOLD_WITH_TEXT = re.compile(r"^(?:\(([A-Ea-e])\)|([A-E])[.)])\s*(\S.*)$")
# A candidate letter: "(B) 12", "B)", "B.", "B" - but not "a rhombus": a letter followed by a word is prose.
_CAND_LETTER = re.compile(r"^(?:\(([A-Ea-e])\)|([A-Ea-e])(?:[).:]|$))")
# An option letter at the start of an answer, with what follows it ("C. 25%", "(b) -17/11").
_LETTER_PREFIX = re.compile(r"^\s*(?:\(([A-Ea-e])\)|([A-E])[.)])\s*")

_MORE_MARKERS = re.compile(r"\(\s*[A-Ea-e]\s*\)|(?:^|\s)[A-E][.)]\s")
# Option markers in a question, each style tried on its own: "(a)", "(A)", "A.", "A)", "A、".
_MARKER_STYLES = (
    re.compile(r"\(\s*([A-E])\s*\)"),
    re.compile(r"\(\s*([a-e])\s*\)"),
    re.compile(r"(?:^|(?<=[\s$:：（]))([A-E])\s*[.．、)]"),
)
# "\textbf{(A) }2", "\mathrm{(B)}": the wrapper is layout; "\qquad" and "$" separate the options.
_MARKER_WRAPPER = re.compile(r"\\(?:textbf|mathrm|text|textrm|mathbf)\s*\{\s*(\(\s*[A-Ea-e]\s*\))\s*\}")
_OPTION_LAYOUT = re.compile(r"\\q?quad(?![a-zA-Z])|\\[,;! ]|\\hspace\s*\{[^{}]*\}|\$|~")
_OPTION_END = re.compile(r"[\s,;，；。]+$")
MAX_OPTION_CHARS = 200

# Words that rule the letter after them out: "not A", "can't be A", "non A", "不是 A", "rather than A".
_NEGATION_BEFORE = re.compile(
    r"(?:\bnot|\bnor|n't|n't\s+be|\bnever|\bnon|\bpas|\bnicht|\bnein|\bno|\brather\s+than|\binstead\s+of|\bexcept"
    r"|\beliminate[sd]?|\brule[sd]?\s+out|\bexclude[sd]?|\bisn't|不是|不|非|排除)\s*(?:be\s+)?(?:option\s+|choice\s+)?$",
    re.I,
)
# Letters chained to a ruled-out one stay ruled out: "can't be A or B", "not A, B, nor C".
_CHAIN = re.compile(r"^\s*(?:,|/|\bor\b|\bnor\b|\band\b|或|和|、)\s*(?:option\s+)?$", re.I)
# A predicate after the letter that rules it out: "A is wrong", "B is incorrect".
_NEGATION_AFTER = re.compile(
    r"^\s*(?:(?:is|are|was)\s+(?:not\b|wrong|incorrect|false|impossible|invalid|ruled out|eliminated|excluded|too\b)"
    r"|(?:does|do|is|was)(?:n't|\s+not)\b|fails?\b|can(?:'t|not)\b)",
    re.I,
)
# A standalone option letter (uppercase; "a" in prose is an article).
_LETTER = re.compile(r"(?<![A-Za-z0-9_\\{^'])\(?([A-E])\)?(?![A-Za-z0-9_'(^])")
# "A" opening a sentence before a lowercase word is the article: "A train leaves..."
_ARTICLE_A = re.compile(r"(?:^|[.!?]\s+)$")
_ARTICLE_NEXT = re.compile(
    r"\s+(?!(?:or|and|nor|is|was|are|seems|looks|fits|works|because|since|so|but|then|therefore)\b)[a-z]"
)
MAX_PICK_CHARS = 400


def gold_choice(gold: str) -> tuple[str, str | None] | None:
    """(letter, option text or None) for a gold that is a letter or a letter with its option."""
    p = plain_text(gold).strip("*").strip()
    m = _GOLD_LETTER.match(p)
    if m:
        return next(x for x in m.groups() if x).upper(), None
    m = _GOLD_WITH_TEXT.match(p)
    if m and not _LETTER.search(m.group(3)) and not re.search(r"\([A-Ea-e]\)", m.group(3)):
        return (m.group(1) or m.group(2)).upper(), m.group(3).strip()
    return None


def candidate_letter(s: str) -> str | None:
    """The option letter of "(B)", "\\textbf{(B)}", "B) 12", "C. x = 42"; None for "B and C" or prose."""
    p = plain_text(s).strip("*").strip()
    m = _CAND_LETTER.match(p)
    if not m or re.search(r"\b[A-E]\b", p[m.end() :]):
        # "B and C" names two options: that is not choosing B.
        return None
    return next(x for x in m.groups() if x).upper()


def letter_prefix(s: str) -> tuple[str, str] | None:
    """("C", "25%") for "C. 25%", ("B", "-17/11") for "(b) -17/11"; None without a letter prefix."""
    p = plain_text(s).strip("*").strip()
    m = _LETTER_PREFIX.match(p)
    if not m or _MORE_MARKERS.search(p[m.end() :]):
        return None  # "(a) 5 (b) 7": the answers of a question's parts, not one option
    return (m.group(1) or m.group(2)).upper(), p[m.end() :].strip()


def question_options(question: str | None) -> dict[str, str] | None:
    """{"A": text, "B": text, ...}: the last run of lettered options the question lists (A, B, C...)."""
    if not question:
        return None
    text = _MARKER_WRAPPER.sub(r"\1", question[-3000:])
    best: list[tuple[str, int, int]] = []
    for style in _MARKER_STYLES:
        marks = [(m.group(1).upper(), m.start(), m.end()) for m in style.finditer(text)]
        runs: list[list[tuple[str, int, int]]] = []
        for mark in marks:
            if mark[0] == "A":
                runs.append([mark])
            elif runs and ord(mark[0]) == ord(runs[-1][-1][0]) + 1:
                runs[-1].append(mark)
        for run in runs:
            if len(run) >= 2 and (len(run) > len(best) or (len(run) == len(best) and run[0][1] > best[0][1])):
                best = run
    if not best:
        return None
    options = {}
    for k, (letter, _, end) in enumerate(best):
        stop = best[k + 1][1] if k + 1 < len(best) else len(text)
        body = text[end:stop]
        if k + 1 == len(best):
            body = re.split(r"\n\s*\n|[?？]", body, maxsplit=1)[0]
        body = _OPTION_END.sub("", _OPTION_LAYOUT.sub(" ", body)).strip()
        if not body or len(body) > MAX_OPTION_CHARS:
            return None
        options[letter] = body
    return options


def pick_choice(text: str) -> str | None:
    """The one option letter a short answer settles on, letters it rules out aside; None if unclear."""
    scope = text[-MAX_PICK_CHARS:]
    ruled_out: set[str] = set()
    kept: list[str] = []
    last_end, last_negated = -1, False
    for m in _LETTER.finditer(scope):
        letter, before = m.group(1), scope[: m.start()]
        after = scope[m.end() :]
        if letter == "A" and _ARTICLE_NEXT.match(after) and _ARTICLE_A.search(before):
            continue
        negated = bool(_NEGATION_BEFORE.search(before[-30:]))
        if not negated and last_negated and _CHAIN.match(scope[last_end : m.start()]):
            negated = True
        if not negated and _NEGATION_AFTER.match(after):
            negated = True
        if negated:
            ruled_out.add(letter)
        else:
            kept.append(letter)
        last_end, last_negated = m.end(), negated
    chosen = {x for x in kept if x not in ruled_out}
    return chosen.pop() if len(chosen) == 1 else None
