"""The batch pool (verifiers/math/batch.py): `verify`'s verdicts, many candidates per message, a slow or
crashing candidate costing only itself, and the checker handing math candidates to it from the loop."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from common.checks.checker import CandidateChecker
from common.checks.verdicts import VerdictCache
from common.config import ExperimentConfig
from common.data.query import Query
from common.model.api import Candidate
from tests.verifiers.math.test_verifier import CASES, PATHOLOGICAL
from verifiers import VerificationResult, queues, verify_candidate
from verifiers.math.batch import BatchPool
from verifiers.math.verifier import MathVerifier

QUESTION = "A rope of 977 metres is cut into 4 equal pieces. How long is each piece, in degrees?"
# (response, gold, context): every path of `verify` (refusal, no answer, no gold, string match, each layer).
ITEMS: list[tuple[str, str | None, dict[str, Any]]] = [
    *[(rf"So the answer is $\boxed{{{c}}}$.", g, {"question": "Find all values."}) for c, g, _, _ in CASES],
    ("I can't help with that request.", "4", {}),
    ("I can't help with that request.", "4", {"refusal_checked": True}),
    ("Nothing numeric here at all.", "4", {}),
    (r"\boxed{12}", None, {}),
    (r"The answer is 12.", "", {}),
    ("It is not A, so I think it's B.", "B", {}),
    (r"Each piece is 977 / 4 = 244.25 metres. **Answer:** 244.25", "244.25", {"question": QUESTION}),
    (r"\boxed{12}", r"7 + 5 = 12, so the answer is $\boxed{12}$.", {}),
    (r"\boxed{x}", "y", {"final_answer": "12"}),
    (r"\boxed{12}", 12, {}),  # a JSON number as the gold
]


@pytest.fixture(scope="module")
def pool() -> Iterator[BatchPool]:
    # Its own pool, both workers up, so killing its workers never races with other tests.
    p = BatchPool(timeout=3.0, workers=2)
    p.start(2)
    deadline = time.monotonic() + 120
    while p.ready < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    yield p
    p.close()


def _fields(r: VerificationResult) -> tuple[Any, ...]:
    return r.is_verified, r.confidence, r.explanation, r.method, json.dumps(r.details, sort_keys=True)


def test_batched_verdicts_are_verifys(pool: BatchPool) -> None:
    reference = MathVerifier(timeout=3.0, inline=True)
    expected = [_fields(reference.verify(resp, gold, **ctx)) for resp, gold, ctx in ITEMS]
    got = [_fields(r) for r in pool.verify_many(ITEMS * 3)]  # thrice: the worker's memo answers the repeats
    assert got == expected * 3


def test_a_slow_candidate_times_out_as_in_verify_and_holds_up_no_other(pool: BatchPool) -> None:
    done: dict[int, float] = {}
    results: dict[int, Any] = {}
    finished = threading.Event()
    start = time.monotonic()
    items = [(PATHOLOGICAL, "1", {})] + [(rf"\boxed{{{i}}}", str(i + i % 2), {}) for i in range(40)]
    right = [None] + [i % 2 == 0 for i in range(40)]

    def on_done_for(i: int) -> Any:
        def on_done(value: Any) -> None:
            results[i], done[i] = value, time.monotonic() - start
            if len(done) == len(items):
                finished.set()
        return on_done

    for i, (resp, gold, ctx) in enumerate(items):
        pool.submit(resp, gold, ctx, on_done_for(i))
    assert finished.wait(60)
    slow = results[0]
    assert slow.method == "math_timeout" and slow.details["reason"] == "timeout" and slow.confidence == 0.1
    assert slow.details["extracted"].startswith(r"\sum") and slow.details["source"] == "boxed"
    assert slow.explanation == "timed out after 3s"
    assert 3.0 <= done[0] < 3.0 + 10.0
    # The candidates queued behind it went to a worker of their own and were answered long before.
    assert max(done[i] for i in range(1, len(items))) < done[0]
    assert [results[i].is_verified for i in range(1, len(items))] == right[1:]
    # The killed worker was replaced: the pool goes on.
    assert pool.verify_many([(r"\boxed{2}", "2", {})])[0].is_verified


def test_a_worker_that_dies_costs_only_its_candidate(pool: BatchPool) -> None:
    results: dict[int, Any] = {}
    finished = threading.Event()
    items = [(PATHOLOGICAL, "1", {})] + [(rf"\boxed{{{i}}}", str(i), {}) for i in range(10)]

    def on_done_for(i: int) -> Any:
        def on_done(value: Any) -> None:
            results[i] = value
            if len(results) == len(items):
                finished.set()
        return on_done

    for i, (resp, gold, ctx) in enumerate(items):
        pool.submit(resp, gold, ctx, on_done_for(i))
    deadline = time.monotonic() + 10
    victim = None
    while victim is None and time.monotonic() < deadline:  # the worker comparing the pathological sum
        for d in pool._drivers:
            if d.inflight and d.inflight[0].item.response == PATHOLOGICAL and d.inflight[0].step is not None:
                victim = d.worker
        time.sleep(0.01)
    assert victim is not None
    os.kill(victim.proc.pid, 9)
    assert finished.wait(60)
    dead = results[0]
    assert dead.method == "math_error" and dead.details["reason"] == "worker_error"
    assert "worker died" in dead.explanation and dead.details["extracted"].startswith(r"\sum")
    assert all(results[i].is_verified for i in range(1, len(items)))
    assert pool.verify_many([(r"\boxed{2}", "2", {})])[0].is_verified


def test_a_closed_pool_answers_as_verify_does_without_workers() -> None:
    p = BatchPool(timeout=1.0, workers=1)
    p.close()
    string, symbolic = p.verify_many([(r"\boxed{\dfrac{1}{3}}", r"\frac{1}{3}", {}), (r"\boxed{0.5}", r"\frac12", {})])
    assert string.is_verified and string.method == "math_string"
    assert symbolic.method == "math_error" and "pool is closed" in symbolic.explanation


def test_workers_start_as_needed() -> None:
    p = BatchPool(timeout=5.0, workers=3)
    try:
        p.start()
        assert len(p._drivers) == 1
        assert all(r.is_verified for r in p.verify_many([(rf"\boxed{{{i}}}", str(i), {}) for i in range(50)]))
        assert len(p._drivers) == 1  # one worker kept up: no other was started
    finally:
        p.close()


def test_verify_candidate_queues_math_and_answers_others_at_once() -> None:
    assert queues("math") and not queues("tool_calling") and not queues("chat")
    got: list[Any] = []
    ready = threading.Event()

    def on_done(value: Any) -> None:
        got.append(value)
        ready.set()

    assert verify_candidate("math", r"\boxed{12}", "12", {}, None, on_done) is None
    assert ready.wait(60) and got[0].is_verified
    got.clear()
    r = verify_candidate("tool_calling", "no calls", None, {"tools": []}, None, got.append)
    assert r is not None and got == [r]


def test_the_checker_hands_math_to_the_pool_with_the_thread_pool_verdicts(tmp_path: Path) -> None:
    q = Query("m1", "math", "What is 2+2?", ({"role": "user", "content": "What is 2+2?"},), ground_truth="4")
    texts = [r"\boxed{4}", "The answer is 4.0", r"\boxed{5}", "I can't help with that.", "no idea", r"\boxed{2+2}"]

    async def run(queued: bool, cache: VerdictCache) -> list[dict[str, Any]]:
        checker = CandidateChecker(ExperimentConfig(splits=["math"], model="m"), None, cache)
        if not queued:
            checker._queues = lambda split: False  # type: ignore[method-assign]
        try:
            return list(await asyncio.gather(*(checker.check(q, Candidate(text=t)) for t in texts)))
        finally:
            checker.close()

    batched = asyncio.run(run(True, VerdictCache(tmp_path / "filled", read=False)))
    threaded = asyncio.run(run(False, VerdictCache(tmp_path / "other", read=False)))
    assert batched == threaded
    # The verdicts were kept under the keys a reading cache looks up (the key worked out off the loop).
    reread = asyncio.run(run(True, VerdictCache(tmp_path / "filled")))
    assert reread == batched
