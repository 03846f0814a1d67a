"""Pull the solution code out of a candidate answer and tell which language it is.

Fenced blocks (``` or ~~~, tagged or not, a last one left open by truncation), else indented blocks,
else the whole answer when it is plainly code. With several blocks, the complete solution wins over
usage examples, sample runs and shell transcripts (see `_score`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from verifiers.pyparse import parse_python

LANGUAGES = ("python", "javascript", "bash", "sql")
_ALIASES = {
    "python": "python", "python3": "python", "py": "python", "py3": "python",
    "javascript": "javascript", "js": "javascript", "node": "javascript", "nodejs": "javascript",
    "mjs": "javascript", "cjs": "javascript",
    "bash": "bash", "sh": "bash", "shell": "bash", "zsh": "bash",
    "sql": "sql", "sqlite": "sql", "sqlite3": "sql", "postgresql": "sql", "mysql": "sql",
}
# Tags that mark a block as not being code to run at all.
_NOT_CODE = {"text", "txt", "output", "console", "shell-session", "plaintext", "json", "yaml", "markdown", "md",
             "diff", "stdout", "stdin", "input", "example", "none"}

_FENCE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$", re.MULTILINE)
_EXAMPLE_CUE = re.compile(
    r"(example|usage|sample|test(?:ing)?|output|run(?:ning)? it|demo|how to (?:use|call|run)|you can call|"
    r"e\.g\.|for instance|prints?:?\s*$|result:?\s*$)", re.IGNORECASE)

_SIGNS = {
    "python": [r"^\s*def \w+\s*\(", r"^\s*(?:from \w[\w.]* )?import \w", r"\bprint\(", r"^\s*class \w+.*:\s*$",
               r"\belif\b", r"\bself\b", r"input\(\)", r"__name__", r":\s*$", r"\bNone\b|\bTrue\b|\bFalse\b"],
    "javascript": [r"\bfunction\s*\w*\s*\(", r"\b(?:const|let|var)\s+\w+\s*=", r"=>", r"console\.log",
                   r"require\(", r"module\.exports", r";\s*$", r"\bnull\b|\bundefined\b", r"===|!=="],
    "bash": [r"^#!.*\b(?:ba)?sh\b", r"^\s*echo\b", r"\$\{?\w+\}?", r"^\s*(?:fi|done|esac)\s*$", r"\bthen\s*$",
             r"^\s*read\b", r"\[\[.*\]\]|\[ .* \]", r"^\s*for \w+ in\b.*;?\s*(?:do)?\s*$"],
    "sql": [r"\bSELECT\b[\s\S]*\bFROM\b", r"\bCREATE\s+TABLE\b", r"\bINSERT\s+INTO\b", r"\bWHERE\b", r"\bGROUP\s+BY\b",
            r"\bJOIN\b", r"\bORDER\s+BY\b"],
}
_SIGN_RES = {lang: [re.compile(p, re.MULTILINE | (re.IGNORECASE if lang == "sql" else 0)) for p in pats]
             for lang, pats in _SIGNS.items()}


@dataclass(frozen=True)
class Block:
    code: str
    tag: str | None  # normalised language tag, None when untagged or unknown
    raw_tag: str
    context: str  # the prose just before the block
    index: int


@dataclass(frozen=True)
class Extracted:
    code: str
    language: str
    source: str  # "fenced", "indented" or "whole"
    blocks: int


def normalize_language(name: str | None) -> str | None:
    if not name:
        return None
    return _ALIASES.get(name.strip().lower().split()[0].strip("{}.")) if name.strip() else None


def guess_language(code: str) -> str | None:
    """The most likely language of untagged code, or None when nothing looks like code."""
    scores = {lang: sum(1 for rx in rxs if rx.search(code)) for lang, rxs in _SIGN_RES.items()}
    if _parses_as_python(code):
        scores["python"] += 2
    if re.match(r"\s*(?:SELECT|WITH|CREATE|INSERT|UPDATE|DELETE)\b", code, re.IGNORECASE):
        scores["sql"] += 3
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None


def language_from_question(question: str | None) -> str | None:
    """A language the prompt asks for by name (first mention wins)."""
    if not question:
        return None
    m = re.search(r"\b(python3?|javascript|node(?:\.js)?|js|bash|shell script|sh script|sql(?:ite)?)\b",
                  question, re.IGNORECASE)
    if not m:
        return None
    word = m.group(1).lower()
    if word.startswith("node"):
        return "javascript"
    if word in ("shell script", "sh script"):
        return "bash"
    return normalize_language(word)


def _parses_as_python(code: str) -> bool:
    try:
        parse_python(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def fenced_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    pos = 0
    prev_end = 0
    while True:
        m = _FENCE.search(text, pos)
        if not m:
            break
        fence = m.group("fence")
        body_start = m.end() + 1
        close = re.compile(rf"^[ \t]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
        c = close.search(text, body_start)
        body = text[body_start: c.start() if c else len(text)]  # an open fence: truncated answer
        raw = m.group("info").strip()
        context = text[prev_end: m.start()].strip().splitlines()[-2:]
        blocks.append(Block(body.rstrip("\n"), normalize_language(raw), raw.lower(), " ".join(context), len(blocks)))
        if not c:
            break
        pos = prev_end = c.end()
    return [b for b in blocks if b.code.strip()]


def indented_blocks(text: str) -> list[Block]:
    """Markdown's 4-space (or tab) indented code blocks, preceded by a blank line."""
    blocks, current, context = [], [], ""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        indented = line.startswith(("    ", "\t"))
        if indented and (current or i == 0 or not lines[i - 1].strip()):
            current.append(line)
            continue
        if current and not line.strip():
            current.append(line)
            continue
        if current:
            blocks.append(current)
            current = []
        if line.strip():
            context = line.strip()
    if current:
        blocks.append(current)
    out = []
    for n, b in enumerate(blocks):
        code = "\n".join(ln[4:] if ln.startswith("    ") else ln[1:] if ln.startswith("\t") else ln for ln in b)
        if code.strip():
            out.append(Block(code.strip("\n"), None, "", context, n))
    return out


def _defines(code: str, name: str, language: str) -> bool:
    n = re.escape(name)
    if language == "python":
        return re.search(rf"^\s*(?:async\s+)?def\s+{n}\s*\(", code, re.MULTILINE) is not None
    if language == "javascript":
        return re.search(rf"\bfunction\s*\*?\s*{n}\s*\(|\b(?:const|let|var)\s+{n}\s*=|\b{n}\s*[:(]\s*(?:async\s*)?"
                         rf"(?:function|\()|exports\.{n}\s*=", code) is not None
    return re.search(rf"\b{n}\b", code) is not None


def _score(block: Block, language: str, entry_point: str | None) -> float:
    """Higher for the complete solution, lower for usage examples and transcripts."""
    code = block.code
    lang = block.tag or guess_language(code)
    score = 0.0
    if lang == language:
        score += 4
    elif lang is not None:
        score -= 4
    if block.raw_tag in _NOT_CODE:
        score -= 8
    if entry_point and _defines(code, entry_point, language):
        score += 8
    if re.search(r"^\s*(?:def|class|function|async def)\b|\bfunction\b|=>", code, re.MULTILINE):
        score += 2
    if re.search(r"^\s*(?:>>>|\$ |In \[\d+\]:)", code, re.MULTILINE):
        score -= 6  # an interactive transcript, not a program
    if _EXAMPLE_CUE.search(block.context):
        score -= 3
    score += math.log1p(len(code.strip().splitlines()))
    return score + block.index * 0.01  # ties go to the later block: answers usually end with the solution


def extract_code(response: str, language: str | None = None, entry_point: str | None = None) -> Extracted | None:
    """The solution in `response`; `language` is the one the task asks for (None: infer it)."""
    if not response or not response.strip():
        return None
    for source, blocks in (("fenced", fenced_blocks(response)), ("indented", indented_blocks(response))):
        blocks = [b for b in blocks if b.raw_tag not in _NOT_CODE] or blocks
        if not blocks:
            continue
        target = language or _majority_language(blocks) or "python"
        best = max(blocks, key=lambda b: _score(b, target, entry_point))
        lang = best.tag or guess_language(best.code) or target
        return Extracted(best.code, lang, source, len(blocks))
    guessed = guess_language(response)
    if guessed is None or _prose_lines(response) > 0.2:
        return None  # prose that merely mentions code
    if guessed == "python" and not _parses_as_python(response):
        return None
    return Extracted(response.strip("\n"), guessed, "whole", 1)


def _prose_lines(text: str) -> float:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    prose = [ln for ln in lines if len(ln.split()) >= 6 and re.search(r"[A-Za-z]{3,}[.!?:]\s*$", ln)
             and not re.search(r"[;{}()=]", ln)]
    return len(prose) / max(len(lines), 1)


def _majority_language(blocks: list[Block]) -> str | None:
    langs = [b.tag or guess_language(b.code) for b in blocks]
    langs = [x for x in langs if x]
    return max(set(langs), key=langs.count) if langs else None
