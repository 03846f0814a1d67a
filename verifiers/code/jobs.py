"""Turn a TestPlan into sandbox Jobs (batches of runs), and the runner's raw results back into an Outcome.

Function tests (HumanEval and APPS call form) and SQL run under a trusted harness that prints a
per-run random token after its last check: no token as the last line, no pass, whatever the exit
code. Stdio tests need no harness: the runner returns each run's stdout and the host compares it.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from verifiers.code.compare import call_matches, compare_stdout, rows_equal, truncate
from verifiers.code.plans import BadTests, TestPlan
from verifiers.sandbox.base import Job, Run, RunOutput
from verifiers.sandbox.scripts.typed_values import decode, short_repr

FILES = {"python": "solution.py", "javascript": "solution.js", "bash": "solution.sh", "sql": "solution.sql"}
PROGRAM = {"python": ["python3", "-s"], "javascript": ["node"], "bash": ["bash"]}
PRELUDE_FILE = "question_prelude.py"  # the question's own definitions, loaded before the answer's module
HARNESS = "py_harness"
SQL_HARNESS = "sql_harness"
# LeetCode runs `class Solution` answers with these already imported, so answers write `List[int]` or
# `deque()` without importing them; none of these names shadows a builtin.
LEETCODE_PRELUDE = ("from typing import *\nfrom collections import *\nfrom heapq import *\nfrom bisect import *\n"
                    "import bisect, collections, functools, heapq, itertools, math, operator, re, string\n")
_SOLUTION_CLASS = re.compile(r"^class\s+Solution\b", re.MULTILINE)
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_HARNESS_SLACK_S = 2.0  # a harness run's own start-up and bookkeeping, beyond the candidate's calls
_MEMORY_SIGNS = ("MemoryError", "heap out of memory", "Cannot allocate memory", "std::bad_alloc",
                 "Allocation failed")
# Well-known third-party packages an answer may fairly import where they are installed: when the sandbox
# lacks one, the failure says nothing about the answer. Any other missing module (a typo, a made-up
# package, a missing standard-library module) is the answer's own mistake.
THIRD_PARTY = frozenset({
    "numpy", "scipy", "pandas", "sympy", "networkx", "sortedcontainers", "more_itertools", "toolz", "regex",
    "numba", "sklearn", "torch", "tensorflow", "jax", "gmpy2", "mpmath", "bitarray", "attrs", "attr", "yaml",
    "dateutil", "pytz", "requests", "bs4", "PIL", "matplotlib", "typing_extensions", "pydantic", "cachetools",
    "lodash", "underscore", "ramda", "mathjs", "bignumber.js", "decimal.js", "big.js", "immutable",
})
_NO_MODULE = re.compile(r"(?:ModuleNotFoundError: No module named|Cannot find module) '([\w.@/-]+)'")


@dataclass
class Outcome:
    passed: int
    total: int
    reason: str | None = None  # None: every test passed
    explanation: str = ""
    failure: dict[str, Any] = field(default_factory=dict)
    # Why a failure may not be the candidate's fault (the verifier cannot tell; see verifier.py):
    # "missing_module" (the sandbox lacks a third-party module the answer imports), "test_name" (check()
    # read a name nobody defined), "unsendable" (check() passed a value that cannot reach the candidate).
    doubt: str | None = None
    calls: int = 0  # HumanEval: the calls check() made to the candidate (how much a pass has seen)


@dataclass
class PreparedJob:
    jobs: list[Job]  # batches, run one after another until a test fails
    token: str
    plan: TestPlan
    language: str
    calls_per_run: int = 0  # call form: the tests each harness run covers


def prepare(plan: TestPlan, code: str, language: str, timeout_s: float, max_job_s: float) -> PreparedJob:
    """Every test of the plan, in batches: one batch (a Job, one sandbox borrowed) holds as many runs as
    fit in `max_job_s` at their worst case, so no run is ever cut short by the batch it is in."""
    token = secrets.token_hex(16)
    solution = FILES[language]
    budget = max(max_job_s, timeout_s * 2 + _HARNESS_SLACK_S)  # at least one load and one call

    def harness_run(spec: dict[str, Any], harness: str, calls: int | None) -> Run:
        # The harness bounds each call by timeout_s itself; the run's limit covers the load plus
        # the calls (None: unknown, as in check(), so the whole batch).
        limit = budget if calls is None else min(timeout_s * (calls + 1) + _HARNESS_SLACK_S, budget)
        return Run(argv=[], harness=harness, stdin=token + "\n" + json.dumps(spec), timeout_s=limit)

    per_run = 0
    module_prelude = ""  # function tests: what runs in the answer's module before its own code
    if plan.kind in ("humaneval", "call"):
        if language not in ("python", "javascript"):
            raise BadTests(f"function tests cannot call a {language} solution")
        if not plan.entry_point or not _IDENT.fullmatch(plan.entry_point):
            raise BadTests(f"entry point {plan.entry_point!r} is not an identifier")
        spec = {"mode": plan.kind, "lang": language, "solution": solution, "entry_point": plan.entry_point,
                "call_timeout_s": timeout_s}
        if plan.prelude and plan.kind == "humaneval":
            spec["prelude"] = plan.prelude  # for check()'s namespace (Python whatever the answer's language)
        if language == "python":
            leetcode = LEETCODE_PRELUDE if _SOLUTION_CLASS.search(code) else ""
            module_prelude = "\n".join(p for p in (leetcode, plan.prelude) if p)
        if module_prelude:
            spec["prelude_file"] = PRELUDE_FILE  # run in the answer's module first, as HumanEval's prompt is
        if plan.kind == "humaneval":
            runs = [harness_run({**spec, "test": plan.check}, HARNESS, None)]
        else:
            per_run = max(1, int((budget - _HARNESS_SLACK_S) // timeout_s) - 1)
            runs = [harness_run({**spec, "calls": plan.calls[i:i + per_run]}, HARNESS,
                                len(plan.calls[i:i + per_run])) for i in range(0, len(plan.calls), per_run)]
    elif plan.kind == "sql":
        if language != "sql":
            raise BadTests("SQL tests need an SQL answer")
        runs = [harness_run({"schema": c.schema, "data": c.data, "query_file": solution}, SQL_HARNESS, 1)
                for c in plan.sql]
    elif plan.kind == "stdio":
        if language == "sql":
            raise BadTests("stdin/stdout tests cannot run an SQL answer")
        runs = [Run(PROGRAM[language] + [solution], stdin=inp, timeout_s=timeout_s) for inp, _ in plan.stdio]
    elif language == "sql":  # no tests: SQL has no offline parser, so one run against an empty database
        runs = [harness_run({"schema": "", "data": "", "query_file": solution}, SQL_HARNESS, 1)]
    else:  # no tests: a run without them would prove nothing, so none is made
        runs = []
    files = {solution: code, **({PRELUDE_FILE: module_prelude} if module_prelude else {})}
    return PreparedJob(_batches(runs, files, budget), token, plan, language, per_run)


def _batches(runs: list[Run], files: dict[str, str], budget: float) -> list[Job]:
    jobs: list[Job] = []
    current: list[Run] = []
    used = 0.0
    for run in runs:
        if current and used + run.timeout_s > budget:
            jobs.append(Job(runs=current, files=files))
            current, used = [], 0.0
        current.append(run)
        used += run.timeout_s
    if current:
        jobs.append(Job(runs=current, files=files))
    return jobs


# --------------------------------------------------------------------------- interpretation


def _limit_reason(run: RunOutput) -> str | None:
    if run.timed_out:
        return "timeout"
    if run.output_limit:
        return "output_limit"
    if run.oom or any(s in run.stderr for s in _MEMORY_SIGNS):
        return "memory"
    return None


def _limit_text(reason: str, run: RunOutput) -> str:
    return {"timeout": f"time limit exceeded ({run.wall_s:.1f} s)", "output_limit": "output limit exceeded",
            "memory": "memory limit exceeded"}[reason]


def missing_module(*texts: str) -> str | None:
    """The well-known third-party module an error says is missing (the sandbox may simply not have it),
    or None: see THIRD_PARTY."""
    for text in texts:
        for name in _NO_MODULE.findall(text or ""):
            if name in THIRD_PARTY or name.split(".")[0] in THIRD_PARTY:
                return name
    return None


def _stderr_tail(run: RunOutput) -> str:
    lines = [ln for ln in run.stderr.strip().splitlines() if ln.strip()]
    return truncate(lines[-1], 200) if lines else f"exit code {run.exit if run.exit is not None else -run.signal}"


def interpret(prepared: PreparedJob, runs: list[RunOutput]) -> Outcome:
    """The outcome of the runs made so far (the batches run in order): a failure, or `passed` of
    `total` with no reason, where passed < total means that the later batches have not run."""
    kind = prepared.plan.kind
    if kind == "stdio":
        return _stdio(prepared.plan, runs)
    if kind == "none":
        return _no_tests(prepared, runs)
    events = [_harness_events(prepared.token, run) for run in runs]
    if kind == "sql":
        return _sql(prepared.plan, runs, events)
    if kind == "call":
        return _calls(prepared.plan, runs, events, prepared.calls_per_run)
    return _humaneval(runs[0], events[0])


def _passed_so_far(done: int, total: int) -> Outcome:
    return Outcome(done, total, None, f"passed {done}/{total} tests")


def _stdio(plan: TestPlan, runs: list[RunOutput]) -> Outcome:
    total = len(plan.stdio)
    for i, (run, (stdin, expected)) in enumerate(zip(runs, plan.stdio, strict=False)):
        where = f"test {i + 1}/{total} (input {truncate(stdin.strip(), 60)!r})"
        failure = {"test": i + 1, "input": truncate(stdin, 200), "expected": truncate(expected, 200),
                   "actual": truncate(run.stdout, 200)}
        if reason := _limit_reason(run):
            return Outcome(i, total, reason, f"{where}: {_limit_text(reason, run)}", failure)
        if run.exit != 0:
            return Outcome(i, total, "runtime_error", f"{where}: crashed: {_stderr_tail(run)}",
                           {**failure, "stderr": truncate(run.stderr, 500)},
                           "missing_module" if missing_module(run.stderr) else None)
        if diff := compare_stdout(run.stdout, expected):
            return Outcome(i, total, "wrong_answer", f"{where}: {diff}", failure)
    return _passed_so_far(min(len(runs), total), total)


def _no_tests(prepared: PreparedJob, runs: list[RunOutput]) -> Outcome:
    """No verdict, except an SQL syntax error: that is wrong whatever the tests would have been."""
    events = _harness_events(prepared.token, runs[0]) if runs else None
    error = next((e for e in events or [] if e.get("event") == "error"), None)
    if error and error.get("syntax"):
        return Outcome(0, 0, "syntax_error", f"SQL syntax error: {error['error']}")
    return Outcome(0, 0, "no_tests", "no tests for this task, so no verdict on the answer")


def _harness_events(token: str, run: RunOutput) -> list[dict] | None:
    """The harness's event lines, or None when it did not print the token last (it never finished)."""
    lines = [ln for ln in run.stdout.splitlines() if ln.strip()]
    if not lines or lines[-1].strip() != token:
        return None
    events = []
    for ln in lines[:-1]:
        try:
            events.append(json.loads(ln))
        except ValueError:
            return None  # only the harness writes here; garbage means it was tampered with
    return events


def _unfinished(run: RunOutput, passed: int, total: int) -> Outcome:
    if reason := _limit_reason(run):
        return Outcome(passed, total, reason, _limit_text(reason, run))
    return Outcome(passed, total, "runtime_error",
                   f"the test harness did not finish (its process was killed or crashed): {_stderr_tail(run)}")


def _failure_reason(event: dict, run: RunOutput) -> tuple[str, str]:
    kind = event.get("kind")
    detail = event.get("detail", "")
    if kind == "timeout":
        return "timeout", f"time limit exceeded: {detail}"
    if "MemoryError" in detail or "MemoryError" in event.get("stderr", "") or (kind == "worker_died" and run.oom):
        return "memory", "memory limit exceeded"
    if kind == "worker_died":
        out = event.get("stdout", "").strip()
        return "runtime_error", f"{detail}{f' (it printed {truncate(out, 80)!r})' if out else ''}"
    if kind == "load_error":
        if "SyntaxError" in detail or "SyntaxError" in event.get("tb", ""):
            return "syntax_error", f"could not load the solution: {detail}"
        return "runtime_error", f"could not load the solution: {detail}"
    if "Unserialisable" in detail or "cannot return a" in detail:
        return "wrong_answer", f"returned a non-builtin value: {detail}"
    return "runtime_error", f"raised {detail}"


def _calls(plan: TestPlan, runs: list[RunOutput], events_per_run: list[list[dict] | None], per_run: int) -> Outcome:
    total = len(plan.calls)
    results: dict[int, dict] = {}  # the events of the run that holds the current test
    for i, (args, expected) in enumerate(zip(plan.calls, plan.expected, strict=True)):
        j, k = divmod(i, per_run)
        if j >= len(runs):
            return _passed_so_far(i, total)
        run, events = runs[j], events_per_run[j]
        if events is None:
            return _unfinished(run, i, total)
        if k == 0:
            if events and events[0].get("event") == "load_error":
                reason, text = _failure_reason(events[0], run)
                return Outcome(i, total, reason, text, {"stderr": events[0].get("stderr", "")},
                               _event_doubt(events[0]))
            results = {e["i"]: e for e in events if e.get("event") == "result" and isinstance(e.get("i"), int)}
        call = f"{plan.entry_point}({', '.join(short_repr(a, 60) for a in args)})"
        where = f"test {i + 1}/{total}: {truncate(call, 120)}"
        event = results.get(k)
        if event is None:
            return _unfinished(run, i, total)
        if not event.get("ok"):
            reason, text = _failure_reason(event, run)
            printed = event.get("stdout", "").strip()
            return Outcome(i, total, reason, f"{where}: {text}", {"test": i + 1, "call": call, "printed": printed},
                           _event_doubt(event))
        actual = decode(event["value"])
        if not call_matches(actual, expected):
            printed = f" (printed {truncate(_printed(event), 60)!r})" if actual is None and _printed(event) else ""
            failure = {"test": i + 1, "call": call, "expected": truncate(json.dumps(expected), 200),
                       "actual": short_repr(actual)}
            return Outcome(i, total, "wrong_answer",
                           f"{where}: expected {truncate(json.dumps(expected), 80)}, got {short_repr(actual, 80)}"
                           f"{printed}", failure)
    return _passed_so_far(total, total)


def _printed(event: dict) -> str:
    return event.get("stdout", "").strip()


def _event_doubt(event: dict) -> str | None:
    if event.get("kind") in ("load_error", "candidate_error") and missing_module(
            event.get("detail", ""), event.get("tb", ""), event.get("stderr", "")):
        return "missing_module"
    return None


def _humaneval(run: RunOutput, events: list[dict] | None) -> Outcome:
    if events is None:
        return _unfinished(run, 0, 1)
    event = events[0] if events else {}
    if event.get("event") == "load_error":
        reason, text = _failure_reason(event, run)
        return Outcome(0, 1, reason, text, {"stderr": event.get("stderr", "")}, _event_doubt(event))
    if event.get("event") != "check":
        return _unfinished(run, 0, 1)
    passed, total = int(event.get("passed", 0)), int(event.get("total", 1))
    if event.get("ok"):
        calls = event.get("calls")
        return Outcome(total, total, None, f"passed all {total} assertions of check()",
                       calls=calls if isinstance(calls, int) and calls >= 0 else 0)
    kind = event.get("kind")
    call = event.get("call", "")
    got = f"{call} returned {event.get('result')}" if call else ""
    if kind == "test_name_error":  # not a verdict on the candidate: the test lacks a name
        return Outcome(min(passed, total - 1), total, "test_error",
                       f"check() failed on a name that neither the test, the question nor the answer defines: "
                       f"{truncate(event.get('detail', ''), 120)} at {truncate(event.get('line', ''), 100)}",
                       {"assertion": truncate(event.get("line", ""), 200)}, "test_name")
    if kind == "unsendable":
        return Outcome(min(passed, total - 1), total, "test_error",
                       f"check() passes the candidate a value this harness cannot send to it: "
                       f"{truncate(event.get('detail', ''), 120)}", {"call": call}, "unsendable")
    if kind in ("assertion", "test_error"):
        line = event.get("line", "")
        text = f"assertion failed: {truncate(line, 120)}" + (f"; {truncate(got, 160)}" if got else "")
        if kind == "test_error":
            text = f"check() raised {event.get('etype')} on the candidate's result at {truncate(line, 100)}; " \
                   f"{truncate(got, 120)}"
        printed = event.get("stdout", "").strip()
        if printed and "returned None" in got:
            text += f" (it printed {truncate(printed, 60)!r} instead of returning)"
        return Outcome(min(passed, total - 1), total, "wrong_answer", text,
                       {"assertion": truncate(line, 200), "call": call, "actual": event.get("result")})
    reason, text = _failure_reason(event, run)
    return Outcome(min(passed, total - 1), total, reason, f"{text}{f' at {call}' if call else ''}",
                   {"call": call, "stderr": event.get("stderr", "")}, _event_doubt(event))


def _sql(plan: TestPlan, runs: list[RunOutput], events_per_run: list[list[dict] | None]) -> Outcome:
    total = len(plan.sql)
    for i, (case, run, events) in enumerate(zip(plan.sql, runs, events_per_run, strict=False)):
        where = f"test {i + 1}/{total}"
        if events is None:
            out = _unfinished(run, i, total)
            return Outcome(i, total, out.reason, f"{where}: {out.explanation}")
        event = events[0] if events else {}
        if event.get("event") == "setup_error":
            raise BadTests(f"the row's SQL schema or data fail to load: {event.get('error')}")
        if event.get("event") == "error":
            reason = "syntax_error" if event.get("syntax") else "runtime_error"
            return Outcome(i, total, reason, f"{where}: SQL error: {truncate(event.get('error', ''), 200)}")
        rows = [[decode(v) for v in row] for row in event.get("rows", [])]
        if diff := rows_equal(rows, case.expected, case.ordered):
            return Outcome(i, total, "wrong_answer", f"{where}: {diff}",
                           {"test": i + 1, "expected": truncate(json.dumps(case.expected, default=str), 200),
                            "actual": truncate(json.dumps(rows, default=str), 200)})
    return _passed_so_far(min(len(runs), total), total)
