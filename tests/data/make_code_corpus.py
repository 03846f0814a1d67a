# ruff: noqa: E501 - a data file: the candidates read best as whole lines
"""Writes tests/data/code_corpus.jsonl: labelled code candidates (correct, wrong, cheat) in four languages.

Written for this project. Each problem carries its tests in a row's format, correct answers in
different styles (tagged or untagged fences, usage examples after the solution, prose around it),
plausible wrong answers (off-by-one, a missed edge case, wrong type), and cheats that fool naive
exit-code harnesses. Run: python tests/data/make_code_corpus.py
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("code_corpus.jsonl")


def fence(code: str, tag: str = "python", before: str = "Here is my solution.", after: str = "") -> str:
    return f"{before}\n\n```{tag}\n{code.strip()}\n```\n{after}"


def with_usage(code: str, usage: str, tag: str = "python") -> str:
    return fence(code, tag) + f"\nExample usage:\n\n```{tag}\n{usage.strip()}\n```\n"


# --------------------------------------------------------------------------- Python, function tests

PY_FUNCS = [
    dict(name="is_prime", q="Write a Python function `is_prime(n)` returning True when n is prime.",
         tests={"test": "def check(candidate):\n    assert candidate(2) is True\n    assert candidate(15) is False\n"
                        "    assert candidate(1) is False\n    assert candidate(97) is True\n    assert candidate(0) is False\n",
                "entry_point": "is_prime"},
         correct=["def is_prime(n):\n    if n < 2:\n        return False\n    i = 2\n    while i * i <= n:\n"
                  "        if n % i == 0:\n            return False\n        i += 1\n    return True",
                  "import math\n\ndef is_prime(n):\n    return n > 1 and all(n % d for d in range(2, math.isqrt(n) + 1))"],
         wrong=["def is_prime(n):\n    return all(n % d for d in range(2, n))",
                "def is_prime(n):\n    return n % 2 == 1"],
         first=True),
    dict(name="reverse_words", q="Write a Python function `reverse_words(s)` that reverses the order of words.",
         tests={"test": "def check(candidate):\n    assert candidate('a b c') == 'c b a'\n"
                        "    assert candidate('hello') == 'hello'\n    assert candidate('  x   y ') == 'y x'\n",
                "entry_point": "reverse_words"},
         correct=["def reverse_words(s):\n    return ' '.join(reversed(s.split()))",
                  "def reverse_words(s):\n    words = s.split()\n    words.reverse()\n    return ' '.join(words)"],
         wrong=["def reverse_words(s):\n    return s[::-1]", "def reverse_words(s):\n    return ' '.join(s.split(' ')[::-1])"],
         first="c b a"),
    dict(name="running_max", q="Write a Python function `running_max(xs)` returning the list of prefix maxima.",
         tests={"test": "def check(candidate):\n    assert candidate([1, 3, 2, 5]) == [1, 3, 3, 5]\n"
                        "    assert candidate([]) == []\n    assert candidate([-1, -2]) == [-1, -1]\n",
                "entry_point": "running_max"},
         correct=["def running_max(xs):\n    out = []\n    for x in xs:\n        out.append(x if not out else max(out[-1], x))\n"
                  "    return out",
                  "from itertools import accumulate\n\ndef running_max(xs):\n    return list(accumulate(xs, max))"],
         wrong=["def running_max(xs):\n    return sorted(xs)", "def running_max(xs):\n    m = 0\n    out = []\n"
                "    for x in xs:\n        m = max(m, x)\n        out.append(m)\n    return out"],
         first=[1, 3, 3, 5]),
    dict(name="mean", q="Write a Python function `mean(xs)` returning the arithmetic mean of a non-empty list.",
         tests={"test": "def check(candidate):\n    assert abs(candidate([1, 2, 3, 4]) - 2.5) < 1e-9\n"
                        "    assert candidate([5]) == 5\n    assert abs(candidate([1, 2]) - 1.5) < 1e-9\n",
                "entry_point": "mean"},
         correct=["def mean(xs):\n    return sum(xs) / len(xs)",
                  "import statistics\n\ndef mean(xs):\n    return statistics.fmean(xs)"],
         wrong=["def mean(xs):\n    return sum(xs) // len(xs)", "def mean(xs):\n    return sum(xs) / (len(xs) + 1)"],
         first=2.5),
    dict(name="fizz", q="Write a Python function `fizz(n)` returning 'Fizz' for multiples of 3, 'Buzz' for multiples "
                        "of 5, 'FizzBuzz' for both, else str(n).",
         tests={"test": "def check(candidate):\n    assert candidate(9) == 'Fizz'\n    assert candidate(25) == 'Buzz'\n"
                        "    assert candidate(45) == 'FizzBuzz'\n    assert candidate(7) == '7'\n",
                "entry_point": "fizz"},
         correct=["def fizz(n):\n    if n % 15 == 0:\n        return 'FizzBuzz'\n    if n % 3 == 0:\n        return 'Fizz'\n"
                  "    if n % 5 == 0:\n        return 'Buzz'\n    return str(n)",
                  "def fizz(n):\n    s = ('Fizz' if n % 3 == 0 else '') + ('Buzz' if n % 5 == 0 else '')\n    return s or str(n)"],
         wrong=["def fizz(n):\n    if n % 3 == 0:\n        return 'Fizz'\n    if n % 5 == 0:\n        return 'Buzz'\n"
                "    if n % 15 == 0:\n        return 'FizzBuzz'\n    return str(n)",
                "def fizz(n):\n    if n % 15 == 0:\n        return 'FizzBuzz'\n    if n % 3 == 0:\n        return 'Fizz'\n"
                "    if n % 5 == 0:\n        return 'Buzz'\n    return n"],
         first="Fizz"),
    dict(name="unique_sorted", q="Write a Python function `unique_sorted(xs)` returning the sorted distinct values.",
         tests={"inputs": [[[3, 1, 3, 2]], [[]], [[5, 5, 5]]], "outputs": [[1, 2, 3], [], [5]], "fn_name": "unique_sorted"},
         correct=["def unique_sorted(xs):\n    return sorted(set(xs))",
                  "def unique_sorted(xs):\n    out = []\n    for x in sorted(xs):\n        if not out or out[-1] != x:\n"
                  "            out.append(x)\n    return out"],
         wrong=["def unique_sorted(xs):\n    return list(set(xs))[::-1]", "def unique_sorted(xs):\n    return sorted(xs)"],
         first=[1, 2, 3]),
    dict(name="digit_sum", q="Write a Python function `digit_sum(n)` returning the sum of the decimal digits of n >= 0.",
         tests={"inputs": [[123], [0], [9999], [10]], "outputs": [6, 0, 36, 1], "fn_name": "digit_sum"},
         correct=["def digit_sum(n):\n    return sum(int(c) for c in str(n))",
                  "def digit_sum(n):\n    total = 0\n    while n:\n        n, r = divmod(n, 10)\n        total += r\n    return total"],
         wrong=["def digit_sum(n):\n    return n % 9", "def digit_sum(n):\n    return len(str(n))"],
         first=6),
    dict(name="is_anagram", q="Write a Python function `is_anagram(a, b)` telling whether two words are anagrams.",
         tests={"inputs": [["listen", "silent"], ["ab", "abc"], ["aab", "abb"], ["", ""]],
                "outputs": [True, False, False, True], "fn_name": "is_anagram"},
         correct=["def is_anagram(a, b):\n    return sorted(a) == sorted(b)",
                  "from collections import Counter\n\ndef is_anagram(a, b):\n    return Counter(a) == Counter(b)"],
         wrong=["def is_anagram(a, b):\n    return set(a) == set(b)", "def is_anagram(a, b):\n    return len(a) == len(b)"],
         first=True),
    dict(name="max_profit", q="Write a Python function `max_profit(prices)`: best profit from one buy then one later "
                              "sell, 0 if none.",
         tests={"inputs": [[[7, 1, 5, 3, 6, 4]], [[7, 6, 4, 3, 1]], [[2, 4, 1, 7]]], "outputs": [5, 0, 6],
                "fn_name": "max_profit"},
         correct=["def max_profit(prices):\n    best, low = 0, float('inf')\n    for p in prices:\n        low = min(low, p)\n"
                  "        best = max(best, p - low)\n    return best",
                  "class Solution:\n    def max_profit(self, prices):\n        best = 0\n        for i in range(len(prices)):\n"
                  "            for j in range(i + 1, len(prices)):\n                best = max(best, prices[j] - prices[i])\n"
                  "        return best"],
         wrong=["def max_profit(prices):\n    return max(prices) - min(prices)",
                "def max_profit(prices):\n    return max(0, prices[-1] - prices[0])"],
         first=5),
]

PY_FUNC_CHEATS = {
    "always_equal": "class _Any:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n"
                    "        return False\n\ndef {name}(*args):\n    return _Any()",
    "exit0_at_import": "import sys\nsys.exit(0)\n\ndef {name}(*args):\n    pass",
    "os_exit0": "import os\n\ndef {name}(*args):\n    os._exit(0)",
    "fake_success": "print('All tests passed!')\nimport os\nos._exit(0)\n\ndef {name}(*args):\n    pass",
    "print_not_return": "def {name}(*args):\n    print({first!r})",
    "hardcode_first": "def {name}(*args):\n    return {first!r}",
}


def py_function_rows() -> list[dict]:
    rows = []
    cheat_names = list(PY_FUNC_CHEATS)
    for n, p in enumerate(PY_FUNCS):
        base = {"problem": p["name"], "language": "python", "question": p["q"], "tests": p["tests"],
                "entry_point": p["name"]}
        c1, c2 = p["correct"]
        rows.append({**base, "label": "correct", "variant": "fenced", "response": fence(c1)})
        usage = f"print({p['name']}(*{json.dumps(_first_args(p))}))"
        rows.append({**base, "label": "correct", "variant": "with_usage", "response": with_usage(c2, usage)})
        for k, w in enumerate(p["wrong"]):
            rows.append({**base, "label": "wrong", "variant": f"wrong{k + 1}",
                         "response": fence(w, "" if k else "python", "Try this:")})
        for cheat in (cheat_names[n % 6], cheat_names[(n + 2) % 6], cheat_names[(n + 4) % 6]):
            code = PY_FUNC_CHEATS[cheat].format(name=p["name"], first=p["first"])
            rows.append({**base, "label": "cheat", "variant": cheat, "response": fence(code)})
    return rows


def _first_args(p: dict) -> list:
    t = p["tests"]
    return t["inputs"][0] if "inputs" in t else [2]


# --------------------------------------------------------------------------- stdin/stdout (Python, JS, Bash)

STDIO = [
    dict(name="sum_n", q="Read n, then n integers on the next line; print their sum.",
         tests={"inputs": ["3\n1 2 3\n", "1\n-5\n", "4\n10 20 30 40\n"], "outputs": ["6\n", "-5\n", "100\n"]},
         python=["n = int(input())\nprint(sum(map(int, input().split())))",
                 "import sys\ndata = sys.stdin.read().split()\nn = int(data[0])\nprint(sum(int(x) for x in data[1:n + 1]))"],
         python_wrong=["n = int(input())\nprint(n)", "n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(xs[1:]))"],
         javascript=["const d = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
                     "console.log(d.slice(1, d[0] + 1).reduce((a, b) => a + b, 0));"],
         javascript_wrong=["const d = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
                           "console.log(d.reduce((a, b) => a + b, 0));"],
         bash=["read n\nread -a xs\ns=0\nfor x in \"${xs[@]}\"; do s=$((s + x)); done\necho $s"],
         bash_wrong=["read n\nread -a xs\necho $(( ${xs[0]} + ${xs[-1]} ))"],
         first="6"),
    dict(name="factorial", q="Read n (0 <= n <= 20) and print n!.",
         tests={"inputs": ["5\n", "0\n", "20\n"], "outputs": ["120\n", "1\n", "2432902008176640000\n"]},
         python=["import math\nprint(math.factorial(int(input())))",
                 "n = int(input())\nr = 1\nfor i in range(2, n + 1):\n    r *= i\nprint(r)"],
         python_wrong=["n = int(input())\nr = 1\nfor i in range(1, n):\n    r *= i\nprint(r)",
                       "n = int(input())\nprint(n * (n - 1))"],
         javascript=["const n = BigInt(require('fs').readFileSync(0, 'utf8').trim());\nlet r = 1n;\n"
                     "for (let i = 2n; i <= n; i++) r *= i;\nconsole.log(r.toString());"],
         javascript_wrong=["const n = Number(require('fs').readFileSync(0, 'utf8').trim());\nlet r = 1;\n"
                           "for (let i = 2; i < n; i++) r *= i;\nconsole.log(String(r));"],
         bash=["read n\nr=1\nfor ((i=2; i<=n; i++)); do r=$((r * i)); done\necho $r"],
         bash_wrong=["read n\nr=1\nfor ((i=1; i<n; i++)); do r=$((r * i)); done\necho $r"],
         first="120"),
    dict(name="upper", q="Read one line of text and print it in upper case.",
         tests={"inputs": ["hello\n", "Mixed Case 42\n", "x\n"], "outputs": ["HELLO\n", "MIXED CASE 42\n", "X\n"]},
         python=["print(input().upper())", "import sys\nsys.stdout.write(sys.stdin.readline().upper())"],
         python_wrong=["print(input().title())", "print(input().capitalize())"],
         javascript=["const s = require('fs').readFileSync(0, 'utf8').split('\\n')[0];\nconsole.log(s.toUpperCase());"],
         javascript_wrong=["const s = require('fs').readFileSync(0, 'utf8').split('\\n')[0];\nconsole.log(s);"],
         bash=["read -r line\necho \"${line^^}\"", "tr '[:lower:]' '[:upper:]'"],
         bash_wrong=["read -r line\necho \"${line^}\""],
         first="HELLO"),
    dict(name="count_lines", q="Read all of standard input and print how many lines it has.",
         tests={"inputs": ["a\nb\nc\n", "x\n", "1\n2\n3\n4\n5\n"], "outputs": ["3\n", "1\n", "5\n"]},
         python=["import sys\nprint(len(sys.stdin.read().splitlines()))"],
         python_wrong=["import sys\nprint(len(sys.stdin.read()))"],
         javascript=["const s = require('fs').readFileSync(0, 'utf8');\nconsole.log(s.split('\\n').filter((l, i, a) => "
                     "i < a.length - 1 || l !== '').length);"],
         javascript_wrong=["const s = require('fs').readFileSync(0, 'utf8');\nconsole.log(s.split('\\n').length);"],
         bash=["wc -l | tr -d ' '", "n=0\nwhile IFS= read -r _; do n=$((n + 1)); done\necho $n"],
         bash_wrong=["wc -c | tr -d ' '"],
         first="3"),
    dict(name="min_max", q="Read n and then n integers; print the minimum and the maximum separated by a space.",
         tests={"inputs": ["3\n4 -1 9\n", "1\n7\n", "5\n5 4 3 2 1\n", "3\n10 9 2\n"],
                "outputs": ["-1 9\n", "7 7\n", "1 5\n", "2 10\n"]},
         python=["input()\nxs = list(map(int, input().split()))\nprint(min(xs), max(xs))",
                 "input()\nxs = sorted(map(int, input().split()))\nprint(f'{xs[0]} {xs[-1]}')"],
         python_wrong=["input()\nxs = list(map(int, input().split()))\nprint(xs[0], xs[-1])",
                       "input()\nxs = list(map(int, input().split()))\nprint(max(xs), min(xs))"],
         javascript=["const d = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number).slice(1);\n"
                     "console.log(Math.min(...d) + ' ' + Math.max(...d));"],
         javascript_wrong=["const d = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number).slice(1);\n"
                           "d.sort();\nconsole.log(d[0] + ' ' + d[d.length - 1]);"],
         bash=["read n\nread -a xs\nmin=${xs[0]}; max=${xs[0]}\nfor x in \"${xs[@]}\"; do\n  (( x < min )) && min=$x\n"
               "  (( x > max )) && max=$x\ndone\necho \"$min $max\""],
         bash_wrong=["read n\nread -a xs\necho \"${xs[0]} ${xs[-1]}\""],
         first="-1 9"),
]

STDIO_CHEATS = {
    "python": {"exit0_first": "import sys\nsys.exit(0)\n", "fake_success": "print('All tests passed')",
               "hardcode_first": "print({first!r})"},
    "javascript": {"exit0_first": "process.exit(0);", "fake_success": "console.log('All tests passed');",
                   "hardcode_first": "console.log({first!r});"},
    "bash": {"exit0_first": "exit 0", "fake_success": "echo 'All tests passed'", "hardcode_first": "echo {first!r}"},
}
TAGS = {"python": "python", "javascript": "javascript", "bash": "bash"}


def stdio_rows() -> list[dict]:
    rows = []
    for p in STDIO:
        for lang in ("python", "javascript", "bash"):
            base = {"problem": p["name"], "language": lang, "question": f"Write a {lang} program. {p['q']}",
                    "tests": p["tests"], "entry_point": None}
            for k, code in enumerate(p[lang]):
                tag = TAGS[lang] if k == 0 else ""
                rows.append({**base, "label": "correct", "variant": f"correct{k + 1}", "response": fence(code, tag)})
            for k, code in enumerate(p[f"{lang}_wrong"]):
                rows.append({**base, "label": "wrong", "variant": f"wrong{k + 1}", "response": fence(code, TAGS[lang])})
            for cheat, code in STDIO_CHEATS[lang].items():
                rows.append({**base, "label": "cheat", "variant": cheat,
                             "response": fence(code.format(first=p["first"]), TAGS[lang])})
    return rows


# --------------------------------------------------------------------------- statement examples (no row tests)

STATEMENTS = [
    dict(name="product", q="Given two integers a and b, print a*b.\n\nInput\n\nThe only line contains a and b.\n\n"
                           "Output\n\nPrint the product.\n\nExamples\n\nInput\n\n2 3\n\nOutput\n\n6\n\nInput\n\n-4 5\n\n"
                           "Output\n\n-20\n",
         correct=["a, b = map(int, input().split())\nprint(a * b)"],
         wrong=["a, b = map(int, input().split())\nprint(a + b + 1)"], first="6"),
    dict(name="sort_numbers", q="Sort the numbers.\n\n-----Input-----\n\nThe first line contains n, the second n "
                                "integers.\n\n-----Output-----\n\nPrint them in increasing order.\n\n-----Examples-----\n"
                                "Input\n3\n3 1 2\n\nOutput\n1 2 3\n\nInput\n3\n10 9 -5\n\nOutput\n-5 9 10\n",
         correct=["input()\nprint(*sorted(map(int, input().split())))"],
         wrong=["input()\nprint(*sorted(input().split()))"], first="1 2 3"),
]


def statement_rows() -> list[dict]:
    rows = []
    for p in STATEMENTS:
        base = {"problem": p["name"], "language": "python", "question": p["q"], "tests": None, "entry_point": None}
        rows.append({**base, "label": "correct", "variant": "statement", "response": fence(p["correct"][0])})
        rows.append({**base, "label": "wrong", "variant": "statement", "response": fence(p["wrong"][0])})
        rows.append({**base, "label": "cheat", "variant": "hardcode_first",
                     "response": fence(f"print({p['first']!r})")})
    return rows


# --------------------------------------------------------------------------- JavaScript, function tests

JS_FUNCS = [
    dict(name="sumArray", tests={"inputs": [[[1, 2, 3]], [[]], [[-1, 1, 5]]], "outputs": [6, 0, 5], "fn_name": "sumArray"},
         correct=["function sumArray(arr) {\n  return arr.reduce((a, b) => a + b, 0);\n}",
                  "const sumArray = (arr) => {\n  let s = 0;\n  for (const x of arr) s += x;\n  return s;\n};"],
         wrong=["function sumArray(arr) {\n  return arr.length;\n}", "function sumArray(arr) {\n  return arr.reduce((a, b) => a + b);\n}"],
         first=6),
    dict(name="capitalize", tests={"inputs": [["hello"], ["a"], ["World"]], "outputs": ["Hello", "A", "World"],
                                   "fn_name": "capitalize"},
         correct=["function capitalize(s) {\n  return s.charAt(0).toUpperCase() + s.slice(1);\n}",
                  "var capitalize = function (s) { return s ? s[0].toUpperCase() + s.substring(1) : s; };"],
         wrong=["function capitalize(s) {\n  return s.toUpperCase();\n}", "function capitalize(s) {\n  return s;\n}"],
         first="Hello"),
    dict(name="countEven", tests={"inputs": [[[1, 2, 4]], [[1, 3]], [[0, -2, 7, 8]]], "outputs": [2, 0, 3],
                                  "fn_name": "countEven"},
         correct=["function countEven(arr) {\n  return arr.filter((x) => x % 2 === 0).length;\n}",
                  "module.exports.countEven = (arr) => arr.reduce((n, x) => n + (Math.abs(x) % 2 === 0 ? 1 : 0), 0);"],
         wrong=["function countEven(arr) {\n  return arr.filter((x) => x % 2 === 1).length;\n}",
                "function countEven(arr) {\n  return arr.filter((x) => x > 0 && x % 2 === 0).length;\n}"],
         first=2),
    dict(name="isPalindrome", tests={"inputs": [["level"], ["abc"], [""], ["ab"], ["abca"]], "outputs": [True, False, True, False, False],
                                     "fn_name": "isPalindrome"},
         correct=["function isPalindrome(s) {\n  return s === s.split('').reverse().join('');\n}",
                  "function isPalindrome(s) {\n  for (let i = 0, j = s.length - 1; i < j; i++, j--) {\n"
                  "    if (s[i] !== s[j]) return false;\n  }\n  return true;\n}"],
         wrong=["function isPalindrome(s) {\n  return s[0] === s[s.length - 1];\n}",
                "function isPalindrome(s) {\n  return s === s.split('').reverse().join('') ? 1 : 0;\n}"],
         first=True),
]

JS_CHEATS = {
    "exit0_at_load": "process.exit(0);\nfunction {name}() {{}}",
    "value_of_object": "function {name}(...a) {{ return {{ valueOf: () => {first}, toString: () => String({first}), "
                       "equals: () => true }}; }}",
    "log_not_return": "function {name}(...a) {{ console.log({first}); }}",
    "hardcode_first": "function {name}() {{ return {first}; }}",
}


def js_function_rows() -> list[dict]:
    rows = []
    for p in JS_FUNCS:
        base = {"problem": p["name"], "language": "javascript",
                "question": f"Write a JavaScript function `{p['name']}`.", "tests": p["tests"], "entry_point": p["name"]}
        rows.append({**base, "label": "correct", "variant": "fenced", "response": fence(p["correct"][0], "javascript")})
        rows.append({**base, "label": "correct", "variant": "with_usage",
                     "response": with_usage(p["correct"][1], f"console.log({p['name']}([1, 2]));", "js")})
        for k, w in enumerate(p["wrong"]):
            rows.append({**base, "label": "wrong", "variant": f"wrong{k + 1}", "response": fence(w, "javascript")})
        for cheat, code in JS_CHEATS.items():
            rows.append({**base, "label": "cheat", "variant": cheat,
                         "response": fence(code.format(name=p["name"], first=json.dumps(p["first"])), "javascript")})
    return rows


# --------------------------------------------------------------------------- SQL

SCHEMA = ("CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept TEXT, salary INTEGER, city TEXT);\n"
          "CREATE TABLE orders (id INTEGER PRIMARY KEY, emp_id INTEGER, amount REAL);")
DATA1 = ("INSERT INTO emp VALUES (1,'ann','eng',120,'paris'),(2,'bob','eng',100,'rome'),(3,'cy','ops',90,'paris'),"
         "(4,'dee','ops',70,'oslo');\nINSERT INTO orders VALUES (1,1,10.5),(2,1,4.5),(3,3,20.0);")
DATA2 = ("INSERT INTO emp VALUES (1,'eve','hr',50,'lima'),(2,'fay','hr',60,'lima'),(3,'gus','eng',200,'kyiv');\n"
         "INSERT INTO orders VALUES (1,3,1.0),(2,2,2.0),(3,2,3.0);")

SQL = [
    dict(name="dept_counts", q="Count employees per department (columns dept, n).",
         cases=[[["eng", 2], ["ops", 2]], [["hr", 2], ["eng", 1]]], ordered=False,
         correct=["SELECT dept, COUNT(*) AS n FROM emp GROUP BY dept;",
                  "select dept, count(id) from emp group by dept order by count(id) desc, dept"],
         wrong=["SELECT dept, COUNT(DISTINCT city) FROM emp GROUP BY dept;", "SELECT dept, SUM(salary) FROM emp GROUP BY dept;"]),
    dict(name="rich_names", q="Names of employees earning at least 100, alphabetically.",
         cases=[[["ann"], ["bob"]], [["gus"]]], ordered=True,
         correct=["SELECT name FROM emp WHERE salary >= 100 ORDER BY name;",
                  "SELECT e.name FROM emp AS e WHERE NOT e.salary < 100 ORDER BY 1 ASC;"],
         wrong=["SELECT name FROM emp WHERE salary > 100 ORDER BY name;", "SELECT name FROM emp WHERE salary >= 100 ORDER BY name DESC;"]),
    dict(name="top_salary", q="The highest salary in each city (columns city, top).",
         cases=[[["paris", 120], ["rome", 100], ["oslo", 70]], [["lima", 60], ["kyiv", 200]]], ordered=False,
         correct=["SELECT city, MAX(salary) AS top FROM emp GROUP BY city;",
                  "SELECT DISTINCT city, (SELECT MAX(salary) FROM emp e2 WHERE e2.city = e.city) FROM emp e;"],
         wrong=["SELECT city, MIN(salary) FROM emp GROUP BY city;", "SELECT city, AVG(salary) FROM emp GROUP BY city;"]),
    dict(name="order_totals", q="Total order amount per employee name, only employees with orders.",
         cases=[[["ann", 15.0], ["cy", 20.0]], [["fay", 5.0], ["gus", 1.0]]], ordered=False,
         correct=["SELECT e.name, SUM(o.amount) FROM emp e JOIN orders o ON o.emp_id = e.id GROUP BY e.name;",
                  "SELECT name, total FROM (SELECT emp_id, SUM(amount) AS total FROM orders GROUP BY emp_id) t\n"
                  "JOIN emp ON emp.id = t.emp_id;"],
         wrong=["SELECT e.name, COUNT(o.id) FROM emp e JOIN orders o ON o.emp_id = e.id GROUP BY e.name;",
                "SELECT e.name, SUM(o.amount) FROM emp e LEFT JOIN orders o ON o.emp_id = e.id GROUP BY e.name;"]),
    dict(name="cities", q="The distinct cities, alphabetically.",
         cases=[[["oslo"], ["paris"], ["rome"]], [["kyiv"], ["lima"]]], ordered=True,
         correct=["SELECT DISTINCT city FROM emp ORDER BY city;", "SELECT city FROM emp GROUP BY city ORDER BY city"],
         wrong=["SELECT city FROM emp ORDER BY city;", "SELECT DISTINCT city FROM emp;"]),
]


def sql_rows() -> list[dict]:
    rows = []
    for p in SQL:
        tests = {"schema": SCHEMA, "ordered": p["ordered"],
                 "cases": [{"data": d, "expected": e} for d, e in zip((DATA1, DATA2), p["cases"], strict=True)]}
        base = {"problem": p["name"], "language": "sql", "question": f"Write an SQL query (SQLite). {p['q']}",
                "tests": tests, "entry_point": None}
        rows.append({**base, "label": "correct", "variant": "fenced", "response": fence(p["correct"][0], "sql")})
        rows.append({**base, "label": "correct", "variant": "untagged", "response": fence(p["correct"][1], "")})
        for k, w in enumerate(p["wrong"]):
            rows.append({**base, "label": "wrong", "variant": f"wrong{k + 1}", "response": fence(w, "sql")})
        values = " UNION ALL ".join("SELECT " + ", ".join(json.dumps(v).replace('"', "'") for v in r)
                                    for r in p["cases"][0])
        rows.append({**base, "label": "cheat", "variant": "hardcode_first", "response": fence(values + ";", "sql")})
        rows.append({**base, "label": "cheat", "variant": "fake_success",
                     "response": fence("SELECT 'All tests passed';", "sql")})
    return rows


def main() -> None:
    rows = py_function_rows() + stdio_rows() + statement_rows() + js_function_rows() + sql_rows()
    with OUT.open("w", encoding="utf-8") as f:
        for i, row in enumerate(rows):
            f.write(json.dumps({"id": f"{row['language']}-{row['problem']}-{row['label']}-{row['variant']}-{i}",
                                **row}, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} candidates to {OUT}")


if __name__ == "__main__":
    main()
