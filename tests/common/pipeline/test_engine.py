"""The engine's own rules, with an in-process adapter that returns scripted candidates (the SDK paths
are covered end to end in tests/e2e/ against the fake servers)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from common.checks import quality
from common.config import ExperimentConfig
from common.data.query import Query
from common.model.api import Candidate, GenRequest, ProviderInfo, Usage
from common.pipeline import engine
from common.pipeline.engine import Pipeline
from common.store import CheckpointStore


class ScriptedAdapter:
    """Answers with `text` (a list: one per request, the last repeated); records the requests it got."""

    api = "chat"
    max_n_per_request = 8
    cache_warmup = False
    base_url = None

    def __init__(self, text: str | list[str], info: ProviderInfo) -> None:
        self.texts = [text] if isinstance(text, str) else list(text)
        self.info = info
        self.requests: list[GenRequest] = []

    def applies_temperature(self, model: str) -> bool:
        return model != "no-temperature-model"

    def deprecation(self, model: str) -> str | None:
        return None

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        self.requests.append(req)
        text = self.texts[min(len(self.requests), len(self.texts)) - 1]
        return [Candidate(text=text, usage=Usage(input_tokens=10, output_tokens=5)) for _ in range(n)]

    async def served_model(self) -> str:
        return "scripted"

    async def aclose(self) -> None:
        pass


INFO = ProviderInfo(name="scripted", open=lambda *a, **k: None, key_env="SCRIPTED_KEY", default_model="m",  # type: ignore[arg-type]
                    default_judge_model=None, prices={})


def run_query(tmp_path: Path, text: str | list[str], **cfg_keys: object) -> tuple[list, ScriptedAdapter]:
    cfg = ExperimentConfig(**{"splits": ["math"], "num_candidates": 2, "verify": False, "model": "m", **cfg_keys})
    adapter = ScriptedAdapter(text, INFO)
    store = CheckpointStore(tmp_path / "out.parquet", cfg.fingerprint(), {})
    store.open()
    query = Query(query_id="q", split="math", question="2+2?", messages=({"role": "user", "content": "2+2?"},))
    pipeline = Pipeline(cfg, adapter, store)  # type: ignore[arg-type]
    try:
        rows = asyncio.run(pipeline.rows_for(query, list(range(cfg.num_candidates))))
    finally:
        pipeline.checker.close()
    return rows, adapter


@pytest.fixture
def quality_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = quality.compute_quality

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "compute_quality", spy)
    return seen


def test_long_responses_are_measured_off_the_event_loop(tmp_path: Path, quality_threads: list[str]) -> None:
    rows, _ = run_query(tmp_path, "word " * (engine.INLINE_ROW_CHARS // 4))
    assert len(rows) == 2 and all(name.startswith("bestofn-verify") for name in quality_threads)


def test_short_responses_stay_on_the_loop(tmp_path: Path, quality_threads: list[str]) -> None:
    rows, _ = run_query(tmp_path, "The answer is \\boxed{4}.")
    assert len(rows) == 2 and quality_threads == ["MainThread", "MainThread"]


def test_the_request_is_neutral_and_structured_replies_are_parsed_once(tmp_path: Path) -> None:
    rows, adapter = run_query(tmp_path, '{"reasoning": "2 and 2", "final_answer": "4"}', structured_output=True,
                              temperature=0.3, seed=7, max_tokens=99)
    (req,) = adapter.requests
    assert (req.model, req.temperature, req.seed, req.max_tokens) == ("m", 0.3, 7, 99)
    assert req.response_schema is not None and req.response_schema["required"] == ["reasoning", "final_answer"]
    assert [(r.final_answer, r.reasoning) for r in rows] == [("4", "2 and 2")] * 2
    assert all(r.provider == "scripted" and r.temperature == 0.3 for r in rows)
    assert all(r.cost_usd is None for r in rows)  # a model with no listed price costs unknown, not 0


def test_a_model_that_takes_no_temperature_records_none(tmp_path: Path) -> None:
    rows, _ = run_query(tmp_path, "4", model="no-temperature-model")
    assert all(r.temperature is None for r in rows)


def test_a_requeued_row_carries_every_attempts_tokens(tmp_path: Path) -> None:
    cant = "I'm sorry, but I can't browse the internet or access real-time data."
    rows, adapter = run_query(tmp_path, [cant, cant, "It is \\boxed{4}."], num_candidates=1)
    (row,) = rows
    assert len(adapter.requests) == 3 and row.requeue_count == 2 and row.attempts == 3
    assert (row.input_tokens, row.output_tokens) == (30, 15) and row.response == "It is \\boxed{4}."
