"""Shared readers of the math mocks: operation-style arithmetic and rates given as fractions or percents.

calculate(a=6, b=7, op="mul"), calculator(operation="times", x=6, y=7), multiply(num1=6, num2=7) and
add(numbers=[1, 2, 3]) are one operation over operands, whatever the tool calls them. A rate of
0.05 is 5% (a fraction) and a rate of 5 is 5% (a percent); the result says how it read a fraction.
"""

from __future__ import annotations

import re
from typing import Any

from verifiers.tools.mocks.evaluator import evaluate
from verifiers.tools.mocks.registry import Call
from verifiers.tools.mocks.util import MockError, words

# Operation name -> its aliases. Symbols and short words are read only from the operation argument.
_NAMES = {
    "add": "add addition added plus sum total +",
    "subtract": "sub subtract subtraction subtracted minus difference diff - −",
    "multiply": "mul mult multiply multiplication multiplied times product * x ×",
    "divide": "div divide division divided quotient over / ÷",
    "modulo": "mod modulo modulus remainder rem %",
    "power": "pow power exponent exponentiation exponentiate raise raised_to to_the_power ^ **",
    "sqrt": "sqrt square_root squareroot root √",
    "average": "avg average mean",
    "max": "max maximum largest greatest",
    "min": "min minimum smallest least",
}
_ALIASES = {alias: name for name, spec in _NAMES.items() for alias in spec.split()}
_SYMBOL = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "modulo": "%", "power": "**"}
_FUNCTION = {"sqrt": "sqrt", "average": "mean", "max": "max", "min": "min"}
# Words of a tool name that name an operation (multiply_numbers, addNumbers); never single letters.
_NAME_WORDS = {w: n for w, n in _ALIASES.items() if w.isalpha() and len(w) > 2 and w not in ("over", "root", "raise")}

OPERANDS = {"operation": "operation op operator action type function method",
            "a": "a x num1 number1 first left operand1 operand_1 n1 numerator dividend base first_number value1 "
                 "val1 lhs operand_a term1 augend minuend multiplicand",
            "b": "b y num2 number2 second right operand2 operand_2 n2 denominator divisor exponent second_number "
                 "value2 val2 rhs operand_b term2 addend subtrahend multiplier",
            "numbers": "numbers values nums operands list args arguments inputs terms"}


def operation_name(c: Call) -> str:
    """The canonical operation: from the operation argument, else from a word of the tool's name."""
    raw = c.text("operation", limit=30)
    if raw:
        word = raw.strip().lower()
        if word not in _ALIASES:  # "Multiplied by", "square-root", "adds"
            word = re.sub(r"[\s_-]+", "_", word).removesuffix("_by").removesuffix("_of")
            word = word if word in _ALIASES else word.removesuffix("s")
        name = _ALIASES.get(word)
        if name is None:
            raise MockError(f"unknown operation '{raw}' (use add, subtract, multiply, divide, modulo, power, sqrt, "
                            "average, max or min)")
        return name
    name = next((_NAME_WORDS[w] for w in words(c.tool) if w in _NAME_WORDS), None)
    if name is None:
        raise MockError(f"unknown operation '{c.tool}'")
    return name


def _text(value: float) -> str:
    text = repr(int(value)) if value.is_integer() else repr(value)
    return f"({text})" if value < 0 else text


def operate(c: Call) -> dict[str, Any]:
    """Two-operand (or list) arithmetic as in calculate(a=6, b=7, op="mul") or multiply(x=2, y=3)."""
    name = operation_name(c)
    values = c.numbers("numbers", limit=1000) or [v for v in (c.num("a"), c.num("b")) if v is not None]
    extra: dict[str, Any] = {}
    if name == "sqrt":
        if not values:
            raise MockError("give the number to take the square root of")
        if len(values) > 1:  # a schema that always sends two operands: the root of the first
            extra["note"] = "sqrt takes one number: the first was used"
            values = values[:1]
        text = f"sqrt({_text(values[0])})"
    elif name in _FUNCTION:
        if not values:
            raise MockError(f"give the numbers to take the {name} of")
        text = f"{_FUNCTION[name]}({', '.join(_text(v) for v in values)})"
    else:
        if len(values) < 2 and not (name == "add" and values):
            raise MockError("give two numbers")
        text = f" {_SYMBOL[name]} ".join(_text(v) for v in values)
    return {"operation": name, "operands": values, "expression": text, "result": evaluate(text)} | extra


def percent_rate(c: Call, name: str, lo: float = 0.0, hi: float = 100.0) -> tuple[float, str | None]:
    """A rate as a percentage and a note on how it was read: below 1 (in magnitude) a fraction, so 0.05 is
    5%; from 1 up a percent, so 5 is 5%. Outside [lo, hi] percent is an error."""
    value = c.num(name)
    if value is None:
        raise c.missing(name)
    note = None
    if 0 < abs(value) < 1:
        note = f"{c.arg(name)} = {value:g} read as a fraction: {value * 100:g}%"
        value *= 100
    if not lo <= value <= hi:
        raise MockError(f"{c.arg(name)} must be between {lo:g}% and {hi:g}% (give 5 or 0.05 for 5%)")
    return round(value, 10), note
