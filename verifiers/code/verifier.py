"""CodeVerifier: refusal check, code extraction, syntax fast path, tests run in a sandbox, a verdict.

Thread-safe: the verifier keeps no per-call state, and every call borrows a sandbox from one shared,
locked pool. No candidate code is ever executed in this process (see verifiers/sandbox/SECURITY.md).

details["reason"] is one of: refusal, no_code, wrong_language, syntax_error, wrong_answer,
runtime_error, timeout, memory, output_limit, no_tests, sandbox_error, bad_tests; None on a pass.
Confidence is the confidence in is_verified: high for row tests, lower for tests parsed from the
statement or written by a model, and below 0.4 when nothing was tested (the pipeline's LLM-judge
fallback takes those).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from verifiers.base import VerificationResult
from verifiers.code.extract import extract_code, language_from_question, normalize_language
from verifiers.code.jobs import Outcome, interpret, prepare
from verifiers.code.plans import BadTests, TestPlan, plan_from_tests, statement_examples
from verifiers.code.syntax import check_syntax
from verifiers.refusal import refusal_verdict
from verifiers.sandbox.base import JobResult, Sandbox, SandboxConfigError, SandboxError, SandboxUnavailable
from verifiers.sandbox.select import shared_sandbox

log = logging.getLogger(__name__)

METHOD = "code_execution"
# Confidence in a failing verdict, by reason, for row tests; other sources scale it down.
_FAIL_CONFIDENCE = {"wrong_answer": 0.95, "runtime_error": 0.95, "syntax_error": 0.95, "timeout": 0.85,
                    "memory": 0.9, "output_limit": 0.9}
_SOURCE_WEIGHT = {"row": 1.0, "statement": 0.75, "generated": 0.65}

TestGenerator = Callable[[str, str], Any]


class CodeVerifier:
    """`sandbox`: "auto" | "docker" | "bwrap" (default $BESTOFN_SANDBOX, else auto), or a Sandbox.
    `image` and `pool_size` choose the Docker image and how many sandboxes run at once (defaults in
    verifiers/sandbox/base.py); `timeout_s` bounds each test run."""

    def __init__(
        self,
        sandbox: str | Sandbox | None = None,
        timeout_s: float = 4.0,
        image: str | None = None,
        pool_size: int | None = None,
        max_tests: int = 25,
        max_job_s: float = 60.0,
        retries: int = 2,
        test_generator: TestGenerator | None = None,
    ) -> None:
        self._sandbox_spec = sandbox
        self.image = image
        self.pool_size = pool_size
        self.timeout_s = timeout_s
        self.max_tests = max_tests
        self.max_job_s = max_job_s
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
        wanted = (normalize_language(context.get("language"))
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
            result = self._run(prepared.job)
            outcome = interpret(prepared, result)
        except BadTests as e:
            return self._result(False, 0.0, f"the row's tests cannot be used: {e}", "bad_tests", started, base)
        except (SandboxError, ValueError) as e:
            return self._result(False, 0.0, f"sandbox error (not a verdict on the code): {e}", "sandbox_error",
                                started, base)
        base["backend"] = result.backend
        return self._verdict(plan, outcome, started, base)

    def _plan(self, tests: Any, entry_point: str | None, lang: str, question: str) -> TestPlan:
        plan = plan_from_tests(tests, entry_point, self.max_tests)
        if plan is None and lang != "sql":
            examples = statement_examples(question, self.max_tests)
            if examples:
                plan = TestPlan("stdio", "statement", stdio=examples)
        if plan is None and self.test_generator is not None:
            plan = plan_from_tests(self.test_generator(question, lang), entry_point, self.max_tests, "generated")
        return plan or TestPlan("none", "none")

    def _run(self, job: Any) -> JobResult:
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

    def _verdict(self, plan: TestPlan, outcome: Outcome, started: float, base: dict[str, Any]) -> VerificationResult:
        details = {**base, "tests_passed": outcome.passed, "tests_total": outcome.total}
        if outcome.failure:
            details["first_failure"] = outcome.failure
        if plan.kind == "none":
            text = outcome.explanation + " (low confidence: nothing checked the answer)"
            if outcome.reason == "no_tests":
                crashed = bool(outcome.failure.get("crashed"))
                return self._result(not crashed, 0.3, text, "no_tests", started, details)
            return self._result(False, 0.35 if outcome.reason != "syntax_error" else 0.9, text, outcome.reason,
                                started, details)
        weight = _SOURCE_WEIGHT[plan.source]
        label = {"row": "tests", "statement": "examples from the statement", "generated": "generated tests"}[
            plan.source]
        if outcome.reason is None:
            n = outcome.total if plan.kind != "humaneval" else max(outcome.total, 1)
            confidence = min(0.98, 0.8 + 0.04 * n) if plan.source == "row" else 0.6 if plan.source == "statement" \
                else 0.55
            return self._result(True, confidence, f"{outcome.explanation} ({label})", None, started, details)
        confidence = round(_FAIL_CONFIDENCE.get(outcome.reason, 0.9) * weight, 3)
        return self._result(False, confidence, f"{outcome.explanation} ({label})", outcome.reason, started, details)

    @staticmethod
    def _result(ok: bool, confidence: float, explanation: str, reason: str | None, started: float,
                details: dict[str, Any] | None = None) -> VerificationResult:
        details = {**(details or {}), "reason": reason, "runtime_s": round(time.monotonic() - started, 3)}
        return VerificationResult(ok, confidence, explanation[:1000], METHOD, details)
