"""`generate --batch`: candidates through the provider's batch API (half price, answered within hours),
merged into the same checkpointed Parquet as an online run.

The flow:
1. Queries still to make are packed into batches of `batch_size` and submitted. Before each submission,
   the batch's queries and ids go to a ledger beside the checkpoint (`OUTPUT.parts/batches/`): a
   restart polls those batches and never submits their queries again.
2. Open batches are polled every `batch_poll_s`. A batch that ended is merged: each candidate is checked
   and written as a row, exactly as online. Items the batch did not answer (expired, cancelled, errored,
   missing) and batches the provider rejected go online, through the same pipeline.
3. With `batch_deadline`, a batch still open that long after its submission is cancelled; what it
   answered is kept and the rest goes online.

Rows a crash left checkpointed are not merged twice (the checkpoint's keys are checked). Tool-calling
queries take several turns and stop_when samples in rounds: neither can go through one batch, and both
are refused with --batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar, cast

from rich.console import Console

from common.config import ExperimentConfig
from common.data.query import Query
from common.errors import AuthError, RunFailure, UserError
from common.model.api import (
    BatchAPI,
    BatchItem,
    BatchState,
    Candidate,
    GenRequest,
    ProviderAdapter,
    ProviderTable,
)
from common.model.retry import call_with_retry, describe_error, is_api_error
from common.pipeline.engine import QUERY_BATCH, Pipeline, RunStats, build_request
from common.pipeline.progress import print_rows
from common.pipeline.session import provider_info
from common.store import Key

log = logging.getLogger("bestofn")
T = TypeVar("T")

BATCH_ERROR = "batch item"  # the start of every error a batch gives an item it did not answer


def check_batch_config(cfg: ExperimentConfig, adapter_supports: bool, provider: str) -> None:
    """--batch with what it cannot do is refused before anything is sent."""
    if not adapter_supports:
        raise UserError(f"`bestofn {provider}` has no batch API; run without --batch.")
    if cfg.stop_when is not None:
        raise UserError("stop_when samples a query in rounds and --batch submits each query once; use one of them.")
    if "tool_calling" in cfg.splits:
        raise UserError("tool-calling candidates take several turns and cannot go through one batch; run the "
                        "tool_calling split without --batch.")


# ---- the ledger -----------------------------------------------------------------------------------
@dataclass
class LedgerEntry:
    key: str  # the ledger's own name for the batch, given before the provider's id exists
    provider: str
    base_url: str | None
    api: str
    model: str
    submitted_at: float
    batch_id: str | None = None  # None: written just before submission, never confirmed
    estimate_usd: float | None = None  # the most it can cost (output at max_tokens), for max_cost_usd

    def path(self, folder: Path) -> Path:
        return folder / f"{self.key}.json"


class BatchLedger:
    """Batches of one output that are submitted and not yet merged: `<key>.json` (the entry) and
    `<key>.queries.jsonl` (each item's custom id, query and candidate indices), written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_output(cls, output: Path) -> BatchLedger:
        return cls(output.with_name(output.name + ".parts") / "batches")

    def entries(self) -> list[LedgerEntry]:
        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                out.append(LedgerEntry(**json.loads(path.read_text())))
            except (OSError, ValueError, TypeError) as e:
                raise UserError(f"the batch ledger {path} is unreadable ({type(e).__name__}); move it away to "
                                "submit its queries again.") from None
        return out

    def _write(self, path: Path, text: str) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def save(self, entry: LedgerEntry, items: list[tuple[str, Query, list[int]]] | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if items is not None:
            lines = (json.dumps({"custom_id": cid, "query_id": q.query_id, "split": q.split, "question": q.question,
                                 "ground_truth": q.ground_truth, "metadata": q.metadata_json(), "indices": idx},
                                ensure_ascii=False) for cid, q, idx in items)
            self._write(self.folder / f"{entry.key}.queries.jsonl", "".join(line + "\n" for line in lines))
        self._write(entry.path(self.folder), json.dumps(vars(entry)))

    def items(self, entry: LedgerEntry) -> Iterator[tuple[str, Query, list[int]]]:
        with open(self.folder / f"{entry.key}.queries.jsonl", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                q = Query.from_record(d["query_id"], d["split"], d["question"], d["ground_truth"], d["metadata"])
                yield d["custom_id"], q, d["indices"]

    def query_ids(self) -> set[str]:
        return {q.query_id for e in self.entries() for _, q, _ in self.items(e)}

    def drop(self, entry: LedgerEntry) -> None:
        (self.folder / f"{entry.key}.queries.jsonl").unlink(missing_ok=True)
        entry.path(self.folder).unlink(missing_ok=True)


# ---- the run --------------------------------------------------------------------------------------
@dataclass
class _Pack:
    """The queries of the next batch: (custom id, query, indices), their requests, and what they can cost."""

    items: list[tuple[str, Query, list[int]]] = field(default_factory=list)
    reqs: list[GenRequest] = field(default_factory=list)
    requests: int = 0
    bound: float = 0.0

    def add(self, query: Query, indices: list[int], req: GenRequest, requests: int, bound: float) -> None:
        self.items.append((f"i{len(self.items)}", query, indices))
        self.reqs.append(req)
        self.requests += requests
        self.bound += bound


class BatchRun:
    def __init__(self, pipeline: Pipeline, ledger: BatchLedger, done: set[Key], *, provider: str) -> None:
        self.pipeline = pipeline
        self.cfg = pipeline.cfg
        self.adapter: ProviderAdapter = pipeline.adapter
        self.api = cast(BatchAPI, pipeline.adapter)
        self.ledger = ledger
        self.done = done
        self.provider = provider
        self.stats: RunStats = pipeline.stats
        self.persona_text = pipeline.persona_text

    async def run(self, work: Iterable[tuple[Query, list[int]]]) -> RunStats:
        try:
            entries = await self._recover(self.ledger.entries())
            held: dict[str, set[int]] = {}
            for e in entries:
                for _, q, idx in self.ledger.items(e):
                    held.setdefault(q.query_id, set()).update(idx)
            if entries:
                log.info("polling %d batch(es) a previous run submitted", len(entries))
            entries += await self._submit_all(work, held, committed=sum(e.estimate_usd or 0.0 for e in entries))
            await self._collect(entries)
        except Exception as exc:
            if not is_api_error(exc):
                raise
            raise RunFailure(f"the batch API failed ({describe_error(exc)}); every batch submitted is kept and every "
                             "row merged is written: run the same command again to go on.") from None
        finally:
            await asyncio.shield(self.pipeline.flush())
        return self.stats

    async def _recover(self, entries: list[LedgerEntry]) -> list[LedgerEntry]:
        """Entries whose submission was never confirmed (the run stopped between the provider's answer and
        the ledger's update): the batch is found by its marker where the API keeps one, else dropped and
        its queries submitted again."""
        kept = []
        for e in entries:
            if e.batch_id is None:
                e.batch_id = await self._ask(lambda e=e: self.api.batch_find(e.key, e.submitted_at))
                if e.batch_id is None:
                    log.warning("batch %s was being submitted when the last run stopped and the provider cannot say "
                                "whether it got it; its queries are submitted again (check the provider's console "
                                "for a batch created at %s to cancel).", e.key,
                                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.submitted_at)))
                    self.ledger.drop(e)
                    continue
                log.info("found batch %s, submitted just before the last run stopped", e.batch_id)
                self.ledger.save(e)
            kept.append(e)
        return kept

    async def _ask(self, fn: Callable[[], Awaitable[T]], retries: int | None = None) -> T:
        """One batch API call, retried as generation calls are (429, 5xx, dropped connections)."""
        result, _ = await call_with_retry(fn, max_retries=self.cfg.max_retries if retries is None else retries,
                                          key_env=self.adapter.info.key_env, stats=self.stats.retry)
        return result

    # ---- submission ------------------------------------------------------------------------------
    async def _submit_all(self, work: Iterable[tuple[Query, list[int]]], held: dict[str, set[int]],
                          committed: float) -> list[LedgerEntry]:
        """Pack what is still to make into batches (`batch_size` queries, within the provider's request
        limit) and submit them; with max_cost_usd, only as many queries as fit in it at their worst case
        (output at max_tokens)."""
        it = iter(work)
        entries: list[LedgerEntry] = []
        pack = _Pack()
        budget = self.cfg.max_cost_usd
        while True:
            chunk = await asyncio.to_thread(lambda: list(islice(it, QUERY_BATCH)))
            for q, idx in chunk:
                idx = [i for i in idx if i not in held.get(q.query_id, ())]  # in a batch already
                if not idx:
                    continue
                req = build_request(q, self.cfg, self.persona_text)
                need = self._requests_for(len(idx))
                bound = self.pipeline.pricer.bound(self.adapter.info, req, len(idx), need, batched=True) or 0.0
                # As online (Pipeline._over_budget): with nothing submitted and the limit not reached, one
                # query goes anyway.
                spent = self.stats.spent
                nothing_out = not pack.items and not committed and spent < (budget or 0)
                if budget is not None and not nothing_out and spent + committed + pack.bound + bound > budget:
                    self.stats.stopped_by_budget = True
                    log.warning("max_cost_usd leaves no room for more queries at their most (output at "
                                "max_tokens); the rest waits for a rerun with what the batches really cost")
                    chunk = []
                    break
                if pack.items and (pack.requests + need > self.api.max_batch_items
                                   or len(pack.items) >= self.cfg.batch_size):
                    entries.append(await self._submit(pack))
                    committed += pack.bound
                    pack = _Pack()
                pack.add(q, idx, req, need, bound)
            if not chunk:
                break
        if pack.items:
            entries.append(await self._submit(pack))
        return entries

    def _requests_for(self, n: int) -> int:
        """Provider requests one item of n candidates takes (Claude and the Responses API have no `n`)."""
        per = max(min(self.adapter.max_n_per_request, self.cfg.n_per_request), 1)
        return -(-n // per)

    async def _submit(self, pack: _Pack) -> LedgerEntry:
        """Submit one batch, the ledger written first and confirmed after."""
        entry = LedgerEntry(key=f"b{time.time_ns():x}", provider=self.provider, base_url=self.adapter.base_url,
                            api=self.adapter.api, model=self.cfg.model or "", submitted_at=time.time(),
                            estimate_usd=pack.bound)
        self.ledger.save(entry, pack.items)
        batch = [BatchItem(cid, req, len(idx)) for (cid, _, idx), req in zip(pack.items, pack.reqs, strict=True)]
        try:
            # Not retried: a create whose answer was lost may have made the batch, and a second would bill twice.
            entry.batch_id = await self._ask(lambda: self.api.batch_submit(batch, marker=entry.key), retries=0)
        except AuthError:
            self.ledger.drop(entry)
            raise
        except Exception as exc:  # a full batch queue, a file too large: said in one sentence, nothing lost
            self.ledger.drop(entry)
            if not (is_api_error(exc) or isinstance(exc, ValueError)):
                raise
            raise RunFailure(
                f"the provider refused a batch of {len(pack.items)} queries ({describe_error(exc)}); the batches "
                "already submitted are kept: run the same command again to collect them and submit the rest (a "
                "smaller batch_size may help)."
            ) from None
        self.ledger.save(entry)
        log.info("submitted batch %s: %d queries, %d candidates", entry.batch_id, len(pack.items),
                 sum(len(idx) for _, _, idx in pack.items))
        return entry

    # ---- polling and merging ---------------------------------------------------------------------
    async def _collect(self, entries: list[LedgerEntry]) -> None:
        open_ = list(entries)
        while open_:
            still: list[LedgerEntry] = []
            states: list[BatchState] = []
            for entry in open_:
                batch_id = cast(str, entry.batch_id)
                state = await self._ask(lambda b=batch_id: self.api.batch_state(b))
                deadline = self.cfg.batch_deadline
                if state.status in ("in_progress", "submitting") and deadline is not None \
                        and time.time() >= entry.submitted_at + deadline:
                    log.warning("batch %s passed batch_deadline (%.0f s); cancelling it, the rest goes online",
                                entry.batch_id, deadline)
                    state = await self._ask(lambda b=batch_id: self.api.batch_cancel(b))
                if state.status in ("ended", "failed"):
                    await self._merge(entry, state)
                else:
                    still.append(entry)
                    states.append(state)
            open_ = still
            self.stats.batch_note = _describe(states)
            self.pipeline.on_progress(self.stats)
            if open_:
                await asyncio.sleep(self.cfg.batch_poll_s)
        self.stats.batch_note = ""

    async def _merge(self, entry: LedgerEntry, state: BatchState) -> None:
        items = {cid: (q, idx) for cid, q, idx in self.ledger.items(entry)}
        online: list[tuple[Query, list[int]]] = []
        if state.status == "failed":
            log.warning("batch %s was rejected (%s); its %d queries go online", entry.batch_id, state.error,
                        len(items))
        else:
            async for cid, cands in self.api.batch_results(cast(str, entry.batch_id)):
                found = items.pop(cid, None)
                if found is None:
                    continue  # not an item of ours
                query, idx = found
                redo = await self._rows_from(query, idx, cands)
                if redo:
                    online.append((query, redo))
        online += [(q, idx) for q, idx in items.values()]  # no result line at all
        online = [(q, [i for i in idx if (q.query_id, i) not in self.done]) for q, idx in online]
        online = [(q, idx) for q, idx in online if idx]
        if online:
            log.info("batch %s: %d queries go online for what the batch did not answer", entry.batch_id,
                     len(online))
            await self.pipeline.run(iter(online))
        await self.pipeline.flush()
        self.ledger.drop(entry)

    async def _rows_from(self, query: Query, indices: list[int], cands: list[Candidate]) -> list[int]:
        """Check and record the answered candidates of one item; the indices that go online."""
        pairs = [(i, c) for i, c in zip(indices, cands, strict=False) if (query.query_id, i) not in self.done]
        redo = [i for i, c in pairs if c.error is not None and c.error.startswith(BATCH_ERROR)]
        redo += indices[len(cands):]  # fewer candidates than asked for
        answered = [(i, c) for i, c in pairs if i not in redo]
        if answered:
            req = build_request(query, self.cfg, self.persona_text)
            self.pipeline.settle(req, [c for _, c in answered])
            per = max(min(self.adapter.max_n_per_request, self.cfg.n_per_request), 1)
            for start in range(0, len(answered), per):  # as the provider's requests shared their usage
                self.pipeline.count_input(req, [c for _, c in answered[start:start + per]])
            rows = await self.pipeline.rows_from(query, req, answered)
            await self.pipeline.finish_query(rows)
        return redo


def _describe(states: list[BatchState]) -> str:
    if not states:
        return ""
    counts: dict[str, int] = {}
    for s in states:
        for k, v in s.counts.items():
            counts[k] = counts.get(k, 0) + v
    done = counts.get("succeeded", 0) + counts.get("errored", 0)
    total = done + counts.get("processing", 0) + counts.get("expired", 0) + counts.get("canceled", 0)
    return f"{len(states)} batch(es) open, {done:,}/{total:,} requests answered"


# ---- bestofn batch status|cancel ------------------------------------------------------------------
def ledger_rows(states: list[tuple[LedgerEntry, BatchState | str]]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for entry, state in states:
        age = time.time() - entry.submitted_at
        head = f"{entry.provider} {entry.model}, submitted {age / 60:,.0f} min ago"
        if isinstance(state, str):
            rows.append((entry.batch_id or entry.key, f"{head}: {state}"))
            continue
        counts = ", ".join(f"{k} {v:,}" for k, v in state.counts.items() if v)
        error = f" ({state.error})" if state.error else ""
        rows.append((state.id, f"{head}: {state.status}{error}" + (f"; {counts}" if counts else "")))
    return rows


def manage(providers: ProviderTable, action: str, output: Path, quiet: bool = False,
           console: Console | None = None) -> list[tuple[LedgerEntry, BatchState | str]]:
    """`bestofn batch status|cancel OUTPUT`: the output's submitted batches, as the provider sees them now;
    cancel asks the provider to stop each (the next `generate --batch` takes what they answered and runs
    the rest online)."""
    console = console or Console(stderr=True)
    if not str(output).strip() or output.is_dir():
        raise UserError(f"{str(output)!r} is not a results file; name the output .parquet of a `generate --batch` run.")
    ledger = BatchLedger.for_output(output)
    entries = ledger.entries()
    if not entries:
        if not output.exists():
            raise UserError(f"{output} does not exist and no batches were submitted for it; name the output "
                            ".parquet of a `generate --batch` run.")
        console.print(f"{output} has no submitted batches waiting to be merged.", highlight=False, soft_wrap=True)
        return []

    async def main() -> list[tuple[LedgerEntry, BatchState | str]]:
        out: list[tuple[LedgerEntry, BatchState | str]] = []
        with ExitStack() as stack:
            adapters: dict[tuple[str, str | None, str], ProviderAdapter] = {}
            try:
                for entry in entries:
                    if entry.batch_id is None:
                        out.append((entry, "never confirmed as submitted (the next --batch run submits its "
                                           "queries again)"))
                        continue
                    where = (entry.provider, entry.base_url, entry.api)
                    if where not in adapters:
                        info = provider_info(providers, entry.provider)
                        adapters[where] = info.open(entry.base_url, api=entry.api, timeout=60.0, model=entry.model,
                                                    stack=stack)
                    api = cast(BatchAPI, adapters[where])
                    batch_id = entry.batch_id
                    try:
                        state, _ = await call_with_retry(
                            lambda a=api, b=batch_id: a.batch_cancel(b) if action == "cancel" else a.batch_state(b),
                            max_retries=2, key_env=adapters[where].info.key_env)
                    except AuthError:
                        raise
                    except Exception as exc:  # one batch the provider cannot find does not hide the rest
                        if not is_api_error(exc):
                            raise
                        out.append((entry, f"the provider could not say ({describe_error(exc)})"))
                        continue
                    out.append((entry, state))
            finally:
                for adapter in adapters.values():
                    await adapter.aclose()
        return out

    states = asyncio.run(main())
    print_rows(console, ledger_rows(states), f"batches of {output}", quiet)
    failed = sum(isinstance(state, str) and entry.batch_id is not None for entry, state in states)
    if failed:
        raise RunFailure(f"the provider could not {'cancel' if action == 'cancel' else 'report on'} {failed} of "
                         f"{len(states)} batch(es) (see above); nothing was changed here.")
    return states
