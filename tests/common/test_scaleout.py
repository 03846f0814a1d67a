"""The pure parts of the Ray driver: shard assignment and each shard's share of the run's settings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from common.config import ExperimentConfig
from common.judge.judge import JudgeUsage
from common.pipeline.scaleout import shard_config, shard_of


def test_a_query_always_lands_in_the_same_shard_and_shards_are_even() -> None:
    ids = [f"q-{i}" for i in range(4000)]
    first = [shard_of(q, 4) for q in ids]
    assert first == [shard_of(q, 4) for q in ids]  # no per-process salt (Python's hash() would have one)
    counts = Counter(first)
    assert set(counts) == {0, 1, 2, 3} and min(counts.values()) > 900
    assert shard_of("q-1", 1) == 0 and 0 <= shard_of("\udcff odd", 7) < 7  # any string, even lone surrogates


def test_a_shard_gets_its_share_of_the_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = ExperimentConfig(executor="ray", max_cost_usd=10.0, rate_limit_rpm=100, rate_limit_tpm=3, shards=4)
    part = shard_config(cfg, 4, spent=2.0)
    assert part.executor == "local" and part.max_cost_usd == pytest.approx(2.0)
    assert part.rate_limit_rpm == 25 and part.rate_limit_tpm == 1  # never 0
    assert cfg.max_cost_usd == 10.0  # the run's own config is untouched


def test_relative_paths_are_made_absolute_for_workers_that_run_elsewhere(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    part = shard_config(ExperimentConfig(dataset="data/*.jsonl", judge_cache_dir="jc"), 2, spent=0.0)
    assert part.dataset == str(tmp_path / "data/*.jsonl")
    assert part.judge_cache_dir == str(tmp_path / "jc")
    assert part.tool_mock_cache_dir == str(tmp_path / ".bestofn_cache/tool_mock")
    hub = shard_config(ExperimentConfig(dataset="nvidia/Nemotron-Post-Training-Dataset-v2"), 2, spent=0.0)
    assert hub.dataset == "nvidia/Nemotron-Post-Training-Dataset-v2"


def test_shard_usages_add_up_and_an_unpriced_cost_stays_unknown() -> None:
    total = JudgeUsage(calls=2, errors=1, input_tokens=10, output_tokens=4, cost_usd=0.5)
    total.add(JudgeUsage(calls=3, input_tokens=5, output_tokens=1, cost_usd=0.25))
    assert (total.calls, total.errors, total.input_tokens, total.output_tokens) == (5, 1, 15, 5)
    assert total.cost_usd == pytest.approx(0.75)
    total.add(JudgeUsage(calls=1, cost_usd=None))
    assert total.cost_usd is None and total.calls == 6
