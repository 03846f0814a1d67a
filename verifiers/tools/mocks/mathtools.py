"""Math: a calculator (AST evaluator, never eval), statistics, money formulas, number theory."""

from __future__ import annotations

import cmath
import math
import statistics
from typing import Any

from verifiers.tools.mocks.evaluator import explain
from verifiers.tools.mocks.mathops import OPERANDS, operate, percent_rate
from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import MockError

MOCKS: list[Mock] = []
mock = collector("math", MOCKS, "math mathematics maths")

_MAX_NUMBER = 10**15
_EXPR = "expression expr equation formula input query q calculation math_expression problem text value"


def _whole(c: Call, name: str, lo: int = -_MAX_NUMBER, hi: int = _MAX_NUMBER) -> int:
    value = c.num(name)
    if value is None and not c.has(name):
        raise c.missing(name)
    if value is None or not value.is_integer():
        raise MockError(f"{c.arg(name)} must be an integer")
    if not lo <= value <= hi:
        raise MockError(f"{c.arg(name)} must be between {lo} and {hi}")
    return int(value)


@mock("calculator", topic="calculate calculator calc compute evaluate math expression eval",
      extra="expression math arithmetic", anti="tip loan mortgage interest bmi statistics",
      desc="evaluate a mathematical expression arithmetic calculator", params={"expression": _EXPR, **OPERANDS},
      example={"expression": "(2+3)*4"}, summary="Evaluate an arithmetic expression")
def calculator(c: Call) -> dict[str, Any]:
    operands = c.has("a") or c.has("b") or c.has("numbers")
    if not c.has("expression") or c.has("operation") and operands:
        return operate(c)
    return _expression(c)


def _expression(c: Call) -> dict[str, Any]:
    """An expression's value; how its notation was read when that was not plain (5!, 15% of 80, log)."""
    expression = c.need("expression", limit=5000)
    value, text, notes = explain(expression)
    out: dict[str, Any] = {"expression": expression, "result": value}
    if notes:
        out |= {"interpreted_as": text, "note": "; ".join(notes)}
    return out


@mock("arithmetic", topic="arithmetic add addition sum plus subtract subtraction minus multiply multiplication product "
      "times divide division quotient power exponent modulo remainder", extra="number numbers two integers basic",
      anti="todo task cart contact event note reminder file item", desc="add subtract multiply or divide two numbers",
      params={**OPERANDS, "expression": _EXPR}, example={"operation": "multiply", "a": 6, "b": 7},
      summary="Basic arithmetic on two numbers")
def arithmetic(c: Call) -> dict[str, Any]:
    if c.has("expression") and not (c.has("a") or c.has("numbers")):
        return _expression(c)
    return operate(c)


def _data(c: Call) -> list[float]:
    data = c.numbers("numbers")
    if not data:
        raise MockError(f"{c.arg('numbers')} must be a non-empty list of numbers")
    return data


_NUMS = "numbers data values list nums array series sample x items input dataset"


@mock("statistics", topic="statistics stats statistic mean average median mode stdev variance deviation",
      extra="descriptive summary compute calculate calculator get",
      desc="mean median standard deviation of a list of numbers",
      params={"numbers": _NUMS, "operation": "operation op stat metric measure type function"},
      required=("numbers",), example={"numbers": [2, 4, 4, 4, 5, 5, 7, 9]}, summary="Descriptive statistics")
def stats(c: Call) -> dict[str, Any]:
    data = _data(c)
    out: dict[str, Any] = {"count": len(data), "sum": round(math.fsum(data), 10), "mean": statistics.fmean(data),
                           "median": statistics.median(data), "min": min(data), "max": max(data)}
    modes = statistics.multimode(data)
    out["mode"] = modes[0] if len(modes) == 1 else modes
    if len(data) > 1:
        out["stdev"] = statistics.stdev(data)
        out["variance"] = statistics.variance(data)
        out["population_stdev"] = statistics.pstdev(data)
    op = c.text("operation").lower()
    key = {"average": "mean", "avg": "mean", "std": "stdev", "standard_deviation": "stdev", "var": "variance"}.get(
        op, op)
    if key in out:
        out["result"] = out[key]
    return out


@mock("percentage", topic="percent percentage pct", extra="calculate calculator of change increase decrease",
      desc="percentage of a number or percent change between two values",
      params={"value": "value number amount total base whole of x", "percent": "percent percentage rate pct p",
              "new_value": "new_value new to final compare_to y part"},
      example={"percent": 15, "value": 80}, summary="Percent of a value or percent change")
def percentage(c: Call) -> dict[str, Any]:
    value, pct, new = c.num("value"), c.num("percent"), c.num("new_value")
    if value is not None and new is not None:
        if value == 0:
            raise MockError("percentage change from zero is undefined")
        return {"from": value, "to": new, "percent_change": round((new - value) / abs(value) * 100, 6),
                "ratio_percent": round(new / value * 100, 6)}
    if value is not None and pct is not None:
        return {"percent": pct, "of": value, "result": round(value * pct / 100, 10)}
    raise MockError("give a value and a percent, or two values to compare")


@mock("tip_calculator", topic="tip gratuity", extra="calculate calculator bill split",
      desc="restaurant tip and bill split per person",
      params={"bill": "bill bill_amount amount total subtotal check", "percent": "percent tip_percent tip_percentage "
              "percentage rate tip_rate", "people": "people split num_people persons party_size diners guests"},
      required=("bill",), example={"bill_amount": 84.5, "tip_percentage": 18, "split": 2},
      summary="Tip and split a bill")
def tip(c: Call) -> dict[str, Any]:
    bill = c.need_num("bill")
    pct, note = percent_rate(c, "percent") if c.has("percent") else (15.0, None)
    people = c.integer("people", 1, 1, 1000)
    amount = round(bill * pct / 100, 2)
    return {"bill": bill, "tip_percent": pct, "tip": amount, "total": round(bill + amount, 2), "people": people,
            "per_person": round((bill + amount) / people, 2)} | ({"note": note} if note else {})


@mock("loan_payment", topic="loan mortgage amortization amortisation emi installment repayment",
      extra="payment monthly calculate calculator", desc="monthly payment for a loan or mortgage principal rate term",
      params={"principal": "principal amount loan_amount loan principal_amount home_price balance",
              "rate": "rate annual_rate interest_rate apr annual_interest_rate interest",
              "years": "years term term_years loan_term duration", "months": "months term_months n_months"},
      required=("principal", "rate"), example={"principal": 300000, "annual_rate": 6.5, "years": 30},
      summary="Monthly loan or mortgage payment")
def loan(c: Call) -> dict[str, Any]:
    principal = c.need_num("principal")
    if principal <= 0:
        raise MockError(f"{c.arg('principal')} must be positive")
    rate, note = percent_rate(c, "rate", 0, 100)
    months = c.integer("months", 0, 0, 1200) or c.integer("years", 30, 1, 100) * 12
    r = rate / 100 / 12
    payment = principal / months if r == 0 else principal * r / (1 - (1 + r) ** -months)
    return {"principal": principal, "annual_rate_percent": rate, "months": months,
            "monthly_payment": round(payment, 2), "total_paid": round(payment * months, 2),
            "total_interest": round(payment * months - principal, 2)} | ({"note": note} if note else {})


@mock("compound_interest", topic="compound interest investment savings growth",
      extra="compound future value calculate calculator",
      anti="loan mortgage", desc="compound interest future value of an investment",
      params={"principal": "principal amount initial deposit initial_investment present_value pv",
              "rate": "rate annual_rate interest_rate apr", "years": "years time t duration period",
              "frequency": "frequency compounds_per_year n compounding times_per_year",
              "contribution": "contribution monthly_contribution deposit_monthly pmt"},
      required=("principal", "rate", "years"), example={"principal": 10000, "rate": 5, "years": 10, "n": 12},
      summary="Compound interest")
def compound(c: Call) -> dict[str, Any]:
    principal = c.need_num("principal")
    rate, note = percent_rate(c, "rate", -99.99, 1000)
    years = c.num("years", 1.0) or 0.0
    if not 0 <= years <= 200:
        raise MockError(f"{c.arg('years')} must be between 0 and 200")
    n = c.integer("frequency", 1, 1, 365)
    try:
        grown = principal * (1 + rate / 100 / n) ** (n * years)
    except OverflowError as exc:
        raise MockError("result too large") from exc
    return {"principal": principal, "rate_percent": rate, "years": years, "compounds_per_year": n,
            "future_value": round(grown, 2), "interest_earned": round(grown - principal, 2)} | (
        {"note": note} if note else {})


@mock("bmi", topic="bmi body mass index", extra="calculate calculator", desc="body mass index from weight and height",
      params={"weight": "weight weight_kg mass kg weight_lbs", "height": "height height_cm height_m cm height_in",
              "units": "units unit system"},
      required=("weight", "height"), example={"weight_kg": 70, "height_cm": 175}, summary="Body mass index")
def bmi(c: Call) -> dict[str, Any]:
    weight, height = c.need_num("weight"), c.need_num("height")
    imperial = c.text("units").lower() in ("imperial", "us", "lb", "lbs") or "lb" in c.key("weight")
    kg = weight * 0.45359237 if imperial else weight
    metres = height * 0.0254 if imperial else height / 100 if height > 3 else height
    if not (1 <= kg <= 700 and 0.3 <= metres <= 3):
        raise MockError("weight or height out of range")
    value = round(kg / metres**2, 1)
    category = "underweight" if value < 18.5 else "normal" if value < 25 else "overweight" if value < 30 else "obese"
    return {"bmi": value, "category": category, "weight_kg": round(kg, 2), "height_m": round(metres, 3)}


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):  # deterministic for n < 3.3e24
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


_N = "n number num value integer x input"


@mock("prime_check", topic="prime primality", extra="check is test", anti="factor factorization",
      desc="check whether a number is prime", params={"n": _N}, required=("n",), example={"number": 97},
      summary="Is a number prime")
def prime_check(c: Call) -> dict[str, Any]:
    n = _whole(c, "n")
    out: dict[str, Any] = {"number": n, "is_prime": _is_prime(n)}
    if not out["is_prime"] and n > 3:
        out["smallest_factor"] = next(p for p in range(2, 10**6) if n % p == 0) if n < 10**12 else None
    return out


@mock("prime_factors", topic="factor factors factorization factorisation factorize", extra="prime",
      desc="prime factorization of an integer", params={"n": _N}, required=("n",), example={"n": 360},
      summary="Prime factorization")
def prime_factors(c: Call) -> dict[str, Any]:
    n = _whole(c, "n", 2, 10**12)
    factors, rest, p = [], n, 2
    while p * p <= rest:
        while rest % p == 0:
            factors.append(p)
            rest //= p
        p += 1 if p == 2 else 2
    if rest > 1:
        factors.append(rest)
    return {"number": n, "factors": factors}


def _ints(c: Call) -> list[int]:
    values = c.numbers("numbers", limit=100) or [v for v in (c.num("a"), c.num("b")) if v is not None]
    if len(values) < 2 or not all(v.is_integer() and abs(v) <= _MAX_NUMBER for v in values):
        raise MockError("give at least two integers")
    return [int(v) for v in values]


_PAIR = {"numbers": "numbers values nums list integers", "a": "a x first num1 number1 m",
         "b": "b y second num2 number2"}


@mock("gcd", topic="gcd gcf hcf divisor", extra="greatest common", anti="lcm multiple",
      desc="greatest common divisor", params=_PAIR, example={"a": 48, "b": 18}, summary="Greatest common divisor")
def gcd(c: Call) -> dict[str, Any]:
    values = _ints(c)
    return {"numbers": values, "gcd": math.gcd(*values)}


@mock("lcm", topic="lcm multiple", extra="least lowest common", anti="gcd divisor",
      desc="least common multiple", params=_PAIR, example={"numbers": [4, 6, 10]}, summary="Least common multiple")
def lcm(c: Call) -> dict[str, Any]:
    values = _ints(c)
    return {"numbers": values, "lcm": math.lcm(*values)}


@mock("fibonacci", topic="fibonacci fib", extra="sequence number nth term", desc="fibonacci numbers sequence",
      params={"n": "n number count terms num nth index length"}, required=("n",), example={"n": 10},
      summary="Fibonacci sequence")
def fibonacci(c: Call) -> dict[str, Any]:
    n = _whole(c, "n", 0, 1000)
    seq = [0, 1]
    while len(seq) <= n:
        seq.append(seq[-1] + seq[-2])
    return {"n": n, "value": seq[n], "sequence": seq[: min(n + 1, 100)]}


@mock("factorial", topic="factorial", extra="compute calculate", desc="factorial of a non-negative integer n!",
      params={"n": _N}, required=("n",), example={"n": 10}, summary="Factorial")
def factorial(c: Call) -> dict[str, Any]:
    n = _whole(c, "n", 0, 1000)
    value = math.factorial(n)
    return {"n": n, "factorial": value if value < 10**18 else str(value), "digits": len(str(value))}


@mock("quadratic_solver", topic="quadratic polynomial root roots equation", extra="solve solver",
      desc="solve a quadratic equation ax^2 + bx + c = 0",
      params={"a": "a coefficient_a a_coeff", "b": "b coefficient_b b_coeff", "c": "c coefficient_c c_coeff"},
      required=("a", "b", "c"), example={"a": 1, "b": -3, "c": 2}, summary="Solve a quadratic equation")
def quadratic(c: Call) -> dict[str, Any]:
    a, b, k = c.need_num("a"), c.num("b", 0.0) or 0.0, c.num("c", 0.0) or 0.0
    if a == 0:
        if b == 0:
            raise MockError("not an equation: a and b are both zero")
        return {"type": "linear", "roots": [-k / b]}
    disc = b * b - 4 * a * k
    if disc >= 0:
        r = math.sqrt(disc)
        roots: list[Any] = sorted({(-b - r) / (2 * a), (-b + r) / (2 * a)})
    else:
        z = cmath.sqrt(disc)
        roots = [str((-b - z) / (2 * a)), str((-b + z) / (2 * a))]
    return {"a": a, "b": b, "c": k, "discriminant": disc, "roots": roots, "real": disc >= 0}


@mock("base_conversion", topic="base binary hex hexadecimal octal radix", extra="convert conversion number",
      desc="convert an integer between number bases binary octal decimal hexadecimal",
      params={"number": "number value n num input", "from_base": "from_base source_base base_from input_base",
              "to_base": "to_base target_base base_to output_base base"},
      required=("number",), example={"number": "255", "from_base": 10, "to_base": 16}, summary="Number base conversion")
def base_conversion(c: Call) -> dict[str, Any]:
    text = c.need("number", limit=80).strip().lower()
    src, dst = c.integer("from_base", 10, 2, 36), c.integer("to_base", 2, 2, 36)
    try:
        value = int(text, src if not text.startswith(("0x", "0b", "0o")) else 0)
    except ValueError as exc:
        raise MockError(f"'{text}' is not a valid base-{src} number") from exc
    digits, rest = "", abs(value)
    while True:
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest % dst] + digits
        rest //= dst
        if rest == 0:
            break
    return {"input": text, "from_base": src, "to_base": dst, "decimal": value,
            "result": ("-" if value < 0 else "") + digits}


@mock("discount_calculator", topic="discount sale markdown coupon", extra="price calculate calculator final",
      desc="price after a percentage discount and tax",
      params={"price": "price original_price amount cost value", "percent": "discount percent discount_percent "
              "percentage off rate", "tax": "tax tax_rate sales_tax vat"},
      required=("price", "percent"), example={"original_price": 120, "discount_percent": 25},
      summary="Price after discount")
def discount(c: Call) -> dict[str, Any]:
    price = c.need_num("price")
    pct, note = percent_rate(c, "percent", 0, 100)
    final = price * (1 - pct / 100)
    tax, tax_note = percent_rate(c, "tax", 0, 100) if c.has("tax") else (0.0, None)
    notes = [n for n in (note, tax_note) if n]
    return {"original_price": price, "discount_percent": pct, "savings": round(price - final, 2),
            "final_price": round(final, 2), "tax_percent": tax, "total_with_tax": round(final * (1 + tax / 100), 2)} | (
        {"note": "; ".join(notes)} if notes else {})
