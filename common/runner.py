"""What `bestofn <provider> generate` does, end to end; the CLI only parses and calls this."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import time
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager, suppress
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from rich.console import Console

from common.candidate_checks import CandidateChecker, build_judge
from common.config import ExperimentConfig, load_config
from common.errors import UserError
from common.generation_utils import Pipeline, RunStats, pending_work
from common.nemotron_utils import DatasetError, LoadStats, iter_queries
from common.progress import ProgressDisplay, summary_table
from common.providers import ProviderAdapter
from common.store import CheckpointStore

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


@asynccontextmanager
async def open_run(
    provider: str, cfg: ExperimentConfig, stack: ExitStack
) -> AsyncIterator[tuple[ProviderAdapter, CandidateChecker]]:
    """The provider's adapter and the candidate checker (with its judge, when a split needs one).
    For `local` without a base URL the embedded server is started (and stopped by `stack`)."""
    adapter: ProviderAdapter
    base_url = cfg.base_url
    if cfg.sandbox != "auto":
        os.environ["BESTOFN_SANDBOX"] = cfg.sandbox  # read by verifiers.sandbox_base
    if provider == "claude":
        from claude_gen import ClaudeAdapter

        adapter = ClaudeAdapter(base_url=cfg.base_url, timeout=cfg.request_timeout)
    else:
        from openai_gen import OpenAIAdapter

        if provider == "openai":
            adapter = OpenAIAdapter(
                api=cfg.api, base_url=cfg.base_url, timeout=cfg.request_timeout)
        else:
            base_url = cfg.base_url or os.environ.get("BESTOFN_LOCAL_BASE_URL")
            if base_url is None:
                from common.local_launch import local_server

                base_url = stack.enter_context(local_server(cfg.model))
            key = os.environ.get("BESTOFN_LOCAL_API_KEY") or os.environ.get("OPENAI_API_KEY") or "not-needed"
            adapter = OpenAIAdapter(
                api=cfg.api, base_url=base_url, api_key=key, name="local",
                timeout=cfg.request_timeout,
            )
    judge = None
    try:
        judge = build_judge(cfg, provider, base_url)
        if cfg.model is None:
            cfg.model = await adapter.served_model()
        yield adapter, CandidateChecker(cfg, judge)
    finally:
        await adapter.aclose()
        if judge is not None:
            await judge.aclose()


def estimated_total(cfg: ExperimentConfig) -> int | None:
    per_split = [cfg.max_queries_for(s) for s in cfg.splits]
    return None if any(n is None for n in per_split) else sum(per_split)  # type: ignore[arg-type]


def generate(
    provider: str,
    config_path: str | None,
    overrides: dict[str, Any],
    overwrite: bool = False,
    quiet: bool = False,
    console: Console | None = None,
) -> RunStats:
    console = console or Console(stderr=True)
    cfg = load_config(config_path, provider, overrides)
    output = Path(cfg.output or "results.parquet")
    started = time.monotonic()
    load_stats = LoadStats(loaded={}, skipped_empty={}, skipped_bad={})

    async def main() -> RunStats:
        with ExitStack() as stack:
            async with open_run(provider, cfg, stack) as (adapter, checker):
                store = CheckpointStore(output, cfg.fingerprint(), {})
                done = store.open(overwrite=overwrite)
                pipeline = Pipeline(cfg, adapter, store, checker)
                store.metadata.update(file_metadata(cfg, provider, pipeline.run_id))
                queries = iter_queries(cfg.dataset, cfg.splits, cfg.max_queries, cfg.streaming, load_stats)
                work = pending_work(queries, cfg.num_candidates, done, pipeline.stats)
                with ProgressDisplay(console, estimated_total(cfg), quiet) as progress:
                    pipeline.on_progress = progress
                    run_started = time.monotonic()
                    try:
                        stats = await pipeline.run(work)
                    except DatasetError as e:
                        raise UserError(str(e)) from None
                    progress.finish(stats)
                summary = {
                    "rows in file": store.rows_written,
                    "rows skipped (empty prompt)": sum(load_stats.skipped_empty.values()),
                    "rows skipped (unreadable)": sum(load_stats.skipped_bad.values()),
                }
                # Nothing else runs now: finalize on this thread (no second allocator heap to grow).
                store.finalize({"bestofn.summary": json.dumps({
                    **summary,
                    "queries_done": stats.queries_done,
                    "candidates": stats.candidates,
                    "pipeline_s": time.monotonic() - run_started,
                })})
                summary["output"] = str(output)
                console.print(summary_table(stats, summary, time.monotonic() - started))
                return stats

    return asyncio.run(main())
