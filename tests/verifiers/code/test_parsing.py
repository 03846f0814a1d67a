"""The host-side pieces of code verification that need no sandbox: extraction, syntax, tests, comparison."""

from __future__ import annotations

import pytest

from verifiers import get_verifier, has_verifier
from verifiers.code.compare import call_matches, compare_stdout, rows_equal, values_equal
from verifiers.code.extract import extract_code, guess_language, language_from_question
from verifiers.code.jobs import prepare
from verifiers.code.plans import BadTests, plan_from_tests, statement_examples
from verifiers.code.plans import TestPlan as Plan  # not collected as a test class
from verifiers.code.syntax import check_syntax

# --------------------------------------------------------------------------- extraction


def test_fenced_tagged_and_untagged() -> None:
    e = extract_code("Sure:\n```python\nprint(1)\n```\nDone.")
    assert e and e.code == "print(1)" and e.language == "python" and e.source == "fenced"
    e = extract_code("```\nfunction f(x) { return x; }\nconsole.log(f(1));\n```")
    assert e and e.language == "javascript"
    e = extract_code("~~~sh\n#!/bin/bash\necho hi\n~~~")
    assert e and e.language == "bash"


def test_solution_wins_over_usage_example() -> None:
    text = ("```python\ndef add(a, b):\n    return a + b\n```\n\nExample usage:\n\n```python\nprint(add(1, 2))\n```\n"
            "Output:\n```\n3\n```")
    e = extract_code(text, "python", "add")
    assert e and "def add" in e.code and "print(add" not in e.code
    # the solution last, a transcript first
    text = "```python\n>>> add(1, 2)\n3\n```\nThe code:\n```python\ndef add(a, b):\n    return a + b\n```"
    e = extract_code(text, "python", "add")
    assert e and e.code.startswith("def add")


def test_prefers_requested_language_and_entry_point() -> None:
    text = ("Run it with:\n```bash\npython3 sol.py < in.txt\n```\n"
            "```python\nimport sys\nprint(sum(map(int, sys.stdin.read().split())))\n```")
    e = extract_code(text, "python")
    assert e and e.language == "python" and "sys.stdin" in e.code


def test_truncated_fence_and_indented_and_whole() -> None:
    e = extract_code("Here:\n```python\ndef f():\n    return 1\n")
    assert e and "return 1" in e.code
    e = extract_code("Code:\n\n    def f():\n        return 1\n\nThat is all.")
    assert e and e.source == "indented" and e.code.startswith("def f():")
    e = extract_code("def f(x):\n    return x * 2\n")
    assert e and e.source == "whole"
    assert extract_code("The answer is to add the two numbers and print the result for the user.") is None
    assert extract_code("") is None


def test_language_guessing() -> None:
    assert guess_language("SELECT name FROM t WHERE x > 1;") == "sql"
    assert guess_language("const x = [1,2].map(v => v * 2);\nconsole.log(x);") == "javascript"
    assert guess_language("for f in *.txt; do\n  echo $f\ndone") == "bash"
    assert language_from_question("Write a Bash script that...") == "bash"
    assert language_from_question("Implement it in Node.js") == "javascript"
    assert language_from_question("Compute the sum.") is None


# --------------------------------------------------------------------------- syntax


@pytest.mark.parametrize(("code", "lang", "ok"), [
    ("def f(:\n pass", "python", False),
    ("def f():\n    return 1", "python", True),
    ("function f( { }", "javascript", False),
    ("const f = (a) => a + 1;", "javascript", True),
    ("if true; then echo", "bash", False),
    ("if true; then echo hi; fi", "bash", True),
    ("SELEC 1", "sql", True),  # no offline SQL parser: the sandbox run decides
])
def test_syntax_checks(code: str, lang: str, ok: bool) -> None:
    assert check_syntax(code, lang).ok is ok


# --------------------------------------------------------------------------- tests from rows and statements


def test_plan_forms() -> None:
    he = plan_from_tests({"test": "def check(candidate):\n    assert candidate(1)", "entry_point": "f"}, None, 10)
    assert he and he.kind == "humaneval" and he.entry_point == "f"
    call = plan_from_tests({"inputs": [[1], [2]], "outputs": [1, 2], "fn_name": "g"}, None, 10)
    assert call and call.kind == "call" and call.calls == [[1], [2]]
    stdio = plan_from_tests({"inputs": ["1\n", ["2", "3"]], "outputs": ["1\n", "5\n"]}, None, 1)
    assert stdio and stdio.kind == "stdio" and stdio.stdio == [("1\n", "1\n")]
    sql = plan_from_tests({"schema": "CREATE TABLE t(x)", "data": "", "expected": [[1]]}, None, 10)
    assert sql and sql.kind == "sql" and not sql.sql[0].ordered
    gen = plan_from_tests({"inputs": ["1"], "outputs": ["1"], "generated_tests": True}, None, 10)
    assert gen and gen.source == "generated"
    assert plan_from_tests(None, None, 10) is None
    with pytest.raises(BadTests):
        plan_from_tests({"inputs": [1, 2], "outputs": [1]}, None, 10)


def test_plans_keep_every_test_below_the_safety_cap() -> None:
    rows = {"inputs": [f"{i}\n" for i in range(30)], "outputs": [f"{i}\n" for i in range(30)]}
    plan = plan_from_tests(rows, None, 500)
    assert plan and plan.total == 30 and plan.available is None and plan.row_total == 30
    capped = plan_from_tests(rows, None, 25)
    assert capped and capped.total == 25 and capped.available == 30 and capped.row_total == 30
    calls = plan_from_tests({"inputs": [[i] for i in range(30)], "outputs": list(range(30)), "fn_name": "f"}, None, 25)
    assert calls and calls.kind == "call" and len(calls.calls) == 25 and calls.available == 30
    sql = plan_from_tests({"schema": "", "cases": [{"expected": []}] * 3}, None, 2)
    assert sql and len(sql.sql) == 2 and sql.available == 3


def test_batches_fit_the_job_budget_and_cover_every_test() -> None:
    stdio = Plan("stdio", "row", stdio=[(f"{i}\n", f"{i}\n") for i in range(40)])
    prepared = prepare(stdio, "print(input())", "python", 4.0, 60.0)
    assert [len(j.runs) for j in prepared.jobs] == [15, 15, 10]
    assert all(j.wall_budget_s() <= 60.0 for j in prepared.jobs)
    assert [r.stdin for j in prepared.jobs for r in j.runs] == [f"{i}\n" for i in range(40)]
    call = Plan("call", "row", entry_point="f", calls=[[i] for i in range(30)], expected=list(range(30)))
    prepared = prepare(call, "def f(x):\n    return x", "python", 4.0, 60.0)
    assert prepared.calls_per_run == 13 and len(prepared.jobs) == 3
    assert all(j.wall_budget_s() <= 60.0 for j in prepared.jobs)
    # A per-test limit above the batch budget is never cut down to fit a batch.
    slow = prepare(stdio, "print(input())", "python", 100.0, 60.0)
    assert sum(len(j.runs) for j in slow.jobs) == 40 and {r.timeout_s for j in slow.jobs for r in j.runs} == {100.0}
    assert prepare(Plan("none", "none"), "print(1)", "python", 4.0, 60.0).jobs == []


CODEFORCES = """You are given n numbers. Print their sum.

Input

The first line contains a single integer n (1 ≤ n ≤ 100).
The second line contains n integers.

Output

Print a single integer, the sum of the numbers.

Examples

Input

3
1 2 3

Output

6

Input

1
5

Output

5

Note

In the first example the sum is 1 + 2 + 3 = 6.
"""

ATCODER = """Print A+B.

Constraints

* 1 <= A, B <= 100

Input

Input is given from Standard Input in the following format:

A B

Sample Input 1

1 2

Sample Output 1

3

Sample Input 2

10 20

Sample Output 2

30
"""

TACO = """Chef has N coins.

-----Input-----
- The first line contains T, the number of test cases.

-----Output-----
For each test case print the answer.

-----Example-----
Input:
2
1
2

Output:
1
4

-----Explanation-----
Example case 1: one coin.
"""


@pytest.mark.parametrize(("statement", "expected"), [
    (CODEFORCES, [("3\n1 2 3\n", "6\n"), ("1\n5\n", "5\n")]),
    (ATCODER, [("1 2\n", "3\n"), ("10 20\n", "30\n")]),
    (TACO, [("2\n1\n2\n", "1\n4\n")]),
    ("Write a function that adds two numbers.", []),
    ("Example 1:\nInput: nums = [2,7], target = 9\nOutput: [0,1]", []),
])
def test_statement_examples(statement: str, expected: list) -> None:
    assert statement_examples(statement, 10) == expected


# --------------------------------------------------------------------------- comparison


def test_stdout_comparison() -> None:
    assert compare_stdout("1 2  \n3\n\n", "1 2\n3") is None
    assert compare_stdout("0.3333333\n", "0.333333333\n") is None
    assert compare_stdout("1e3\n", "1000.0\n") is None
    assert compare_stdout("12345678901234567890\n", "12345678901234567891\n") is not None
    assert compare_stdout("YES\n", "yes\n") is not None
    assert "expected 2 line(s), got 1" in (compare_stdout("1", "1\n2") or "")


def test_stdout_floats_at_the_judges_tolerance() -> None:
    """An absolute or relative error of 1e-6, as competitive judges allow, when the expected token is a float."""
    assert compare_stdout("0.3333333333333333\n", "0.333333\n") is None  # more decimals than the expected
    assert compare_stdout("0.333333\n", "0.3333333333333333\n") is None  # fewer, still within 1e-6
    assert compare_stdout("0.123457\n", "0.123456\n") is None  # one unit in the 6th decimal
    assert compare_stdout("2\n", "2.000000\n") is None and compare_stdout("2.5000\n", "2.5\n") is None
    assert compare_stdout("123456789.5\n", "123456789.0\n") is None  # relative
    assert compare_stdout("0.33335\n", "0.333333\n") is not None
    assert compare_stdout("2.54\n", "2.5\n") is not None
    assert compare_stdout("1e-7 5\n", "0.0000001 5\n") is None


def test_stdout_integers_are_exact() -> None:
    # An integer answer printed as a float is a wrong answer, however close.
    assert compare_stdout("3.0\n", "3\n") is not None
    assert compare_stdout("2.9999999\n", "3\n") is not None
    assert compare_stdout("-0\n", "0\n") is None and compare_stdout("7\n", "7\n") is None


def test_stdout_whitespace_and_blank_lines_ignored() -> None:
    assert compare_stdout("1 2\r\n3   \r\n\r\n", "1 2\n3") is None
    assert compare_stdout("1\n\n2\n", "1\n2\n") is None and compare_stdout("1\n2\n", "\n1\n\n2\n\n") is None
    assert compare_stdout("  1   2\t\n", "1 2\n") is None
    assert compare_stdout("1 2\n", "1\n2\n") is not None  # line structure still counts


def test_value_comparison_is_type_strict() -> None:
    assert values_equal(3, 3) and values_equal(3.0, 3) and values_equal((1, 2), [1, 2])
    assert not values_equal(True, 1) and not values_equal(1, True) and not values_equal("3", 3)
    assert not values_equal(None, 0) and not values_equal([1, 2], [2, 1])
    assert values_equal({"a": 1}, {"a": 1}) and not values_equal({"a": 1}, {"a": 2})
    assert call_matches(5, [5]) and not call_matches(6, [5])


def test_rows_comparison() -> None:
    assert rows_equal([["b", 2], ["a", 1]], [["a", 1], ["b", 2]], ordered=False) is None
    assert rows_equal([["b", 2], ["a", 1]], [["a", 1], ["b", 2]], ordered=True) is not None
    assert rows_equal([[2.0]], [[2]], ordered=True) is None
    assert rows_equal([[1]], [[1], [1]], ordered=False) is not None


def test_registered_for_code_split() -> None:
    assert has_verifier("code")
    assert type(get_verifier("code")).__name__ == "CodeVerifier"
