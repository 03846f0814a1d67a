"""`bestofn export {dpo,rm,sft} FILE -o OUT`: a results file as training data in TRL's dataset formats.

- dpo: conversational preference rows, `prompt` (the system prompt, then the conversation up to the
  answer) / `chosen` / `rejected` (one assistant message each). Up to `--pairs-per-query` pairs a query:
  each rejected answer (verified wrong) once, paired with the verified ones in turn, the most confident
  first. Errored rows never pair; refused and truncated
  ones only when asked for (`--allow-refusals`, `--allow-truncated`).
- rm: the same pairs as whole conversations (`chosen` / `rejected`, prompt included, as TRL's reward
  trainer reads them), or with `--unpaired` one row per usable candidate: `prompt` / `completion` /
  `label` (verified or not).
- sft: `messages` (prompt and the verified answer), the most confident `--pairs-per-query` of each query.

With `--min-voice V` (persona runs), only answers whose `persona_voice` is at least V are used, chosen
and rejected alike, so persona-transfer data is filtered on voice as well as on correctness.

OUT is Parquet (`.parquet`) or JSON Lines (`.jsonl`), written atomically; `datasets.load_dataset` reads
both. The summary says how many rows were made and why queries gave none.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from common.data.query import Query
from common.errors import UserError
from common.pipeline.progress import print_rows
from common.pipeline.regen import read_results_metadata, readable_parquet
from common.store import iter_batches, write_parquet_atomic

FORMATS = ("dpo", "rm", "sft")
COLUMNS = ["query_id", "candidate_idx", "split", "question", "ground_truth", "query_metadata", "system_prompt",
           "response", "is_verified", "confidence", "error", "is_refusal", "is_truncated"]


@dataclass
class ExportOptions:
    kind: str
    pairs_per_query: int = 1
    min_confidence: float = 0.0
    allow_refusals: bool = False
    allow_truncated: bool = False
    unpaired: bool = False  # rm only
    min_voice: float | None = None  # persona runs: least persona_voice of every answer used


@dataclass
class ExportSummary:
    rows: int = 0
    queries: int = 0
    queries_used: int = 0
    no_row: Counter[str] = field(default_factory=Counter)  # why a query gave nothing


def prompt_messages(row: dict[str, Any]) -> list[dict[str, str]]:
    """The conversation up to the answer, as the model saw it: the system prompt (persona and the dataset's
    own), then the query's turns (text only; tool turns are left out)."""
    query = Query.from_record(row["query_id"], row["split"], row["question"], row["ground_truth"],
                              row["query_metadata"])
    out = [{"role": "system", "content": row["system_prompt"]}] if row.get("system_prompt") else []
    for m in query.messages:
        if m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str) and m["content"]:
            out.append({"role": m["role"], "content": m["content"]})
    return out


def _usable(row: dict[str, Any], opts: ExportOptions) -> bool:
    if row["error"] is not None or row["response"] is None:
        return False
    if opts.min_voice is not None and (row.get("persona_voice") is None or row["persona_voice"] < opts.min_voice):
        return False
    if row["is_refusal"] and not opts.allow_refusals:
        return False
    return not (row["is_truncated"] and not opts.allow_truncated)


def _queries(path: Path, columns: list[str]) -> Iterator[list[dict[str, Any]]]:
    """The rows of each query together, each query handed out at its last row: a first pass finds where
    each query ends (a resumed run may have written a query's rows apart), so only queries still open
    are held."""
    last: dict[str, int] = {}
    i = 0
    for batch in iter_batches(path, ["query_id"]):
        for qid in batch.column(0).to_pylist():
            last[qid] = i
            i += 1
    open_: dict[str, list[dict[str, Any]]] = {}
    i = 0
    for batch in iter_batches(path, columns):
        for row in batch.to_pylist():
            rows = open_.setdefault(row["query_id"], [])
            rows.append(row)
            if last[row["query_id"]] == i:
                yield open_.pop(row["query_id"])
            i += 1


def _records(rows: list[dict[str, Any]], opts: ExportOptions, summary: ExportSummary) -> list[dict[str, Any]]:
    usable = [r for r in rows if _usable(r, opts)]
    right = sorted((r for r in usable if r["is_verified"] is True and (r["confidence"] or 0.0) >= opts.min_confidence),
                   key=lambda r: (-(r["confidence"] or 0.0), r["candidate_idx"]))
    wrong = sorted((r for r in usable if r["is_verified"] is False),
                   key=lambda r: (-(r["confidence"] or 0.0), r["candidate_idx"]))
    prompt = prompt_messages(rows[0])

    def answer(r: dict[str, Any]) -> list[dict[str, str]]:
        return [{"role": "assistant", "content": r["response"]}]

    if opts.kind == "sft":
        if not right:
            summary.no_row[_why_none(rows, usable, right, None, opts)] += 1
            return []
        return [{"messages": prompt + answer(r)} for r in right[: opts.pairs_per_query]]
    if opts.kind == "rm" and opts.unpaired:
        out = [{"prompt": prompt, "completion": answer(r), "label": True} for r in right]
        out += [{"prompt": prompt, "completion": answer(r), "label": False} for r in wrong]
        if not out:
            summary.no_row[_why_none(rows, usable, right, wrong, opts)] += 1
        return out
    # Each rejected answer once; the chosen ones in turn, the most confident first.
    pairs = [(right[i % len(right)], wrong[i]) for i in range(min(opts.pairs_per_query, len(wrong)))] \
        if right else []
    if not pairs:
        summary.no_row[_why_none(rows, usable, right, wrong, opts)] += 1
        return []
    if opts.kind == "dpo":
        return [{"prompt": prompt, "chosen": answer(c), "rejected": answer(r)} for c, r in pairs]
    return [{"chosen": prompt + answer(c), "rejected": prompt + answer(r)} for c, r in pairs]


def _why_none(rows: list[dict[str, Any]], usable: list[dict[str, Any]], right: list[dict[str, Any]],
              wrong: list[dict[str, Any]] | None, opts: ExportOptions) -> str:
    if not usable:
        if all(r["error"] is not None for r in rows):
            return "every candidate errored"
        if opts.min_voice is not None and any(_usable(r, replace(opts, min_voice=None)) for r in rows):
            return f"no candidate with persona voice >= {opts.min_voice:g}"
        return "no usable candidate (errored, refused or truncated)"
    if not right:
        confident = any(r["is_verified"] is True for r in usable)
        return f"no verified candidate with confidence >= {opts.min_confidence:g}" if confident \
            else "no verified candidate"
    return "no candidate verified wrong"


def export(path: Path, output: Path, opts: ExportOptions, quiet: bool = False,
           console: Console | None = None) -> ExportSummary:
    console = console or Console(stderr=True)
    if opts.kind not in FORMATS:
        raise UserError(f"export format must be one of {', '.join(FORMATS)}, not {opts.kind!r}.")
    if opts.pairs_per_query < 1:
        raise UserError("--pairs-per-query must be 1 or more.")
    if not 0.0 <= opts.min_confidence <= 1.0:
        raise UserError("--min-confidence must be between 0 and 1.")
    if opts.unpaired and opts.kind != "rm":
        raise UserError("--unpaired applies to rm only.")
    if opts.min_voice is not None and not 0.0 <= opts.min_voice <= 1.0:
        raise UserError("--min-voice must be between 0 and 1.")
    suffix = output.suffix.lower()
    if suffix not in (".parquet", ".jsonl"):
        raise UserError(f"--output {output} must end in .parquet or .jsonl.")
    if output.resolve() == path.resolve():
        raise UserError("--output would overwrite the results file; name another file.")
    read_results_metadata(path, "export")
    schema = pq.read_schema(path)
    missing = [c for c in COLUMNS if c not in schema.names]
    if missing:
        raise UserError(f"{path} has no column {', '.join(missing)}; export needs a results file written by bestofn.")
    if opts.min_voice is not None and "persona_voice" not in schema.names:
        raise UserError(f"{path} has no persona_voice column (it was written before voice scores); --min-voice "
                        "cannot filter it. Run `bestofn verify` on it to score the voice, or leave --min-voice out.")
    columns = [*COLUMNS, "persona_voice"] if opts.min_voice is not None else COLUMNS
    if opts.min_voice is not None and not any(
            batch.column(0).null_count < len(batch) for batch in iter_batches(path, ["persona_voice"])):
        raise UserError(f"{path} has no persona voice scores (a run without a persona, or with persona_voice: off); "
                        "--min-voice cannot filter it. Leave --min-voice out.")
    summary = ExportSummary()

    def records() -> Iterator[dict[str, Any]]:
        with readable_parquet(path, "export"):
            for rows in _queries(path, columns):
                summary.queries += 1
                made = _records(rows, opts, summary)
                summary.queries_used += bool(made)
                summary.rows += len(made)
                yield from made

    if suffix == ".jsonl":
        _write_jsonl(output, records())
    else:
        _write_parquet(output, records(), opts)
    rows = [("rows written", f"{summary.rows:,} ({opts.kind}{', unpaired' if opts.unpaired else ''})"),
            ("queries", f"{summary.queries:,}, {summary.queries_used:,} gave rows")]
    rows += [(f"queries without a row: {why}", f"{n:,}") for why, n in summary.no_row.most_common()]
    rows.append(("output", str(output)))
    print_rows(console, rows, "bestofn export", quiet)
    return summary


def _write_jsonl(output: Path, records: Iterator[dict[str, Any]]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)


_MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
_SCHEMAS = {
    "dpo": pa.schema([("prompt", _MESSAGES), ("chosen", _MESSAGES), ("rejected", _MESSAGES)]),
    "rm": pa.schema([("chosen", _MESSAGES), ("rejected", _MESSAGES)]),
    "rm_unpaired": pa.schema([("prompt", _MESSAGES), ("completion", _MESSAGES), ("label", pa.bool_())]),
    "sft": pa.schema([("messages", _MESSAGES)]),
}


def _write_parquet(output: Path, records: Iterator[dict[str, Any]], opts: ExportOptions) -> None:
    schema = _SCHEMAS["rm_unpaired" if opts.unpaired else opts.kind]

    def batches() -> Iterator[pa.RecordBatch]:
        chunk: list[dict[str, Any]] = []
        for r in records:
            chunk.append(r)
            if len(chunk) >= 1024:
                yield pa.RecordBatch.from_pylist(chunk, schema=schema)
                chunk = []
        if chunk:
            yield pa.RecordBatch.from_pylist(chunk, schema=schema)

    write_parquet_atomic(output, batches(), {"bestofn.export": opts.kind}, schema)
