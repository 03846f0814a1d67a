"""In-process Python parsing is safe from many threads at once.

CPython 3.11's AST builder keeps its recursion counter in interpreter-wide state. A garbage
collection inside one parse can run a finaliser that lets another thread in, and the counters
cross: `SystemError: AST constructor recursion depth mismatch` on good code (it failed CI once,
in the code corpus test's thread pool). The setup below makes that interleaving likely: a low
collection threshold and cyclic garbage whose finalisers yield the GIL.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from verifiers.code.extract import extract_code
from verifiers.code.syntax import check_syntax
from verifiers.tools.mocks.evaluator import explain

SOURCE = "def is_prime(n):\n    return all(n % d for d in range(2, n))\n" * 20


class _Yields:
    def __del__(self) -> None:
        time.sleep(0)  # lets another thread run in the middle of a collection


def _hammer(call: Callable[[], object]) -> None:
    def work(_: int) -> None:
        for _ in range(60):
            gc.collect(0)
            for _ in range(40):
                junk = _Yields()
                junk.self = junk
            del junk
            call()

    old = gc.get_threshold()
    gc.set_threshold(100, 1000, 1000)
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(work, range(8)))
    finally:
        gc.set_threshold(*old)


@pytest.mark.parametrize("call", [
    lambda: check_syntax(SOURCE, "python"),
    lambda: extract_code(f"```\n{SOURCE}```", "python"),
    lambda: explain("+".join(["(1+2)*3-4"] * 25)),
], ids=["syntax", "extract", "calculator"])
def test_parsing_from_many_threads_never_raises(call: Callable[[], object]) -> None:
    _hammer(call)
