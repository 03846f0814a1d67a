"""Safe parsing of one answer expression into SymPy, without eval/sympify on model text.

Our own small recursive-descent parser covers the dialect answers are written in (numbers,
letters, + - * / ^, implicit products, \\frac, \\sqrt, \\binom, functions, |x|, !). It is ~50x
faster than latex2sympy's ANTLR grammar, keeps decimals exact (Fraction, never Float), reads
mixed numbers and refuses to build numbers too large to compare (9^{9^{9^9}}) instead of letting
SymPy try. Anything it does not know (integrals, sums, limits...) is handed to latex2sympy, which
builds SymPy objects from a grammar and never evaluates text either.

Mixed numbers: an integer written right before a \\frac of two integers that form a proper
fraction is one number (3\\frac12 = 7/2, 2 \\frac{3}{8} = 19/8), as it is typeset in schoolbooks.
An improper fraction there (2\\frac{9}{8}) is read as a product, and so is anything with an
explicit operator (2\\cdot\\frac{3}{8} = 3/4).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

# Largest integer (in decimal digits) we let an expression build; beyond this a comparison would
# only burn the time budget.
MAX_DIGITS = 20000
MAX_FACTORIAL = 3000


_DEGREE = object()  # marker: the exponent was \circ


class ParseError(ValueError):
    """Not an expression this parser understands."""


class TooLarge(ValueError):
    """The expression denotes a number too large to compare exactly."""


@dataclass
class Num:
    value: sympy.Rational
    half_ulp: Fraction | None  # half a unit in the last written decimal place; None if exact
    sigfigs: int | None


_DEC = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PLAIN = re.compile(rf"([+-]?){_DEC}")
_FRAC_NUM = re.compile(r"([+-]?)(?:\\frac\{(\d+)\}\{(\d+)\}|(\d+)/(\d+))")
_SCI = re.compile(
    rf"([+-]?{_DEC})\s*(?:[eE]|(?:\\times|\\cdot|\*|x)\s*10\s*\^\s*)(?:\{{\s*([+-]?\d+)\s*\}}|([+-]?\d+))"
)
_POW10 = re.compile(r"10\s*\^\s*(?:\{\s*([+-]?\d+)\s*\}|([+-]?\d+))")
_MIXED_PLAIN = re.compile(r"([+-]?)(\d{1,3}(?: \d{3})*|\d+)\s+(\d+)\s*/\s*(\d+)")
_REPEAT = re.compile(r"([+-]?)(\d*)\.(\d*)\\overline\{(\d+)\}")


def parse_number(s: str) -> Num | None:
    """A plain number (decimal, sci notation, a/b, repeating decimal) read exactly with its precision."""
    m = _MIXED_PLAIN.fullmatch(s.strip())
    if m:
        # "4 4/9" is four and four ninths (a plain-text mixed number).
        whole, num, den = int(m.group(2).replace(" ", "")), int(m.group(3)), int(m.group(4))
        if den == 0 or num >= den:
            return None
        value = sympy.Integer(whole) + sympy.Rational(num, den)
        return Num(-value if m.group(1) == "-" else value, None, None)
    # "2 3" is two numbers, not 23; spaces elsewhere ("1.2 \\times 10^{3}") are layout.
    if re.search(r"\d\s+\d", s):
        return None
    s = s.strip().replace(" ", "")
    m = _FRAC_NUM.fullmatch(s)
    if m:
        num, den = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
        if int(den) == 0:
            return None
        sign = -1 if m.group(1) == "-" else 1
        return Num(sympy.Rational(sign * int(num), int(den)), None, None)
    m = _REPEAT.fullmatch(s)
    if m:
        return Num(_repeating(m), None, None)
    exp = 0
    m = _SCI.fullmatch(s)
    if m:
        s, exp = m.group(1), int(m.group(2) or m.group(3))
    elif _POW10.fullmatch(s):
        m = _POW10.fullmatch(s)
        assert m is not None
        s, exp = "1", int(m.group(1) or m.group(2))
    if abs(exp) > 400 or not _PLAIN.fullmatch(s):
        return None
    value = Fraction(s) * Fraction(10) ** exp
    rational = sympy.Rational(value.numerator, value.denominator)
    if "." not in s:
        return Num(rational, None, None)
    decimals = len(s.split(".", 1)[1])
    digits = s.lstrip("+-").replace(".", "").lstrip("0")
    half = Fraction(1, 2) * Fraction(10) ** (exp - decimals)
    return Num(rational, half, max(len(digits), 1))


def _repeating(m: re.Match[str]) -> sympy.Rational:
    """0.1\\overline{6} = 1/6, exactly."""
    sign, whole, fixed, rep = m.group(1), m.group(2) or "0", m.group(3), m.group(4)
    # x = whole.fixed(rep)(rep)... = whole + (fixed.rep - fixed) / (10^len(fixed) * (10^len(rep) - 1))
    tail = Fraction(int(fixed + rep) - int(fixed or "0"), 10 ** len(fixed) * (10 ** len(rep) - 1))
    value = Fraction(int(whole)) + tail
    rational = sympy.Rational(value.numerator, value.denominator)
    return -rational if sign == "-" else rational


# ---------------------------------------------------------------------------------------------
# Expression parser
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|(\\[a-zA-Z]+|\\[{}|,;!:%])|(\S))")
_E_NOTATION = re.compile(r"(?<![\w.}])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![\w.^{(])")

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega",
}
_FUNCS: dict[str, Any] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec, "csc": sympy.csc,
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "tanh": sympy.tanh, "exp": sympy.exp, "ln": sympy.log, "log": sympy.log,
}
_INVERSE = {"sin": sympy.asin, "cos": sympy.acos, "tan": sympy.atan}
_TEXT_CMDS = {"text", "textrm", "mathrm", "mathbf", "textbf", "mathit", "textit", "operatorname", "mbox", "mathsf"}
_VALUE_STARTS = {"frac", "sqrt", "binom", "pi", "infty", "left", "lfloor", "lceil", "e"}


def parse_expr(text: str) -> Any:
    """Parse one expression (no commas, no relations); raise ParseError or TooLarge."""
    if "e" in text or "E" in text:
        text = _E_NOTATION.sub(r"(\1\\times10^{\2})", text)
    tokens = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            raise ParseError("untokenizable")
        pos = m.end()
        num, cmd, ch = m.groups()
        tokens.append(("num", num) if num else ("cmd", cmd[1:]) if cmd else ("ch", ch))
    if text[pos:].strip():
        raise ParseError("untokenizable")
    return _Parser(tokens).parse()


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.toks = tokens
        self.i = 0
        self.abs_depth = 0

    # --- token helpers ---
    def peek(self, k: int = 0) -> tuple[str, str] | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise ParseError("unexpected end")
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def accept(self, kind: str, text: str) -> bool:
        if self.peek() == (kind, text):
            self.i += 1
            return True
        return False

    def expect(self, kind: str, text: str) -> None:
        if not self.accept(kind, text):
            raise ParseError(f"expected {text}")

    # --- grammar ---
    def parse(self) -> Any:
        if not self.toks:
            raise ParseError("empty")
        value = self.expr()
        if self.i != len(self.toks):
            raise ParseError(f"unexpected {self.toks[self.i][1]!r}")
        return value

    def expr(self) -> Any:
        value = self.term()
        while True:
            if self.accept("ch", "+"):
                value = value + self.term()
            elif self.accept("ch", "-"):
                value = value - self.term()
            else:
                return value

    def term(self) -> Any:
        value = self.unary()
        while True:
            tok = self.peek()
            if tok in (("ch", "*"), ("cmd", "cdot"), ("cmd", "times")):
                self.i += 1
                value = value * self.unary()
            elif tok in (("ch", "/"), ("cmd", "div")):
                self.i += 1
                value = value / self.unary()
            elif self.starts_atom(tok):
                if tok is not None and tok[0] == "num" and self.toks[self.i - 1][0] == "num":
                    # "4 4/9" or "2 3": two numbers side by side are not a product.
                    raise ParseError("adjacent numbers")
                value = value * self.power()
            else:
                return value

    def starts_atom(self, tok: tuple[str, str] | None) -> bool:
        if tok is None:
            return False
        kind, text = tok
        if kind == "num":
            return True
        if kind == "ch":
            return text.isalpha() or text in "({[" or (text == "|" and self.abs_depth == 0)
        return text in _VALUE_STARTS or text in GREEK or text in _FUNCS or text in _TEXT_CMDS

    def unary(self) -> Any:
        if self.accept("ch", "-"):
            return -self.unary()
        if self.accept("ch", "+"):
            return self.unary()
        return self.power()

    def power(self) -> Any:
        base = self.postfix()
        if self.accept("ch", "^"):
            exp = self.exponent()
            return base * sympy.pi / 180 if exp is _DEGREE else _pow(base, exp)
        return base

    def exponent(self) -> Any:
        if self.accept("cmd", "circ") or self.peek() == ("ch", "{") and self.peek(1) == ("cmd", "circ"):
            # 36^\circ inside an expression ("\cos 36^\circ"): degrees are pi/180 radians.
            if self.accept("ch", "{"):
                self.i += 1
                self.expect("ch", "}")
            return _DEGREE
        if self.accept("ch", "-"):
            return -self.exponent()
        if self.accept("ch", "+"):
            return self.exponent()
        tok = self.peek()
        if tok is not None and tok[0] == "num":
            self.i += 1
            value = _number(tok[1])
        else:
            value = self.atom()
        if self.accept("ch", "^"):
            return _pow(value, self.exponent())
        return value

    def postfix(self) -> Any:
        value = self.atom()
        while self.accept("ch", "!"):
            value = _factorial(value)
        return value

    def group(self, close: str) -> Any:
        value = self.expr()
        self.expect("ch", close)
        return value

    def arg(self) -> tuple[Any, bool]:
        """One TeX argument: {...} or a single token. Also says whether it was a bare integer."""
        tok = self.take()
        if tok == ("ch", "{"):
            start = self.i
            value = self.group("}")
            return value, self.i - start == 2 and self.toks[start][0] == "num" and "." not in self.toks[start][1]
        if tok[0] == "num":
            # \frac12: TeX takes one digit per argument.
            digit, rest = tok[1][0], tok[1][1:]
            if rest:
                self.i -= 1
                self.toks[self.i] = ("num", rest)
            return _number(digit), True
        self.i -= 1
        return self.atom(), False

    def atom(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            if self.peek() == ("cmd", "frac") and "." not in text:
                return self.mixed_number(text)
            return _number(text)
        if kind == "ch":
            if text == "(":
                return self.group(")")
            if text == "[":
                return self.group("]")
            if text == "{":
                return self.group("}")
            if text == "|":
                self.abs_depth += 1
                value = self.expr()
                self.expect("ch", "|")
                self.abs_depth -= 1
                return sympy.Abs(value)
            if text.isalpha():
                return self.letter(text)
            raise ParseError(f"unexpected {text!r}")
        return self.command(text)

    def mixed_number(self, whole: str) -> Any:
        save = self.i
        self.i += 1
        num, num_int = self.arg()
        den, den_int = self.arg()
        if num_int and den_int and 0 < num < den:
            return sympy.Integer(whole) + num / den
        # 2\frac{x}{3} is a product, not a mixed number; so is 2\frac{9}{8}, since a mixed number's
        # fraction is proper. An explicit 2\cdot\frac{3}{8} never reaches here: it is a product.
        self.i = save
        return _number(whole)

    def letter(self, name: str) -> Any:
        if self.accept("ch", "_"):
            sub_tok = self.take()
            if sub_tok == ("ch", "{"):
                depth, parts = 1, []
                while True:
                    t = self.take()
                    depth += t == ("ch", "{")
                    depth -= t == ("ch", "}")
                    if depth == 0:
                        break
                    parts.append(t[1])
                sub = "".join(parts)
            else:
                sub = sub_tok[1]
            return sympy.Symbol(f"{name}_{sub}")
        if name == "e":
            return sympy.E
        if name == "i":
            return sympy.I
        return sympy.Symbol(name)

    def command(self, name: str) -> Any:
        if name == "frac":
            num, _ = self.arg()
            den, _ = self.arg()
            return num / den
        if name == "sqrt":
            index = None
            if self.accept("ch", "["):
                index = self.group("]")
            radicand, _ = self.arg()
            return sympy.sqrt(radicand) if index is None else _pow(radicand, 1 / index)
        if name == "binom":
            n, _ = self.arg()
            k, _ = self.arg()
            if n.is_Integer and abs(n) > 10**5:
                raise TooLarge("binomial")
            return sympy.binomial(n, k)
        if name == "pi":
            return sympy.pi
        if name == "infty":
            return sympy.oo
        if name in GREEK:
            return sympy.Symbol(name)
        if name in _TEXT_CMDS:
            return self.text_command()
        if name in ("lfloor", "lceil"):
            value = self.expr()
            self.expect("cmd", "rfloor" if name == "lfloor" else "rceil")
            return sympy.floor(value) if name == "lfloor" else sympy.ceiling(value)
        if name in _FUNCS:
            return self.function(name)
        raise ParseError(f"unsupported \\{name}")

    def text_command(self) -> Any:
        self.expect("ch", "{")
        parts = []
        while not self.accept("ch", "}"):
            parts.append(self.take()[1])
        content = "".join(parts).strip()
        if re.fullmatch(r"\d+", content):
            return sympy.Integer(content)
        if content == "e":
            return sympy.E
        if content == "i":
            return sympy.I
        if re.fullmatch(r"[a-zA-Z]", content):
            return sympy.Symbol(content)
        raise ParseError("text")

    def function(self, name: str) -> Any:
        fn = _FUNCS[name]
        power = None
        base = None
        if self.accept("ch", "^"):
            power = self.exponent()
        if self.accept("ch", "_"):
            base, _ = self.arg()
        if power == -1 and name in _INVERSE:
            fn, power = _INVERSE[name], None
        if self.peek() == ("ch", "("):
            self.i += 1
            argument = self.group(")")
        elif self.peek() == ("ch", "{"):
            argument, _ = self.arg()
        else:
            # \sin 2x = sin(2x), but \sin x \cos x = sin(x) cos(x): take a product of plain factors.
            argument = self.power()
            while self.starts_atom(self.peek()) and self.peek() not in {("cmd", f) for f in _FUNCS}:
                argument = argument * self.power()
        value = sympy.log(argument, base) if name == "log" and base is not None else fn(argument)
        return _pow(value, power) if power is not None else value


def _number(text: str) -> Any:
    """A written decimal as the exact rational it spells."""
    f = Fraction(text)
    return sympy.Rational(f.numerator, f.denominator)


def _digits(r: Any) -> float:
    """Decimal digits of a rational's larger part (its size, for the power guard)."""
    p, q = abs(int(r.p)), abs(int(r.q))
    return max(math.log10(p) if p > 0 else 0, math.log10(q) if q > 0 else 0)


def _pow(base: Any, exp: Any) -> Any:
    """base^exp, refusing exact powers with more than MAX_DIGITS digits before SymPy builds them."""
    if getattr(base, "is_Rational", False) and getattr(exp, "is_Rational", False):
        if abs(base) not in (0, 1) and abs(exp) > 1 and _digits(base) * float(abs(exp)) > MAX_DIGITS:
            raise TooLarge("power")
    elif getattr(exp, "is_Rational", False) and abs(exp) > 10**6 and getattr(base, "is_number", False):
        raise TooLarge("power")
    return sympy.Pow(base, exp)


def _factorial(value: Any) -> Any:
    """n!, refusing n large enough to cost more than the comparison is worth."""
    if getattr(value, "is_Integer", False) and value > MAX_FACTORIAL:
        raise TooLarge("factorial")
    return sympy.factorial(value)
