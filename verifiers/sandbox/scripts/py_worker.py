"""Untrusted side of a function test: loads the candidate and answers calls (fd 3 in, fd 4 out).

Results leave this process only as type-tagged builtin values (typed_values.encode); anything the
candidate does here, including tampering with this loop, can at most produce plain wrong values.
The ready line lists the module's globals by kind, so that a HumanEval test can use names the
candidate's module defines (a helper, an imported module) as it would in one shared namespace;
requests then carry "fn" (call that global instead of the entry point) or "get" (its value).
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


def _error(e):
    tb = traceback.format_exception(type(e), e, e.__traceback__)
    return {"ok": False, "etype": type(e).__name__, "error": str(e)[:500], "tb": "".join(tb)[-2000:]}


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


def main():
    path, name = sys.argv[1], sys.argv[2]
    sys.argv = [path]
    try:
        spec = importlib.util.spec_from_file_location("solution", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["solution"] = module
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
