"""`bestofn verify FILE`: the checks again over answers a file already holds; nothing is generated.

FILE is a results Parquet file, rewritten in place or written to `--output`, or a JSONL of outside
responses (another pipeline's outputs, one `{id, split, question, response, ...}` per line) written
as bestofn rows to `--output`. Every row of the selected splits goes through the pipeline's own
checker (common/checks/checker.py: refusal patterns, the split's verifier, the judge where the policy
asks), with the verdict cache (common/checks/verdicts.py) in front of the verifier, so a rerun runs
a verifier only where something it reads, or its version, has changed.

The input is streamed in batches and the output written once, to a temp name, fsynced and renamed
(common/store.py): until that rename the original file is untouched, so Ctrl-C or kill -9 loses
nothing, and the verdicts reached so far are in the cache for the next run. A symlink is written
through (its target is replaced, the link stays), and columns bestofn does not write itself (a label
a user added) go through unchanged. With `--output` elsewhere only the output's folder needs to be
writable: the input is locked where it can be, and otherwise only checked for a run that holds it.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack, ExitStack, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from common.checks.checker import CandidateChecker, judge_needed_for
from common.checks.quality import compute_quality
from common.checks.verdicts import VerdictCache
from common.config import ExperimentConfig, _format_validation_error
from common.data.query import Query
from common.data.rows import norm_split, row_to_query
from common.errors import MissingKeyError, RunFailure, UserError
from common.judge.judge import LLMJudge
from common.judge.policy import JUDGE_COLUMNS
from common.model.api import Candidate, ProviderTable, ToolRun
from common.pipeline.engine import SplitStats, error_kind
from common.pipeline.generate import check_error_rate, package_versions
from common.pipeline.progress import print_rows
from common.pipeline.regen import (
    file_config,
    read_results_metadata,
    readable_parquet,
    regen_history,
    saved_config,
)
from common.pipeline.session import provider_info, reachable, warn_deprecated
from common.schema import ARROW_SCHEMA, BestOfNRecord
from common.store import (
    OutputLock,
    busy,
    conform,
    input_lock,
    iter_batches,
    lock_holder,
    real_path,
    write_parquet_atomic,
)
from verifiers import has_verifier, verifier_version

log = logging.getLogger("bestofn")

BATCH_ROWS = 1024  # rows read, checked and written at a time: memory stays flat however large the file
JSONL_SUFFIXES = (".jsonl", ".ndjson")
HISTORY_KEY = "bestofn.verify_history"
EXTERNAL = "external"  # the provider of rows read from outside responses
SHOWN_BAD_LINES = 10
# A row's verdict: cleared, then filled from the checker, so nothing of an old verdict lingers.
VERDICT_COLUMNS = (
    "is_verified", "confidence", "verification_method", "verification_explanation", "verification_reason",
    "extracted_answer", "verification_details", "is_refusal", "refusal_type", *JUDGE_COLUMNS,
)
COMPARED = ("is_verified", "confidence", "verification_method", "verification_reason", "is_refusal")
JSONL_REQUIRED = ("id", "split", "question", "response")
JSONL_OPTIONAL = ("ground_truth", "tests", "tools", "reference_calls", "tool_calls", "language", "entry_point",
                  "system", "final_answer", "model")
_TEXT_KEYS = ("language", "entry_point", "system", "final_answer", "model")
# The names of the store's own working files beside an output (lock, temp file, checkpoint folders): a run
# removes them, so none can be an output.
STORE_SUFFIXES = (".lock", ".tmp", ".parts")
REQUIRED_COLUMNS = tuple(f.name for f in ARROW_SCHEMA if not f.nullable)  # never null in a file bestofn wrote


@dataclass
class VerifyCounts:
    """What a verify did. `from_cache` and `recomputed` count the split verifier's verdicts; rows that
    never reach a verifier (errors, refusals, splits without one) are in neither."""

    rows: int = 0  # rows written
    checked: int = 0  # rows of the selected splits, checked again
    from_cache: int = 0
    recomputed: int = 0
    changed: int = 0  # verdicts that differ from the file's (results files only)
    judged: int = 0  # rows the judge was asked about
    judge_cached: int = 0  # of those, answered from the judge's cache
    lines: int = 0  # JSONL: non-blank lines read
    bad_lines: int = 0  # JSONL: lines skipped
    by_split: dict[str, SplitStats] = field(default_factory=dict)

    def record(self, row: dict[str, Any]) -> None:
        split = self.by_split.setdefault(row["split"], SplitStats())
        split.rows += 1
        split.verifiable += row["is_verified"] is not None
        split.verified += bool(row["is_verified"])
        split.refusals += bool(row["is_refusal"])
        split.judge_errors += row["judge_error"] is not None
        if row["error"] is not None:
            split.errors[error_kind(row["error"])] += 1


@dataclass
class _Item:
    """One output row; `query` and `cand` are set where the row is checked (None: copied as it is)."""

    row: dict[str, Any]
    query: Query | None = None
    cand: Candidate | None = None


@dataclass
class _Batch:
    """Rows checked and written together; `extra` holds the batch's columns bestofn does not write itself
    (a label the user added), carried to the output unchanged."""

    items: list[_Item]
    extra: list[pa.Array] = field(default_factory=list)


class _BadLine(ValueError):
    pass


# ---- entry point ---------------------------------------------------------------------------------


def verify(
    providers: ProviderTable,
    path: Path,
    splits: list[str] | None = None,
    output: Path | None = None,
    cache_dir: Path | None = None,
    use_judge: bool = True,
    judge: dict[str, Any] | None = None,
    max_error_rate: float | None = None,
    quiet: bool = False,
    console: Console | None = None,
) -> VerifyCounts:
    """Verify `path` again (a results Parquet file, or a JSONL of outside responses when its name ends in
    .jsonl/.ndjson) and write the rows to `output` (default: `path` itself, for a results file).
    `judge` holds judge_provider / judge_model / judge_base_url overrides."""
    console = console or Console(stderr=True)
    path = Path(path)
    output = Path(output) if output is not None else None
    if output is not None:
        _check_output(output)
    if cache_dir is not None:
        _check_cache_dir(Path(cache_dir))
    overrides = {k: v for k, v in (judge or {}).items() if v is not None}
    if max_error_rate is not None:
        overrides["max_error_rate"] = max_error_rate
    verdicts = VerdictCache(cache_dir)
    if path.suffix.lower() in JSONL_SUFFIXES:
        return _verify_jsonl(providers, path, splits, output, verdicts, use_judge, overrides, quiet, console)
    return _verify_results(providers, path, splits, output, verdicts, use_judge, overrides, quiet, console)


def _same_file(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _check_output(output: Path) -> None:
    """--output names a Parquet file of its own: not a folder, not one of the store's working files."""
    if output.is_dir():
        raise UserError(f"the output {output} is a directory; name a .parquet file.")
    if output.name.endswith(STORE_SUFFIXES):
        raise UserError(f"--output {output} has the name of one of bestofn's working files (a lock, temp file or "
                        "checkpoint folder), which a run removes; name a .parquet file.")
    if folder := next((p for p in output.parents if p.name.endswith(".parts")), None):
        raise UserError(f"--output {output} is inside {folder}, a checkpoint folder that is removed when its run "
                        "finishes; name a .parquet file elsewhere.")
    if output.suffix.lower() != ".parquet":
        raise UserError(f"--output {output} does not end in .parquet; verify writes Parquet, so name a .parquet file.")


def _check_cache_dir(cache_dir: Path) -> None:
    """A cache folder that cannot be one is a typo to name, not a cache to go without in silence."""
    for where in (cache_dir, *cache_dir.parents):
        if where.exists():
            if not where.is_dir():
                what = "is a file" if where == cache_dir else f"is inside {where}, which is a file"
                raise UserError(f"--cache-dir {cache_dir} {what}; name a folder for the verdict cache.")
            return


def _pending(target: Path) -> Path | None:
    """The checkpoint folder of a generate that writes `target` and has not finished, if any."""
    for name in dict.fromkeys([target, real_path(target)]):
        pending = name.with_name(name.name + ".parts")
        if pending.exists():
            return pending
    return None


def _refuse_unfinished(target: Path, in_place: bool) -> None:
    """A generate that stopped before finishing `target` would, when resumed, write it back from its own
    checkpoints and undo this verify: finish it first (its checkpoints are never to be deleted)."""
    pending = _pending(target)
    if pending is None:
        return
    if not target.exists():
        raise UserError(f"{target} is not written yet: the generate run that makes it stopped before finishing "
                        f"(its checkpoints are in {pending}); run that generate command again to finish it, "
                        "then verify.")
    elsewhere = "write the verified rows elsewhere with --output" if in_place else "choose another --output"
    raise UserError(f"{target} has an unfinished generate run ({pending}); run that generate command again to "
                    f"finish it, then verify, or {elsewhere}.")


def _refuse_busy(*targets: Path) -> None:
    """A run that writes a file now is named, before anything else is said about the file."""
    for target in dict.fromkeys(targets):
        if (holder := lock_holder(target)) is not None:
            raise busy(target, holder)


def _chosen_splits(path: Path, held: set[str], splits: list[str] | None) -> list[str]:
    """The splits to check; a split the file does not hold is a typo, not an empty selection."""
    wanted = list(dict.fromkeys(norm_split(s) for s in splits)) if splits else sorted(held)
    if unknown := [s for s in wanted if s not in held]:
        have = ", ".join(sorted(held)) or "none (it has no rows)"
        raise UserError(f"{path} has no split {', '.join(unknown)}; its splits are {have}.")
    return wanted


def _history_entry(run_id: str, splits: list[str], judge: bool, cache: VerdictCache, source: Path) -> dict[str, Any]:
    # The full version (declared number + source digest) is what the verdicts were cached under.
    versions = {s: verifier_version(s) for s in splits if has_verifier(s)}
    return {"run_id": run_id, "time": datetime.now(UTC).isoformat(timespec="seconds"), "source": str(source),
            "splits": splits, "judge": judge, "verifier_versions": versions, "verdict_cache": str(cache.root)}


def _own_provider(meta: dict[str, str]) -> str | None:
    """The provider that generated the file's rows; None for outside responses (or a file that does not
    say), whose judge is off unless --judge-provider (or the file's config) names one."""
    provider = meta.get("bestofn.provider")
    return None if provider in (None, EXTERNAL) else provider


def _scan_file(path: Path, schema: pa.Schema) -> set[str]:
    """The splits a results file holds, after checking that the columns bestofn always fills are there and
    have no null cell (a file edited by hand or cut together elsewhere): one sentence, not a traceback."""
    if missing := [c for c in REQUIRED_COLUMNS if c not in schema.names]:
        raise UserError(f"{path} has no column {', '.join(missing)}; verify needs a results file written by bestofn.")
    held: set[str] = set()
    nulls = dict.fromkeys(REQUIRED_COLUMNS, 0)
    for batch in iter_batches(path, list(REQUIRED_COLUMNS), batch_size=65536):
        for name in REQUIRED_COLUMNS:
            nulls[name] += batch.column(name).null_count
        held.update(s for s in pc.unique(batch.column("split")).to_pylist() if s is not None)
    if damaged := {k: n for k, n in nulls.items() if n}:
        name, n = next(iter(damaged.items()))
        more = f" (and {', '.join(list(damaged)[1:])})" if len(damaged) > 1 else ""
        raise UserError(f"{path} is damaged: its column {name}{more} has {n} empty (null) cell{'s' * (n > 1)}, "
                        "which bestofn never writes; restore the file, or drop those rows, then verify again.")
    return held


# ---- a results file --------------------------------------------------------------------------------


def _verify_results(
    providers: ProviderTable, path: Path, splits: list[str] | None, output: Path | None, verdicts: VerdictCache,
    use_judge: bool, overrides: dict[str, Any], quiet: bool, console: Console,
) -> VerifyCounts:
    out = output if output is not None else path
    in_place = _same_file(out, path)
    # A run writing either file is named first; then a generate that stopped before finishing one.
    _refuse_busy(path, out)
    if not path.exists():
        _refuse_unfinished(path, in_place)
    _refuse_unfinished(out, in_place)
    read_results_metadata(path, "verify")  # a missing or damaged file is named before anything is created
    # The input is only read when --output is elsewhere: its folder need not be writable.
    with (OutputLock(path) if in_place else input_lock(path)), (nullcontext() if in_place else OutputLock(out)):
        _refuse_unfinished(out, in_place)  # again, now that no other run can start one
        meta = read_results_metadata(path, "verify")  # again, now that no other run can replace the file
        cfg = file_config(path, saved_config(path, meta), overrides)
        with readable_parquet(path, "verify"):
            schema = pq.read_schema(path)
            total = pq.ParquetFile(path).metadata.num_rows
            held = _scan_file(path, schema)
        chosen = _chosen_splits(path, held, splits)
        # Columns bestofn does not write (a label added with pandas) go through unchanged.
        extra = [f for f in schema.remove_metadata() if f.name not in ARROW_SCHEMA.names]
        out_schema = pa.schema([*ARROW_SCHEMA, *extra])
        own = _own_provider(meta)
        run_id = uuid.uuid4().hex[:12]
        if not chosen:
            entry = _history_entry(run_id, [], False, verdicts, path)
            kept = {**meta, HISTORY_KEY: json.dumps([*regen_history(path, meta, HISTORY_KEY), entry])}
            if not in_place:  # --output promises a file: an empty one, with the input's metadata
                write_parquet_atomic(out, iter(()), kept, out_schema)
            console.print(f"Nothing to verify in {path}: it has no rows"
                          + ("." if in_place else f"; {out} is written with none."), highlight=False, soft_wrap=True)
            return VerifyCounts()
        cfg.verify, cfg.splits = True, chosen  # a file made with verify: false is verified now
        # The file's own judge; a file of outside responses asks none unless its config or --judge-provider names one.
        judge_on = use_judge and judge_needed_for(cfg) and (cfg.judge_provider is not None or own is not None)
        entry = _history_entry(run_id, chosen, judge_on, verdicts, path)
        kept = {**meta, HISTORY_KEY: json.dumps([*regen_history(path, meta, HISTORY_KEY), entry])}  # the rest as it was
        if extra:
            log.info("%s: %d column(s) bestofn does not write (%s) are kept as they are.", path, len(extra),
                     ", ".join(f.name for f in extra))
        counts = VerifyCounts()
        started = time.monotonic()
        source = _file_items(path, set(chosen), [f.name for f in extra])
        judge = _stream(providers, cfg, own, judge_on, verdicts, source, out, kept, counts, total, quiet,
                        console, compared=True, schema=out_schema)
        _summary(console, counts, judge, verdicts, out, time.monotonic() - started, quiet, compared=True)
        redo = (f"`bestofn {own} regen {out}` (errored rows) or `bestofn verify` (judge failures)" if own
                else "`bestofn verify` again (judge failures)")
        check_error_rate(out, cfg, redo)
        return counts


def _file_items(path: Path, chosen: set[str], extra: list[str]) -> Iterator[_Batch]:
    """The file's rows a batch at a time; a part of the file that cannot be read is named in one sentence
    (only reading is covered: what the consumer does with a batch is not thrown in here)."""
    with readable_parquet(path, "verify"):
        yield from _read_items(path, chosen, extra)


def _read_items(path: Path, chosen: set[str], extra: list[str]) -> Iterator[_Batch]:
    last: tuple[Any, ...] | None = None
    query: Query | None = None
    for batch in iter_batches(path, batch_size=BATCH_ROWS):
        items = []
        carried = [batch.column(name) for name in extra]
        for row in conform(pa.Table.from_batches([batch])).to_pylist():
            if row["split"] not in chosen:
                items.append(_Item(row))
                continue
            record = (row["query_id"], row["split"], row["question"], row["ground_truth"], row["query_metadata"])
            if record != last:  # a query's rows sit together: rebuilt once
                try:
                    query = Query.from_record(*record)
                except (ValueError, TypeError, AttributeError) as e:
                    raise UserError(f"{path}: row {row['query_id']}/{row['candidate_idx']} has unreadable "
                                    f"query_metadata ({e}); was it written by bestofn?") from None
                last = record
            assert query is not None
            items.append(_Item(row, query, candidate_from_row(row)))
        yield _Batch(items, carried)


def _json_cell(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def candidate_from_row(row: dict[str, Any]) -> Candidate:
    """The candidate a row recorded, as the checker saw it when the row was made."""
    run = None
    if row.get("terminated_by") is not None:
        # The row says "refusal" where the loop ended on a final answer the checks then found a refusal.
        ended = "final_answer" if row["terminated_by"] == "refusal" else row["terminated_by"]
        run = ToolRun(trace=_json_cell(row.get("tool_trace")) or [], num_tool_calls=row.get("num_tool_calls") or 0,
                      invalid_tool_calls=row.get("invalid_tool_calls") or 0, terminated_by=ended)
    return Candidate(
        text=row.get("response"),
        reasoning=row.get("reasoning"),
        final_answer=row.get("final_answer"),
        tool_calls=_json_cell(row.get("tool_calls")) or None,
        finish_reason=row.get("finish_reason"),
        error=row.get("error"),
        tool_run=run,
    )


# ---- outside responses (JSONL) ------------------------------------------------------------------------


def _verify_jsonl(
    providers: ProviderTable, path: Path, splits: list[str] | None, output: Path | None, verdicts: VerdictCache,
    use_judge: bool, overrides: dict[str, Any], quiet: bool, console: Console,
) -> VerifyCounts:
    if output is None:
        raise UserError(f"{path} is a JSONL of responses; name the Parquet file to write with --output.")
    if path.is_dir():
        raise UserError(f"{path} is a directory, not a JSONL file of responses.")
    if not path.is_file():
        raise UserError(f"{path} does not exist.")
    if _same_file(output, path):
        raise UserError(f"--output {output} is the input JSONL itself; name a new .parquet file.")
    _refuse_busy(output)
    _refuse_unfinished(output, in_place=False)
    judge_on = use_judge and overrides.get("judge_provider") is not None
    try:
        cfg = ExperimentConfig(dataset=str(path), **overrides)
    except ValidationError as e:
        raise UserError(_format_validation_error("command line", e)) from None
    counts = VerifyCounts()
    held, good, first_bad = _scan_jsonl(path, counts)
    if not good:
        what = f"; line {first_bad[0]} {first_bad[1]}" if first_bad else ""
        raise UserError(f"{path} has no usable response line{what}.")
    chosen = _chosen_splits(path, held, splits)
    cfg.verify, cfg.splits = True, chosen
    run_id = uuid.uuid4().hex[:12]
    metadata = {
        "bestofn.config": cfg.model_dump_json(),
        "bestofn.provider": EXTERNAL,
        "bestofn.notes": f"outside responses read from {path}",
        "bestofn.versions": json.dumps(package_versions()),
        "bestofn.run_id": run_id,
        HISTORY_KEY: json.dumps([_history_entry(run_id, chosen, judge_on, verdicts, path)]),
    }
    started = time.monotonic()
    with OutputLock(output):
        source = _jsonl_items(path, set(chosen), run_id)
        total = sum(n for s, n in good.items() if s in chosen)
        judge = _stream(providers, cfg, None, judge_on, verdicts, source, output, metadata, counts, total, quiet,
                        console, compared=False, schema=ARROW_SCHEMA)
    _summary(console, counts, judge, verdicts, output, time.monotonic() - started, quiet, compared=False)
    lines = counts.lines
    if lines and counts.bad_lines / lines > cfg.max_error_rate:
        assert first_bad is not None
        raise RunFailure(
            f"{counts.bad_lines} of {lines} lines of {path} ({counts.bad_lines / lines:.0%}) could not be used, "
            f"more than max_error_rate {cfg.max_error_rate:.0%} (the first: line {first_bad[0]} {first_bad[1]}); "
            f"the {counts.rows} usable rows are written to {output}."
        )
    check_error_rate(output, cfg, "`bestofn verify` again")
    return counts


def _lines(path: Path) -> Iterator[tuple[int, str | _BadLine]]:
    """Non-blank lines with their numbers. A byte-order mark at the start is dropped; a line that is not
    UTF-8 text is a bad line of its own (named by its number), never the whole file."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield number, _BadLine(f"is not UTF-8 text (byte 0x{raw[e.start]:02x} at byte {e.start + 1} of the "
                                       "line)")
                continue
            if line.strip():
                yield number, line


def _parsed(path: Path) -> Iterator[tuple[int, tuple[Query, Candidate, dict[str, Any]] | _BadLine]]:
    """Every non-blank line, parsed or with what is wrong with it. Both passes read the file through this,
    so they agree on which lines are bad. Lines sharing an id are one query's candidates: a line whose id
    an earlier line used with another split or another question is bad, not merged into that query."""
    ids: dict[str, tuple[str, str, int]] = {}  # id -> (split, digest of the question, first line)
    for number, line in _lines(path):
        if isinstance(line, _BadLine):
            yield number, line
            continue
        try:
            parsed = parse_line(line)
        except _BadLine as e:
            yield number, e
            continue
        query = parsed[0]
        digest = hashlib.sha256(query.question.encode()).hexdigest()[:16]
        split, question, first = ids.setdefault(query.query_id, (query.split, digest, number))
        if split != query.split or question != digest:
            what = f"split {split}" if split != query.split else "another question"
            yield number, _BadLine(f"has id {query.query_id!r}, which line {first} uses for {what} (lines sharing an "
                                   "id are one query's candidates)")
            continue
        yield number, parsed


def _scan_jsonl(path: Path, counts: VerifyCounts) -> tuple[set[str], dict[str, int], tuple[int, str] | None]:
    """First pass: every line checked, the bad ones named (one sentence each, the first few) and counted.
    Returns the splits held, the usable lines per split and the first bad line."""
    good: dict[str, int] = {}
    first_bad: tuple[int, str] | None = None
    for number, parsed in _parsed(path):
        counts.lines += 1
        if isinstance(parsed, _BadLine):
            counts.bad_lines += 1
            first_bad = first_bad or (number, str(parsed))
            if counts.bad_lines <= SHOWN_BAD_LINES:
                log.warning("%s line %d %s; skipped.", path, number, parsed)
            continue
        split = parsed[0].split
        good[split] = good.get(split, 0) + 1
    if counts.bad_lines > SHOWN_BAD_LINES:
        log.warning("%s: %d more bad lines skipped.", path, counts.bad_lines - SHOWN_BAD_LINES)
    return set(good), good, first_bad


def _jsonl_items(path: Path, chosen: set[str], run_id: str) -> Iterator[_Batch]:
    """Second pass: the usable lines as rows. `id` becomes `query_id`; lines sharing an id are that
    query's candidates, `candidate_idx` 0, 1, ... in file order."""
    seen: dict[str, int] = {}
    items: list[_Item] = []
    for _, parsed in _parsed(path):
        if isinstance(parsed, _BadLine):
            continue  # named and counted by the first pass
        query, cand, extra = parsed
        if query.split not in chosen:
            continue
        idx = seen.get(query.query_id, 0)
        seen[query.query_id] = idx + 1
        calls = cand.tool_calls
        record = BestOfNRecord(
            query_id=query.query_id, split=query.split, candidate_idx=idx, question=query.question,
            system_prompt=query.system, ground_truth=query.ground_truth, query_metadata=query.metadata_json(),
            response=cand.text, final_answer=cand.final_answer,
            tool_calls=json.dumps(calls, ensure_ascii=False) if calls else None,
            num_tool_calls=len(calls or []) if (calls or query.tools) else None,
            model=extra.get("model") or "", provider=EXTERNAL, max_tokens=0, run_id=run_id,
        )
        items.append(_Item(record.model_dump(), query, cand))
        if len(items) >= BATCH_ROWS:
            yield _Batch(items)
            items = []
    if items:
        yield _Batch(items)


_KINDS = {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number", str: "a string"}


def _describe(value: Any) -> str:
    """A JSON value's kind, as a sentence says it ("an object", "a number")."""
    return "null" if value is None else _KINDS.get(type(value), f"a {type(value).__name__}")


def _not_utf8(value: Any) -> bool:
    """Whether any text in a parsed JSON value cannot be written as UTF-8: a lone surrogate, which JSON's
    \\uXXXX escapes can spell but Parquet cannot store. Walked without recursion: nesting is the line's."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
    return False


def _tool_calls(value: Any) -> list[dict[str, Any]] | None:
    """Calls as [{"name", "arguments"}] (OpenAI's {"function": {...}} form accepted too)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise _BadLine(f"has 'tool_calls' as {_describe(value)}, not a list of {{name, arguments}} objects")
    calls = []
    for i, call in enumerate(value):
        fn = call.get("function") if isinstance(call, dict) and isinstance(call.get("function"), dict) else call
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise _BadLine(f"has a tool call (#{i}) without a name; each is {{name, arguments}}")
        args = fn.get("arguments")
        if args is not None and not isinstance(args, dict | str):
            raise _BadLine(f"has a tool call (#{i}) whose arguments are {_describe(args)}, not an object or string")
        calls.append({"name": fn["name"], "arguments": {} if args is None else args})
    return calls or None


def parse_line(line: str) -> tuple[Query, Candidate, dict[str, Any]]:
    """One outside response: (query, candidate, the line's object). _BadLine says what is wrong, as the
    end of a sentence that starts "FILE line N"."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise _BadLine(f"is not valid JSON ({e.msg} at column {e.colno})") from None
    except (ValueError, RecursionError) as e:
        raise _BadLine(f"cannot be read as JSON ({type(e).__name__})") from None
    if not isinstance(data, dict):
        raise _BadLine(f"is {_describe(data)}, not a JSON object")
    for key, value in data.items():
        if _not_utf8(key):
            raise _BadLine("has a key that is not valid Unicode text (a lone surrogate escape such as \\ud800)")
        if _not_utf8(value):
            raise _BadLine(f"has {key!r} with text that is not valid Unicode (a lone surrogate escape such as "
                           "\\ud800)")
    if unknown := sorted(set(data) - {*JSONL_REQUIRED, *JSONL_OPTIONAL}):
        raise _BadLine(f"has an unknown key {unknown[0]!r} (the keys are {', '.join(JSONL_REQUIRED)} and "
                       f"optionally {', '.join(JSONL_OPTIONAL)})")
    if missing := [k for k in JSONL_REQUIRED if data.get(k) is None]:
        raise _BadLine(f"has no {missing[0]!r}")
    given = data["id"]
    if isinstance(given, str) and not given.strip():
        raise _BadLine("has an empty 'id'")
    if isinstance(given, float):
        raise _BadLine(f"has 'id' as {given!r}, not a string or a whole number")
    if isinstance(given, bool) or not isinstance(given, str | int):
        raise _BadLine(f"has 'id' as {_describe(given)}, not a string or a whole number")
    for key in ("split", "question", "response", *_TEXT_KEYS):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise _BadLine(f"has {key!r} as {_describe(data[key])}, not a string")
    gt = data.get("ground_truth")
    if gt is not None and (isinstance(gt, bool) or not isinstance(gt, str | int | float)):
        raise _BadLine(f"has 'ground_truth' as {_describe(gt)}, not a string or number")
    split = norm_split(data["split"])
    if not split:
        raise _BadLine("has an empty 'split'")
    calls = _tool_calls(data.get("tool_calls"))
    plain = {k: v for k, v in data.items() if k not in ("response", "tool_calls", "final_answer", "model")}
    plain["id"] = str(data["id"]).strip()
    try:
        query = row_to_query(plain, split)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise _BadLine(f"cannot be used: {str(e).rstrip('.')}") from None
    if query is None:
        raise _BadLine("has an empty question")
    cand = Candidate(text=data["response"], final_answer=data.get("final_answer"), tool_calls=calls)
    return query, cand, data


# ---- the run ------------------------------------------------------------------------------------------


def _stream(
    providers: ProviderTable, cfg: ExperimentConfig, file_provider: str | None, judge_on: bool,
    verdicts: VerdictCache, source: Iterator[_Batch], out: Path, metadata: dict[str, str],
    counts: VerifyCounts, total: int, quiet: bool, console: Console, compared: bool, schema: pa.Schema,
) -> LLMJudge | None:
    """Check every item and write the rows to `out` atomically, a batch at a time (write_parquet_atomic:
    until its rename the original, or the old output, is untouched, and a symlink's target is what is
    replaced). One event loop for the whole run (the judge's client is bound to it); the writer pulls
    each batch as it is checked."""
    judge: LLMJudge | None = None
    with asyncio.Runner() as runner, ExitStack() as stack:
        closers = AsyncExitStack()
        try:
            if judge_on:
                judge = runner.run(_open_judge(providers, cfg, file_provider, stack, closers))
            checker = CandidateChecker(cfg, judge, verdicts)  # a sandbox that cannot work stops the run here
            closers.callback(checker.close)
            with _Progress(console, total, quiet, compared) as progress:

                def batches() -> Iterator[pa.RecordBatch]:
                    for batch in source:
                        yield runner.run(_check_items(checker, batch, counts, verdicts, schema))
                        progress.update(counts, verdicts)

                write_parquet_atomic(out, batches(), metadata, schema)
                progress.update(counts, verdicts)
        finally:
            runner.run(closers.aclose())
    return judge


async def _check_items(
    checker: CandidateChecker, batch: _Batch, counts: VerifyCounts, verdicts: VerdictCache, schema: pa.Schema
) -> pa.RecordBatch:
    items = batch.items
    todo = [it for it in items if it.query is not None]
    outs = await asyncio.gather(*(checker.check(it.query, it.cand) for it in todo))  # type: ignore[arg-type]
    for it, out in zip(todo, outs, strict=True):
        counts.changed += apply_verdict(it.row, out)
        counts.checked += 1
        counts.judged += "judge_model" in out
        counts.judge_cached += bool(out.get("judge_cached"))
        counts.record(it.row)
    counts.rows += len(items)
    counts.from_cache, counts.recomputed = verdicts.hits, verdicts.computed
    rows = pa.RecordBatch.from_pylist([it.row for it in items], schema=ARROW_SCHEMA)
    if not batch.extra:
        return rows
    return pa.RecordBatch.from_arrays([*rows.columns, *batch.extra], schema=schema)


def apply_verdict(row: dict[str, Any], out: dict[str, Any]) -> bool:
    """Put the checker's fields on the row in place of its old verdict; True when the verdict changed."""
    before = tuple(row.get(c) for c in COMPARED)
    spent_before = row.get("judge_cost_usd") or 0.0
    row.update(dict.fromkeys(VERDICT_COLUMNS))
    row["verification_method"] = "none"
    row.update(out)
    # Every call the row caused stays counted: this check's judge calls add to the earlier ones.
    spent = out.get("judge_cost_usd")
    row["judge_cost_usd"] = None if spent is None else round(spent_before + spent, 8)
    if row.get("cost_usd") is not None:
        row["cost_usd"] = None if spent is None else round(row["cost_usd"] + spent, 8)
    if row.get("terminated_by") in ("final_answer", "refusal"):  # as the pipeline writes it (engine.make_row)
        row["terminated_by"] = "refusal" if row["is_refusal"] else "final_answer"
    if row["is_refusal"] != before[-1] or row.get("quality_completeness_score") is None:
        quality = compute_quality(
            row.get("response"), row.get("finish_reason"), row["split"], row.get("output_tokens"),
            has_answer=True if row.get("final_answer") else None, is_refusal=row["is_refusal"],
        )
        row.update(vars(quality))
    return before != tuple(row.get(c) for c in COMPARED)


async def _open_judge(
    providers: ProviderTable, cfg: ExperimentConfig, file_provider: str | None, stack: ExitStack,
    closers: AsyncExitStack,
) -> LLMJudge:
    """The judge as generate sets it up (common/pipeline/session.py), without a generation adapter: the
    file's provider and base URL unless the config or the command line names others."""
    name = cfg.judge_provider or file_provider
    if name is None:
        raise UserError("the judge needs a provider: pass --judge-provider, or --no-judge to check locally only.")
    info = provider_info(providers, name, "judge_provider")
    same = name == file_provider
    base_url = cfg.judge_base_url or (cfg.base_url if same else None)
    if not same and info.default_judge_model is None and not base_url:
        raise UserError(f"judge provider {name} needs --judge-base-url: the server to ask for verdicts.")
    try:
        adapter = info.open(base_url, api="chat", timeout=cfg.request_timeout,
                            model=(cfg.judge_model or cfg.model) if same else cfg.judge_model, stack=stack)
    except MissingKeyError:
        raise UserError(f"{info.key_env} is not set, and the judge ({name}) needs it; export it, or pass "
                        "--no-judge to check locally only.") from None
    closers.push_async_callback(adapter.aclose)
    judge = LLMJudge(adapter, model=cfg.judge_model, cache_dir=cfg.judge_cache_dir, max_retries=cfg.max_retries)
    warn_deprecated(adapter, judge.model, "judge_model")
    await reachable(adapter, "the judge")
    return judge


# ---- what the user sees ---------------------------------------------------------------------------------


class _Progress:
    """A live bar on a terminal; with --quiet a log line every 10 s."""

    def __init__(self, console: Console, total: int, quiet: bool, compared: bool) -> None:
        self._compared = compared
        self._bar: Progress | None = None
        self._last = 0.0
        if not quiet:
            self._bar = Progress(TextColumn("[bold]verify rows"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.fields[line]}"), console=console)
            self._task = self._bar.add_task("verify", total=total, line="")

    def __enter__(self) -> _Progress:
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar:
            self._bar.stop()

    def update(self, counts: VerifyCounts, verdicts: VerdictCache) -> None:
        line = f"from cache {verdicts.hits} | recomputed {verdicts.computed}"
        line += f" | changed {counts.changed}" if self._compared else ""
        if self._bar:
            self._bar.update(self._task, completed=counts.rows, line=line)
        elif time.monotonic() - self._last >= 10:
            self._last = time.monotonic()
            log.info("verify: %d rows | %s", counts.rows, line)


def _summary(console: Console, counts: VerifyCounts, judge: LLMJudge | None, verdicts: VerdictCache, out: Path,
             elapsed_s: float, quiet: bool, compared: bool) -> None:
    rows: list[tuple[str, Any]] = [("rows", counts.rows), ("rows checked", counts.checked)]
    if counts.lines:
        rows.append(("lines skipped (unusable)", f"{counts.bad_lines} of {counts.lines}"))
    rows += [
        ("verdicts from cache", counts.from_cache),
        ("verdicts recomputed", counts.recomputed),
        ("verdicts changed vs the file", counts.changed if compared else "n/a (outside responses)"),
        ("judged", f"{counts.judged} ({counts.judge_cached} from the judge's cache)" if judge else "0 (judge off)"),
    ]
    if judge is not None and judge.usage.calls + judge.usage.errors:
        u = judge.usage
        cost = "unknown (model not in the price table)" if u.cost_usd is None else f"{u.cost_usd:.4f}"
        rows += [("judge calls (errors)", f"{u.calls} ({u.errors})"), ("judge cost (USD, list price)", cost)]
    rows += [(f"split {name}", s.line()) for name, s in sorted(counts.by_split.items())]
    rows += [("elapsed", f"{elapsed_s:.1f} s"), ("verdict cache", verdicts.state), ("output", str(out))]
    print_rows(console, rows, "bestofn verify summary", quiet)
