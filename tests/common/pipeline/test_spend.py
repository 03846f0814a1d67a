"""Cost on every row (judge included), max_cost_usd, adaptive N (stop_when) and fan-out accounting, on the
engine with in-process scripted adapters; the CLI paths are in tests/e2e/test_spend_cli.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from common.checks.checker import CandidateChecker
from common.config import ExperimentConfig, StopWhen
from common.data.query import Query
from common.judge.judge import LLMJudge
from common.model.api import Candidate, GenRequest, Price, ProviderInfo, Usage
from common.model.pricing import PriceFileError, Pricer, load_prices
from common.pipeline.engine import Pipeline, QueryTally, pending_work
from common.store import CheckpointStore
from tests.common.pipeline.test_engine import ScriptedAdapter

PRICED = ProviderInfo(name="scripted", open=lambda *a, **k: None, key_env="K", default_model="m",  # type: ignore[arg-type]
                      default_judge_model="judge-m", prices={"m": Price(1.0, 0.1, 1.25, 2.0),
                                                             "judge-m": Price(10.0, 1.0, 12.5, 20.0)})
GEN_COST = (10 * 1.0 + 5 * 2.0) / 1e6  # ScriptedAdapter's usage per candidate: 10 in, 5 out


def _query(i: int = 0, truth: str = "4") -> Query:
    q = f"What is {i}+4?"
    return Query(query_id=f"q{i}", split="math", question=q, ground_truth=truth,
                 messages=({"role": "user", "content": q},))


def _pipeline(tmp_path: Path, adapter: ScriptedAdapter, **keys: object) -> Pipeline:
    cfg = ExperimentConfig(**{"splits": ["math"], "num_candidates": 2, "verify": False, "model": "m", **keys})
    store = CheckpointStore(tmp_path / "out.parquet", cfg.fingerprint(), {})
    store.open()
    return Pipeline(cfg, adapter, store, stop_when=cfg.stop_when)  # type: ignore[arg-type]


# ---- prices -------------------------------------------------------------------------------------
def test_the_shipped_price_files_load_and_price_a_batch_at_half(tmp_path: Path) -> None:
    from claude_gen import CLAUDE
    from openai_gen import OPENAI

    assert OPENAI.prices["gpt-5-mini"] == Price(0.25, 0.025, 0.25, 2.0, 0.5)
    assert CLAUDE.prices["claude-haiku-4-5"].cache_write == 1.25
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    online = Pricer().cost(OPENAI, "gpt-5-mini", usage)
    assert online == pytest.approx(2.25) and Pricer().cost(OPENAI, "gpt-5-mini", usage, batched=True) == online / 2


def test_a_run_price_file_adds_and_overrides_models_and_prices_a_self_hosted_model(tmp_path: Path) -> None:
    from openai_gen import LOCAL, OPENAI

    f = tmp_path / "p.yaml"
    f.write_text("models:\n  gpt-5-mini: {input: 1.0, output: 1.0}\n  my-llama: {input: 0.1, output: 0.2}\n")
    pricer = Pricer.from_file(f)
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert pricer.cost(OPENAI, "gpt-5-mini", usage) == pytest.approx(2.0)
    assert pricer.cost(LOCAL, "my-llama", usage) == pytest.approx(0.3)  # what your GPUs cost, if you say
    assert pricer.cost(LOCAL, "other", usage) == 0.0 and pricer.cost(OPENAI, "gpt-99", usage) is None


@pytest.mark.parametrize("text, says", [
    ("models: {m: {input: -1, output: 1}}", "'models.m.input'"),
    ("models: {m: {input: 1}}", "'models.m.output'"),
    ("models: [1, 2", "not valid YAML"),
    ("currency: EUR\nmodels: {m: {input: 1, output: 1}}", "USD"),
    ("model: {}", "'model'"),
])
def test_a_bad_price_file_is_one_sentence_naming_the_entry(tmp_path: Path, text: str, says: str) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(text)
    with pytest.raises(PriceFileError, match=says):
        load_prices(f)


# ---- judge cost on the row ----------------------------------------------------------------------
class JudgeAdapter(ScriptedAdapter):
    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        self.requests.append(req)
        return [Candidate(text='{"is_correct": true, "confidence": 0.9, "reasoning": "fine"}',
                          usage=Usage(input_tokens=100, output_tokens=10))]

    async def pick_model(self, default: str | None) -> str:
        return "judge-m"


def test_a_rows_cost_counts_its_judge_calls_and_a_cached_verdict_costs_nothing(tmp_path: Path) -> None:
    judge_adapter = JudgeAdapter("", PRICED)
    judge_cost = (100 * 10.0 + 10 * 20.0) / 1e6

    def run(folder: Path) -> list:
        folder.mkdir()
        cfg = ExperimentConfig(splits=["chat"], num_candidates=2, model="m", llm_judge_fallback=True)
        store = CheckpointStore(folder / "out.parquet", cfg.fingerprint(), {})
        store.open()
        judge = LLMJudge(judge_adapter, cache_dir=tmp_path / "judge_cache")  # type: ignore[arg-type]
        pipeline = Pipeline(cfg, ScriptedAdapter(["first", "second"], PRICED), store,  # type: ignore[arg-type]
                            CandidateChecker(cfg, judge))
        query = Query(query_id="q", split="chat", question="Say hi", messages=({"role": "user", "content": "hi"},))
        try:
            return asyncio.run(pipeline.rows_for(query, [0, 1]))
        finally:
            pipeline.checker.close()

    rows = run(tmp_path / "a")
    assert [r.judge_is_correct for r in rows] == [True, True]
    # Both candidates say "first" (one request, n=2): the judge is asked once and the second waits on it.
    assert sorted(r.judge_cost_usd for r in rows) == pytest.approx([0.0, judge_cost])
    assert sum(r.cost_usd for r in rows) == pytest.approx(2 * GEN_COST + judge_cost)
    again = run(tmp_path / "b")  # the same verdicts, from the judge's disk cache
    assert [r.judge_cost_usd for r in again] == [0.0, 0.0] and [r.judge_cached for r in again] == [True, True]
    assert [r.cost_usd for r in again] == pytest.approx([GEN_COST, GEN_COST])


# ---- max_cost_usd ---------------------------------------------------------------------------------
def test_the_run_stops_before_the_budget_with_every_finished_query_kept(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, ScriptedAdapter("4", PRICED), max_cost_usd=10 * GEN_COST * 2, concurrency=1)
    stats = asyncio.run(pipeline.run((_query(i), [0, 1]) for i in range(50)))
    assert stats.stopped_by_budget
    assert 0 < stats.queries_done < 50 and stats.spent <= 10 * GEN_COST * 2 + 1e-12
    # No query is left half done, and every finished one is in the checkpoint.
    assert pipeline.store.rows_written == 2 * stats.queries_done
    kept = list(pipeline.store.iter_kept(["query_id", "cost_usd"]))
    assert len(kept) == 2 * stats.queries_done and sum(c for _, c in kept) == pytest.approx(stats.spent)


def test_spend_before_the_run_counts_against_the_budget(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, ScriptedAdapter("4", PRICED), max_cost_usd=10 * GEN_COST * 2, concurrency=1)
    pipeline.stats.cost_before = 8 * GEN_COST * 2
    stats = asyncio.run(pipeline.run((_query(i), [0, 1]) for i in range(50)))
    assert stats.stopped_by_budget and stats.queries_done == 2 and stats.spent == pytest.approx(10 * GEN_COST * 2)


def test_before_any_cost_is_known_queries_start_at_their_worst_case_and_the_limit_holds(tmp_path: Path) -> None:
    # Worst case (output at max_tokens 50) is 10x what a query really costs (5 output tokens a candidate).
    budget = 6 * GEN_COST * 2
    pipeline = _pipeline(tmp_path, ScriptedAdapter("4", PRICED), max_cost_usd=budget, concurrency=64, max_tokens=50)
    stats = asyncio.run(pipeline.run((_query(i), [0, 1]) for i in range(50)))
    # Six fit; a seventh may start while the float sum is a hair under the limit (at most one query over).
    assert stats.stopped_by_budget and stats.queries_done in (6, 7) and stats.spent <= budget + 2 * GEN_COST + 1e-12


def test_a_limit_below_one_query_still_makes_one_query_then_stops(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, ScriptedAdapter("4", PRICED), max_cost_usd=GEN_COST / 10, concurrency=8)
    stats = asyncio.run(pipeline.run((_query(i), [0, 1]) for i in range(5)))
    assert stats.stopped_by_budget and stats.queries_done == 1


# ---- adaptive N -----------------------------------------------------------------------------------
def test_stop_when_samples_in_rounds_until_a_verified_and_a_wrong_candidate(tmp_path: Path) -> None:
    adapter = ScriptedAdapter(["\\boxed{5}", "\\boxed{4}"], PRICED)
    pipeline = _pipeline(tmp_path, adapter, num_candidates=8, verify=True,
                         stop_when={"verified": 1, "need_pair": True})
    try:
        rows = asyncio.run(pipeline.query_rows(_query(), list(range(8))))
    finally:
        pipeline.checker.close()
    # Round 1 asks for 2 (one verified + one wrong missing): both wrong; round 2 asks for the 1 missing.
    assert [r.candidate_idx for r in rows] == [0, 1, 2]
    assert [r.is_verified for r in rows] == [False, False, True]
    assert pipeline.stats.candidates_saved == 5


def test_stop_when_spends_every_candidate_when_none_is_right(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, ScriptedAdapter("\\boxed{5}", PRICED), num_candidates=4, verify=True,
                         stop_when={"verified": 2, "round_size": 3})
    try:
        rows = asyncio.run(pipeline.query_rows(_query(), list(range(4))))
    finally:
        pipeline.checker.close()
    assert [r.candidate_idx for r in rows] == [0, 1, 2, 3] and pipeline.stats.candidates_saved == 0


def test_a_resumed_adaptive_run_skips_satisfied_queries_and_counts_earlier_rows(tmp_path: Path) -> None:
    when = StopWhen(verified=2, need_pair=True)
    # q0 already has 2 verified and a wrong one; q1 has 1 verified (rows 0 and 1 made).
    prior = QueryTally.of([("q0", True, False, False, None), ("q0", True, False, False, None),
                           ("q0", False, False, False, None), ("q1", True, False, False, None),
                           ("q1", False, True, False, None)])  # a refusal is no rejected answer
    assert prior == {"q0": [2, 1], "q1": [1, 0]}
    done = {("q0", 0), ("q0", 1), ("q0", 2), ("q1", 0), ("q1", 1)}
    from common.pipeline.engine import RunStats

    stats = RunStats()
    work = list(pending_work([_query(0), _query(1)], 8, done, stats, when, prior))
    assert [(q.query_id, idx) for q, idx in work] == [("q1", [2, 3, 4, 5, 6, 7])]
    assert stats.queries_skipped_done == 1
    assert QueryTally(*prior["q1"]).missing(when) == 2


# ---- fan-out ------------------------------------------------------------------------------------
def test_billed_input_counts_n_once_and_weights_cache_reads(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, ScriptedAdapter("4", PRICED), num_candidates=8)
    asyncio.run(pipeline.rows_for(_query(), list(range(8))))
    pipeline.checker.close()
    # One request with n=8 (ScriptedAdapter reports 10 prompt tokens per candidate: 80 for the call).
    assert pipeline.stats.naive_input == 80 * 8 and pipeline.stats.billed_input == pytest.approx(80)
    claude = ProviderInfo(name="c", open=lambda *a, **k: None, key_env="K", default_model="m",  # type: ignore[arg-type]
                          default_judge_model=None, cached_input_in_input_tokens=False,
                          prices={"m": Price(3.0, 0.3, 3.75, 15.0)})
    read = Usage(input_tokens=10, cached_input_tokens=990)
    write = Usage(input_tokens=10, cache_creation_input_tokens=990)
    assert Pricer.prompt_tokens(claude, read) == 1000 == Pricer.prompt_tokens(claude, write)
    assert Pricer().billed_input(claude, "m", read) == pytest.approx(10 + 99)
    assert Pricer().billed_input(claude, "m", write) == pytest.approx(10 + 1237.5)
