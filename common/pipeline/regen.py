"""`bestofn <provider> regen FILE`: send selected rows back through the same pipeline.

Regenerated rows are checkpointed beside the file (`FILE.regen.parts/`), so an interrupted
regen resumes; the file itself is rewritten once, atomically, at the end.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import ValidationError
from rich.console import Console

from common.config import ExperimentConfig, load_config
from common.data.query import Query
from common.errors import UserError
from common.model.api import ProviderInfo, ProviderTable
from common.pipeline.engine import Pipeline, RunStats
from common.pipeline.generate import file_metadata
from common.pipeline.progress import ProgressDisplay, summary_table
from common.pipeline.session import open_session, provider_info
from common.schema import ARROW_SCHEMA
from common.store import (
    CheckpointStore,
    Key,
    conform,
    iter_batches,
    iter_rows,
    read_metadata,
    write_parquet_atomic,
)

_SELECT_COLUMNS = ["query_id", "candidate_idx", "split", "error", "is_verified"]
_QUERY_COLUMNS = ["query_id", "split", "question", "ground_truth", "query_metadata"]


def select_rows(path: Path, splits: list[str] | None, mode: str) -> dict[str, list[int]]:
    """query_id -> candidate indices to redo. mode: errors | failed (errors or not verified) | all."""
    chosen: dict[str, list[int]] = defaultdict(list)
    for qid, idx, split, error, ok in iter_rows(path, _SELECT_COLUMNS):
        if splits and split not in splits:
            continue
        if mode == "all" or error is not None or (mode == "failed" and ok is False):
            chosen[qid].append(idx)
    return dict(chosen)


def queries_from_file(path: Path, wanted: dict[str, list[int]]) -> Iterator[tuple[Query, list[int]]]:
    """Rebuild each selected query from its first row: rows carry everything a prompt needs."""
    seen: set[str] = set()
    for qid, split, question, gt, meta_json in iter_rows(path, _QUERY_COLUMNS):
        if qid not in wanted or qid in seen:
            continue
        seen.add(qid)
        yield Query.from_record(qid, split, question, gt, meta_json), sorted(wanted[qid])


def _load_file_config(path: Path, info: ProviderInfo, overrides: dict[str, Any]) -> ExperimentConfig:
    meta = read_metadata(path)
    if "bestofn.config" not in meta:
        raise UserError(f"{path} has no bestofn config in its metadata; was it written by bestofn?")
    saved = json.loads(meta["bestofn.config"])
    saved.pop("generator", None)  # regen may use another provider than the original run
    provider = info.name
    if not info.supports_thinking:
        saved["thinking_budget"] = 0
    saved.update({k: v for k, v in overrides.items() if v is not None})
    try:
        cfg = ExperimentConfig(**saved)
    except ValidationError as e:
        raise UserError(f"{path}: the saved config does not validate: {e.errors()[0]['msg']}.") from None
    if overrides.get("model") is None and meta.get("bestofn.provider") not in (None, provider):
        cfg.model = None  # the original model belongs to another provider
    return load_config(None, info, cfg.model_dump(exclude_none=True), check_data=False)


def regen(
    providers: ProviderTable,
    provider: str,
    path: Path,
    splits: list[str] | None,
    mode: str,
    overrides: dict[str, Any],
    quiet: bool = False,
    console: Console | None = None,
) -> RunStats | None:
    console = console or Console(stderr=True)
    if not path.is_file():
        raise UserError(f"{path} does not exist.")
    info = provider_info(providers, provider)
    cfg = _load_file_config(path, info, overrides)
    wanted = select_rows(path, splits, mode)
    count = sum(len(v) for v in wanted.values())
    if not count:
        console.print(f"Nothing to regenerate in {path} (splits={splits or 'all'}, mode={mode}).")
        return None
    selection = hashlib.sha256(json.dumps(sorted(wanted.items())).encode()).hexdigest()[:16]
    side = CheckpointStore(path.with_name(path.name + ".regen"), f"{cfg.fingerprint()}-{selection}", {})
    started = time.monotonic()

    async def main() -> RunStats:
        with ExitStack() as stack:
            async with open_session(providers, info, cfg, stack) as session:
                done = side.open()
                pipeline = Pipeline(cfg, session.adapter, side, session.checker)
                work = (
                    (q, [i for i in idx if (q.query_id, i) not in done])
                    for q, idx in queries_from_file(path, wanted)
                )
                work = ((q, idx) for q, idx in work if idx)
                with ProgressDisplay(console, len(wanted), quiet, label="regen queries") as progress:
                    pipeline.on_progress = progress
                    stats = await pipeline.run(work)
                    progress.finish(stats)
                meta = {**read_metadata(path), **file_metadata(cfg, provider, pipeline.run_id)}
                await asyncio.to_thread(merge_regenerated, path, side, meta)
                summary = {"rows regenerated": count, **session.judge_summary(), "file": str(path)}
                console.print(summary_table(stats, summary, time.monotonic() - started))
                return stats

    return asyncio.run(main())


def merge_regenerated(path: Path, side: CheckpointStore, metadata: dict[str, str]) -> None:
    """Rewrite `path` with regenerated rows in place of the old ones, regen_count + 1."""
    side.flush()
    new_rows: dict[Key, dict[str, Any]] = {}
    for batch in side.iter_part_batches():
        for row in batch.to_pylist():
            new_rows[(row["query_id"], row["candidate_idx"])] = row

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in iter_batches(path):
            rows = conform(pa.Table.from_batches([batch])).to_pylist()
            for i, row in enumerate(rows):
                fresh = new_rows.get((row["query_id"], row["candidate_idx"]))
                if fresh is not None:
                    rows[i] = {**fresh, "regen_count": (row.get("regen_count") or 0) + 1}
            yield pa.RecordBatch.from_pylist(rows, schema=ARROW_SCHEMA)

    metadata = {k: v for k, v in metadata.items() if k != "bestofn.fingerprint"}
    metadata["bestofn.fingerprint"] = read_metadata(path).get("bestofn.fingerprint", "")
    write_parquet_atomic(path, batches(), metadata)
    shutil.rmtree(side.parts_dir, ignore_errors=True)
