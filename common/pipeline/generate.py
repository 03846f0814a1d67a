"""What `bestofn <provider> generate` does, end to end; the CLI only parses and calls this."""

from __future__ import annotations

import asyncio
import json
import logging
import platform
import time
import uuid
from collections import Counter
from contextlib import ExitStack, suppress
from dataclasses import asdict
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from rich.console import Console

from common.config import ExperimentConfig, load_config
from common.data.load import DatasetError, LoadStats, iter_queries
from common.errors import BudgetReached, RunFailure, UserError
from common.model.api import ProviderTable
from common.pipeline.batch import BatchLedger, BatchRun, check_batch_config
from common.pipeline.engine import Pipeline, QueryTally, RunStats, error_kind, pending_work
from common.pipeline.progress import ProgressDisplay, show_summary
from common.pipeline.scaleout import RayRun
from common.pipeline.session import Session, open_session, provider_info, usage_summary
from common.store import CheckpointStore, OutputLock, iter_rows

log = logging.getLogger("bestofn")
_VERSIONED = ("bestofn", "openai", "anthropic", "pyarrow", "pydantic", "sympy", "datasets", "llama_cpp_python")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        with suppress(importlib_metadata.PackageNotFoundError):
            out[name] = importlib_metadata.version(name)
    return out


def file_metadata(cfg: ExperimentConfig, provider: str, run_id: str) -> dict[str, str]:
    return {
        "bestofn.config": cfg.model_dump_json(),
        "bestofn.provider": provider,
        "bestofn.notes": cfg.notes,
        "bestofn.versions": json.dumps(package_versions()),
        "bestofn.run_id": run_id,
    }


def check_error_rate(path: Path, cfg: ExperimentConfig, redo: str) -> None:
    """Exit 1 (RunFailure) when more than `max_error_rate` of the file's rows errored or lost their judge
    verdict. The whole file counts, not this run's share: a run resumed after a crash must not exit 0
    over errors an earlier process wrote. The rows are written either way; `redo` says how to redo them."""
    judged = "judge_error" in pq.read_schema(path).names
    rows = failed = judge_failed = 0
    kinds: Counter[str] = Counter()
    for error, *judge in iter_rows(path, ["error", *(["judge_error"] if judged else [])]):
        rows += 1
        if error is not None:
            kinds[error_kind(error)] += 1
        elif judge and judge[0] is not None:
            judge_failed += 1
        failed += error is not None or bool(judge and judge[0] is not None)
    if not rows or failed / rows <= cfg.max_error_rate:
        return
    causes = [f"{kind} x{n}" for kind, n in kinds.most_common(4)]
    if judge_failed:
        causes.append(f"judge failed x{judge_failed}")
    raise RunFailure(
        f"{failed} of {rows} rows in {path} ({failed / rows:.0%}) errored or lost their judge verdict "
        f"({', '.join(causes)}), more than max_error_rate {cfg.max_error_rate:.0%}; they are written, and "
        f"{redo} redoes them."
    )


def estimated_total(cfg: ExperimentConfig) -> int | None:
    per_split = [cfg.max_queries_for(s) for s in cfg.splits]
    return None if any(n is None for n in per_split) else sum(per_split)  # type: ignore[arg-type]


def generate(
    providers: ProviderTable,
    provider: str,
    config_path: str | None,
    overrides: dict[str, Any],
    overwrite: bool = False,
    quiet: bool = False,
    console: Console | None = None,
    repair: bool = False,
    batch: bool = False,
) -> RunStats:
    console = console or Console(stderr=True)
    info = provider_info(providers, provider)
    cfg = load_config(config_path, info, overrides)
    output = Path(cfg.output or "results.parquet")
    ignored = [k for k in ("ray_address", "shards", "shard_resources") if getattr(cfg, k) is not None]
    if cfg.executor != "ray" and ignored:
        log.warning("%s set but the run is local (executor: local); pass --ray ADDRESS or set executor: ray to "
                    "shard it.", ", ".join(ignored))
    if batch:
        check_batch_config(cfg, info.supports_batch, provider)
        if cfg.executor == "ray":
            raise UserError("--batch and executor ray do not mix: a batch run waits on the provider, not on "
                            "machines; drop one of them.")
    started = time.monotonic()
    load_stats = LoadStats(loaded={}, skipped_empty={}, skipped_bad={})

    async def main() -> RunStats:
        with ExitStack() as stack:
            if cfg.executor == "ray":  # the shards open their own sessions, on their nodes
                return await drive(None)
            async with open_session(providers, info, cfg, stack) as session:
                return await drive(session)

    async def drive(session: Session | None) -> RunStats:
        store = CheckpointStore(output, cfg.fingerprint(), {}, identity=cfg.identity())
        ledger = BatchLedger.for_output(output)
        if (waiting := len(ledger.entries())) and (overwrite or not batch):
            why = "--overwrite would abandon them" if overwrite else "a run without --batch would drop them"
            raise UserError(
                f"{output} has {waiting} submitted batch(es) not yet merged, and {why}; run with --batch to "
                f"collect them, or first `bestofn batch cancel {output}` and then --batch to keep what they "
                "answered and run the rest online."
            )
        done = store.open(overwrite=overwrite, repair=repair)
        prior = QueryTally.of(store.iter_kept(list(QueryTally.COLUMNS))) if cfg.stop_when else None
        pipeline = scaled = None
        if session is None:
            stats = RunStats(budget=cfg.max_cost_usd)
            scaled = RayRun(cfg, providers, provider, store, done, prior, stats, uuid.uuid4().hex[:12])
            run_id = scaled.run_id
        else:
            pipeline = Pipeline(cfg, session.adapter, store, session.checker, tool_mock=session.tool_mock,
                                pricer=session.pricer, stop_when=cfg.stop_when, prior=prior)
            stats, run_id = pipeline.stats, pipeline.run_id
        spent_on: set[str] = set()
        for qid, cost in store.iter_kept(["query_id", "cost_usd"]):
            stats.cost_before += cost or 0.0
            spent_on.add(qid)
        stats.queries_before = len(spent_on)
        del spent_on
        stats.queries_total = estimated_total(cfg)
        if cfg.max_cost_usd is not None and stats.spent >= cfg.max_cost_usd:
            raise BudgetReached(
                f"{output} has already cost ${stats.spent:.4f}, max_cost_usd "
                f"(${cfg.max_cost_usd:g}) or more; nothing was generated. Raise max_cost_usd to go on."
            )
        store.metadata.update(file_metadata(cfg, provider, run_id))
        with ProgressDisplay(console, estimated_total(cfg), quiet) as progress:
            run_started = time.monotonic()
            try:
                if scaled is not None:
                    scaled.on_progress = progress
                    stats = await scaled.run()
                else:
                    assert pipeline is not None
                    pipeline.on_progress = progress
                    queries = iter_queries(cfg.dataset, cfg.splits, cfg.max_queries, cfg.streaming, load_stats)
                    work = pending_work(queries, cfg.num_candidates, done, stats, cfg.stop_when, prior)
                    if batch:
                        stats = await BatchRun(pipeline, ledger, done, provider=provider).run(work)
                    else:
                        stats = await pipeline.run(work)
            except DatasetError as e:
                raise UserError(str(e)) from None
            progress.finish(stats)
        usages = session.usages() if session is not None else scaled.usages()  # type: ignore[union-attr]
        summary: dict[str, Any] = {"rows in file": store.rows_written}
        if scaled is None:  # the shards read the data themselves
            summary["rows skipped (empty prompt)"] = sum(load_stats.skipped_empty.values())
            summary["rows skipped (unreadable)"] = sum(load_stats.skipped_bad.values())
        else:
            summary["shards"] = scaled.shards
            if scaled.duplicates_dropped:  # a restarted shard sent rows the driver had already written
                summary["rows dropped (already written)"] = scaled.duplicates_dropped
        # Nothing else runs now: finalize on this thread (no second allocator heap to grow).
        store.finalize({"bestofn.summary": json.dumps({
            **summary,
            "queries_done": stats.queries_done,
            "candidates": stats.candidates,
            "pipeline_s": time.monotonic() - run_started,
            "cost_usd": round(stats.cost_usd, 8),
            "billed_input_tokens": round(stats.billed_input, 1),
            "naive_input_tokens": stats.naive_input,
            "candidates_saved": stats.candidates_saved,
            "stopped_by_budget": stats.stopped_by_budget,
            "judge": asdict(usages["judge"]) if "judge" in usages else None,
        })})
        summary.update(usage_summary(usages))
        replicas = getattr(session.adapter, "replicas", list)() if session is not None else []
        if replicas:
            summary["replicas (requests, failures)"] = "; ".join(
                f"{r.url} {r.requests} ({r.failures}){'' if r.healthy else ', down'}" for r in replicas)
        summary["output"] = str(output)
        show_summary(console, stats, summary, time.monotonic() - started, quiet)
        check_error_rate(output, cfg, f"`bestofn {provider} regen {output}`")
        if stats.stopped_by_budget:
            raise BudgetReached(
                f"stopped at max_cost_usd: {output} has cost ${stats.spent:.4f} of ${cfg.max_cost_usd:g}; "
                f"every finished query is written. Raise max_cost_usd and run the same command to go on."
            )
        return stats

    with OutputLock(output):  # a second run on this output is refused before it starts anything
        return asyncio.run(main())
