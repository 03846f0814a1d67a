"""`bestofn <provider> generate --dry-run`: tokens and dollars for the whole config before any spend.

Nothing is sent anywhere: the dataset is read (a sample of prompts for their length, and every query
for the count), the price table is looked up, and the figures are printed. Prompt tokens are
estimated from characters (about 4 per token, as the rate limiter starts out); output is counted at
`max_tokens` per candidate, an upper bound, and where the output already holds rows of this config, at
their mean as well.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.console import Console

from common.config import ExperimentConfig, load_config
from common.data.load import DatasetError, iter_queries
from common.errors import UserError
from common.model.api import ProviderInfo, ProviderTable, Usage
from common.model.pricing import Pricer
from common.model.ratelimit import INITIAL_TOKENS_PER_CHAR, prompt_chars
from common.pipeline.engine import build_request
from common.pipeline.progress import print_rows
from common.pipeline.session import provider_info
from common.store import iter_rows, read_metadata

SAMPLE = 200  # prompts per split read for their length


@dataclass
class SplitEstimate:
    queries: int = 0
    sampled: int = 0
    prompt_chars: int = 0
    observed_output: float | None = None  # mean output tokens per candidate in the existing output

    def prompt_tokens(self) -> float:
        return self.prompt_chars / self.sampled * INITIAL_TOKENS_PER_CHAR if self.sampled else 0.0


@dataclass
class Estimate:
    model: str
    requests_per_query: int
    splits: dict[str, SplitEstimate] = field(default_factory=dict)
    input_tokens: float = 0.0
    output_tokens_max: float = 0.0
    output_tokens_expected: float | None = None
    cost_max: float | None = None
    cost_expected: float | None = None
    cost_max_batch: float | None = None


def requests_per_query(info: ProviderInfo, cfg: ExperimentConfig) -> int:
    """Calls one query's first turns take: `n` per call where the API has it (Chat Completions)."""
    cap = 128 if info.supports_n and cfg.api == "chat" else 1
    return math.ceil(cfg.num_candidates / max(min(cap, cfg.n_per_request, cfg.num_candidates), 1))


def _observed_output(cfg: ExperimentConfig) -> dict[str, float]:
    """Mean output tokens per candidate, by split, in an existing output made with this config."""
    path = Path(cfg.output or "")
    try:
        if read_metadata(path).get("bestofn.fingerprint") != cfg.fingerprint():
            return {}
        totals: Counter[str] = Counter()
        rows: Counter[str] = Counter()
        for split, out, error in iter_rows(path, ["split", "output_tokens", "error"]):
            if out is not None and error is None:
                totals[split] += out
                rows[split] += 1
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return {}
    return {s: totals[s] / rows[s] for s in rows}


def estimate(info: ProviderInfo, cfg: ExperimentConfig, pricer: Pricer, batch: bool = False) -> Estimate:
    model = cfg.model or info.default_model or "(the server's model)"
    per_query = requests_per_query(info, cfg)
    est = Estimate(model=model, requests_per_query=per_query)
    persona = cfg.persona_text()
    observed = _observed_output(cfg)
    try:
        for q in iter_queries(cfg.dataset, cfg.splits, cfg.max_queries, cfg.streaming):
            split = est.splits.setdefault(q.split, SplitEstimate(observed_output=observed.get(q.split)))
            split.queries += 1
            if split.sampled < SAMPLE:
                split.sampled += 1
                split.prompt_chars += prompt_chars(build_request(q, cfg, persona))
    except DatasetError as e:
        raise UserError(str(e)) from None
    n = cfg.num_candidates
    expected_out = 0.0
    for split in est.splits.values():
        est.input_tokens += split.queries * per_query * split.prompt_tokens()
        est.output_tokens_max += split.queries * n * cfg.max_tokens
        expected_out += split.queries * n * (split.observed_output if split.observed_output is not None
                                             else cfg.max_tokens)
    if any(s.observed_output is not None for s in est.splits.values()):
        est.output_tokens_expected = expected_out

    def cost(output: float | None, batched: bool = False) -> float | None:
        if output is None:
            return None
        return pricer.cost(info, model, Usage(input_tokens=round(est.input_tokens), output_tokens=round(output)),
                           batched=batched)

    est.cost_max = cost(est.output_tokens_max)
    est.cost_expected = cost(est.output_tokens_expected)
    if info.supports_batch:
        est.cost_max_batch = cost(est.output_tokens_max, batched=True)
    return est


def _usd(value: float | None) -> str:
    return "unknown (the model has no listed price; see price_file)" if value is None else f"${value:,.4f}"


def dry_run(providers: ProviderTable, provider: str, config_path: str | None, overrides: dict[str, Any],
            batch: bool = False, quiet: bool = False, console: Console | None = None) -> Estimate:
    console = console or Console(stderr=True)
    info = provider_info(providers, provider)
    cfg = load_config(config_path, info, overrides)
    if batch:
        from common.pipeline.batch import check_batch_config

        check_batch_config(cfg, info.supports_batch, provider)  # what the run would refuse, refused here too
    pricer = Pricer.from_file(cfg.price_file)
    est = estimate(info, cfg, pricer, batch)
    rows: list[tuple[str, Any]] = [("model", est.model)]
    for name, s in est.splits.items():
        seen = f", mean output {s.observed_output:,.0f} tokens in the existing output" if s.observed_output else ""
        rows.append((f"split {name}", f"{s.queries:,} queries x {cfg.num_candidates} candidates, prompt about "
                     f"{s.prompt_tokens():,.0f} tokens (from {s.sampled} sampled){seen}"))
    queries = sum(s.queries for s in est.splits.values())
    rows += [
        ("requests (first turns)", f"{queries * est.requests_per_query:,} ({est.requests_per_query} per query)"),
        ("input tokens", f"{est.input_tokens:,.0f}"),
        ("output tokens, at most (max_tokens each)", f"{est.output_tokens_max:,.0f}"),
        ("cost, at most (USD, list price)", _usd(est.cost_max)),
    ]
    if est.output_tokens_expected is not None:
        rows += [("output tokens, expected (existing rows' mean)", f"{est.output_tokens_expected:,.0f}"),
                 ("cost, expected (USD)", _usd(est.cost_expected))]
    if est.cost_max_batch is not None:
        rows.append(("cost, at most, with --batch (USD)", _usd(est.cost_max_batch)
                     + (" (tool_calling cannot go through --batch)" if "tool_calling" in est.splits else "")))
    if cfg.max_cost_usd is not None:
        if est.cost_max is None:
            rows.append(("max_cost_usd", f"refused by the run: {est.model} has no listed price (see price_file)"))
        elif queries:
            fit = math.floor(queries * cfg.max_cost_usd / est.cost_max) if est.cost_max else queries
            rows.append(("max_cost_usd", f"${cfg.max_cost_usd:g}: at least {min(fit, queries):,} of the {queries:,} "
                         "queries fit in it at their most"))
    notes = ["stop_when and prompt-cache reads lower these (a Claude cache write costs 1.25x input, which "
             "pays back from the second candidate on)"]
    if "tool_calling" in est.splits:
        notes.append("tool loops resend the conversation each turn: only first turns are counted")
    if cfg.verify and (cfg.llm_judge_fallback or {"code", "tool_calling"} & set(est.splits)):
        notes.append("judge calls depend on verdicts and are not counted")
    rows.append(("not counted", "; ".join(notes)))
    print_rows(console, rows, "bestofn dry run: nothing was sent", quiet)
    return est
