"""Turn a TestPlan into a sandbox Job, and the runner's raw results back into an Outcome.

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
from verifiers.sandbox.base import Job, JobResult, Run, RunOutput
from verifiers.sandbox.scripts.typed_values import decode, short_repr

FILES = {"python": "solution.py", "javascript": "solution.js", "bash": "solution.sh", "sql": "solution.sql"}
PROGRAM = {"python": ["python3", "-s"], "javascript": ["node"], "bash": ["bash"]}
HARNESS = "py_harness"
SQL_HARNESS = "sql_harness"
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_MEMORY_SIGNS = ("MemoryError", "heap out of memory", "Cannot allocate memory", "std::bad_alloc",
                 "Allocation failed")


@dataclass
class Outcome:
    passed: int
    total: int
    reason: str | None = None  # None: every test passed
    explanation: str = ""
    failure: dict[str, Any] = field(default_factory=dict)


@dataclass
class PreparedJob:
    job: Job
    token: str
    plan: TestPlan
    language: str


def prepare(plan: TestPlan, code: str, language: str, timeout_s: float, max_job_s: float) -> PreparedJob:
    token = secrets.token_hex(16)
    files = {FILES[language]: code}
    solution = FILES[language]

    def harness_run(spec: dict[str, Any], harness: str, calls: int) -> Run:
        budget = min(timeout_s * (calls + 1) + 2.0, max_job_s)
        return Run(argv=[], harness=harness, stdin=token + "\n" + json.dumps(spec), timeout_s=budget)

    if plan.kind in ("humaneval", "call"):
        if language not in ("python", "javascript"):
            raise BadTests(f"function tests cannot call a {language} solution")
        if not plan.entry_point or not _IDENT.fullmatch(plan.entry_point):
            raise BadTests(f"entry point {plan.entry_point!r} is not an identifier")
        spec = {"mode": plan.kind, "lang": language, "solution": solution, "entry_point": plan.entry_point,
                "call_timeout_s": timeout_s}
        if plan.kind == "humaneval":
            spec["test"] = plan.check
        else:
            spec["calls"] = plan.calls
        runs = [harness_run(spec, HARNESS, max(len(plan.calls), 3))]
    elif plan.kind == "sql":
        if language != "sql":
            raise BadTests("SQL tests need an SQL answer")
        runs = [harness_run({"schema": c.schema, "data": c.data, "query_file": solution}, SQL_HARNESS, 1)
                for c in plan.sql]
    elif plan.kind == "stdio":
        if language == "sql":
            raise BadTests("stdin/stdout tests cannot run an SQL answer")
        runs = [Run(PROGRAM[language] + [solution], stdin=inp, timeout_s=timeout_s) for inp, _ in plan.stdio]
    else:  # no tests: run once, for crashes only
        if language == "sql":
            runs = [harness_run({"schema": "", "data": "", "query_file": solution}, SQL_HARNESS, 1)]
        else:
            runs = [Run(PROGRAM[language] + [solution], stdin="", timeout_s=timeout_s)]
    return PreparedJob(Job(runs=runs, files=files), token, plan, language)


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


def _stderr_tail(run: RunOutput) -> str:
    lines = [ln for ln in run.stderr.strip().splitlines() if ln.strip()]
    return truncate(lines[-1], 200) if lines else f"exit code {run.exit if run.exit is not None else -run.signal}"


def interpret(prepared: PreparedJob, result: JobResult) -> Outcome:
    kind = prepared.plan.kind
    if kind == "stdio":
        return _stdio(prepared.plan, result.runs)
    if kind == "none":
        return _crash_only(prepared, result.runs)
    events = [_harness_events(prepared.token, run) for run in result.runs]
    if kind == "sql":
        return _sql(prepared.plan, result.runs, events)
    return _calls(prepared.plan, result.runs[0], events[0]) if kind == "call" else \
        _humaneval(result.runs[0], events[0])


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
                           {**failure, "stderr": truncate(run.stderr, 500)})
        if diff := compare_stdout(run.stdout, expected):
            return Outcome(i, total, "wrong_answer", f"{where}: {diff}", failure)
    if len(runs) < total:
        raise ValueError("runner returned fewer runs than tests")
    return Outcome(total, total, None, f"passed {total}/{total} tests")


def _crash_only(prepared: PreparedJob, runs: list[RunOutput]) -> Outcome:
    run = runs[0]
    if prepared.language == "sql":
        events = _harness_events(prepared.token, run)
        error = next((e for e in events or [] if e.get("event") == "error"), None)
        if error and error.get("syntax"):
            return Outcome(0, 0, "syntax_error", f"SQL syntax error: {error['error']}")
    if reason := _limit_reason(run):
        return Outcome(0, 0, reason, f"no tests; the single run hit the {_limit_text(reason, run)}")
    if run.exit != 0:
        return Outcome(0, 0, "no_tests", f"no tests; ran once with empty input and it crashed: {_stderr_tail(run)}",
                       {"crashed": True})
    return Outcome(0, 0, "no_tests", "no tests; ran once with empty input without crashing")


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


def _calls(plan: TestPlan, run: RunOutput, events: list[dict] | None) -> Outcome:
    total = len(plan.calls)
    if events is None:
        return _unfinished(run, 0, total)
    if events and events[0].get("event") == "load_error":
        reason, text = _failure_reason(events[0], run)
        return Outcome(0, total, reason, text, {"stderr": events[0].get("stderr", "")})
    results = {e["i"]: e for e in events if e.get("event") == "result"}
    for i, (args, expected) in enumerate(zip(plan.calls, plan.expected, strict=True)):
        call = f"{plan.entry_point}({', '.join(short_repr(a, 60) for a in args)})"
        where = f"test {i + 1}/{total}: {truncate(call, 120)}"
        event = results.get(i)
        if event is None:
            return _unfinished(run, i, total)
        if not event.get("ok"):
            reason, text = _failure_reason(event, run)
            printed = event.get("stdout", "").strip()
            return Outcome(i, total, reason, f"{where}: {text}", {"test": i + 1, "call": call, "printed": printed})
        actual = decode(event["value"])
        if not call_matches(actual, expected):
            printed = f" (printed {truncate(_printed(event), 60)!r})" if actual is None and _printed(event) else ""
            failure = {"test": i + 1, "call": call, "expected": truncate(json.dumps(expected), 200),
                       "actual": short_repr(actual)}
            return Outcome(i, total, "wrong_answer",
                           f"{where}: expected {truncate(json.dumps(expected), 80)}, got {short_repr(actual, 80)}"
                           f"{printed}", failure)
    return Outcome(total, total, None, f"passed {total}/{total} tests")


def _printed(event: dict) -> str:
    return event.get("stdout", "").strip()


def _humaneval(run: RunOutput, events: list[dict] | None) -> Outcome:
    if events is None:
        return _unfinished(run, 0, 1)
    event = events[0] if events else {}
    if event.get("event") == "load_error":
        reason, text = _failure_reason(event, run)
        return Outcome(0, 1, reason, text, {"stderr": event.get("stderr", "")})
    if event.get("event") != "check":
        return _unfinished(run, 0, 1)
    passed, total = int(event.get("passed", 0)), int(event.get("total", 1))
    if event.get("ok"):
        return Outcome(total, total, None, f"passed all {total} assertions of check()")
    kind = event.get("kind")
    call = event.get("call", "")
    got = f"{call} returned {event.get('result')}" if call else ""
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
                   {"call": call, "stderr": event.get("stderr", "")})


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
    if len(runs) < total:
        raise ValueError("runner returned fewer runs than tests")
    return Outcome(total, total, None, f"passed {total}/{total} tests")
