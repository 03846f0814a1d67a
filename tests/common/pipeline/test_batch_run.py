"""BatchRun's failure paths with an in-process batch adapter (the protocol paths are end to end in
tests/e2e/test_batch_cli.py against the fake servers)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import openai
import pytest

from common.config import ExperimentConfig
from common.data.query import Query
from common.errors import RunFailure
from common.model.api import BatchItem, BatchState
from common.pipeline.batch import BatchLedger, BatchRun, LedgerEntry
from common.pipeline.engine import Pipeline
from common.store import CheckpointStore
from tests.common.pipeline.test_engine import INFO, ScriptedAdapter


def _refused(status: int) -> openai.APIStatusError:
    response = httpx.Response(status, request=httpx.Request("POST", "http://x/v1/batches"))
    return openai.APIStatusError("refused", response=response, body={"error": {"message": "queue is full"}})


class StubBatches(ScriptedAdapter):
    max_batch_items = 100

    def __init__(self, fail_submit_after: int | None = None, fail_state: int | None = None,
                 status: str = "in_progress", known: dict[str, str] | None = None) -> None:
        super().__init__("\\boxed{4}", INFO)
        self.submitted: list[list[BatchItem]] = []
        self.fail_submit_after = fail_submit_after
        self.fail_state = fail_state
        self.status = status
        self.known = known or {}  # marker -> batch id, as batch_find finds them
        self.state_calls = 0

    async def batch_submit(self, items: list[BatchItem], marker: str | None = None) -> str:
        if self.fail_submit_after is not None and len(self.submitted) >= self.fail_submit_after:
            raise _refused(400)
        self.submitted.append(items)
        return f"batch-{len(self.submitted)}"

    async def batch_find(self, marker: str, since: float) -> str | None:
        return self.known.get(marker)

    async def batch_state(self, batch_id: str) -> BatchState:
        self.state_calls += 1
        if self.fail_state is not None:
            raise _refused(self.fail_state)
        return BatchState(id=batch_id, status=self.status, error="rejected" if self.status == "failed" else None)


def _run(tmp_path: Path, adapter: StubBatches, queries: int = 5) -> BatchLedger:
    cfg = ExperimentConfig(splits=["math"], num_candidates=2, verify=False, model="m", batch_size=2, batch_poll_s=0.01,
                           max_retries=1)
    store = CheckpointStore(tmp_path / "out.parquet", cfg.fingerprint(), {})
    done = store.open()
    ledger = BatchLedger.for_output(tmp_path / "out.parquet")
    pipeline = Pipeline(cfg, adapter, store)  # type: ignore[arg-type]
    work = [(Query(f"q{i}", "math", "2+2?", ({"role": "user", "content": "2+2?"},), ground_truth="4"), [0, 1])
            for i in range(queries)]
    try:
        asyncio.run(BatchRun(pipeline, ledger, done, provider="scripted").run(work))
    finally:
        pipeline.checker.close()
    return ledger


def test_a_refused_submission_is_one_sentence_and_keeps_the_batches_already_submitted(tmp_path: Path) -> None:
    adapter = StubBatches(fail_submit_after=1)
    with pytest.raises(RunFailure, match="refused a batch of 2 queries .*queue is full.*run the same command again"):
        _run(tmp_path, adapter)
    ledger = BatchLedger.for_output(tmp_path / "out.parquet")
    entries = ledger.entries()
    assert [e.batch_id for e in entries] == ["batch-1"]  # the refused one left no entry behind
    assert sorted(q.query_id for _, q, _ in ledger.items(entries[0])) == ["q0", "q1"]


def test_a_failing_status_api_is_retried_then_one_sentence(tmp_path: Path) -> None:
    adapter = StubBatches(fail_state=503)
    with pytest.raises(RunFailure, match="the batch API failed .*HTTP 503.*every batch submitted is kept"):
        _run(tmp_path, adapter, queries=2)
    assert adapter.state_calls == 2  # max_retries 1: asked twice
    assert len(BatchLedger.for_output(tmp_path / "out.parquet").entries()) == 1


def test_a_batch_whose_id_was_lost_is_found_by_its_marker_not_submitted_again(tmp_path: Path) -> None:
    # The last run wrote the ledger entry and was killed before the provider's answer reached it.
    ledger = BatchLedger.for_output(tmp_path / "out.parquet")
    entry = LedgerEntry(key="blost", provider="scripted", base_url=None, api="chat", model="m",
                        submitted_at=time.time())
    query = Query("q0", "math", "2+2?", ({"role": "user", "content": "2+2?"},), ground_truth="4")
    ledger.save(entry, [("i0", query, [0, 1])])
    adapter = StubBatches(status="failed", known={"blost": "batch-found"})  # rejected: its items go online
    _run(tmp_path, adapter, queries=1)
    assert adapter.submitted == [] and adapter.state_calls == 1
    assert ledger.entries() == [] and len(adapter.requests) == 1  # q0's two candidates, online in one request


def test_candidates_beyond_those_in_an_open_batch_are_submitted_too(tmp_path: Path) -> None:
    # An earlier run put q0's candidates 0 and 1 in a batch; num_candidates went up to 4 since.
    ledger = BatchLedger.for_output(tmp_path / "out.parquet")
    entry = LedgerEntry(key="bold", provider="scripted", base_url=None, api="chat", model="m",
                        submitted_at=time.time(), batch_id="batch-old")
    query = Query("q0", "math", "2+2?", ({"role": "user", "content": "2+2?"},), ground_truth="4")
    ledger.save(entry, [("i0", query, [0, 1])])
    adapter = StubBatches(status="failed")
    cfg = ExperimentConfig(splits=["math"], num_candidates=4, verify=False, model="m", batch_poll_s=0.01)
    store = CheckpointStore(tmp_path / "out.parquet", cfg.fingerprint(), {})
    done = store.open()
    pipeline = Pipeline(cfg, adapter, store)  # type: ignore[arg-type]
    try:
        asyncio.run(BatchRun(pipeline, ledger, done, provider="scripted").run([(query, [0, 1, 2, 3])]))
    finally:
        pipeline.checker.close()
    assert [[(b.custom_id, b.n) for b in batch] for batch in adapter.submitted] == [[("i0", 2)]]
