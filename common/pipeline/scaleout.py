"""Scale-out on Ray (`executor: ray`): the dataset in deterministic shards, one Ray task each.

Every shard runs the same async pipeline as a local run, on whichever node Ray gives it, with its own
model clients, judge and sandboxes (so code runs next to the sandboxes of that node). A query belongs to
shard `hash(query_id) % shards`; each shard reads the dataset itself and keeps its own queries, so the
union of the shards is exactly the local run's work, duplicate ids included (they hash alike).

Rows do not need a shared file system. A shard's checkpoint part is yielded through Ray's object store
(a streaming generator task) to the driver, which is the only writer of the output's checkpoint: it
drops any row whose key is already written, writes the part durably, then asks for the next. What the
driver has written is what a crash keeps, exactly as in a local run, and a rerun resumes from it.

A shard whose worker or node dies is started again (`shard_retries` times) with the keys written so far,
so it makes only its missing rows; an error of the run itself (a dead model server, a bad key) stops
every shard and is raised as the local run would raise it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import queue
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.cache import CACHE_ROOT
from common.config import ExperimentConfig
from common.data.load import is_local_dataset, iter_queries
from common.errors import RunFailure, UserError
from common.judge.judge import JudgeUsage
from common.model.api import ProviderTable
from common.pipeline.engine import Pipeline, RunStats, pending_work
from common.pipeline.session import open_session, provider_info
from common.schema import BestOfNRecord
from common.store import CheckpointStore, Key

log = logging.getLogger(__name__)

MAX_DEFAULT_SHARDS = 64
# Checkpoint parts a shard may have handed over that the driver has not yet written.
OUTBOX_PARTS = 4
# Read by the SDKs and the dataset loader where the driver has them set; forwarded to the shards' workers.
FORWARDED_ENV = ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "BESTOFN_LOCAL_BASE_URL", "HF_TOKEN", "HF_HUB_OFFLINE",
                 "HF_DATASETS_OFFLINE")
# Counters a shard reports with each part, summed over shards by the driver.
PROGRESS_FIELDS = ("queries_done", "queries_skipped_done", "duplicate_ids", "billed_input", "naive_input",
                   "candidates_saved")


def shard_of(query_id: str, shards: int) -> int:
    """The shard a query belongs to: stable across runs, machines and Python processes."""
    digest = hashlib.blake2b(query_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


@dataclass
class ShardJob:
    """What one shard task needs; pickled to the worker."""

    index: int
    shards: int
    cfg: ExperimentConfig
    provider: str
    providers: ProviderTable
    done: set[Key]
    prior: dict[str, list[int]] | None
    run_id: str


@dataclass
class ShardResult:
    progress: dict[str, float] = field(default_factory=dict)
    stopped_by_budget: bool = False
    usages: dict[str, JudgeUsage] = field(default_factory=dict)  # the judge's and the LLM tool mock's


class _Outbox:
    """A shard's stand-in for CheckpointStore: a checkpoint part goes to the driver, not to a disk."""

    def __init__(self, parts: queue.Queue) -> None:
        self._parts = parts
        self._buffer: list[BestOfNRecord] = []
        self.stats: RunStats | None = None

    def add(self, rows: list[BestOfNRecord]) -> None:
        self._buffer.extend(rows)

    def take(self) -> list[BestOfNRecord]:
        rows, self._buffer = self._buffer, []
        return rows

    def write_part(self, rows: list[BestOfNRecord]) -> int:
        if rows:
            self._parts.put(("rows", rows, progress_of(self.stats)))  # waits while the driver is behind
        return len(rows)


def progress_of(stats: RunStats | None) -> dict[str, float]:
    return {name: getattr(stats, name) for name in PROGRESS_FIELDS} if stats is not None else {}


async def _shard_main(job: ShardJob, outbox: _Outbox) -> ShardResult:
    cfg = job.cfg
    info = provider_info(job.providers, job.provider)
    with ExitStack() as stack:
        async with open_session(job.providers, info, cfg, stack) as session:
            pipeline = Pipeline(cfg, session.adapter, outbox, session.checker, run_id=job.run_id,  # type: ignore[arg-type]
                                tool_mock=session.tool_mock, pricer=session.pricer, stop_when=cfg.stop_when,
                                prior=job.prior)
            outbox.stats = pipeline.stats
            queries = (q for q in iter_queries(cfg.dataset, cfg.splits, cfg.max_queries, cfg.streaming)
                       if shard_of(q.query_id, job.shards) == job.index)
            stats = await pipeline.run(pending_work(queries, cfg.num_candidates, job.done, pipeline.stats,
                                                    cfg.stop_when, job.prior))
            return ShardResult(progress_of(stats), stats.stopped_by_budget, session.usages())


def run_shard(job: ShardJob) -> Iterator[tuple[str, Any, dict[str, float]]]:
    """The body of a shard's Ray task: the pipeline runs on an event loop in a thread while this
    generator hands its checkpoint parts, then its result, to the driver."""
    parts: queue.Queue = queue.Queue(maxsize=OUTBOX_PARTS)
    outbox = _Outbox(parts)

    def main() -> None:
        try:
            result = asyncio.run(_shard_main(job, outbox))
        except BaseException as exc:  # handed to the driver, which decides
            parts.put(("failed", exc, {}))
        else:
            parts.put(("done", result, result.progress))

    threading.Thread(target=main, name=f"bestofn-shard-{job.index}", daemon=True).start()
    while True:
        kind, payload, progress = parts.get()
        if kind == "failed":
            raise payload
        yield kind, payload, progress
        if kind == "done":
            return


async def _all_or_none(coros: list[Any]) -> list[Any]:
    """Await them all; on the first failure cancel the rest (they write what they hold) and raise it."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for t in tasks:
        if not t.cancelled() and t.exception() is not None:
            raise t.exception()  # type: ignore[misc]
    return [t.result() for t in tasks]


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UserError("executor ray needs Ray, which is not installed; pip install 'bestofn[ray]' on the driver "
                        "and on every node.") from None
    return ray


def _probe(address: str, timeout_s: float = 5.0) -> None:
    """A cluster address (host:port of its head) that answers nothing fails now, not after Ray's long retries."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"--ray/ray_address {address!r} is not the head's host:port, auto or local.")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise RunFailure(f"cannot join the Ray cluster at {address} (nothing answers there: "
                         f"{exc.strerror or type(exc).__name__}); start it with `ray start --head`.") from None


def shard_config(cfg: ExperimentConfig, shards: int, spent: float) -> ExperimentConfig:
    """A shard's share of the run's limits (the remaining budget and any fixed rate limits, split evenly), and
    the driver's relative paths made absolute: a worker runs in a folder of its own."""
    update: dict[str, Any] = {
        "executor": "local",
        "judge_cache_dir": str(Path(cfg.judge_cache_dir or CACHE_ROOT / "judge").expanduser().absolute()),
        "tool_mock_cache_dir": str(Path(cfg.tool_mock_cache_dir or CACHE_ROOT / "tool_mock").expanduser().absolute()),
    }
    if is_local_dataset(cfg.dataset):
        update["dataset"] = str(Path(cfg.dataset.strip()).expanduser().absolute())  # a glob stays a glob
    if cfg.max_cost_usd is not None:
        update["max_cost_usd"] = max(cfg.max_cost_usd - spent, 1e-9) / shards
    for key in ("rate_limit_rpm", "rate_limit_tpm"):
        if (limit := getattr(cfg, key)) is not None:
            update[key] = max(limit // shards, 1)
    return cfg.model_copy(update=update)


class RayRun:
    """The driver of a sharded run: starts the shards, writes what they send, restarts dead ones."""

    def __init__(
        self, cfg: ExperimentConfig, providers: ProviderTable, provider: str, store: CheckpointStore,
        done: set[Key], prior: dict[str, list[int]] | None, stats: RunStats, run_id: str,
        on_progress: Callable[[RunStats], None] = lambda s: None,
    ) -> None:
        self.cfg, self.providers, self.provider, self.store = cfg, providers, provider, store
        self.prior, self.stats, self.run_id, self.on_progress = prior, stats, run_id, on_progress
        self.done = done  # every key written: the output's before this run, and this run's as they arrive
        self.shards = 0
        self.results: list[ShardResult] = []
        self._progress: dict[int, dict[str, float]] = {}  # each shard's live counters
        self._base: dict[int, dict[str, float]] = {}  # counters of its earlier attempts
        self._write_lock = asyncio.Lock()
        self.duplicates_dropped = 0

    def _connect(self, ray: Any) -> bool:
        """Join (or start) the cluster; True when this run started it and must stop it."""
        if ray.is_initialized():
            return False
        address = self.cfg.ray_address
        if address and "://" in address:
            raise UserError(f"--ray/ray_address {address!r}: Ray Client (ray://) addresses are not supported; run the "
                            "driver where it can reach the cluster and give the head's host:port.")
        if address and address != "auto":
            _probe(address)
        try:
            ray.init(address=address or "local", include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING, configure_logging=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise RunFailure(f"cannot join the Ray cluster at {address or 'a new local instance'} "
                             f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}).") from None
        return True

    def _shard_count(self, ray: Any) -> int:
        if self.cfg.shards is not None:
            return self.cfg.shards
        cpus = int(ray.cluster_resources().get("CPU", 1))
        return max(1, min(cpus, MAX_DEFAULT_SHARDS))

    async def run(self) -> RunStats:
        ray = _ray()
        started_here = self._connect(ray)
        try:
            self.shards = self._shard_count(ray)
            resources = self._resources(ray)
            task = ray.remote(run_shard).options(max_retries=0, num_cpus=1, resources=resources,
                                                 runtime_env={"env_vars": self._forwarded_env()})
            cfg = shard_config(self.cfg, self.shards, self.stats.spent)
            self.results = await _all_or_none([self._drive(ray, task, cfg, i) for i in range(self.shards)])
        finally:
            if started_here:
                ray.shutdown()
        for result in self.results:
            self.stats.stopped_by_budget |= result.stopped_by_budget
        return self.stats

    def _resources(self, ray: Any) -> dict[str, float]:
        """`shard_resources`, refused now if no node of the cluster offers them (Ray would wait forever)."""
        wanted = dict(self.cfg.shard_resources or {})
        if wanted:
            nodes = [n.get("Resources", {}) for n in ray.nodes() if n.get("Alive")]
            if not any(all(res.get(k, 0) >= v for k, v in wanted.items()) for res in nodes):
                offered = sorted({k for res in nodes for k in res if not k.startswith("node:")})
                raise UserError(f"no node of the Ray cluster offers shard_resources {wanted}; its nodes offer "
                                f"{', '.join(offered)}. Start nodes with `ray start --resources '{{...}}'`.")
        return wanted

    def _forwarded_env(self) -> dict[str, str]:
        """The driver's API keys (the run's and the judge's providers) and data-access settings, for the shards'
        worker processes, which a cluster starts with its own environment."""
        names = set(FORWARDED_ENV)
        for name in {self.provider, self.cfg.judge_provider or self.provider}:
            if (key_env := provider_info(self.providers, name).key_env) is not None:
                names.add(key_env)
        return {name: os.environ[name] for name in sorted(names) if name in os.environ}

    def _job(self, cfg: ExperimentConfig, index: int) -> ShardJob:
        mine = lambda qid: shard_of(qid, self.shards) == index  # noqa: E731
        done = {key for key in self.done if mine(key[0])}
        prior = {qid: tally for qid, tally in self.prior.items() if mine(qid)} if self.prior else self.prior
        return ShardJob(index, self.shards, cfg, self.provider, self.providers, done, prior, self.run_id)

    async def _drive(self, ray: Any, task: Any, cfg: ExperimentConfig, index: int) -> ShardResult:
        attempts = 0
        while True:
            stream = task.remote(self._job(cfg, index))
            try:
                async for ref in stream:
                    kind, payload, progress = await ref
                    if kind == "rows":
                        await self._write(payload)
                    self._progress[index] = progress
                    self._show()
                    if kind == "done":
                        return payload
                raise RunFailure(f"shard {index} ended without a result.")
            except asyncio.CancelledError:
                ray.cancel(stream, force=True)
                raise
            except ray.exceptions.RayTaskError as exc:  # the run's own error, raised inside the shard
                cause = getattr(exc, "cause", None)
                raise (cause if isinstance(cause, Exception) else RunFailure(str(exc).splitlines()[0])) from None
            except ray.exceptions.RayError as exc:  # the worker, its raylet or its node died; an object was lost
                attempts += 1
                self._retire(index)
                why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if attempts > self.cfg.shard_retries:
                    raise RunFailure(
                        f"shard {index} of {self.shards} lost its worker {attempts} times ({why}); every row the "
                        "shards sent is written, and the same command goes on from there."
                    ) from None
                log.warning("shard %d of %d lost its worker (%s); starting it again for its missing rows.",
                            index, self.shards, why)

    def _retire(self, index: int) -> None:
        """A dead attempt's counters stay counted; the next attempt starts its own from zero."""
        last = self._progress.pop(index, {})
        base = self._base.setdefault(index, {})
        for name, value in last.items():
            base[name] = base.get(name, 0) + value

    async def _write(self, rows: list[BestOfNRecord]) -> None:
        async with self._write_lock:
            fresh = [r for r in rows if (r.query_id, r.candidate_idx) not in self.done]
            self.duplicates_dropped += len(rows) - len(fresh)
            if fresh:
                await asyncio.to_thread(self.store.write_part, fresh)
            for row in fresh:
                self.done.add((row.query_id, row.candidate_idx))
                self.stats.record(row)

    def _show(self) -> None:
        for name in PROGRESS_FIELDS:
            total = sum(p.get(name, 0) for p in self._progress.values())
            total += sum(b.get(name, 0) for b in self._base.values())
            setattr(self.stats, name, type(getattr(self.stats, name))(total))
        self.on_progress(self.stats)

    def usages(self) -> dict[str, JudgeUsage]:
        total: dict[str, JudgeUsage] = {}
        for result in self.results:
            for name, usage in result.usages.items():
                total.setdefault(name, JudgeUsage()).add(usage)
        return total
