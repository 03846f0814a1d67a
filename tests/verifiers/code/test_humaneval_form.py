"""HumanEval-form defects found by bench/code_calibration.py, each reproduced on a small hand-written case.

HumanEval runs prompt + completion + test as one program; models answer with the whole function, often
without the prompt's imports and helpers. The question's own code (its "prelude") therefore loads
before the answer's module, and check() uses the question's helpers, never the answer's rigged copies.
Failures the verifier cannot pin on the answer stay below 0.4 (the LLM judge decides them).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from verifiers.base import VerificationResult
from verifiers.code import jobs
from verifiers.code.plans import question_prelude
from verifiers.code.verifier import CodeVerifier
from verifiers.sandbox.base import SCRIPTS_DIR

pytest_plugins = ("tests.verifiers.sandbox.fixtures",)  # the `verifier` fixture, per backend


def py(code: str) -> str:
    return f"Here is the function:\n\n```python\n{code.strip()}\n```\n"


def run(v: CodeVerifier, response: str, tests: dict, question: str | None = None) -> VerificationResult:
    return v.verify(response, None, tests=tests, question=question, language="python")


# A prompt in HumanEval's shape: imports, a complete helper the test calls, the entry point's stub.
PROMPT = '''from typing import List
import math


def poly(xs: list, x: float):
    """Evaluates the polynomial xs at x."""
    return sum(coeff * math.pow(x, i) for i, coeff in enumerate(xs))


def find_root(xs: List[float]) -> float:
    """A root of the polynomial xs (of odd degree), by bisection.
    >>> round(find_root([1, 2]), 2)
    -0.5
    """
'''
ROOT_TEST = {"entry_point": "find_root", "test": (
    "def check(candidate):\n    for xs in ([1, 2], [-6, 11, -6, 1], [2, 0, 0, 1], [5, -3, 1, 4]):\n"
    "        assert abs(poly(xs, candidate(xs))) < 1e-4\n")}
BODY = ("    lo, hi = -1.0, 1.0\n    while poly(xs, lo) * poly(xs, hi) > 0:\n        lo, hi = lo * 2, hi * 2\n"
        "    while hi - lo > 1e-10:\n        mid = (lo + hi) / 2\n"
        "        if poly(xs, mid) * poly(xs, lo) > 0:\n            lo = mid\n        else:\n            hi = mid\n"
        "    return lo\n")
FUNCTION_ONLY = "def find_root(xs: List[float]) -> float:\n" + BODY  # no import, no poly: both are the prompt's


# --------------------------------------------------------------------------- the question's code


def test_question_prelude_keeps_imports_constants_and_complete_helpers() -> None:
    prelude = question_prelude(PROMPT, "find_root")
    assert prelude is not None
    assert "from typing import List" in prelude and "import math" in prelude and "def poly" in prelude
    assert "find_root" not in prelude  # the stub the answer fills in
    wrapped = f"Complete the function below and return all of it.\n\n```python\n{PROMPT}```\n"
    assert question_prelude(wrapped, "find_root") == prelude
    prose_then_code = "Finish this code:\n\n" + PROMPT
    assert question_prelude(prose_then_code, "find_root") == prelude


def test_question_prelude_runs_nothing_and_skips_stubs() -> None:
    question = ("import os\nLIMIT = 10\nos.system('echo pwned')\nprint('hi')\nif __name__ == '__main__':\n"
                "    main()\n\ndef todo(x):\n    '''Write me.'''\n    pass\n\ndef later(x):\n"
                "    raise NotImplementedError\n\ndef check(candidate):\n    assert candidate(1)\n\n"
                "class Solution:\n    def solve(self, x):\n        pass\n\nclass Point:\n    def __init__(self, x):\n"
                "        self.x = x\n\nstate = compute()\n")
    prelude = question_prelude(question, "solve")
    assert prelude is not None
    assert "import os" in prelude and "LIMIT = 10" in prelude and "class Point" in prelude
    for absent in ("os.system", "print", "__main__", "todo", "later", "check", "Solution", "compute"):
        assert absent not in prelude, absent
    assert question_prelude("Write a function that adds two numbers.", "add") is None
    assert question_prelude(None, "add") is None


# --------------------------------------------------------------------------- end to end, per backend


def test_answer_may_leave_out_the_prompts_imports_and_helpers(verifier: CodeVerifier) -> None:
    """Was: NameError: name 'List' is not defined (then 'poly'), a confident false negative."""
    ok = run(verifier, py(FUNCTION_ONLY), ROOT_TEST, PROMPT)
    assert ok.is_verified and ok.confidence >= 0.9, ok.explanation
    whole = run(verifier, py(PROMPT + BODY), ROOT_TEST, PROMPT)
    assert whole.is_verified, whole.explanation
    wrong = run(verifier, py(FUNCTION_ONLY.replace("return lo", "return lo + 0.5")), ROOT_TEST, PROMPT)
    assert not wrong.is_verified and wrong.details["reason"] == "wrong_answer" and wrong.confidence >= 0.9
    # Without the question nothing defines List: the answer cannot load.
    alone = run(verifier, py(FUNCTION_ONLY), ROOT_TEST)
    assert not alone.is_verified and "List" in alone.explanation


ENCODE_PROMPT = '''def encode_shift(s: str):
    """Shifts every letter by 5."""
    return "".join(chr((ord(ch) + 5 - ord("a")) % 26 + ord("a")) for ch in s)


def decode_shift(s: str):
    """Decodes a string encoded with encode_shift."""
'''
ENCODE_TEST = {"entry_point": "decode_shift", "test": (
    "def check(candidate):\n    for word in ('hello', 'abcxyz', 'zebra', 'quiz'):\n"
    "        assert candidate(encode_shift(word)) == word\n")}


@pytest.mark.parametrize(("prompt", "tests", "rigged"), [
    (PROMPT, ROOT_TEST, "def poly(*args, **kwargs):\n    return 0\n\n\ndef find_root(xs):\n    return 0.0\n"),
    (ENCODE_PROMPT, ENCODE_TEST, "def encode_shift(s):\n    return s\n\n\ndef decode_shift(s):\n    return s\n"),
], ids=["helper_returns_zero", "helper_is_identity"])
def test_rigged_copies_of_the_prompts_helpers_are_rejected(verifier: CodeVerifier, prompt: str, tests: dict,
                                                           rigged: str) -> None:
    """Was: accepted at 0.84 (HumanEval/38 and /50): check() called the answer's encode_shift."""
    r = run(verifier, py(rigged), tests, prompt)
    assert not r.is_verified and r.details["reason"] == "wrong_answer" and r.confidence >= 0.9, r.explanation
    honest = "def decode_shift(s):\n    return ''.join(chr((ord(ch) - 5 - ord('a')) % 26 + ord('a')) for ch in s)\n"
    if tests is ENCODE_TEST:
        assert run(verifier, py(honest), tests, prompt).is_verified


def test_a_name_nobody_defines_is_no_confident_verdict(verifier: CodeVerifier) -> None:
    """check() reads a helper that neither the test, the question nor the answer defines: the harness
    cannot tell whose fault that is (it was a confident wrong_answer)."""
    tests = {"entry_point": "double", "test": "def check(candidate):\n    assert reference(3) == candidate(3)\n"}
    r = run(verifier, py("def double(x):\n    return 2 * x"), tests, "Write double(x).")
    assert not r.is_verified and r.details["reason"] == "test_error" and r.details["doubt"] == "test_name"
    assert r.confidence < 0.4


def test_a_module_the_sandbox_lacks_is_no_confident_verdict(verifier: CodeVerifier,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # A well-known package that no sandbox has (numpy may be installed where bwrap runs the host's Python).
    monkeypatch.setattr(jobs, "THIRD_PARTY", jobs.THIRD_PARTY | {"numpy_not_installed_here"})
    tests = {"entry_point": "total", "test": "def check(candidate):\n    assert candidate([1, 2]) == 3\n"}
    r = run(verifier, py("import numpy_not_installed_here as np\n\ndef total(xs):\n    return int(np.sum(xs))"), tests)
    assert not r.is_verified and r.details["doubt"] == "missing_module" and r.confidence < 0.4, r.explanation
    inside = run(verifier, py("def total(xs):\n    import numpy_not_installed_here\n    return 0"), tests)
    assert not inside.is_verified and inside.confidence < 0.4
    # The question imports it and the answer relies on that import, as HumanEval's prompt + completion may.
    question = "import numpy_not_installed_here as np\n\ndef total(xs):\n    \"\"\"Sum of xs.\"\"\"\n"
    relies = run(verifier, py("def total(xs):\n    return int(np.sum(xs))"), tests, question)
    assert not relies.is_verified and relies.details.get("doubt") == "missing_module" and relies.confidence < 0.4
    # A module nobody publishes (a typo, a made-up package) is the answer's own mistake: a confident failure.
    typo = run(verifier, py("import colections\n\ndef total(xs):\n    return sum(xs)"), tests)
    assert not typo.is_verified and typo.confidence >= 0.9


def test_a_value_that_cannot_reach_the_candidate_is_no_confident_verdict(verifier: CodeVerifier) -> None:
    tests = {"entry_point": "apply", "test": "def check(candidate):\n    assert candidate(lambda x: x + 1, 2) == 3\n"}
    r = run(verifier, py("def apply(f, x):\n    return f(x)"), tests)
    assert not r.is_verified and r.details["doubt"] == "unsendable" and r.confidence < 0.4, r.explanation


COUNT_TEST = {"entry_point": "count", "test": (
    "def check(candidate):\n    assert candidate('abca') == {'a': 2, 'b': 1, 'c': 1}\n"
    "    assert candidate('') == {}\n")}
PAIR_TEST = {"entry_point": "pair", "test": "def check(candidate):\n    assert candidate(3) == (3, 4)\n"}


@pytest.mark.parametrize(("code", "tests"), [
    ("from collections import Counter\n\ndef count(s):\n    return Counter(s)", COUNT_TEST),
    ("from collections import defaultdict\n\ndef count(s):\n    d = defaultdict(int)\n    for c in s:\n"
     "        d[c] += 1\n    return d", COUNT_TEST),
    ("from collections import namedtuple\nP = namedtuple('P', 'a b')\n\ndef pair(n):\n    return P(n, n + 1)",
     PAIR_TEST),
], ids=["counter", "defaultdict", "namedtuple"])
def test_builtin_subclasses_compare_as_their_values(verifier: CodeVerifier, code: str, tests: dict) -> None:
    """Was: 'cannot return a collections.Counter', a confident wrong_answer where `==` holds."""
    r = run(verifier, py(code), tests)
    assert r.is_verified and r.confidence >= 0.8, r.explanation


def test_rigged_subclasses_still_fail(verifier: CodeVerifier) -> None:
    rigged = ("class D(dict):\n    def __eq__(self, other):\n        return True\n    __hash__ = None\n"
              "    def items(self):\n        return {'a': 2, 'b': 1, 'c': 1}.items()\n\n"
              "def count(s):\n    return D(x=1)")
    r = run(verifier, py(rigged), COUNT_TEST)
    assert not r.is_verified and r.details["reason"] == "wrong_answer" and r.confidence >= 0.9


def test_huge_ints_cross(verifier: CodeVerifier) -> None:
    """Was: ValueError 'Exceeds the limit (4300 digits) for integer string conversion'."""
    tests = {"entry_point": "power", "test": "def check(candidate):\n    assert candidate(5000) == 7 ** 5000\n"
                                             "    assert candidate(3) == 343\n"}
    assert run(verifier, py("def power(n):\n    return 7 ** n"), tests).is_verified
    wrong = run(verifier, py("def power(n):\n    return 7 ** n + 1"), tests)
    assert not wrong.is_verified and wrong.details["reason"] == "wrong_answer"


def test_a_pass_counts_the_calls_check_made(verifier: CodeVerifier) -> None:
    """One assert line in a loop of 20 calls is 20 checks, not one: the pass is confident."""
    tests = {"entry_point": "inc", "test": "def check(candidate):\n    for i in range(20):\n"
                                           "        assert candidate(i) == i + 1\n"}
    r = run(verifier, py("def inc(x):\n    return x + 1"), tests)
    assert r.is_verified and r.confidence >= 0.9


# --------------------------------------------------------------------------- the value encoding, host-side


@pytest.fixture
def typed_values(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(sys, "path", list(sys.path))
    spec = importlib.util.spec_from_file_location("bestofn_typed_values", SCRIPTS_DIR / "typed_values.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_subclasses_are_read_through_their_base_type(typed_values: ModuleType) -> None:
    from collections import OrderedDict
    from enum import IntEnum

    class Loud(list):
        def __iter__(self):
            return iter(["fake"])

        def __eq__(self, other):
            return True

    class Color(IntEnum):
        RED = 3

    class Faker:
        __class__ = int  # isinstance(Faker(), int) is True; it is still no int

    roundtrip = lambda v: typed_values.decode(typed_values.encode(v))  # noqa: E731
    assert roundtrip(Loud([1, 2])) == [1, 2] and type(roundtrip(Loud([1, 2]))) is list
    assert roundtrip(OrderedDict(b=1)) == {"b": 1} and type(roundtrip(Color.RED)) is int
    with pytest.raises(typed_values.Unserialisable):
        typed_values.encode(Faker())
    big = -(3 ** 20000)
    assert roundtrip(big) == big and "too large" in typed_values.short_repr([big])


def test_leetcode_answers_may_use_its_preimported_names(verifier: CodeVerifier) -> None:
    """LeetCode imports typing and collections for `class Solution` answers; was NameError 'List', a
    confident false negative on TACO's LeetCode rows."""
    code = ("class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
            "        seen = defaultdict(int)\n        for i, x in enumerate(nums):\n"
            "            if target - x in seen:\n                return [seen[target - x], i]\n"
            "            seen[x] = i\n")
    tests = {"inputs": [[[2, 7, 11, 15], 9], [[3, 2, 4], 6]], "outputs": [[0, 1], [1, 2]], "fn_name": "twoSum"}
    assert run(verifier, py(code), tests).is_verified
    wrong = run(verifier, py(code.replace("[seen[target - x], i]", "[i, seen[target - x]]")), tests)
    assert not wrong.is_verified and wrong.details["reason"] == "wrong_answer"
    # A plain function gets no such names: List is undefined there, as in any Python.
    plain = "def twoSum(nums: List[int], target: int) -> List[int]:\n    return [0, 1]\n"
    assert not run(verifier, py(plain), tests).is_verified


def test_numpy_scalars_cross_as_plain_values(typed_values: ModuleType) -> None:
    np = pytest.importorskip("numpy")
    roundtrip = lambda v: typed_values.decode(typed_values.encode(v))  # noqa: E731
    assert type(roundtrip(np.int64(3))) is int and type(roundtrip(np.bool_(True))) is bool
    with pytest.raises(typed_values.Unserialisable):  # == on an array is elementwise: not a value
        typed_values.encode(np.array([1, 2]))

    class int64:  # noqa: N801 - posing as numpy's
        __module__ = "numpy"

        def item(self) -> object:
            return object()

    with pytest.raises(typed_values.Unserialisable):
        typed_values.encode(int64())
