"""Fast syntax check before any sandbox starts: a syntax error is a verdict on its own.

Python is parsed in-process (`verifiers.pyparse`) (parsing runs no code). JavaScript and Bash use
`node --check` and `bash -n`, which parse without executing, as a subprocess with no shell, a clean
environment and a timeout, on a private temp file. SQL has no offline parser here: its syntax errors
come back from the sandboxed run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from verifiers.pyparse import parse_python

_TIMEOUT_S = 5.0
_COMMANDS = {"javascript": (["node", "--check"], ".js"), "bash": (["bash", "-n"], ".sh")}


@dataclass(frozen=True)
class SyntaxCheck:
    ok: bool
    message: str = ""
    line: int | None = None
    checked: bool = True  # False: no checker for this language here; the sandbox will tell


def check_syntax(code: str, language: str) -> SyntaxCheck:
    if language == "python":
        return _python(code)
    if language in _COMMANDS:
        return _external(code, language)
    return SyntaxCheck(ok=True, checked=False)


def _python(code: str) -> SyntaxCheck:
    try:
        parse_python(code)
    except SyntaxError as e:
        where = f" (line {e.lineno})" if e.lineno else ""
        return SyntaxCheck(False, f"{type(e).__name__}: {e.msg}{where}", e.lineno)
    except (ValueError, MemoryError, RecursionError) as e:  # null bytes, absurd nesting
        return SyntaxCheck(False, f"{type(e).__name__}: {e}")
    return SyntaxCheck(True)


def _external(code: str, language: str) -> SyntaxCheck:
    argv, suffix = _COMMANDS[language]
    if shutil.which(argv[0]) is None:
        return SyntaxCheck(ok=True, checked=False)
    with tempfile.TemporaryDirectory(prefix="bestofn-syntax-") as tmp:
        path = os.path.join(tmp, "candidate" + suffix)
        with open(path, "w", encoding="utf-8") as f:
            f.write(code)
        try:
            proc = subprocess.run([*argv, path], capture_output=True, text=True, timeout=_TIMEOUT_S,
                                  env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
                                  cwd=tmp, stdin=subprocess.DEVNULL, errors="replace")
        except subprocess.TimeoutExpired:
            return SyntaxCheck(ok=True, checked=False)  # undecided: let the sandbox run tell
    if proc.returncode == 0:
        return SyntaxCheck(True)
    message = (proc.stderr or proc.stdout).replace(path, "candidate" + suffix).strip()
    return SyntaxCheck(False, message[-600:])
