"""Find the final answer in a model response (regex only; runs in the caller, never evaluates).

Priority: structured `final_answer` > last \\boxed{} / \\fbox{} (adjacent boxes joined: "\\boxed{2}
or \\boxed{-3}"), unless an "Answer:" comes after it > last "final answer is / Answer: / answer ="
> the whole response when it is itself a short answer ("x = 3", "2 or -3", "No solution") > the
closing sentence: a math span, bold span or number at the end, "so x = 3", one formula or one
number in the last sentence. Text after a chat-template turn marker is ignored.
"""

from __future__ import annotations

import re

from verifiers.math.labels import labelled_values
from verifiers.math.normalize import NUMBER_WORDS, brace_end, plain_text
from verifiers.math.numwords import number_phrases

MAX_BOXED_CHARS = 5000
# The last box alone may be long: a sum written out term by term ("1+2+...+2000") is ~9000 chars.
MAX_LAST_BOX_CHARS = 60000
# Only the last boxes can be the answer; looking further back is just cost on adversarial text.
MAX_BOXES = 50

_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_BOXED_BARE = re.compile(r"\\boxed\s+([^\s$]+)")
_BOX_GAP = re.compile(
    r"^(?:[\s$,;]|\band\b|\bor\b|\\text\s*\{\s*(?:and|or)\s*\}|\\q?quad|\\[,;()\[\]])*"
    r"(?:[a-zA-Z](?:_\{?\w+\}?)?\s*=\s*)?[\s$]*$"
)
_BOX_TEXT_GAP = re.compile(r"^[\s$,;]*\\text\s*\{[^{}]{0,40}\b(?:and|or)\s*\}[\s$,;]*$")
_TEXT_LEAD = re.compile(r"^\\text\s*\{([^{}]*)\}\s*:?\s*(\S.*)$")
# "5 (since 2+3=5)": a trailing remark in parentheses that contains words.
_REMARK = re.compile(
    r"\s*\((?:since|because|as|from|by|which|where|using|i\.e\.|e\.g\.|note|or|about|approx\w*|rounded)\b[^()]*\)\s*$",
    re.I,
)
# A new chat turn or end-of-text marker: whatever follows is the model talking to itself.
_TURN_END = re.compile(r"<\|(?:im_start|im_end|endoftext|eot_id|end)\|>|</s>|<\|user\|>")
_BOILERPLATE = re.compile(r"\s*I hope (?:it|this) is correct\.?\s*$", re.I)
_COPULA = re.compile(r"\b(?:is|are|equals|was|be)\s*:?\s+(?!not\b)(.+)$", re.I)
# A number standing on its own; "3rd" counts as 3, and a unit in another script ("13只", "300分钟")
# or a currency sign after it ("220 $", "1,000.99€") does not join it to a word.
_LAST_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?\s*%?)(?:st|nd|rd|th)?(?![A-Za-z0-9_])"
)
_ANSWER_PHRASE = re.compile(
    r"(?:\bfinal\s+answer\b(?:\s*(?:is\b|:|=|\*\*))*|\banswer\b\s*(?:\*\*\s*)?(?:is\b|:|=)(?:\s*(?:is\b|:|\*\*))*"
    r"|\banswer\b(?=\s*(?:\$|\\\[|\\\())"
    r"|(?:^|(?<=\n))[ \t]*####(?=[ \t]*\S)"  # GSM8K's "#### 72" answer line
    # Other languages' "Answer:" ("Réponse :", "Respuesta:", "Antwort:", "答案：", "答：").
    r"|\b(?:r[ée]ponse(?:\s+finale)?|respuesta(?:\s+final)?|resposta|antwort|risposta|ответ)\s*(?:\*\*\s*)?:"
    r"|(?:最终)?答案\s*(?:是|为|：|:)|(?<![\w])答\s*[：:]|答え\s*(?:は|：|:))",
    re.IGNORECASE,
)
_CONCLUSION = re.compile(r"(?:^|[.:]\s+)(?:so|thus|therefore|hence)\b,?\s+([^.\n]{1,100}?)\s*\.?\s*$", re.I)
_SPAN_ALTERNATIVES = (
    r"\$\$(?P<dd>[^$]{1,400}?)\$\$|(?<![\\$])\$(?P<d>(?:\\\$|[^$]){1,300}?)(?<!\\)\$"
    r"|\\\((?P<p>.{1,300}?)\\\)|\\\[(?P<b>.{1,400}?)\\\]"
)
_MATH_SPAN = re.compile(_SPAN_ALTERNATIVES, re.S)
_MATH_SPAN_END = re.compile(rf"(?:{_SPAN_ALTERNATIVES})[\s.!*]*$", re.S)
_SPAN = r"(?:(?<!\\)\$(?:\\\$|[^$\n]){1,300}?(?<!\\)\$|\\\(.{1,300}?\\\))"
# One \s* per gap, each optional part eating its own trailing space: adjacent \s* runs backtrack.
_LEADING_SPANS = re.compile(rf"^\s*{_SPAN}(?:\s*(?:[,;]\s*)?(?:(?:and|or)\s*)?{_SPAN})*")
# Sentence ends; in Chinese also the full stops without a space and a clause opening "therefore".
_SENTENCE_SPLIT = re.compile(
    r"(?<=[.!?])(?:\$\$|\$|\\\]|\\\))?\s+(?=\S)|(?<=[\u3002\uff01\uff1f])\s*(?=\S)"
    r"|\s*(?=\u56e0\u6b64|\u6240\u4ee5|\u7efc\u4e0a)"  # 因此, 所以, 综上
)
_BOLD = re.compile(r"\*\*([^*\n]{1,80})\*\*")
_NUMBER_END = re.compile(r"(-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?)\s*[\u20ac\u00a3\u00a5]?[\s.!*)]*$")
_SENTENCE_END = re.compile(r"\.(?=\s|$)(?<!\d\.(?=\d))")
_DOLLAR = re.compile(r"(?<!\\)\$+|\\\(|\\\)|\\\[|\\\]")
_PROSE_WORDS = {
    "the", "is", "so", "we", "it", "that", "this", "therefore", "thus", "hence", "get", "have", "answer",
    "then", "which", "because", "since", "will", "are", "was", "be", "our", "you", "think", "let", "final",
    "find", "solve", "step", "first", "need", "can", "gives", "equals", "he", "she", "they", "there", "made",
    "has", "had", "were", "do", "does", "did", "its", "their", "his", "her", "total", "result",
    # the same glue in French, Spanish and German answers ("Il paie 35 €.", "La respuesta es 4.")
    "il", "elle", "est", "donc", "nous", "les", "des", "es", "el", "los", "las", "ist", "der", "das", "und",
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)
_EQUALS_END = re.compile(
    r"(?<![<>!\\])=\s*\$?\s*(-?\d[\d,]*(?:\.\d+)?)\s*\$?\s*(?=.{0,30}$)"
    r"[a-zA-Z\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]*(?: [a-zA-Z]*){0,4}[.!\u3002]?\s*$"  # "= 8 cm", "= 13只"
)
# A number with a unit word in another script glued to it: "3页", "858颗", "4000千克".
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_FOREIGN_UNIT = re.compile(rf"^(-?\d[\d,]*(?:\.\d+)?)\s*[{_CJK}]+$")
# An answer opening with its option letter: "C. 25%", "(b) -17/11".
_OPTION_PREFIX = re.compile(r"^(?:\([A-Ea-e]\)|[A-E][.)])\s+")
_QUOTE_CHARS = '"\u201c\u201d'
_YES_NO = re.compile(r"^\s*\**(yes|no)\b[,.!]", re.I)
_WORD = re.compile(r"(?<![\w\\])[A-Za-z']+(?!\w)")
_WORDS_ONLY = re.compile(r"[A-Za-z][A-Za-z' ,\-]*[A-Za-z]")


def balanced(text: str, open_idx: int, limit: int = MAX_BOXED_CHARS) -> str | None:
    """Content of the brace group opening at `open_idx`; escaped braces don't count."""
    end = brace_end(text, open_idx, limit)
    return None if end is None else text[open_idx + 1 : end]


def last_boxed(text: str, several: bool = False) -> str | None:
    """The last non-empty \\boxed{} content, joined with the boxes right before it ("2 or -3").

    `several`: the gold lists several values, so boxes joined by a short \\text{... and } are parts
    of one answer ("\\boxed{(3, 3)} \\text{ for part (a) and } \\boxed{(1, 1)}")."""
    picked: list[tuple[int, int, str]] = []
    # From the end, and only as far back as needed: a response full of unclosed "\\boxed{" must
    # not cost one bounded scan per box.
    for i, m in enumerate(reversed(list(_BOXED.finditer(text))[-MAX_BOXES:])):
        content = balanced(text, m.end() - 1, MAX_LAST_BOX_CHARS if i == 0 else MAX_BOXED_CHARS)
        if content is None or not content.strip():
            if picked:
                break
            continue
        box = (m.start(), m.end() + len(content) + 1, content.strip())
        if not picked:
            picked.append(box)
            continue
        if box[1] > picked[0][0]:
            continue  # nested inside the one we have
        gap = text[box[1] : picked[0][0]]
        if (len(gap) > 30 or not _BOX_GAP.match(gap)) and not (several and _BOX_TEXT_GAP.match(gap)):
            break
        picked.insert(0, box)
    if not picked:
        bare = list(_BOXED_BARE.finditer(text))
        return bare[-1].group(1) if bare else None
    return ", ".join(b[2] for b in picked)


def clean_answer(s: str) -> str:
    """Strip the decoration models put around a stated answer: bold, math delimiters, full stops."""
    s = s.strip()
    boxed = last_boxed(s)
    if boxed is not None:
        return clean_answer(boxed) if _BOXED.search(boxed) else boxed
    s = _unquote(_DOLLAR.sub(" ", s))
    # A sentence full stop ends the answer; a decimal point does not, nor does the one of "C. 25%".
    prefix = _OPTION_PREFIX.match(s)
    m = _SENTENCE_END.search(s, prefix.end() if prefix else 0)
    if prefix and not _is_bare_answer(s[prefix.end() : m.start() if m else len(s)].strip()):
        m = _SENTENCE_END.search(s)
    if m:
        s = s[: m.start()]
    s = _unquote(s)
    unit = _FOREIGN_UNIT.match(s)
    if unit:
        s = unit.group(1)
    s = _REMARK.sub("", s.strip().strip("*").strip())
    # "5!" is a factorial; "12 !" or "12!!" is excitement.
    s = re.sub(r"(?<=[\s!])!+$|(?<=[.,;])!+$", "", s) if s.endswith("!") else s
    return s.rstrip(".,;\u3002\uff0c\uff1b").strip("*").strip()


def _unquote(s: str) -> str:
    """'"12 and 13"', '\\"5\\"': quotes around the answer (escaped ones from a JSON-quoted source too)."""
    s = s.strip()
    for _ in range(2):
        s = s.removeprefix('\\"').removesuffix('\\"').strip().strip(_QUOTE_CHARS).strip()
    return s


def extract_answer(
    response: str, final_answer: str | None = None, several: bool = False, yes_no: bool = False
) -> tuple[str, str] | None:
    """Return (answer, source), source one of final_answer/boxed/phrase/whole/trailing; or None.

    `several`: the gold is a list of values, so a closing "the minimum is 3 and the maximum is 9"
    or a bare "Anna: 5, Ben: 8" states the whole answer rather than ending on its last number.
    `yes_no`: the gold is yes or no, so a response opening "No, since 91 = 7 \\times 13." answers
    with its first word rather than its closing formula.
    """
    if final_answer is not None and str(final_answer).strip():
        cleaned = clean_answer(str(final_answer))
        if cleaned:
            return cleaned, "final_answer"
    text = response or ""
    m = _TURN_END.search(text)
    if m:
        text = text[: m.start()]
    boxed = last_boxed(text, several)
    phrases = list(_ANSWER_PHRASE.finditer(text))  # scanned once, for both uses below
    phrase_at = phrases[-1].start() if phrases else None
    if boxed and not (phrase_at is not None and phrase_at > _last_box_end(text)):
        return _unwrap_boxed(boxed), "boxed"
    # No box, or an answer stated after the last box ("\\boxed{4}... wait... **Answer:** 5").
    phrase = _after_phrase(text, phrases)
    if phrase:
        return phrase, "phrase"
    if boxed:
        return _unwrap_boxed(boxed), "boxed"
    stripped = text.strip()
    if _is_bare_answer(stripped) or (several and len(stripped) <= 200 and labelled_values(stripped)):
        cleaned = clean_answer(stripped)
        if cleaned:
            return cleaned, "whole"
    if yes_no:
        m = _YES_NO.match(text)
        if m:
            return m.group(1).lower(), "trailing"
    return _trailing(text, several)


def _last_box_end(text: str) -> int:
    starts = [m.end() - 1 for m in _BOXED.finditer(text)]
    if not starts:
        return -1
    content = balanced(text, starts[-1], MAX_LAST_BOX_CHARS)
    return starts[-1] + (len(content) + 1 if content is not None else 0)


def _unwrap_boxed(content: str) -> str:
    """A box holding a box, or prose and then the answer ("\\text{The answer is } 5")."""
    if _BOXED.search(content):
        return clean_answer(content)
    m = _TEXT_LEAD.match(content)
    # "\text{first root} = 7, ..." is a label and its value, not prose before the answer.
    # (The letter test is here, not in the pattern: `[^{}]*[A-Za-z][^{}]*` backtracks quadratically.)
    if m and re.search("[A-Za-z]", m.group(1)) and len(m.group(1).split()) >= 2 and not m.group(2).startswith("="):
        return m.group(2).strip()
    return content


def _after_phrase(text: str, phrases: list[re.Match[str]] | None = None) -> str | None:
    """What follows the last answer phrase; `phrases`: the phrases of `text` where the caller has them."""
    if phrases is None:
        phrases = list(_ANSWER_PHRASE.finditer(text))
    if not phrases:
        return None
    start = phrases[-1].end()
    rest = text[start : start + 600].lstrip(" \t*:")
    if rest.startswith("\n"):
        # "### Final Answer" followed by the answer on its own line(s).
        rest = rest.lstrip()
    if rest.startswith(("$$", r"\[")):
        close = rest.find("$$" if rest.startswith("$$") else r"\]", 2)
        line = rest[2:close] if close > 0 else rest.split("\n", 1)[0]
    else:
        line = rest.split("\n", 1)[0]
        spans = _LEADING_SPANS.match(line)
        if spans:
            # "$5$, and the remainder is $3$": the formula right after the phrase, with any
            # formulas joined to it by and/or ("$x=2$ or $x=-3$").
            line = spans.group(0)
    cleaned = clean_answer(_BOILERPLATE.sub("", line))
    if cleaned and not _is_bare_answer(cleaned):
        # "Final Answer: The largest $n$ is 34." - the answer is what the sentence says it is.
        m = _COPULA.search(cleaned)
        if m and _is_bare_answer(m.group(1)):
            return clean_answer(m.group(1))
        numbers = _LAST_NUMBER.findall(cleaned)
        if len(numbers) == 1:
            return numbers[0].strip()
    return cleaned or None


def _is_bare_answer(text: str) -> bool:
    """A response that is only an answer ('x = 3', '2 or -3', 'a rhombus'), not prose."""
    if not text or len(text) > 200 or "\n\n" in text or text.endswith("?"):
        return False
    if sum(ch.isalpha() and not (ch <= "\u024f" or "\u0370" <= ch <= "\u03ff") for ch in text) >= 2:
        return False  # "因此答案是13只" is a sentence, however few Latin words it has
    if re.match(r"^[A-Za-z][A-Za-z ]*:\s", text):
        return False  # "Total cost: $64" is a label and a value, not one answer
    words = [w.lower() for w in _WORD.findall(re.sub(r"\\[a-zA-Z]+", " ", text))]
    long_words = [w for w in words if len(w) >= 2 and w not in ("or", "and")]
    return len(long_words) <= 3 and not any(w in _PROSE_WORDS for w in words)


def _trailing(text: str, several: bool = False) -> tuple[str, str] | None:
    tail = _BOILERPLATE.sub("", text.rstrip()[-500:])
    if several:
        last = clean_answer(_SENTENCE_SPLIT.split(tail.strip())[-1])
        if labelled_values(last):
            return last, "trailing"
        # "So the values are 3 and 9.": the list after the verb, not only its last number.
        m = _COPULA.search(last)
        if m and _is_bare_answer(m.group(1)) and len(_LAST_NUMBER.findall(m.group(1))) >= 2:
            return clean_answer(m.group(1)), "trailing"
    m = _MATH_SPAN_END.search(tail)
    if m:
        span = next(g for g in m.groups() if g is not None).strip()
        if span:
            return span, "trailing"
    last_par = tail.rsplit("\n\n", 1)[-1]
    m = _CONCLUSION.search(last_par)
    if m and _is_bare_answer(m.group(1).strip()):
        # "So x = -3 or x = 2." - the closing sentence states the answer in prose-free math.
        return clean_answer(m.group(1)), "trailing"
    bold = [b for b in _BOLD.findall(last_par) if re.search(r"[\d\\]", b)]
    if bold:
        return clean_answer(bold[-1]), "trailing"
    m = _NUMBER_END.search(tail) or _EQUALS_END.search(tail)
    if m:
        return m.group(1).strip(), "trailing"
    last_sentence = _SENTENCE_SPLIT.split(tail.strip())[-1]
    m = _YES_NO.match(text)
    if m:
        return m.group(1).lower(), "trailing"
    m = _COPULA.search(last_sentence.rstrip(" .!"))
    said = m.group(1) if m else ""
    if said and _is_bare_answer(said) and not re.search(r"[\d$\\]", said) and not _NUMBER_WORD.search(said):
        # "There are no real solutions." - a short text answer stated by the closing sentence.
        return clean_answer(m.group(1)), "trailing"
    spans = [next(g for g in m.groups() if g is not None) for m in _MATH_SPAN.finditer(last_sentence)]
    if len(spans) == 1 and spans[0].strip():
        # "Therefore $x \geq 5$ is the solution." - the one formula of the closing sentence.
        return clean_answer(spans[0]), "trailing"
    # "Therefore, there are 12 sequences that meet the conditions." - one number in the last sentence.
    numbers = _LAST_NUMBER.findall(_DOLLAR.sub(" ", last_sentence))
    if len(numbers) == 1:
        return numbers[0].strip(), "trailing"
    phrases = number_phrases(last_sentence)
    if not numbers and phrases and phrases[-1][1] is not None:
        phrase = phrases[-1][0]
        # "There are five students left."; "Each of the two gets one and a half, naturally." ends
        # on its answer the way "... gets 1.5." does (at most an aside after a comma).
        ends = re.search(re.escape(phrase) + r"(?:\s*,\s*[A-Za-z]+)?[\s.!*]*$", last_sentence)
        if len(phrases) == 1 or ends:
            return NUMBER_WORDS.get(phrase.lower(), phrase), "trailing"
    return None


def closing_sentence(text: str) -> str | None:
    """The response's last sentence, when it is short prose ("The second player wins the game.")."""
    m = _TURN_END.search(text)
    tail = (text[: m.start()] if m else text).rstrip()[-500:]
    last = _SENTENCE_SPLIT.split(_BOILERPLATE.sub("", tail).strip())[-1]
    last = _DOLLAR.sub(" ", last).strip().rstrip(".!").strip().strip("*").strip()
    if not last or len(last) > 200 or "\n" in last or not _WORDS_ONLY.fullmatch(last):
        return None
    # Its commas are punctuation; as a comparison would read them they'd make a list of phrases.
    return re.sub(r"\s*,\s*", " ", last)


def is_phrase(gold: str) -> bool:
    """A gold that is a few plain words ("second player"), which a sentence can contain."""
    words = plain_text(gold)
    return bool(_WORDS_ONLY.fullmatch(words)) and len(words.split()) <= 6


def gold_answer(text: str) -> str:
    """The answer inside a gold field: its last box, or, for a worked solution, its stated answer."""
    boxed = last_boxed(text)
    if boxed:
        return clean_answer(boxed) if _BOXED.search(boxed) else boxed
    stripped = text.strip()
    if len(stripped) > 80 and not _is_bare_answer(stripped):
        found = extract_answer(stripped)
        if found is not None:
            return found[0]
    return stripped
