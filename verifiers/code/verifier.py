"""CodeVerifier: refusal check, code extraction, syntax fast path, tests run in a sandbox, a verdict.

Thread-safe: the verifier keeps no per-call state, and every call borrows a sandbox from one shared,
locked pool. No candidate code is ever executed in this process (see verifiers/sandbox/SECURITY.md).
Function tests also carry the question's own code (plans.question_prelude: a HumanEval prompt's imports
and helpers): the sandbox runs it before the answer's module and in check()'s namespace.

details["reason"] is one of: refusal, no_code, wrong_language, syntax_error, wrong_answer,
runtime_error, timeout, memory, output_limit, test_error, no_tests, sandbox_error, bad_tests,
unsupported_language; None on
a pass. Confidence is the confidence in is_verified, calibrated on bench/code_calibration.py (HumanEval
correct, mutated and adversarial answers) and bench/code_accuracy.py (the project's corpus): verdicts at
>= 0.9 must be right >= 97% of the time, and whatever the verifier cannot decide stays below 0.4, where
the pipeline always asks the LLM judge (common/judge/policy.py JUDGE_BELOW).

    outcome                                                   confidence
    pass, row tests, every test ran                           min(0.98, 0.8 + 0.04 n); n = tests, or for
                                                              HumanEval max(assert lines, calls check() made)
    pass, examples parsed from the statement                  0.6
    pass, tests written by a model                            0.55
    pass, some row tests never ran (safety cap, time budget)  0.35 (details say how many ran)
    wrong_answer / runtime_error / syntax_error (row tests)   0.95
    memory / output_limit                                     0.9
    timeout                                                   0.85 (a slow correct answer is possible)
    the same failures on statement / generated tests          x 0.75 / x 0.65
    runtime_error: a third-party module the sandbox lacks     0.3 (doubt "missing_module": the answer may
                                                              be right where the module is installed)
    test_error: check() read a name nobody defines            0.3 (doubt "test_name": the row's test and
                                                              question do not say where it comes from)
    test_error: check() passes a value that cannot be sent    0.1 (doubt "unsendable": a harness limit)
    wrong_language 0.8, no_code 0.7, syntax error before any run 0.95
    no_tests, bad_tests, unsupported_language, sandbox_error  0.0 (no verdict: the judge decides)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from verifiers.base import VerificationResult
from verifiers.code.extract import extract_code, language_from_question, normalize_language
from verifiers.code.jobs import Outcome, PreparedJob, interpret, prepare
from verifiers.code.plans import BadTests, TestPlan, plan_from_tests, question_prelude, statement_examples
from verifiers.code.syntax import check_syntax
from verifiers.refusal import refusal_verdict
from verifiers.sandbox.base import (
    Job,
    JobResult,
    RunOutput,
    Sandbox,
    SandboxConfigError,
    SandboxError,
    SandboxUnavailable,
)
from verifiers.sandbox.select import shared_sandbox

log = logging.getLogger(__name__)

METHOD = "code_execution"
# Confidence in a failing verdict, by reason, for row tests; other sources scale it down.
_FAIL_CONFIDENCE = {"wrong_answer": 0.95, "runtime_error": 0.95, "syntax_error": 0.95, "timeout": 0.85,
                    "memory": 0.9, "output_limit": 0.9, "test_error": 0.3}
_SOURCE_WEIGHT = {"row": 1.0, "statement": 0.75, "generated": 0.65}
_INCOMPLETE_CONFIDENCE = 0.35  # a pass on which some tests never ran: below the judge's threshold
# Failures that may not be the answer's fault (Outcome.doubt): below the judge's threshold, whatever the reason.
_DOUBT_CONFIDENCE = {"missing_module": 0.3, "test_name": 0.3, "unsendable": 0.1}
_MAX_EXAMPLES = 25  # examples parsed from a statement: a handful at most, the cap only guards the parser

TestGenerator = Callable[[str, str], Any]


class CodeVerifier:
    """`sandbox`: "auto" | "docker" | "bwrap" (default $BESTOFN_SANDBOX, else auto), or a Sandbox.
    `image` and `pool_size` choose the Docker image and how many sandboxes run at once (defaults in
    verifiers/sandbox/base.py); `timeout_s` bounds each test run (each call, for function tests).
    Every test of a row runs, in batches of at most `max_job_s` each; `max_tests` is only a safety cap
    for pathological rows and `max_total_s` bounds one verification: a pass on which either left tests
    unrun is reported with low confidence and how many ran."""

    def __init__(
        self,
        sandbox: str | Sandbox | None = None,
        timeout_s: float = 4.0,
        image: str | None = None,
        pool_size: int | None = None,
        max_tests: int = 500,
        max_job_s: float = 60.0,
        max_total_s: float = 300.0,
        retries: int = 2,
        test_generator: TestGenerator | None = None,
    ) -> None:
        self._sandbox_spec = sandbox
        self.image = image
        self.pool_size = pool_size
        self.timeout_s = timeout_s
        self.max_tests = max_tests
        self.max_job_s = max_job_s
        self.max_total_s = max_total_s
        self.retries = retries
        # Hook for tier 3 (judge-written tests): (question, language) -> tests in a row's format. No
        # model is wired here; whatever it returns is recorded as source "generated".
        self.test_generator = test_generator

    def _sandbox(self) -> Sandbox:
        spec = self._sandbox_spec
        if spec is not None and not isinstance(spec, str):
            return spec
        return shared_sandbox(spec, self.image, self.pool_size)

    # ------------------------------------------------------------------ the flow

    def verify(self, response: str, ground_truth: str | None = None, **context: Any) -> VerificationResult:
        started = time.monotonic()
        response = response or ""
        if not context.get("refusal_checked") and (refused := refusal_verdict(response)) is not None:
            return refused
        tests = context.get("tests")
        question = context.get("question") or ""
        entry_point = context.get("entry_point") or (tests.get("entry_point") or tests.get("fn_name")
                                                     if isinstance(tests, dict) else None)
        asked = context.get("language")
        if isinstance(asked, str) and asked.strip() and normalize_language(asked) is None:
            # A language no sandbox runs: running the answer as another language would be a made-up verdict.
            return self._result(False, 0.0, f"no sandbox runs {asked.strip()!r} code", "unsupported_language",
                                started)
        wanted = (normalize_language(asked)
                  or ("sql" if isinstance(tests, dict) and ("schema" in tests or "cases" in tests) else None)
                  or language_from_question(question))
        extracted = extract_code(response, wanted, entry_point)
        if extracted is None:
            return self._result(False, 0.7, "no code found in the answer", "no_code", started)
        lang = extracted.language
        base = {"language": lang, "extraction": extracted.source}
        if wanted and lang != wanted:
            return self._result(False, 0.8, f"the answer is {lang}, the task asks for {wanted}", "wrong_language",
                                started, base)
        syntax = check_syntax(extracted.code, lang)
        if not syntax.ok:
            return self._result(False, 0.95, f"syntax error: {syntax.message}", "syntax_error", started, base)
        try:
            plan = self._plan(tests, entry_point, lang, question)
            prepared = prepare(plan, extracted.code, lang, self.timeout_s, self.max_job_s)
        except BadTests as e:
            return self._result(False, 0.0, f"the row's tests cannot be used: {e}", "bad_tests", started, base)
        base.update(test_source=plan.source, test_kind=plan.kind)
        try:
            outcome, out_of_time = self._execute(prepared, started, base)
        except BadTests as e:
            return self._result(False, 0.0, f"the row's tests cannot be used: {e}", "bad_tests", started, base)
        except (SandboxError, ValueError) as e:
            return self._result(False, 0.0, f"sandbox error (not a verdict on the code): {e}", "sandbox_error",
                                started, base)
        return self._verdict(plan, outcome, started, base, out_of_time)

    def _execute(self, prepared: PreparedJob, started: float, base: dict[str, Any]) -> tuple[Outcome, bool]:
        """The batches in order until a test fails; True when the time budget ran out before the last one."""
        runs: list[RunOutput] = []
        for n, job in enumerate(prepared.jobs):
            if n and time.monotonic() - started > self.max_total_s:
                return interpret(prepared, runs), True
            result = self._run(job)
            base["backend"] = result.backend
            runs += result.runs
            if (outcome := interpret(prepared, runs)).reason is not None:
                return outcome, False
            if len(result.runs) < len(job.runs):  # the runner stops early only after a failed run
                raise ValueError("runner returned fewer runs than the job had")
        return interpret(prepared, runs), False

    def _plan(self, tests: Any, entry_point: str | None, lang: str, question: str) -> TestPlan:
        plan = plan_from_tests(tests, entry_point, self.max_tests)
        if plan is None and lang != "sql":
            examples = statement_examples(question, _MAX_EXAMPLES)
            if examples:
                plan = TestPlan("stdio", "statement", stdio=examples)
        if plan is None and self.test_generator is not None:
            plan = plan_from_tests(self.test_generator(question, lang), entry_point, self.max_tests, "generated")
        if plan is not None and plan.kind in ("humaneval", "call"):
            plan.prelude = question_prelude(question, plan.entry_point)
        return plan or TestPlan("none", "none")

    def _run(self, job: Job) -> JobResult:
        last: SandboxError | None = None
        for attempt in range(self.retries + 1):
            try:
                return self._sandbox().run(job)
            except SandboxError as e:
                last = e
                log.warning("sandbox fault (attempt %d/%d): %s", attempt + 1, self.retries + 1, e)
                if isinstance(e, SandboxUnavailable | SandboxConfigError):
                    break  # trying again cannot help
        assert last is not None
        raise last

    # ------------------------------------------------------------------ verdicts

    def _verdict(self, plan: TestPlan, outcome: Outcome, started: float, base: dict[str, Any],
                 out_of_time: bool = False) -> VerificationResult:
        details = {**base, "tests_passed": outcome.passed, "tests_total": outcome.total}
        if outcome.failure:
            details["first_failure"] = outcome.failure
        if plan.available:  # the safety cap left some of the row's tests out of the plan
            details["tests_in_row"] = plan.available
        if plan.kind == "none":
            if outcome.reason == "syntax_error":  # wrong whatever the tests would have been
                return self._result(False, 0.9, outcome.explanation, "syntax_error", started, details)
            # Nothing checked the answer: no verdict either way (confidence 0), the judge decides.
            return self._result(False, 0.0, f"{outcome.explanation} (no tests in the row or the question)",
                                "no_tests", started, details)
        weight = _SOURCE_WEIGHT[plan.source]
        label = {"row": "tests", "statement": "examples from the statement", "generated": "generated tests"}[
            plan.source]
        if outcome.reason is None:
            not_run = 0 if plan.kind == "humaneval" else plan.row_total - outcome.passed
            if not_run > 0:
                return self._incomplete(plan, outcome, not_run, out_of_time, label, started, details)
            n = outcome.total if plan.kind != "humaneval" else max(outcome.total, outcome.calls, 1)
            confidence = min(0.98, 0.8 + 0.04 * n) if plan.source == "row" else 0.6 if plan.source == "statement" \
                else 0.55
            return self._result(True, confidence, f"{outcome.explanation} ({label})", None, started, details)
        confidence = round(_FAIL_CONFIDENCE.get(outcome.reason, 0.9) * weight, 3)
        explanation = f"{outcome.explanation} ({label})"
        if outcome.doubt:
            details["doubt"] = outcome.doubt
            confidence = min(confidence, _DOUBT_CONFIDENCE[outcome.doubt])
            explanation += "; low confidence: " + {
                "missing_module": "the sandbox lacks a third-party module the answer imports",
                "test_name": "the test's own code failed, not necessarily the answer",
                "unsendable": "the test passes a value the sandbox cannot hand to the answer"}[outcome.doubt]
        return self._result(False, confidence, explanation, outcome.reason, started, details)

    def _incomplete(self, plan: TestPlan, outcome: Outcome, not_run: int, out_of_time: bool, label: str,
                    started: float, details: dict[str, Any]) -> VerificationResult:
        """Every test that ran passed, but not all of them ran: a pass nobody should trust unseen."""
        total = plan.row_total
        causes = {"time_budget": f"the {self.max_total_s:g} s time budget ran out" if out_of_time else "",
                  "test_cap": f"the row has more than the {plan.total}-test safety cap" if plan.available else ""}
        why = " and ".join(text for text in causes.values() if text)
        details.update(tests_run=outcome.passed, tests_total=total, tests_not_run=not_run,
                       not_run_because="+".join(k for k, text in causes.items() if text))
        text = (f"passed all {outcome.passed} tests that ran, of {total}; {not_run} did not run because {why} "
                f"({label}; low confidence)")
        return self._result(True, _INCOMPLETE_CONFIDENCE, text, None, started, details)

    @staticmethod
    def _result(ok: bool, confidence: float, explanation: str, reason: str | None, started: float,
                details: dict[str, Any] | None = None) -> VerificationResult:
        details = {**(details or {}), "reason": reason, "runtime_s": round(time.monotonic() - started, 3)}
        return VerificationResult(ok, confidence, explanation[:1000], METHOD, details)
