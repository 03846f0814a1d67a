"""Text clean-up shared by extraction and comparison: one canonical LaTeX-ish spelling per answer.

Models write the same answer as LaTeX, Unicode (π, √2, ≤, ∪) or plain text (pi/2, sqrt(2)/2,
x**2, <=). Everything is rewritten to one LaTeX dialect here, with regexes only, so the parser
and the string comparison see a single spelling. Nothing in this module evaluates anything.
"""

from __future__ import annotations

import functools
import re

DELIMS = (("$$", "$$"), ("$", "$"), (r"\(", r"\)"), (r"\[", r"\]"))

_UNICODE = {
    "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": r"\times ", "\u22c5": r"\cdot ", "\u00b7": r"\cdot ",
    "\u00f7": r"\div ", "\u2264": r"\le ", "\u2265": r"\ge ", "\u2260": r"\ne ", "\u2248": r"\approx ",
    "\u221e": r"\infty ", "\u222a": r"\cup ", "\u2229": r"\cap ", "\u2208": r"\in ", "\u2205": r"\emptyset ",
    "\u211d": r"\mathbb{R}", "\u03c0": r"\pi ", "\u03b8": r"\theta ", "\u03b1": r"\alpha ", "\u03b2": r"\beta ",
    "\u03b3": r"\gamma ", "\u03bb": r"\lambda ", "\u03bc": r"\mu ", "\u03c3": r"\sigma ", "\u03c6": r"\phi ",
    "\u03c9": r"\omega ", "\u0394": r"\Delta ", "\u00b1": r"\pm ", "\u2213": r"\mp ", "\u00b0": r"^\circ ",
    "\u2032": "'", "\u2026": r"\ldots ", "\u22ef": r"\ldots ", "\u2061": "", "\u200b": "", "\u00a0": " ",
    "\u2009": " ", "\u202f": " ", "\u2044": "/", "\u2223": r"\mid ", "\u27e8": r"\langle ", "\u27e9": r"\rangle ",
    "\u00bd": r"\frac{1}{2}", "\u2153": r"\frac{1}{3}", "\u2154": r"\frac{2}{3}", "\u00bc": r"\frac{1}{4}",
    "\u00be": r"\frac{3}{4}", "\u2155": r"\frac{1}{5}", "\u2159": r"\frac{1}{6}", "\u215b": r"\frac{1}{8}",
}
_SUPERSCRIPTS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b", "0123456789-")
_SUPER_RUN = re.compile("[\u2070\u00b9\u00b2\u00b3\u2074-\u2079\u207b]+")
_UNICODE_RE = re.compile("|".join(re.escape(k) for k in _UNICODE))

# Plain-text spellings; each rewrite is only applied to a word on its own (\b...\b).
_PLAIN_FUNCS = ("sqrt", "exp", "ln", "log", "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan")
# A function word needs an argument after it: "30 sec" is seconds, "sec(x)" is the secant.
_PLAIN_WORD = re.compile(
    r"(?<![\\a-zA-Z])(?:(" + "|".join(_PLAIN_FUNCS) + r")(?=\s*[(\w\\])|(pi|infinity|inf))(?![a-zA-Z])"
)
_ASCII_REL = [("<=", r"\le "), (">=", r"\ge "), ("=<", r"\le "), ("=>", r"\ge "), ("!=", r"\ne "), ("**", "^")]

_LEFT_RIGHT = re.compile(r"\\(?:left|right|middle|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\s*")
_LEFT_RIGHT_DOT = re.compile(r"\\(?:left|right)\.")
_SPACING = re.compile(
    r"(?<!\\)\\[!,;:> ]|~|\\(?:quad|qquad|displaystyle|textstyle|scriptstyle|limits|nolimits)(?![a-zA-Z])"
)
_FRAC_VARIANTS = re.compile(r"\\[dtc]frac(?![a-zA-Z])")
_BINOM_VARIANTS = re.compile(r"\\[dt]binom(?![a-zA-Z])")
_OVER = re.compile(r"\{([^{}]*?)\\over([^{}]*?)\}")
_DOTS = re.compile(r"\\(?:ldots|cdots|dots|dotsc|dotsb|dotso)(?![a-zA-Z])|\.\.\.")
_BOLD_MD = re.compile(r"^\*\*(.*)\*\*$", re.S)
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textit|textrm|textsf|mathrm|mathbf|mathit|mathsf|mbox|boldsymbol|bm)\s*\{")
_CONNECTOR = re.compile(
    r"(?:,\s*)?(?:\\text\s*\{\s*(?:and|or)\s*\}|\b(?:and|or)\b|\\(?:lor|vee)(?![a-zA-Z]))\s*(?:,\s*)?",
    re.IGNORECASE,
)
_TEXT_CONNECTOR = re.compile(r"\\text\s*\{([^{}]*[A-Za-z])\s+(?:and|or)\s*\}\s*,?\s*", re.I)
# "3^{rd}", "21^{\text{st}}", "2nd": an ordinal names the number it is written with.
_SUFFIX = r"(?:st|nd|rd|th)"
_TEXT_SUFFIX = r"\\(?:text|mathrm|textrm)\s*\{\s*" + _SUFFIX + r"\s*\}"
_ORDINAL = re.compile(
    rf"(?<![\w.])(\d+)(?:\s*\^\s*(?:\{{\s*(?:{_TEXT_SUFFIX}|{_SUFFIX})\s*\}}|{_TEXT_SUFFIX})|{_SUFFIX}\b)"
)
# Degree marks models spell without \circ: "30\textcirc", "30^{\textdegree}", "30{}^\circ", and a
# caret left dangling at the very end ("30^") where a renderer dropped the circle.
_DEGREE_SPELLINGS = re.compile(
    r"(?:\^\s*\{\s*\\(?:textcirc|textdegree|degree)\s*\}|\^?\s*\\(?:textcirc|textdegree|degree))(?![a-zA-Z])"
    r"|\{\}\s*(?=\^)"
)
_DANGLING_CARET = re.compile(r"(\d)\s*\^\s*$")
_COMMA_THOUSANDS = re.compile(r"^([+-]?)([1-9]\d{0,2}(?:,\d{3})+)(\.\d+)?(?=$|\s|\\|[a-zA-Z%])")
_SPACE_THOUSANDS = re.compile(r"^([+-]?[1-9]\d{0,2}(?: \d{3})+)(\.\d+)?$")


def strip_delims(s: str) -> str:
    s = s.strip()
    changed = True
    while changed:
        changed = False
        for left, right in DELIMS:
            if s.startswith(left) and s.endswith(right) and len(s) > len(left) + len(right):
                inner = s[len(left) : -len(right)]
                # "$a$ and $b$" is two spans, not one wrapped in $...$.
                if left == "$" and "$" in inner:
                    continue
                s, changed = inner.strip(), True
        m = _BOLD_MD.match(s)
        if m and "**" not in m.group(1):
            s, changed = m.group(1).strip(), True
    return s


def _replace_plain_calls(s: str) -> str:
    """sqrt(2) -> \\sqrt{2}, exp(x) -> e^{x}, sin(x) -> \\sin(x); parentheses matched properly."""
    out, i = [], 0
    for m in _PLAIN_WORD.finditer(s):
        word = m.group(1) or m.group(2)
        out.append(s[i : m.start()])
        i = m.end()
        if word in ("pi",):
            out.append(r"\pi ")
            continue
        if word in ("infinity", "inf"):
            out.append(r"\infty ")
            continue
        if word in ("sqrt", "exp") and i < len(s) and s[i] == "(":
            close = _matching_paren(s, i)
            if close is not None:
                inner = s[i + 1 : close]
                out.append(rf"\sqrt{{{inner}}}" if word == "sqrt" else rf"e^{{{inner}}}")
                i = close + 1
                continue
        out.append("\\" + word + " ")
    out.append(s[i:])
    return "".join(out)


def _matching_paren(s: str, open_idx: int) -> int | None:
    depth = 0
    for j in range(open_idx, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return None


def _caret_parens(s: str) -> str:
    """x^(1/3) -> x^{1/3}: plain-text exponents in parentheses are one group in LaTeX."""
    out, i = [], 0
    while True:
        j = s.find("^(", i)
        if j < 0:
            out.append(s[i:])
            return "".join(out)
        close = _matching_paren(s, j + 1)
        if close is None:
            out.append(s[i:])
            return "".join(out)
        out.append(s[i:j] + "^{" + s[j + 2 : close] + "}")
        i = close + 1


def _sqrt_unicode(s: str) -> str:
    """√2 -> \\sqrt{2}, √(x+1) -> \\sqrt{x+1}, √x -> \\sqrt{x}."""
    out, i = [], 0
    while True:
        j = s.find("\u221a", i)
        if j < 0:
            out.append(s[i:])
            return "".join(out)
        out.append(s[i:j])
        k = j + 1
        if k < len(s) and s[k] == "(":
            close = _matching_paren(s, k)
            if close is not None:
                out.append(r"\sqrt{" + s[k + 1 : close] + "}")
                i = close + 1
                continue
        m = re.match(r"\d+(?:\.\d+)?|[a-zA-Z]|\\[a-zA-Z]+", s[k:])
        if m:
            out.append(r"\sqrt{" + m.group(0) + "}")
            i = k + m.end()
        else:
            out.append(r"\sqrt")
            i = k


def to_latex(s: str) -> str:
    """Unicode and plain-text math -> LaTeX. Idempotent on text that is already LaTeX."""
    if not s.isascii():
        s = _sqrt_unicode(s)
        s = _SUPER_RUN.sub(lambda m: "^{" + m.group(0).translate(_SUPERSCRIPTS) + "}", s)
        s = _UNICODE_RE.sub(lambda m: _UNICODE[m.group(0)], s)
    for a, b in _ASCII_REL:
        s = s.replace(a, b)
    if "^(" in s:
        s = _caret_parens(s)
    if re.search(r"[a-z]{2}", s):
        s = _replace_plain_calls(s)
    return s


_STRAY_DOLLAR = re.compile(r"(?<!\\)\$")
_BRACED_COMMA = re.compile(r"\s*\{\s*,\s*\}\s*|,\\!\s*")
_DOUBLED_CMD = re.compile(r"\\\\(?=[a-zA-Z])")


# clean_latex and string_key are pure functions of one string, called on the same golds and answers again
# and again (every candidate of a query, and again inside the comparison): memoised, for strings up to
# MEMO_MAX_CHARS, a bounded number of them.
MEMO_MAX_CHARS = 1000
_MEMO_SIZE = 8192


def clean_latex(s: str) -> str:
    """Light normalisation that keeps the expression parseable; degree and percent marks survive."""
    if type(s) is str and len(s) <= MEMO_MAX_CHARS:
        return _clean_latex_memo(s)
    return _clean_latex(s)


def _clean_latex(s: str) -> str:
    s = strip_delims(to_latex(strip_delims(s)))
    # "$12$ and $13$", "1,000.99$": leftover inline-math dollars are layout, not content.
    s = _STRAY_DOLLAR.sub(" ", s)
    # "14{,}916", "14 {, }916", "16,\!386": thousands separators in TeX spellings.
    s = _BRACED_COMMA.sub(",", s)
    if "matrix" not in s and "array" not in s:
        # "\\frac" from a doubly escaped source is "\frac"; in matrices "\\" is a row break.
        s = _DOUBLED_CMD.sub(r"\\", s)
    s = _LEFT_RIGHT_DOT.sub("", s)
    s = _LEFT_RIGHT.sub("", s)
    s = _SPACING.sub(" ", s)
    s = _FRAC_VARIANTS.sub(r"\\frac", s)
    s = _BINOM_VARIANTS.sub(r"\\binom", s)
    if r"\over" in s:
        s = _OVER.sub(r"\\frac{\1}{\2}", s)
    s = _DOTS.sub(r"\\ldots ", s)
    s = s.replace(r"\$", "").replace(r"\lbrace", r"\{").replace(r"\rbrace", r"\}")
    s = s.replace(r"\lt", "<").replace(r"\gt", ">").replace(r"\textnormal", r"\text")
    s = s.replace(r"\lvert", "|").replace(r"\rvert", "|").replace(r"\vert", "|").replace(r"\|", "|")
    s = s.replace(r"\neq", r"\ne ").replace(r"\leq", r"\le ").replace(r"\geq", r"\ge ")
    s = s.replace(r"\leqslant", r"\le ").replace(r"\geqslant", r"\ge ")
    s = s.replace("\n", " ").strip()
    # "185\\": a stray backslash (or a TeX line break) after the answer.
    s = re.sub(r"\s*[.;]+$", "", re.sub(r"(?:\s*\\)+$", "", s)).strip()
    if re.search(r"(?:st|nd|rd|th)\b", s):
        s = _ORDINAL.sub(r"\1", s)
    if "\\text" in s or "\\degree" in s or "{}" in s:
        s = _DEGREE_SPELLINGS.sub(lambda m: "" if m.group(0).startswith("{") else "^\\circ ", s)
    s = _DANGLING_CARET.sub(r"\1^\\circ", s)
    s = _drop_thousands(s)
    s = re.sub(r"\s+", " ", s).strip()
    if s.startswith("{") and s.endswith("}") and brace_end(s, 0) == len(s) - 1:
        # A TeX group around the whole answer ("{1,3}") is only grouping.
        s = s[1:-1].strip()
    return s


def _drop_thousands(s: str) -> str:
    """'1,000' and '86,400 \\text{s}' are numbers; '(1,100)' and '2,3' stay lists."""
    m = _COMMA_THOUSANDS.match(s)
    if m and "," not in s[m.end() :]:
        s = m.group(1) + m.group(2).replace(",", "") + (m.group(3) or "") + s[m.end() :]
    m = _SPACE_THOUSANDS.match(s)
    if m:
        s = m.group(1).replace(" ", "") + (m.group(2) or "")
    return s


def normalize_connectors(s: str) -> str:
    """'2 or -3', '2 \\text{ and } 3' -> '2, -3', '2, 3': a list of answers; '1 \\text{ paper and } 2
    \\text{ bins}' -> '1 \\text{ paper}, 2 \\text{ bins}' (the connector inside a unit's text)."""
    if "\\text" in s:
        s = _TEXT_CONNECTOR.sub(lambda m: r"\text{" + m.group(1) + "}, ", s)
    return _CONNECTOR.sub(", ", s)


def unwrap_text(s: str) -> str:
    """Remove \\text{...}-style wrappers (keeping their content), innermost first."""
    for _ in range(5):
        m = _TEXT_CMD.search(s)
        if not m:
            return s
        end = brace_end(s, m.end() - 1)
        if end is None:
            return s
        s = s[: m.start()] + s[m.end() : end] + s[end + 1 :]
    return s


def brace_end(s: str, open_idx: int, limit: int | None = None) -> int | None:
    """Index of the brace closing the one at `open_idx` (escaped braces don't count), looking at
    most `limit` characters ahead: a bounded scan keeps adversarial text from turning quadratic."""
    depth = 0
    i = open_idx
    end = len(s) if limit is None else min(len(s), open_idx + limit)
    while i < end:
        ch = s[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def string_key(s: str) -> str:
    """Aggressive normalisation for string equality only (never parsed)."""
    if type(s) is str and len(s) <= MEMO_MAX_CHARS:
        return _string_key_memo(s)
    return _string_key(s)


def _string_key(s: str) -> str:
    s = unwrap_text(clean_latex(s))
    # Space between two digits means something ("1 1/2" is not "11/2", "10 0" is not "100"): kept as a
    # mark, so such answers go on to the full comparison.
    s = re.sub(r"(?<=\d)\s+(?=\d)", "\u2423", s)
    s = re.sub(r"\s+", "", s)
    s = s.replace(r"\cdot", "*").replace(r"\times", "*")
    if re.fullmatch(r"\([A-Za-z]\)", s):
        s = s[1]
    if re.fullmatch(r"[A-Za-z ]+", s):
        s = s.lower()
    return s


_clean_latex_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_clean_latex)
_string_key_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_string_key)

_NUMBER_NAMES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
NUMBER_WORDS = {w: str(i) for i, w in enumerate(_NUMBER_NAMES.split())}


def plain_text(s: str) -> str:
    """The words of an answer with TeX text wrappers and braces removed."""
    return re.sub(r"\s+", " ", unwrap_text(s).replace("{", "").replace("}", "")).strip()


_ORDINAL_NAMES = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
# A one-word ordinal answer names its number ("third" for 3^{rd}); inside a phrase it stays text.
ORDINAL_WORDS = {w: str(i + 1) for i, w in enumerate(_ORDINAL_NAMES.split())}


def number_word(s: str) -> str:
    """'three' -> '3', 'third' -> '3'; anything else unchanged."""
    key = plain_text(s).lower().strip(" .")
    return NUMBER_WORDS.get(key) or ORDINAL_WORDS.get(key) or s

