"""CodeVerifier's batching and verdicts, on a fake sandbox that echoes each run's stdin (no candidate runs).

The real sandboxes run the same paths in tests/verifiers/sandbox/test_sandbox.py; here the counts,
caps and budgets are checked exactly and fast.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from verifiers.code.verifier import CodeVerifier
from verifiers.sandbox.base import SCRIPTS_DIR, Job, JobResult, RunOutput

ECHO = "```python\nprint(input())\n```"


class EchoSandbox:
    """Every run prints its stdin and exits 0; records the jobs it was given."""

    name = "echo"

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def run(self, job: Job) -> JobResult:
        self.jobs.append(job)
        return JobResult([RunOutput(exit=0, signal=None, stdout=r.stdin, stderr="") for r in job.runs], "echo", 0.0)

    def close(self) -> None:
        pass


def echo_rows(n: int, wrong_from: int | None = None) -> dict:
    outputs = [f"{i}\n" if wrong_from is None or i < wrong_from else "nope\n" for i in range(n)]
    return {"inputs": [f"{i}\n" for i in range(n)], "outputs": outputs}


def test_every_test_runs_in_batches() -> None:
    box = EchoSandbox()
    v = CodeVerifier(sandbox=box, timeout_s=4.0)
    ok = v.verify(ECHO, None, tests=echo_rows(30))
    assert ok.is_verified and ok.confidence >= 0.9 and ok.details["tests_passed"] == ok.details["tests_total"] == 30
    assert [len(j.runs) for j in box.jobs] == [15, 15]
    # Wrong only on tests 26-30: before, only the first 25 ran and this passed at 0.98.
    box.jobs.clear()
    bad = v.verify(ECHO, None, tests=echo_rows(30, wrong_from=25))
    assert not bad.is_verified and bad.details["reason"] == "wrong_answer" and bad.confidence >= 0.9
    assert "test 26/30" in bad.explanation and bad.details["tests_passed"] == 25
    # A failure in the first batch stops there.
    box.jobs.clear()
    early = v.verify(ECHO, None, tests=echo_rows(30, wrong_from=3))
    assert not early.is_verified and len(box.jobs) == 1


def test_a_capped_pass_is_never_confident() -> None:
    v = CodeVerifier(sandbox=EchoSandbox(), timeout_s=4.0, max_tests=20)
    r = v.verify(ECHO, None, tests=echo_rows(30))
    assert r.is_verified and r.confidence < 0.4 and r.details["reason"] is None
    assert r.details["tests_run"] == 20 and r.details["tests_total"] == 30 and r.details["tests_not_run"] == 10
    assert r.details["not_run_because"] == "test_cap"
    assert "20 tests that ran, of 30" in r.explanation and "10 did not run" in r.explanation
    # A failure among the tests that ran is still a confident failure.
    bad = v.verify(ECHO, None, tests=echo_rows(30, wrong_from=5))
    assert not bad.is_verified and bad.confidence >= 0.9


def test_time_budget_leaves_a_low_confidence_pass() -> None:
    box = EchoSandbox()
    v = CodeVerifier(sandbox=box, timeout_s=4.0, max_total_s=0.0)
    r = v.verify(ECHO, None, tests=echo_rows(40))
    assert len(box.jobs) == 1  # the first batch always runs; the budget was spent after it
    assert r.is_verified and r.confidence < 0.4 and r.details["not_run_because"] == "time_budget"
    assert r.details["tests_run"] == 15 and r.details["tests_total"] == 40
    assert "time budget" in r.explanation


def test_short_runner_answer_is_a_sandbox_error() -> None:
    class Short(EchoSandbox):
        def run(self, job: Job) -> JobResult:
            result = super().run(job)
            return JobResult(result.runs[:-1], "short", 0.0)

    r = CodeVerifier(sandbox=Short(), timeout_s=4.0).verify(ECHO, None, tests=echo_rows(3))
    assert not r.is_verified and r.details["reason"] == "sandbox_error" and r.confidence == 0.0


def test_no_tests_is_no_verdict_and_runs_nothing() -> None:
    box = EchoSandbox()
    r = CodeVerifier(sandbox=box).verify("```python\ndef f(x):\n    return x\n```", None, question="Write f.")
    assert r.details["reason"] == "no_tests" and r.confidence == 0.0 and not r.is_verified
    assert box.jobs == []  # running it without tests would prove nothing


def test_a_language_no_sandbox_runs_is_no_verdict_not_python() -> None:
    box = EchoSandbox()
    cobol = "```cobol\nDISPLAY 'HELLO'.\n```"
    r = CodeVerifier(sandbox=box).verify(cobol, None, question="Print HELLO.", language="cobol",
                                         tests=echo_rows(2))
    assert r.details["reason"] == "unsupported_language" and r.confidence == 0.0 and not r.is_verified
    assert box.jobs == []  # never run as some other language


@pytest.fixture
def sql_harness(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(sys, "path", list(sys.path))  # the harness adds its own directory to sys.path
    spec = importlib.util.spec_from_file_location("bestofn_sql_harness", SCRIPTS_DIR / "sql_harness.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines functions only; main() runs under __main__
    return module


@pytest.mark.parametrize(("sql", "expected"), [
    ("CREATE TEMP VIEW v AS SELECT 1 AS x; SELECT x FROM v;",
     ["CREATE TEMP VIEW v AS SELECT 1 AS x;", "SELECT x FROM v;"]),
    ("SELECT 'a;b'; SELECT 2", ["SELECT 'a;b';", "SELECT 2"]),
    ("/* x; y */ SELECT 1;\n-- c; d\nSELECT 2;", ["/* x; y */ SELECT 1;", "-- c; d\nSELECT 2;"]),
    ("CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); DELETE FROM c; END; SELECT 1;",
     ["CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); DELETE FROM c; END;", "SELECT 1;"]),
    ("SELECT 1;\n\n;  ;\n", ["SELECT 1;"]),
])
def test_sql_statements_split_where_sqlite_ends_them(sql_harness: ModuleType, sql: str, expected: list[str]) -> None:
    assert sql_harness.statements(sql) == expected
