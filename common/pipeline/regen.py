"""`bestofn <provider> regen FILE`: send selected rows back through the same pipeline.

Regenerated rows are checkpointed beside the file (`FILE.regen.parts/`), so an interrupted
regen resumes; the file itself is rewritten once, atomically, at the end. The file's metadata keeps
the provider and config it was generated with; each regen is appended to `bestofn.regen_history`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError
from rich.console import Console

from common.config import ExperimentConfig, _format_validation_error, load_config
from common.data.query import Query
from common.errors import BudgetReached, UserError
from common.model.api import ProviderInfo, ProviderTable
from common.pipeline.engine import Pipeline, RunStats
from common.pipeline.generate import check_error_rate
from common.pipeline.progress import ProgressDisplay, show_summary
from common.pipeline.session import open_session, provider_info
from common.schema import ARROW_SCHEMA
from common.store import (
    CheckpointStore,
    Key,
    OutputLock,
    bestofn_metadata,
    busy,
    conform,
    iter_batches,
    iter_rows,
    lock_holder,
    read_metadata,
    write_parquet_atomic,
)

_SELECT_COLUMNS = ["query_id", "candidate_idx", "split", "error", "is_verified"]
_QUERY_COLUMNS = ["query_id", "split", "question", "ground_truth", "query_metadata"]
HISTORY_KEY = "bestofn.regen_history"


@contextmanager
def readable_parquet(path: Path, command: str = "regen") -> Iterator[None]:
    """A file that is not Parquet, or is cut short, is the user's mistake: one sentence, no traceback."""
    try:
        yield
    except (pa.ArrowException, OSError) as e:
        if path.is_file() and path.stat().st_size == 0:
            raise UserError(f"{path} is empty, not a results Parquet file written by bestofn.") from None
        # An errno names the cause (Permission denied); otherwise pyarrow's first sentence names the damage.
        reason = os.strerror(e.errno) if getattr(e, "errno", None) else str(e).split(". ")[0].rstrip(".")
        raise UserError(
            f"{path} cannot be read as Parquet ({reason}); {command} needs a results file written by bestofn."
        ) from None


def read_results_metadata(path: Path, command: str = "regen") -> dict[str, str]:
    """The bestofn metadata of a results file, after checking it is one `command` can work on."""
    if path.is_dir():
        raise UserError(f"{path} is a directory, not a results Parquet file.")
    if not path.is_file():
        raise UserError(f"{path} does not exist.")
    with readable_parquet(path, command):
        schema = pq.read_schema(path)
    meta = bestofn_metadata(schema)
    if "bestofn.config" not in meta:
        raise UserError(f"{path} has no bestofn config in its metadata; was it written by bestofn?")
    missing = [c for c in dict.fromkeys(_SELECT_COLUMNS + _QUERY_COLUMNS) if c not in schema.names]
    if missing:
        raise UserError(
            f"{path} has no column {', '.join(missing)}; {command} needs a results file written by bestofn."
        )
    return meta


def regen_history(path: Path, meta: dict[str, str], key: str = HISTORY_KEY) -> list[Any]:
    """The runs a results file's metadata `key` lists (regen's by default, verify's too)."""
    try:
        history = json.loads(meta.get(key, "[]"))
    except ValueError:
        history = None
    if not isinstance(history, list):
        raise UserError(f"{path}: the metadata key {key} is not a JSON list; was it written by bestofn?")
    return history


def file_origin(meta: dict[str, str]) -> tuple[str | None, str | None]:
    """(provider, model) the file was generated with; None where an older file does not say."""
    try:
        model = json.loads(meta["bestofn.config"]).get("model")
    except (ValueError, AttributeError):
        model = None
    return meta.get("bestofn.provider"), model


def refuse_mixing(
    path: Path, origin: tuple[str | None, str | None], provider: str, model: str | None, allow: bool
) -> bool:
    """True when this regen puts rows of another provider or model into the file; without `allow`
    that is refused, since the file's metadata would otherwise describe only some of its rows.
    A model not yet known (None) is compared once the session has picked it."""
    file_provider, file_model = origin
    mixed = (file_provider is not None and file_provider != provider) or (
        model is not None and file_model is not None and model != file_model
    )
    if mixed and not allow:
        made = " model ".join(x for x in origin if x is not None)
        asked = f"{provider} model {model}" if model else provider
        fix = (
            f"run `bestofn {file_provider} regen` instead"
            if file_provider not in (None, provider)
            else "leave out --model to reuse the file's"
        )
        raise UserError(
            f"{path} was made with {made} but this regen asks for {asked}; {fix}, or pass --allow-mixed "
            f"to put rows of both in one file."
        )
    return mixed


def select_rows(path: Path, splits: list[str] | None, mode: str) -> dict[str, list[int]]:
    """query_id -> candidate indices to redo. mode: errors (an API error, or the judge failed where it
    had to decide) | failed (those, or verified wrong) | all. A split the file does not hold is a typo,
    not an empty selection: UserError naming the file's splits."""
    chosen: dict[str, list[int]] = defaultdict(list)
    held: set[str] = set()
    judged = "judge_error" in pq.read_schema(path).names  # files from before the judge have none
    columns = _SELECT_COLUMNS + (["judge_error"] if judged else [])
    for qid, idx, split, error, ok, *judge in iter_rows(path, columns):
        held.add(split)
        if splits and split not in splits:
            continue
        errored = error is not None or (judge and judge[0] is not None)
        if mode == "all" or errored or (mode == "failed" and ok is False):
            chosen[qid].append(idx)
    if unknown := [s for s in dict.fromkeys(splits or []) if s not in held]:
        have = ", ".join(sorted(held)) or "none (it has no rows)"
        raise UserError(f"{path} has no split {', '.join(unknown)}; its splits are {have}.")
    return dict(chosen)


def queries_from_file(path: Path, wanted: dict[str, list[int]]) -> Iterator[tuple[Query, list[int]]]:
    """Rebuild each selected query from its first row: rows carry everything a prompt needs."""
    seen: set[str] = set()
    for qid, split, question, gt, meta_json in iter_rows(path, _QUERY_COLUMNS):
        if qid not in wanted or qid in seen:
            continue
        seen.add(qid)
        yield Query.from_record(qid, split, question, gt, meta_json), sorted(wanted[qid])


def saved_config(path: Path, meta: dict[str, str]) -> dict[str, Any]:
    """The config a results file was made with, as the JSON object its metadata holds."""
    try:
        saved = json.loads(meta["bestofn.config"])
    except ValueError:
        saved = None
    if not isinstance(saved, dict):
        raise UserError(f"{path}: the metadata key bestofn.config is not a JSON object; was it written by bestofn?")
    return saved


def file_config(path: Path, saved: dict[str, Any], overrides: dict[str, Any]) -> ExperimentConfig:
    """The config a results file was made with, with this command line's `overrides` on top; a value that
    does not validate is named by its key and by where it came from (the file or the command line)."""
    try:
        return ExperimentConfig(**{**saved, **overrides})
    except ValidationError as e:
        loc = e.errors()[0]["loc"]
        source = "command line" if loc and loc[0] in overrides else f"{path}: the saved config (bestofn.config)"
        raise UserError(_format_validation_error(source, e)) from None


def _load_file_config(
    path: Path, meta: dict[str, str], info: ProviderInfo, overrides: dict[str, Any]
) -> ExperimentConfig:
    saved = saved_config(path, meta)
    saved.pop("generator", None)  # regen may use another provider than the original run
    provider = info.name
    if not info.supports_thinking:
        saved["thinking_budget"] = 0
    cfg = file_config(path, saved, {k: v for k, v in overrides.items() if v is not None})
    if overrides.get("model") is None and meta.get("bestofn.provider") not in (None, provider):
        cfg.model = None  # the original model belongs to another provider
    # The file's temperature is no setting of this command line: not handed on where it cannot be sent.
    unsent = set() if info.supports_temperature else {"temperature"}
    return load_config(None, info, cfg.model_dump(exclude_none=True, exclude=unsent), check_data=False)


def regen(
    providers: ProviderTable,
    provider: str,
    path: Path,
    splits: list[str] | None,
    mode: str,
    overrides: dict[str, Any],
    quiet: bool = False,
    allow_mixed: bool = False,
    console: Console | None = None,
) -> RunStats | None:
    console = console or Console(stderr=True)
    meta = read_results_metadata(path)
    pending = path.with_name(path.name + ".parts")
    if (holder := lock_holder(path)) is not None:
        raise busy(path, holder)  # a live run: its .parts are in use, and nothing here may touch them
    if pending.exists():
        # Its resume would write the file back from its own copy, undoing this regen.
        raise UserError(
            f"{path} has an unfinished generate run ({pending}); finish it (run that generate again) or remove "
            f"{pending} before regen."
        )
    info = provider_info(providers, provider)
    origin = file_origin(meta)
    # Before any key, server or sandbox is needed: what is already known to differ is refused now.
    # Without --model the same provider reuses the file's model (_load_file_config).
    refuse_mixing(path, origin, provider, overrides.get("model"), allow_mixed)
    history = regen_history(path, meta)
    cfg = _load_file_config(path, meta, info, overrides)
    with readable_parquet(path):
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
                # The session may have picked the model just now; still before any generation request.
                mixed = refuse_mixing(path, origin, provider, cfg.model, allow_mixed)
                # Scratch parts of an interrupted regen with other options are dropped, not refused:
                # the file itself is untouched until the merge.
                done = side.open(discard_other=True)
                pipeline = Pipeline(cfg, session.adapter, side, session.checker, tool_mock=session.tool_mock,
                                    pricer=session.pricer)
                # max_cost_usd counts the file's whole spend, the rows about to be replaced included.
                for (cost,) in iter_rows(path, ["cost_usd"]):
                    pipeline.stats.cost_before += cost or 0.0
                pipeline.stats.queries_before = len({q for (q,) in iter_rows(path, ["query_id"])})
                work = (
                    (q, [i for i in idx if (q.query_id, i) not in done])
                    for q, idx in queries_from_file(path, wanted)
                )
                work = ((q, idx) for q, idx in work if idx)
                with ProgressDisplay(console, len(wanted), quiet, label="regen queries") as progress:
                    pipeline.on_progress = progress
                    stats = await pipeline.run(work)
                    progress.finish(stats)
                entry = {
                    "provider": provider, "model": cfg.model, "run_id": pipeline.run_id, "rows": count,
                    "splits": splits, "mode": mode, "mixed": mixed,
                    "time": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                # Provider and config stay what the file was generated with; rows name their own.
                kept = {**meta, HISTORY_KEY: json.dumps([*history, entry])}
                await asyncio.to_thread(merge_regenerated, path, side, kept)
                summary = {"rows regenerated": count, **session.judge_summary(), "file": str(path)}
                show_summary(console, stats, summary, time.monotonic() - started, quiet)
                check_error_rate(path, cfg, "running this regen again")
                if stats.stopped_by_budget:
                    raise BudgetReached(
                        f"stopped at max_cost_usd: {path} has cost ${stats.spent:.4f} of ${cfg.max_cost_usd:g}, the "
                        "rows regenerated so far are in it; run this regen again with a higher --max-cost-usd "
                        "(or config value) to redo the rest."
                    )
                return stats

    with OutputLock(path):  # never beside a generate or another regen on the same file
        return asyncio.run(main())


def merge_regenerated(path: Path, side: CheckpointStore, metadata: dict[str, str]) -> None:
    """Rewrite `path` with regenerated rows in place of the old ones, regen_count + 1."""
    side.flush()
    new_rows: dict[Key, dict[str, Any]] = {}
    for batch in side.iter_part_batches():
        for row in batch.to_pylist():
            new_rows[(row["query_id"], row["candidate_idx"])] = row

    # Columns bestofn does not write (a label added with pandas) stay with their rows, as verify keeps them.
    extra = [f for f in pq.read_schema(path).remove_metadata() if f.name not in ARROW_SCHEMA.names]
    out_schema = pa.schema([*ARROW_SCHEMA, *extra])

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in iter_batches(path):
            table = pa.Table.from_batches([batch])
            rows = conform(table).to_pylist()
            for i, row in enumerate(rows):
                fresh = new_rows.get((row["query_id"], row["candidate_idx"]))
                if fresh is not None:
                    rows[i] = {**fresh, "regen_count": (row.get("regen_count") or 0) + 1}
            own = pa.RecordBatch.from_pylist(rows, schema=ARROW_SCHEMA)
            kept = [table.column(f.name).combine_chunks() for f in extra]
            yield pa.RecordBatch.from_arrays([*own.columns, *kept], schema=out_schema) if extra else own

    metadata = {k: v for k, v in metadata.items() if k != "bestofn.fingerprint"}
    metadata["bestofn.fingerprint"] = read_metadata(path).get("bestofn.fingerprint", "")
    write_parquet_atomic(path, batches(), metadata, out_schema)
    shutil.rmtree(side.parts_dir, ignore_errors=True)
