"""Verifiers take options as arguments (`get_verifier(split, **options)`), not from variables a run
writes into the environment; refusal is decided once per candidate in the pipeline."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator

import pytest

import verifiers
import verifiers.refusal
from common.checks import checker as checker_module
from common.checks.checker import CandidateChecker
from common.config import ExperimentConfig, verifier_options
from common.data.query import Query
from common.errors import UserError
from common.model.api import Candidate
from verifiers import get_verifier, parallel_slots
from verifiers.sandbox.base import SANDBOX_ENV, default_pool_size
from verifiers.sandbox.select import resolve_backend, shared_sandbox

CUSTOM_IMAGE = "bestofn-sandbox-custom-test"


@pytest.fixture(scope="module")
def custom_image() -> Iterator[str]:
    """The sandbox image under another name, as a user with their own image would have it."""
    subprocess.run(["docker", "tag", "bestofn-sandbox", CUSTOM_IMAGE], check=True, capture_output=True)
    yield CUSTOM_IMAGE
    subprocess.run(["docker", "rmi", CUSTOM_IMAGE], capture_output=True)


def test_options_choose_and_cache_the_verifier() -> None:
    a = get_verifier("code", sandbox="bwrap", pool_size=3, timeout_s=1.5)
    assert a is get_verifier("code", timeout_s=1.5, pool_size=3, sandbox="bwrap")  # order does not matter
    assert a is not get_verifier("code", sandbox="bwrap", pool_size=3, timeout_s=2.5)
    assert (a.timeout_s, a.pool_size, a._sandbox_spec) == (1.5, 3, "bwrap")
    assert get_verifier("math", timeout=1.0).timeout == 1.0
    assert get_verifier("math", timeout=None) is get_verifier("math")  # None means the default


def test_parallel_slots_follow_the_options() -> None:
    assert parallel_slots("code", pool_size=5) == 5
    assert parallel_slots("code") == default_pool_size()
    assert parallel_slots("math") >= 1
    assert parallel_slots("tool_calling") == 0


def test_auto_with_a_custom_image_uses_docker(custom_image: str) -> None:
    # The old check looked for the default image name and fell back to bubblewrap for any other.
    subprocess.run(["docker", "rmi", "-f", "bestofn-missing-image"], capture_output=True)
    assert resolve_backend("auto", image=custom_image) == "docker"
    assert resolve_backend("auto", image="bestofn-missing-image") == "bwrap"
    with pytest.raises(verifiers.base.NoVerifierError):
        get_verifier("bogus")
    box = shared_sandbox("auto", image=custom_image, pool_size=1)
    assert box.name == "docker" and box.image == custom_image and box.pool_size == 1
    result = get_verifier("code", image=custom_image, pool_size=1).verify(
        "```python\ndef add(a, b):\n    return a + b\n```",
        tests={"test": "def check(candidate):\n    assert candidate(2, 3) == 5\n", "entry_point": "add"},
    )
    assert result.is_verified and result.details["backend"] == "docker"


def test_the_config_reaches_the_verifier_as_arguments(monkeypatch: pytest.MonkeyPatch, custom_image: str) -> None:
    monkeypatch.delenv(SANDBOX_ENV, raising=False)
    cfg = ExperimentConfig(splits=["math", "code"], sandbox="docker", sandbox_image=custom_image, sandbox_pool=4,
                           code_timeout_s=3.0, math_timeout_s=2.0)
    assert verifier_options(cfg, "code") == {"sandbox": "docker", "image": custom_image, "pool_size": 4,
                                             "timeout_s": 3.0}
    assert verifier_options(cfg, "math") == {"timeout": 2.0}
    checker = CandidateChecker(cfg, judge=None)
    try:
        # Sized to what the verifiers can run at once (4 sandboxes + the math workers), plus two.
        assert checker.executor._max_workers == 4 + parallel_slots("math") + 2
    finally:
        checker.close()
    assert SANDBOX_ENV not in os.environ  # nothing is written into the environment


def _query(split: str = "math") -> Query:
    return Query(query_id="q1", split=split, question="What is 2 + 2?",
                 messages=({"role": "user", "content": "What is 2 + 2?"},), ground_truth="4")


def _check(cfg: ExperimentConfig, text: str, split: str = "math") -> dict:
    checker = CandidateChecker(cfg, judge=None)
    try:
        return asyncio.run(checker.check(_query(split), Candidate(text=text)))
    finally:
        checker.close()


def test_refusal_is_decided_once_per_candidate(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = verifiers.refusal.detect_refusal

    def counting(text):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text)

    monkeypatch.setattr(verifiers.refusal, "detect_refusal", counting)
    monkeypatch.setattr(checker_module, "detect_refusal", counting)
    cfg = ExperimentConfig(splits=["math"])
    out = _check(cfg, "2 + 2 = 4, so the answer is \\boxed{4}.")
    assert out["is_verified"] is True and out["is_refusal"] is False
    assert len(calls) == 1
    calls.clear()
    out = _check(cfg, "I'm sorry, but I can't help with that request.")
    assert out["verification_method"] == "refusal" and out["verification_reason"] == "refusal"
    assert len(calls) == 1


def test_a_verifier_on_its_own_still_catches_refusals() -> None:
    r = get_verifier("math").verify("I'm sorry, but I can't help with that request.", "4")
    assert (r.is_verified, r.method, r.details["reason"]) == (False, "refusal", "refusal")
    # Told the pipeline already decided, it goes on to compare.
    r = get_verifier("math").verify("I'm sorry, but I can't help with that request.", "4", refusal_checked=True)
    assert r.method != "refusal"


def test_what_the_verifier_saw_is_on_the_row() -> None:
    out = _check(ExperimentConfig(splits=["math"]), "Working it out: the answer is \\boxed{5}.")
    assert out["is_verified"] is False
    assert out["extracted_answer"] == "5" and out["verification_reason"]
    assert '"extracted": "5"' in out["verification_details"]


@pytest.mark.parametrize(("keys", "env", "says"), [
    ({"sandbox_image": "bestofn-no-such-image"}, {}, "bestofn-no-such-image"),
    ({"sandbox": "docker", "sandbox_image": "bestofn-no-such-image"}, {}, "setup_sandboxes.sh"),
    ({"sandbox": "bwrap", "sandbox_image": "bestofn-sandbox"}, {}, "applies to Docker"),
    ({}, {SANDBOX_ENV: "podman"}, "$BESTOFN_SANDBOX must be one of"),
    ({}, {"BESTOFN_SANDBOX_POOL": "abc"}, "$BESTOFN_SANDBOX_POOL must be a positive integer"),
])
def test_a_sandbox_that_cannot_work_fails_at_start(monkeypatch: pytest.MonkeyPatch, keys: dict, env: dict,
                                                    says: str) -> None:
    for name in (SANDBOX_ENV, "BESTOFN_SANDBOX_POOL", "BESTOFN_SANDBOX_IMAGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(UserError, match="cannot verify the code split") as err:
        CandidateChecker(ExperimentConfig(splits=["code"], **keys), judge=None)
    assert says in str(err.value)
    CandidateChecker(ExperimentConfig(splits=["math"], **keys), judge=None).close()  # math needs no sandbox


def test_a_sandbox_failure_mid_run_is_no_verdict_and_goes_to_no_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    from verifiers.base import VerificationResult

    broken = VerificationResult(False, 0.0, "sandbox error (not a verdict on the code): gone", "code_execution",
                                {"reason": "sandbox_error"})
    monkeypatch.setattr(checker_module, "verify_candidate", lambda *a, **k: broken)

    class NoJudge:
        async def judge(self, *a, **k):  # type: ignore[no-untyped-def]
            raise AssertionError("the judge must not decide what the sandbox could not run")

    checker = CandidateChecker(ExperimentConfig(splits=["code"]), judge=NoJudge())  # type: ignore[arg-type]
    try:
        out = asyncio.run(checker.check(_query("code"), Candidate(text="```python\nprint(1)\n```")))
    finally:
        checker.close()
    assert out["is_verified"] is None and out["confidence"] is None
    assert out["verification_reason"] == "sandbox_error"
