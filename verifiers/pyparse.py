"""Parse Python source in this process, safely from any thread.

CPython 3.11 keeps the AST builder's recursion counter in interpreter-wide state. When two threads
parse at once and a garbage collection inside one parse runs a finaliser that lets the other thread
in, the counters cross and `ast.parse` raises `SystemError: AST constructor recursion depth
mismatch` on perfectly good code. Verifiers run in thread pools, so every in-process parse goes
through one lock here. Parsing runs no code; warnings about the source (invalid escapes and the
like) are not errors and are silenced.
"""

from __future__ import annotations

import ast
import threading
import warnings

_LOCK = threading.Lock()


def parse_python(source: str, mode: str = "exec") -> ast.AST:
    """`ast.parse`, serialised across threads. Raises what `ast.parse` raises."""
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, mode=mode)
