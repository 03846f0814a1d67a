"""The verdict cache (common/checks/verdicts.py): what its key covers, what it keeps, and that a cache it
cannot use costs recomputation, never the run."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

import common.checks.checker as checker_module
import verifiers
from common.checks.checker import CandidateChecker
from common.checks.verdicts import VerdictCache, verdict_key
from common.config import ExperimentConfig
from common.data.query import Query
from common.model.api import Candidate
from verifiers.base import NO_VERDICT_REASONS, VerificationResult

CONTEXT: dict[str, Any] = {
    "question": "What is 2 + 2?", "tests": None, "tools": None, "language": None, "entry_point": None,
    "final_answer": None, "refusal_checked": True, "tool_calls": None, "reference": None, "terminated_by": None,
}


def _key(**change: Any) -> bytes | None:
    response = change.pop("response", "The answer is \\boxed{4}.")
    gt = change.pop("ground_truth", "4")
    options = change.pop("options", {"timeout": 5.0})
    split = change.pop("split", "math")
    return verdict_key(split, response, gt, {**CONTEXT, **change}, options)


def test_every_split_with_a_verifier_has_one_version_in_one_place() -> None:
    assert set(verifiers.VERIFIER_VERSIONS) == set(verifiers._FACTORIES)
    assert all(verifiers.verifier_version(s).startswith(f"{v}+") for s, v in verifiers.VERIFIER_VERSIONS.items())
    with pytest.raises(verifiers.NoVerifierError):
        verifiers.verifier_version("chat")


def test_an_edit_to_a_verifiers_own_files_changes_its_version_and_no_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy of the package, so editing a file touches nothing real.
    import shutil

    copy = tmp_path / "verifiers"
    shutil.copytree(Path(verifiers.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(verifiers, "__file__", str(copy / "__init__.py"))
    verifiers._source_digest.cache_clear()
    before = {s: verifiers.verifier_version(s) for s in verifiers.VERIFIER_VERSIONS}
    with (copy / "math" / "compare.py").open("a") as f:
        f.write("\n# an edit nobody bumped the version for\n")
    verifiers._source_digest.cache_clear()
    after = {s: verifiers.verifier_version(s) for s in verifiers.VERIFIER_VERSIONS}
    verifiers._source_digest.cache_clear()
    assert after["math"] != before["math"]
    assert {s: v for s, v in after.items() if s != "math"} == {s: v for s, v in before.items() if s != "math"}


@pytest.mark.parametrize("change", [
    {"response": "The answer is \\boxed{5}."},
    {"ground_truth": "5"},
    {"question": "What is 2 + 2 in degrees?"},  # math reads hints from the question
    {"final_answer": "4"},
    {"tests": {"test": "def check(candidate): pass", "entry_point": "f"}},
    {"language": "python"},
    {"entry_point": "solve"},
    {"tools": [{"name": "calc", "description": "", "parameters": {}}]},
    {"tool_calls": [{"name": "calc", "arguments": "{}"}]},
    {"reference": []},
    {"terminated_by": "max_iterations"},
    {"options": {"timeout": 10.0}},
    {"split": "code"},
])
def test_the_key_changes_with_everything_the_verifier_reads(change: dict[str, Any]) -> None:
    assert _key(**change) != _key()


def test_the_key_ignores_what_changes_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _key(options={"timeout": 5.0, "pool_size": 8}) == _key()  # how many run at once, not what they decide
    assert _key(tool_calls=[]) == _key(tool_calls=None)  # no calls, written either way
    assert _key(reference=[]) != _key(reference=None)  # but [] is a reference: no call is right
    before = _key()
    monkeypatch.setitem(verifiers.VERIFIER_VERSIONS, "math", "bumped")
    assert _key() != before and _key(split="code") == verdict_key("code", "The answer is \\boxed{4}.", "4", CONTEXT,
                                                                   {"timeout": 5.0})


def test_the_key_ignores_the_ids_a_provider_gives_tool_calls() -> None:
    # Random per response: with them in the key, two identical answers would never share a verdict.
    ids = [_key(tool_calls=[{"id": f"call_{n}", "name": "calc", "arguments": '{"x": 1}'}]) for n in ("a1", "b2")]
    assert ids[0] == ids[1] == _key(tool_calls=[{"name": "calc", "arguments": '{"x": 1}'}])
    wire = [{"id": "call_c3", "type": "function", "function": {"name": "calc", "arguments": '{"x": 1}'}}]
    assert _key(tool_calls=wire) == ids[0]
    assert _key(tool_calls=[{"id": "call_a1", "name": "calc", "arguments": '{"x": 2}'}]) != ids[0]
    assert _key(tool_calls=[{"id": "call_a1", "name": "calc2", "arguments": '{"x": 1}'}]) != ids[0]


def test_verdicts_round_trip_and_only_verdicts_are_kept(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path)
    right = VerificationResult(True, 0.97, "4 == 4", "math_symbolic", {"reason": "equal", "extracted": "4"})
    key, hit = cache.lookup("math", "x", "4", CONTEXT, None)
    assert hit is None and key is not None
    cache.keep(key, "math", right)
    assert cache.lookup("math", "x", "4", CONTEXT, None)[1] == right
    no_verdicts = [VerificationResult(False, 0.0, "boom", "code_execution", {"reason": r}) for r in NO_VERDICT_REASONS]
    unsure_timeout = VerificationResult(False, 0.1, "timed out after 5s", "math_timeout", {"reason": "timeout"})
    slow_program = VerificationResult(False, 0.85, "time limit exceeded", "code_execution", {"reason": "timeout"})
    for i, result in enumerate([*no_verdicts, unsure_timeout, slow_program]):
        key, _ = cache.lookup("code", f"r{i}", None, CONTEXT, None)
        cache.keep(key, "code", result)
        assert (cache.lookup("code", f"r{i}", None, CONTEXT, None)[1] is not None) == (result is slow_program)
    assert (cache.hits, cache.computed) == (2, 1 + len(no_verdicts) + 2)
    # Another process (a later run) reads what this one wrote.
    cache.close()
    assert VerdictCache(tmp_path).lookup("math", "x", "4", CONTEXT, None)[1] == right


def test_a_fill_only_cache_writes_but_never_answers(tmp_path: Path) -> None:
    filler = VerdictCache(tmp_path, read=False)
    key, _ = filler.lookup("math", "x", "4", CONTEXT, None)
    filler.keep(key, "math", VerificationResult(True, 0.97, "ok", "math_symbolic", {"reason": "equal"}))
    assert filler.lookup("math", "x", "4", CONTEXT, None)[1] is None and filler.hits == 0
    assert VerdictCache(tmp_path).lookup("math", "x", "4", CONTEXT, None)[1] is not None


def test_a_cache_that_cannot_be_used_costs_recomputation_not_the_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "verdicts.sqlite3").write_bytes(b"this is not a database" * 100)
    cache = VerdictCache(tmp_path)
    with caplog.at_level(logging.WARNING, logger="bestofn"):
        key, hit = cache.lookup("math", "x", "4", CONTEXT, None)
        cache.keep(key, "math", VerificationResult(True, 0.97, "ok", "math_symbolic", {"reason": "equal"}))
        assert hit is None and cache.lookup("math", "x", "4", CONTEXT, None)[1] is None
    assert sum("cannot be used" in r.message for r in caplog.records) == 1
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder goes")
    assert VerdictCache(blocked).lookup("math", "x", "4", CONTEXT, None)[1] is None


def test_the_checker_asks_the_verifier_once_per_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = checker_module.verify_candidate

    def counting(split: str, *args: Any) -> VerificationResult:
        calls.append(split)
        return real(split, *args)

    monkeypatch.setattr(checker_module, "verify_candidate", counting)
    q = Query("m1", "math", "What is 2+2?", ({"role": "user", "content": "What is 2+2?"},), ground_truth="4")
    cand = Candidate(text="The answer is \\boxed{4}.")
    rows = []
    for _ in range(2):
        checker = CandidateChecker(ExperimentConfig(splits=["math"], model="m"), None, VerdictCache(tmp_path))
        try:
            rows.append(asyncio.run(checker.check(q, cand)))
        finally:
            checker.close()
    assert calls == ["math"] and rows[0] == rows[1] and rows[0]["is_verified"] is True


def test_a_cache_on_a_read_only_mount_is_read_and_never_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import subprocess

    where = tmp_path / "ro"
    where.mkdir()
    # This suite runs as root, whom permissions stop nothing: a file system of our own, remounted read-only.
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)]).returncode:
        pytest.skip("needs a tmpfs mount (root)")
    try:
        right = VerificationResult(True, 0.97, "4 == 4", "math_symbolic", {"reason": "equal"})
        filled = VerdictCache(where)
        key, _ = filled.lookup("math", "x", "4", CONTEXT, None)
        filled.keep(key, "math", right)
        filled.close()
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        cache = VerdictCache(where)
        with caplog.at_level(logging.WARNING, logger="bestofn"):
            assert cache.lookup("math", "x", "4", CONTEXT, None)[1] == right and cache.hits == 1
            key, hit = cache.lookup("math", "y", "4", CONTEXT, None)
            cache.keep(key, "math", right)  # not kept, and no error
            assert hit is None and cache.lookup("math", "y", "4", CONTEXT, None)[1] is None
        assert cache.read_only and "read-only" in cache.state and str(where) in cache.state
        assert sum("cannot be written" in r.message for r in caplog.records) == 1
        cache.close()
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
