"""A safe arithmetic evaluator: walks Python's AST over a whitelist; never eval.

Literals become Fractions (0.1 is exactly 1/10), so + - * / are exact and 0.1 + 0.2 is 0.3;
transcendental functions fall back to floats. Sizes are bounded before they are computed:
"9**9**9" or "factorial(10**6)" is an error result, not a hung worker. Calculator notation
(5!, 15% of 80, 7 mod 3, 1,000) is rewritten first (notation.py); log(x) is base 10, ln(x) natural.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from verifiers.pyparse import parse_python
from verifiers.tools.mocks.notation import interpret
from verifiers.tools.mocks.util import MockError

Number = int | float | Fraction
_MAX_LEN = 1000
_MAX_BITS = 20_000  # ~6,000 decimal digits
_MAX_DEPTH = 60
_MAX_FACTORIAL = 2000

_CONSTANTS: dict[str, Number] = {"pi": math.pi, "e": math.e, "tau": math.tau}


def _size_ok(value: Number) -> Number:
    if isinstance(value, Fraction):
        if value.numerator.bit_length() > _MAX_BITS or value.denominator.bit_length() > _MAX_BITS:
            raise MockError("result too large")
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, int) and value.bit_length() > _MAX_BITS:
        raise MockError("result too large")
    if isinstance(value, float) and not math.isfinite(value):
        raise MockError("result is not a finite number")
    return value


def _float(value: Number) -> float:
    try:
        return float(value)
    except OverflowError as exc:
        raise MockError("number too large for this function") from exc


def _pow(base: Number, exp: Number) -> Number:
    exact = isinstance(base, int | Fraction) and isinstance(exp, int | Fraction) and Fraction(exp).denominator == 1
    if exact:
        n = int(exp)
        b = Fraction(base)
        magnitude = max(b.numerator.bit_length(), b.denominator.bit_length())
        if magnitude > 1 and abs(n) * (magnitude - 1) > _MAX_BITS:
            raise MockError("result too large")
        if b == 0 and n < 0:
            raise MockError("division by zero")
        return b**n
    try:
        out = _float(base) ** _float(exp)
    except OverflowError as exc:
        raise MockError("result too large") from exc
    if isinstance(out, complex):
        raise MockError("result is a complex number")
    return out


def _sqrt(x: Number) -> Number:
    if x < 0:
        raise MockError("math domain error: square root of a negative number")
    if isinstance(x, int | Fraction):
        f = Fraction(x)
        num, den = math.isqrt(f.numerator), math.isqrt(f.denominator)
        if num * num == f.numerator and den * den == f.denominator:
            return Fraction(num, den)
    return math.sqrt(_float(x))


def _log(x: Number, base: Number | None = None) -> float:
    """Natural logarithm without a base; log10 and log2 exactly (log10(1000) is 3.0, not 2.9999999999999996)."""
    if x <= 0 or (base is not None and (base <= 0 or base == 1)):
        raise MockError("math domain error: logarithm of a non-positive number")
    value = x if isinstance(x, int) else _float(x)  # math's logarithms take integers of any size
    if base is None:
        return math.log(value)
    if base == 10:
        return math.log10(value)
    if base == 2:
        return math.log2(value)
    return math.log(value) / math.log(_float(base))


def _log10(x: Number, base: Number = 10) -> float:
    """log(x) is the base-10 logarithm, as on calculators; log(x, b) takes base b."""
    return _log(x, base)


def _mean(*values: Number) -> Number:
    total = sum(values)
    return total / len(values) if isinstance(total, float) else Fraction(total) / len(values)


def _div(x: Number, y: Number) -> Number:
    """Exact when both sides are: 15/100*80 is 12, not 12.000000000000002."""
    if isinstance(x, int | Fraction) and isinstance(y, int | Fraction):
        return Fraction(x) / Fraction(y)
    return x / y


def _mod(x: Number, y: Number) -> Number:
    return operator.mod(x, y)


def _factorial(x: Number) -> int:
    if Fraction(x).denominator != 1 or x < 0:
        raise MockError("factorial is defined only for non-negative integers")
    if x > _MAX_FACTORIAL:
        raise MockError(f"factorial argument too large (max {_MAX_FACTORIAL})")
    return math.factorial(int(x))


def _round(x: Number, digits: Number = 0) -> Number:
    if Fraction(digits).denominator != 1 or not -50 <= digits <= 50:
        raise MockError("round() digits must be a small integer")
    if isinstance(x, float):
        return round(x, int(digits))
    return round(Fraction(x), int(digits))


def _unary(fn: Callable[[float], float]) -> Callable[[Number], float]:
    def wrapped(x: Number) -> float:
        try:
            return fn(_float(x))
        except OverflowError as exc:
            raise MockError(f"result of {fn.__name__}() too large") from exc
        except ValueError as exc:
            raise MockError(f"math domain error in {fn.__name__}()") from exc

    return wrapped


_FUNCS: dict[str, Callable[..., Number]] = {
    "sqrt": _sqrt, "log": _log10, "ln": _log, "log10": lambda x: _log(x, 10), "log2": lambda x: _log(x, 2),
    "exp": _unary(math.exp), "sin": _unary(math.sin), "cos": _unary(math.cos), "tan": _unary(math.tan),
    "asin": _unary(math.asin), "acos": _unary(math.acos), "atan": _unary(math.atan),
    "sinh": _unary(math.sinh), "cosh": _unary(math.cosh), "tanh": _unary(math.tanh),
    "degrees": _unary(math.degrees), "radians": _unary(math.radians),
    "abs": abs, "round": _round, "floor": lambda x: math.floor(x), "ceil": lambda x: math.ceil(x),
    "factorial": _factorial, "min": min, "max": max, "pow": _pow, "mod": _mod, "mean": _mean, "avg": _mean,
    "average": _mean, "sum": lambda *values: sum(values),
}
_ARITY = {"log": (1, 2), "ln": (1, 1), "round": (1, 2), "min": (1, 50), "max": (1, 50), "pow": (2, 2), "mod": (2, 2),
          "mean": (1, 50), "avg": (1, 50), "average": (1, 50), "sum": (1, 50)}
_BINOPS: dict[type, Callable[[Any, Any], Number]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: _div,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: _pow,
}


def _literal(node: ast.Constant, source: str) -> Number:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MockError("only numbers are allowed")
    if isinstance(value, int):
        return value
    text = ast.get_source_segment(source, node) or repr(value)
    try:
        return Fraction(text.replace("_", ""))  # "0.1" -> exactly 1/10
    except (ValueError, ZeroDivisionError):
        return Fraction(value)


def _walk(node: ast.AST, source: str, depth: int) -> Number:
    if depth > _MAX_DEPTH:
        raise MockError("expression nested too deeply")
    if isinstance(node, ast.Expression):
        return _walk(node.body, source, depth + 1)
    if isinstance(node, ast.Constant):
        return _literal(node, source)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _walk(node.operand, source, depth + 1)
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _walk(node.left, source, depth + 1)
        right = _walk(node.right, source, depth + 1)
        exact = isinstance(left, int | Fraction) and isinstance(right, int | Fraction)
        if isinstance(node.op, ast.Mult) and exact and _bits(left) + _bits(right) > 2 * _MAX_BITS:
            raise MockError("result too large")
        try:
            return _size_ok(_BINOPS[type(node.op)](left, right))
        except ZeroDivisionError as exc:
            raise MockError("division by zero") from exc
        except OverflowError as exc:
            raise MockError("result too large") from exc
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise MockError(f"unknown name '{node.id[:40]}'")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS and not node.keywords:
        lo, hi = _ARITY.get(node.func.id, (1, 1))
        if not lo <= len(node.args) <= hi:
            raise MockError(f"{node.func.id}() takes {lo} to {hi} arguments" if lo != hi
                            else f"{node.func.id}() takes {lo} argument{'s' if lo > 1 else ''}")
        args = [_walk(arg, source, depth + 1) for arg in node.args]
        try:
            return _size_ok(_FUNCS[node.func.id](*args))
        except ZeroDivisionError as exc:
            raise MockError("division by zero") from exc
        except (ValueError, OverflowError, TypeError) as exc:
            raise MockError(f"invalid argument to {node.func.id}()") from exc
    if isinstance(node, ast.Call):
        called = node.func.id if isinstance(node.func, ast.Name) else type(node.func).__name__
        raise MockError(f"function '{called[:40]}' is not allowed")
    raise MockError(f"unsupported expression element: {type(node).__name__}")


def _bits(value: int | Fraction) -> int:
    f = Fraction(value)
    return max(f.numerator.bit_length(), f.denominator.bit_length())


def evaluate(expression: str) -> int | float:
    """The value of an arithmetic expression: int when exact and whole, Fraction-free float otherwise."""
    return explain(expression)[0]


def explain(expression: str) -> tuple[int | float, str, list[str]]:
    """The value, the expression as it was read (calculator notation rewritten) and notes on the reading."""
    if len(expression) > _MAX_LEN:
        raise MockError(f"expression too long (max {_MAX_LEN} characters)")
    text, notes = interpret(expression)
    if not text:
        raise MockError("empty expression")
    if len(text) > _MAX_LEN:
        raise MockError(f"expression too long (max {_MAX_LEN} characters)")
    try:
        tree = parse_python(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise MockError("invalid expression syntax") from exc
    try:
        value = _walk(tree, text, 0)
    except RecursionError as exc:
        raise MockError("expression nested too deeply") from exc
    if any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "log"
           and len(node.args) == 1 for node in ast.walk(tree)):
        notes.append("log(x) is the base-10 logarithm; ln(x) is the natural logarithm and log(x, b) takes base b")
    return plain(value), text, notes


def plain(value: Number) -> int | float:
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else _float(value)
    return value
