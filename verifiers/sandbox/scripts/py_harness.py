"""Trusted side of a function test: runs the tests, calling the candidate in a separate worker process.

The candidate never shares a process with this harness: calls go to py_worker.py / js_worker.js over
pipes and only type-tagged builtin values come back, so a rigged __eq__, exit(0) or a printed success
line cannot pass a test. This process is non-dumpable, so the worker (same uid) cannot read the
per-run token from its memory; the token, read from stdin, is printed only after the last check.

HumanEval runs prompt, completion and test in one namespace, so a test may use what the candidate's
module defines or imports. Here the test's globals start with those names, never the candidate's
objects: its functions become calls to the worker, its values arrive as rebuilt builtins, a module it
imported is imported again here by name (the standard library only, and only under its own name). The
test's own top-level definitions then overwrite them, builtins and dunders are never taken from the
candidate, and check() must be the test's own function. The question's own code ("prelude": its
imports and complete definitions, the HumanEval prompt's helpers) then replaces the candidate's copies
of those names, so check() calls the row's poly() or encode_cyclic(), never a rigged one; the worker ran
the same prelude before the candidate's module, so an answer may rely on the prompt's helpers and imports
without repeating them. What stays undefended is a helper the test calls that neither the test nor the
question defines: only the candidate does. The price: a test that calls a helper the answer was asked
to rewrite (not a HumanEval, MBPP or APPS pattern) sees the question's version of it.

stdin: the token on the first line, then JSON {"mode": "humaneval"|"call", "lang", "solution",
"entry_point", "test" | "calls", "call_timeout_s", "prelude"?, "prelude_file"?}. stdout: JSON event
lines, then the token. A failed check says `kind`: "assertion", "candidate_error" (the candidate
raised), "test_error" (check() failed on the candidate's result), "test_name_error" (check() read a
name that nobody defined), "unsendable" (check() passed the candidate a value that cannot cross to it),
"timeout" or "worker_died".
"""

import ast
import builtins
import contextlib
import ctypes
import importlib
import json
import os
import select
import subprocess
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from typed_values import decode, encode, short_repr  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = {
    "python": lambda sol, name, prelude: ["python3", "-E", "-s", os.path.join(HERE, "py_worker.py"), sol, name]
    + ([prelude] if prelude else []),
    "javascript": lambda sol, name, prelude: ["node", os.path.join(HERE, "js_worker.js"), sol, name],
}


class CallTimeout(Exception):
    pass


class WorkerDied(Exception):
    pass


class Unsendable(Exception):
    """The test handed the candidate a value that cannot cross to its process (a function, an object)."""


class CandidateError(Exception):
    def __init__(self, etype, message, tb):
        super().__init__(f"{etype}: {message}")
        self.etype, self.tb = etype, tb


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Worker:
    def __init__(self, lang, solution, name, timeout_s, prelude=None):
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        self.proc = self._spawn(lang, solution, name, prelude, req_r, resp_w)
        os.close(req_r)
        os.close(resp_w)
        self.buf = b""
        self.timeout_s = timeout_s
        self.next_id = 0
        hello = self._read(timeout_s)
        if not hello.get("ready"):
            raise CandidateError(hello.get("etype", "Error"), hello.get("error", "failed to load"), hello.get("tb", ""))
        names = hello.get("globals")  # written by the candidate's process: a hint, checked where it is used
        self.names = names if isinstance(names, dict) else {}

    @staticmethod
    def _spawn(lang, solution, name, prelude, req_r, resp_w):
        def fds_3_and_4():  # the worker finds its pipes at fds 3 and 4, whatever numbers they have here
            a, b = os.dup(req_r), os.dup(resp_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        with open("worker.out", "wb") as out, open("worker.err", "wb") as err:
            return subprocess.Popen(WORKERS[lang](solution, name, prelude), stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=err, pass_fds=(3, 4), preexec_fn=fds_3_and_4)

    def _read(self, timeout_s):
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise CallTimeout(f"no answer within {timeout_s:g} s")
            ready, _, _ = select.select([self.resp_r], [], [], left)
            if ready:
                chunk = os.read(self.resp_r, 1 << 20)
                if not chunk:
                    self.proc.wait()
                    raise WorkerDied(f"the candidate process exited (code {self.proc.returncode})")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise WorkerDied("the candidate process wrote garbage on the result channel") from None

    def call(self, args, kwargs=None, fn=None):
        """The entry point's result, or with `fn` that of another global of the candidate's module."""
        try:
            req = {"args": [encode(a) for a in args], "kwargs": {k: encode(v) for k, v in (kwargs or {}).items()}}
        except TypeError as e:  # Unserialisable: a limit of this harness, not a fault of the candidate
            raise Unsendable(str(e)) from None
        return self._request(req if fn is None else {**req, "fn": fn})

    def get(self, name):
        """The value of a global of the candidate's module, rebuilt from its type-tagged form."""
        return self._request({"get": name})

    def _request(self, req):
        self.next_id += 1
        req = {"id": self.next_id, **req}
        try:
            os.write(self.req_w, (json.dumps(req) + "\n").encode())
        except BrokenPipeError:
            self.proc.wait()
            raise WorkerDied(f"the candidate process exited (code {self.proc.returncode})") from None
        while True:
            reply = self._read(self.timeout_s)
            if reply.get("id") == self.next_id:
                break  # anything else was written by the candidate itself: ignore it
        if not reply.get("ok"):
            raise CandidateError(reply.get("etype", "Error"), reply.get("error", ""), reply.get("tb", ""))
        return decode(reply["value"])

    def kill(self):
        with contextlib.suppress(OSError):
            self.proc.kill()
        self.proc.wait()


def _tail(path, n=600):
    try:
        with open(path, "rb") as f:
            return f.read()[-n:].decode("utf-8", "replace")
    except OSError:
        return ""


def _builtin_exception(etype, message):
    cls = __builtins__.__dict__.get(etype) if hasattr(__builtins__, "__dict__") else __builtins__.get(etype)
    if isinstance(cls, type) and issubclass(cls, Exception):
        with contextlib.suppress(Exception):
            return cls(message)
    return None


def _failure(kind, exc, extra=None):
    out = {"kind": kind, "detail": str(exc)[:800]}
    if isinstance(exc, CandidateError):
        out["tb"] = exc.tb[-1500:]
    if kind in ("worker_died", "candidate_error", "load_error"):
        out["stderr"] = _tail("worker.err")
    out["stdout"] = _tail("worker.out", 300)
    out.update(extra or {})
    return out


def run_calls(spec, worker):
    for i, args in enumerate(spec["calls"]):
        try:
            value = worker.call(args if isinstance(args, list) else [args])
        except CallTimeout as e:
            emit({"event": "result", "i": i, "ok": False, **_failure("timeout", e)})
            return
        except WorkerDied as e:
            emit({"event": "result", "i": i, "ok": False, **_failure("worker_died", e)})
            return
        except CandidateError as e:
            emit({"event": "result", "i": i, "ok": False, **_failure("candidate_error", e)})
            continue
        emit({"event": "result", "i": i, "ok": True, "value": encode(value)})


class _MarkAsserts(ast.NodeTransformer):
    """After every assert, record its line: gives tests passed/total without trusting the worker."""

    def __init__(self):
        self.lines = set()

    def visit_Assert(self, node):
        self.lines.add(node.lineno)
        mark = ast.Expr(ast.Call(ast.Name("__bestofn_passed", ast.Load()), [ast.Constant(node.lineno)], []))
        return [node, ast.copy_location(mark, node)]


def _free_names(*trees):
    """Names the test (or the prelude) reads that the candidate's module may provide: never a builtin
    (the candidate must not shadow abs, isinstance or AssertionError for the test), a dunder, check or
    candidate."""
    names = {n.id for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return sorted(n for n in names if not n.startswith("__") and n not in ("check", "candidate")
                  and not hasattr(builtins, n))


def _stdlib_module(binding, name):
    """The genuine standard-library module the candidate bound to `binding`, imported here, or None.
    Only under its own name (`import math`, `import os.path`): an alias could point a test's
    `math.isclose` at another module's function of that name."""
    if not isinstance(name, str) or binding not in (name.split(".")[0], name.split(".")[-1]):
        return None
    if name.split(".")[0] not in sys.stdlib_module_names:
        return None
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - not importable here: the name stays undefined for the test
        return None


def _remote(invoke, fn):
    """A stand-in for one of the candidate's functions: the call runs in the worker, not here."""
    def call(*args, **kwargs):
        return invoke(fn, args, kwargs)

    return call


def _shared_names(trees, worker, entry_point, invoke):
    """What the test's globals start with: stand-ins for the names it reads from the candidate's module."""
    ns = {}
    for name in _free_names(*trees):
        kind = worker.names.get(name)
        kind = kind.get("kind") if isinstance(kind, dict) else None
        if name == entry_point:
            ns[name] = _remote(invoke, None)  # the entry point itself, as `candidate` (Solution methods too)
        elif kind == "callable":
            ns[name] = _remote(invoke, name)
        elif kind == "module" and (module := _stdlib_module(name, worker.names[name].get("name"))):
            ns[name] = module
        elif kind == "value":
            with contextlib.suppress(CandidateError):  # not a builtin value: left undefined
                ns[name] = worker.get(name)
    return ns


def _bound_names(stmt):
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [stmt.name]
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names]
    return [n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


def _run_prelude(tree, ns):
    """The question's definitions in the test's namespace, one statement at a time. One that fails (an
    import this sandbox lacks) leaves its names undefined, never the candidate's copies of them."""
    for stmt in tree.body:
        try:
            exec(compile(ast.Module([stmt], []), "<question>", "exec"), ns)
        except Exception:  # noqa: BLE001 - the test then fails on the name, with low confidence
            for name in _bound_names(stmt):
                ns.pop(name, None)


def _parse_prelude(source):
    try:
        return ast.parse(source or "")
    except (SyntaxError, ValueError):
        return ast.parse("")


def run_humaneval(spec, worker):
    source = spec["test"]
    tree = ast.parse(source)
    prelude = _parse_prelude(spec.get("prelude"))
    marker = _MarkAsserts()
    tree = ast.fix_missing_locations(marker.visit(tree))
    passed = set()
    last = {}
    calls = [0]

    def invoke(fn, args, kwargs):
        """A call into the candidate's process: the entry point (fn None) or another of its functions."""
        shown = ", ".join(short_repr(a, 80) for a in args)
        last.update(call=f"{fn or 'candidate'}({shown})", result=None)
        calls[0] += 1
        try:
            value = worker.call(args, kwargs, fn)
        except CandidateError as e:
            builtin = _builtin_exception(e.etype, str(e))  # lets `with pytest.raises`-style checks work
            last["result"] = f"raised {e}"
            if builtin is not None:
                builtin.__bestofn_candidate__ = e
                raise builtin from None
            raise
        last["result"] = short_repr(value)
        return value

    def candidate(*args, **kwargs):
        return invoke(None, args, kwargs)

    total = max(len(marker.lines), 1)
    lines = source.splitlines()
    try:
        # The candidate's names first, then the question's definitions, then the test's own top-level
        # definitions: each overwrites the one before.
        ns = {**_shared_names((tree, prelude), worker, spec["entry_point"], invoke), "__name__": "__bestofn_check__",
              "__bestofn_passed": passed.add}
        _run_prelude(prelude, ns)
        exec(compile(tree, "<check>", "exec"), ns)
        check = ns.get("check")
        if not isinstance(check, types.FunctionType) or check.__code__.co_filename != "<check>":
            raise NameError("the test code defines no check(candidate)")
        check(candidate)
    except (CallTimeout, WorkerDied, Unsendable) as e:
        kind = {CallTimeout: "timeout", WorkerDied: "worker_died", Unsendable: "unsendable"}[type(e)]
        emit({"event": "check", "ok": False, "passed": len(passed), "total": total, **_failure(kind, e, last)})
        return
    except Exception as e:  # noqa: BLE001 - any failure of the trusted check is a failed test
        lineno = None
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<check>":
                lineno = tb.tb_lineno
            tb = tb.tb_next
        text = lines[lineno - 1].strip() if lineno and lineno <= len(lines) else ""
        cand = getattr(e, "__bestofn_candidate__", None)
        kind = "assertion" if isinstance(e, AssertionError) else "candidate_error" if (
            cand or isinstance(e, CandidateError)) else "test_name_error" if isinstance(e, NameError) else "test_error"
        emit({"event": "check", "ok": False, "passed": len(passed), "total": total,
              **_failure(kind, cand or e, {**last, "line": text, "etype": type(e).__name__})})
        return
    emit({"event": "check", "ok": True, "passed": total, "total": total, "calls": calls[0]})


def main():
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: the worker cannot read our memory
    token = sys.stdin.readline().strip()
    spec = json.loads(sys.stdin.read())
    try:
        worker = Worker(spec.get("lang", "python"), spec["solution"], spec["entry_point"],
                        float(spec.get("call_timeout_s", 5)), spec.get("prelude_file"))
    except (CandidateError, CallTimeout, WorkerDied) as e:
        kind = "timeout" if isinstance(e, CallTimeout) else "load_error"
        emit({"event": "load_error", **_failure(kind, e)})
        print(token, flush=True)
        return
    try:
        if spec["mode"] == "humaneval":
            run_humaneval(spec, worker)
        else:
            run_calls(spec, worker)
    finally:
        worker.kill()
    print(token, flush=True)


if __name__ == "__main__":
    main()
