"""Untrusted side of a function test: loads the candidate and answers calls (fd 3 in, fd 4 out).

Results leave this process only as type-tagged builtin values (typed_values.encode); anything the
candidate does here, including tampering with this loop, can at most produce plain wrong values.
"""

import importlib.util
import json
import os
import sys
import traceback

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
    _send({"ready": True})
    while True:
        line = _readline()
        if not line:
            return
        req = _loads(line)
        try:
            args = [decode(a) for a in req["args"]]
            kwargs = {k: decode(v) for k, v in req.get("kwargs", {}).items()}
            value = fn(*args, **kwargs)
            try:
                reply = {"ok": True, "value": encode(value)}
            except Unserialisable as e:
                reply = {"ok": False, "etype": "Unserialisable", "error": str(e), "tb": ""}
        except BaseException as e:  # noqa: BLE001 - exit() inside the function is an error too
            reply = _error(e)
        _send({"id": req["id"], **reply})


main()
