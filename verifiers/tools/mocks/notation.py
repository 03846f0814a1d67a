"""Calculator notation: how people write arithmetic, rewritten into the evaluator's Python-like syntax.

`5!` is factorial(5), "15% of 80" is 15/100*80, "100 + 10%" is 100 increased by 10%, "7 mod 3"
is 7 % 3, × ÷ − √ π and words (plus, times, divided by, squared) are operators, and "1,000" is
one thousand where a comma cannot separate arguments (outside a function call). Each rewrite
that changes the meaning of a symbol adds a note, so the result can say how it read the input.
Only text is rewritten here; nothing is evaluated.
"""

from __future__ import annotations

import re

_NUMBER = r"\d+(?:\.\d+)?"
_SYMBOLS = (("^", "**"), ("×", "*"), ("·", "*"), ("÷", "/"), ("−", "-"), ("–", "-"), ("π", "pi"))
_WORDS = ((r"\bto the power of\b", "**"), (r"\bmultiplied by\b", "*"), (r"\bdivided by\b", "/"),
          (r"\bplus\b", "+"), (r"\bminus\b", "-"), (r"\btimes\b", "*"), (r"\bsquared\b", "**2"),
          (r"\bcubed\b", "**3"))
_LEAD = re.compile(r"^\s*(?:what\s+is|what's|calculate|compute|evaluate|solve)\s+", re.IGNORECASE)
_PERCENT_OF = re.compile(rf"({_NUMBER})\s*%\s*of\b\s*")
_PLUS_PERCENT = re.compile(rf"\s*({_NUMBER})\s*([+-])\s*({_NUMBER})\s*%\s*")
_PERCENT = re.compile(rf"({_NUMBER})\s*%(?!\s*[\w(.])")
_MOD = re.compile(r"(?<=[\w)])\s+mod(?:ulo)?\s+(?=[-+\w(.])", re.IGNORECASE)
_TIMES_X = re.compile(rf"(?<=[\d)])\s+[xX]\s+(?=[-\d(.])|\b(?!0x)({_NUMBER})x({_NUMBER})\b")
_GROUPED = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w.])")
_ROOT = re.compile(rf"√\s*({_NUMBER}|[a-z]+)")


def interpret(expression: str) -> tuple[str, list[str]]:
    """The expression in evaluator syntax and the notes on how its notation was read."""
    notes: list[str] = []
    text = _LEAD.sub("", expression.strip()).rstrip("=?").strip()
    for old, new in _SYMBOLS:
        text = text.replace(old, new)
    text = _ROOT.sub(r"sqrt(\1)", text).replace("√", "sqrt")
    for pattern, new in _WORDS:
        text = re.sub(pattern, new, text, flags=re.IGNORECASE)
    text = _TIMES_X.sub(lambda m: f"{m.group(1)}*{m.group(2)}" if m.group(1) else " * ", text)
    if _MOD.search(text):
        text = _MOD.sub(" % ", text)
        notes.append("'mod' read as the remainder of a division")
    text = _percentages(text, notes)
    text = _factorials(text, notes)
    text = _thousands(text, notes)
    return text, notes


def _percentages(text: str, notes: list[str]) -> str:
    if _PERCENT_OF.search(text):
        text = _PERCENT_OF.sub(r"(\1/100)*", text)
        notes.append("'N% of X' read as N/100 times X")
    whole = _PLUS_PERCENT.fullmatch(text)
    if whole:
        base, sign, pct = whole.groups()
        notes.append(f"'{base} {sign} {pct}%' read as {base} {'increased' if sign == '+' else 'decreased'} by {pct}%")
        return f"{base}*(1{sign}{pct}/100)"
    if _PERCENT.search(text):
        text = _PERCENT.sub(r"(\1/100)", text)
        notes.append("'N%' read as N/100 (a % between two numbers is the remainder)")
    return text


def _factorials(text: str, notes: list[str]) -> str:
    """`5!`, `(2+3)!` and `n!!` become factorial(...); `!=` is left alone (and rejected later)."""
    changed = False
    for _ in range(50):
        bang = next((i for i, ch in enumerate(text) if ch == "!" and text[i + 1:i + 2] != "="), None)
        if bang is None:
            break
        end = bang
        while end > 0 and text[end - 1] == " ":
            end -= 1
        start = _operand_start(text, end)
        if start is None:
            break
        text = f"{text[:start]}factorial({text[start:end]}){text[bang + 1:]}"
        changed = True
    if changed:
        notes.append("'n!' read as factorial(n)")
    return text


def _operand_start(text: str, end: int) -> int | None:
    """Where the operand that ends at `end` starts: a number, a name, or a bracketed group and its function."""
    if end == 0:
        return None
    start = end
    if text[end - 1] == ")":
        depth = 0
        for i in range(end - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                start = i
                break
        else:
            return None
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    return start if start < end else None


def _thousands(text: str, notes: list[str]) -> str:
    """Digit groups such as 1,000 or 12,345.5 outside a function call's argument list lose their commas."""
    calls: list[bool] = []
    in_call = [False] * (len(text) + 1)
    for i, ch in enumerate(text):
        if ch == "(":
            before = text[:i].rstrip()
            calls.append(bool(before) and (before[-1].isalnum() or before[-1] == "_"))
        elif ch == ")" and calls:
            calls.pop()
        in_call[i + 1] = bool(calls) and calls[-1]
    out, last, changed = [], 0, False
    for found in _GROUPED.finditer(text):
        if in_call[found.start()]:
            continue
        out += [text[last:found.start()], found.group().replace(",", "")]
        last, changed = found.end(), True
    if changed:
        notes.append("',' between digit groups read as a thousands separator")
    return "".join(out) + text[last:]
