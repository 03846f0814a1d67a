"""Untrusted side of a function test: loads the candidate and answers calls (fd 3 in, fd 4 out).

Results leave this process only as type-tagged builtin values (typed_values.encode); anything the
candidate does here, including tampering with this loop, can at most produce plain wrong values.
The ready line lists the module's globals by kind, so that a HumanEval test can use names the
candidate's module defines (a helper, an imported module) as it would in one shared namespace;
requests then carry "fn" (call that global instead of the entry point) or "get" (its value).
argv: solution path, entry point name, and optionally the question's prelude (its imports and complete
definitions), run statement by statement in the module's namespace before the candidate's code, as
HumanEval runs prompt + completion: the candidate may rely on them, and redefines what it repeats.
"""

import importlib.util
import json
import os
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from typed_values import Unserialisable, decode, encode  # noqa: E402

_rx = os.fdopen(3, "rb", buffering=0)
_tx = os.fdopen(4, "wb", buffering=0)
_readline = _rx.readline
_write = _tx.write
_dumps, _loads = json.dumps, json.loads


def _send(obj):
    _write((_dumps(obj) + "\n").encode())


_PRELUDE_FAILED = {}  # name -> why the question's statement that binds it failed here


def _error(e):
    tb = traceback.format_exception(type(e), e, e.__traceback__)
    message = str(e)[:500]
    why = _PRELUDE_FAILED.get(getattr(e, "name", None)) if isinstance(e, NameError) else None
    if why:  # the candidate relied on the question's code, which this sandbox could not run
        message += f" (the question's code that defines it failed here: {why})"
    return {"ok": False, "etype": type(e).__name__, "error": message, "tb": "".join(tb)[-2000:]}


def _resolve(module, name):
    fn = getattr(module, name, None)
    if callable(fn):
        return fn
    cls = getattr(module, "Solution", None)  # LeetCode-style `class Solution: def name(self, ...)`
    if isinstance(cls, type) and callable(getattr(cls, name, None)):
        return getattr(cls(), name)
    raise NameError(f"the solution defines no function {name!r}")


def _describe(module):
    """name -> kind of the module's globals (modules by name); what the harness reads is only a hint."""
    out = {}
    for name, value in list(vars(module).items())[:5000]:
        if not isinstance(name, str) or name.startswith("__"):
            continue
        try:
            if isinstance(value, types.ModuleType):
                out[name] = {"kind": "module", "name": str(value.__name__)}
            else:
                out[name] = {"kind": "callable" if callable(value) else "value"}
        except Exception:  # noqa: BLE001, S112 - an object that cannot even be described is left out
            continue
    return out


def _answer(module, fn, req):
    if "get" in req:
        return encode(getattr(module, req["get"]))
    target = fn
    if "fn" in req:
        target = getattr(module, req["fn"])
        if not callable(target):
            raise TypeError(f"{req['fn']!r} is not callable")
    args = [decode(a) for a in req["args"]]
    kwargs = {k: decode(v) for k, v in req.get("kwargs", {}).items()}
    return encode(target(*args, **kwargs))


def _run_prelude(path, namespace):
    """The question's definitions, one statement at a time: one that fails (an import this sandbox
    lacks) leaves only its own names undefined."""
    import ast  # only here: most runs have no prelude, and every run starts a fresh worker

    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for stmt in tree.body:
        try:
            exec(compile(ast.Module([stmt], []), path, "exec"), namespace)  # noqa: S102 - the row's own code
        except Exception as e:  # noqa: BLE001 - left to the candidate to define
            names = [stmt.name] if hasattr(stmt, "name") else [
                (a.asname or a.name).split(".")[0] for a in getattr(stmt, "names", [])]
            for name in names:
                _PRELUDE_FAILED[name] = f"{type(e).__name__}: {e}"[:200]


def main():
    path, name = sys.argv[1], sys.argv[2]
    prelude = sys.argv[3] if len(sys.argv) > 3 else None
    sys.argv = [path]
    try:
        spec = importlib.util.spec_from_file_location("solution", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["solution"] = module
        if prelude:
            _run_prelude(prelude, vars(module))
        spec.loader.exec_module(module)  # __name__ is "solution": `if __name__ == "__main__"` demos do not run
        fn = _resolve(module, name)
    except BaseException as e:  # noqa: BLE001 - SystemExit at import is a failure too
        _send({"ready": False, **_error(e)})
        return
    try:
        names = _describe(module)
    except BaseException:  # noqa: BLE001 - the entry point alone still works
        names = {}
    _send({"ready": True, "globals": names})
    while True:
        line = _readline()
        if not line:
            return
        req = _loads(line)
        try:
            reply = {"ok": True, "value": _answer(module, fn, req)}
        except Unserialisable as e:
            reply = {"ok": False, "etype": "Unserialisable", "error": str(e), "tb": ""}
        except BaseException as e:  # noqa: BLE001 - exit() inside the function is an error too
            reply = _error(e)
        _send({"id": req["id"], **reply})


main()
