"""The pipeline, written once: queries -> N candidates -> checks -> rows -> checkpoints.

Memory is bounded by the number of queries in flight, never by the dataset or the run:
queries are pulled lazily, finished rows go to the store and are flushed every
`checkpoint_every` queries.
"""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from common.checks.checker import CandidateChecker
from common.checks.quality import compute_quality
from common.config import ExperimentConfig, StopWhen
from common.data.query import Query
from common.errors import AuthError, RunFailure
from common.model.api import (
    STRUCTURED_OUTPUT_SCHEMA,
    Candidate,
    GenRequest,
    ProviderAdapter,
    RateControl,
    build_system_prompt,
    parse_structured,
)
from common.model.pricing import DEFAULT_PRICER, Pricer
from common.model.retry import RetryStats, call_with_retry, describe_error
from common.pipeline.tool_loop import LLMToolMock, ToolLoop
from common.schema import BestOfNRecord
from common.store import CheckpointStore, Key

QUERY_BATCH = 32  # queries pulled from the dataset per trip to a worker thread
# Calls in a row, each through all its retries, whose server refused the connection: it is gone, the run stops.
DEAD_SERVER_CALLS = 3
INLINE_ROW_CHARS = 20_000  # a query's rows with more text than this are built off the event loop


def error_kind(error: str) -> str:
    """A short name for an `error` cell, to count errors by kind ("HTTP 500", "cannot connect", ...)."""
    head = error.split(":", 1)[0].split(" (", 1)[0].strip()
    if head.startswith("cannot connect"):
        return "cannot connect"
    if head.startswith("the API returned no content"):
        return "no content"
    if head.startswith("no answer"):
        return "timeout"
    return head[:40]


@dataclass
class SplitStats:
    rows: int = 0
    verified: int = 0
    verifiable: int = 0
    refusals: int = 0
    judge_errors: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        share = f"{self.verified / self.verifiable:.1%}" if self.verifiable else "n/a"
        kinds = ", ".join(f"{k} x{n}" for k, n in self.errors.most_common(3))
        errors = f"{self.errors.total()} errors" + (f" ({kinds})" if kinds else "")
        return (f"{self.rows} rows, {self.verified}/{self.verifiable} verified ({share}), {errors}, "
                f"{self.refusals} refusals, {self.judge_errors} judge errors")


@dataclass
class RunStats:
    """This run's counts. Verdict counts are kept per split; the run's totals are their sums."""

    queries_total: int | None = None
    queries_done: int = 0
    queries_skipped_done: int = 0
    duplicate_ids: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0  # prompt-cache reads (inside input_tokens for OpenAI, beside it for Claude)
    output_tokens: int = 0
    cost_usd: float = 0.0
    unpriced: int = 0  # rows whose model has no listed price (cost null)
    retry: RetryStats = field(default_factory=RetryStats)
    rate: RateControl | None = None  # the adapter's limiters, live (the progress display reads them)
    # Spend: what the output's rows cost before this run, and the run's limit (max_cost_usd).
    cost_before: float = 0.0
    queries_before: int = 0  # queries with rows in the output before this run
    budget: float | None = None
    stopped_by_budget: bool = False
    # Fan-out: input tokens as billed (cache reads and writes weighted by price) against the prompt
    # tokens N separate uncached requests would have sent, summed over this run's generation calls.
    billed_input: float = 0.0
    naive_input: int = 0
    # Adaptive N (stop_when): candidates never asked for because their query was already satisfied.
    candidates_saved: int = 0
    batch_note: str = ""  # with --batch, the open batches' state while the run waits on them
    by_split: dict[str, SplitStats] = field(default_factory=dict)

    def _total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.by_split.values())

    @property
    def candidates(self) -> int:
        return self._total("rows")

    @property
    def verified(self) -> int:
        return self._total("verified")

    @property
    def verifiable(self) -> int:
        return self._total("verifiable")

    @property
    def refusals(self) -> int:
        return self._total("refusals")

    @property
    def judge_errors(self) -> int:
        """Rows the judge should have decided but could not."""
        return self._total("judge_errors")

    @property
    def errors(self) -> int:
        return sum(s.errors.total() for s in self.by_split.values())

    @property
    def spent(self) -> float:
        """The output's spend so far: its earlier rows and this run's."""
        return self.cost_before + self.cost_usd

    def projected_cost(self) -> float | None:
        """The output's spend when every query is done, at this run's cost per query so far."""
        if self.queries_total is None or not self.queries_done:
            return None
        left = max(self.queries_total - self.queries_skipped_done - self.queries_done, 0)
        return self.spent + self.cost_usd / self.queries_done * left

    def record(self, row: BestOfNRecord) -> None:
        split = self.by_split.setdefault(row.split, SplitStats())
        split.rows += 1
        split.verifiable += row.is_verified is not None
        split.verified += bool(row.is_verified)
        split.refusals += bool(row.is_refusal)
        split.judge_errors += row.judge_error is not None
        if row.error is not None:
            split.errors[error_kind(row.error)] += 1
        self.input_tokens += row.input_tokens or 0
        self.cached_input_tokens += row.cached_input_tokens or 0
        self.output_tokens += row.output_tokens or 0
        self.cost_usd += row.cost_usd or 0.0
        self.unpriced += row.cost_usd is None and row.error is None


def build_request(query: Query, cfg: ExperimentConfig, persona_text: str | None) -> GenRequest:
    messages = list(query.messages) or [{"role": "user", "content": query.question}]
    return GenRequest(
        model=cfg.model or "",
        messages=messages,
        system=build_system_prompt(persona_text, query.system),
        tools=query.tools,
        max_tokens=cfg.max_tokens,
        temperature=cfg.temperature,
        seed=cfg.seed,
        thinking_budget=cfg.thinking_budget,
        response_schema=STRUCTURED_OUTPUT_SCHEMA if cfg.structured_output else None,
    )


class Pipeline:
    """Generates, checks and records the candidates of one run (generate or regen)."""

    def __init__(
        self,
        cfg: ExperimentConfig,
        adapter: ProviderAdapter,
        store: CheckpointStore,
        checker: CandidateChecker | None = None,
        run_id: str | None = None,
        on_progress: Callable[[RunStats], None] | None = None,
        tool_mock: LLMToolMock | None = None,
        pricer: Pricer = DEFAULT_PRICER,
        stop_when: StopWhen | None = None,
        prior: dict[str, list[int]] | None = None,
    ) -> None:
        """`stop_when`: sample each query in rounds (adaptive N); `prior`: query id -> [verified, wrong]
        counts of its rows already in the output (QueryTally.of), for a resumed adaptive run."""
        self.cfg = cfg
        self.pricer = pricer
        self.stop_when = stop_when
        self.prior = prior or {}
        self.adapter = adapter
        self.store = store
        self.checker = checker or CandidateChecker(cfg, judge=None)
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.stats = RunStats()
        self.persona_text = cfg.persona_text()
        self.on_progress = on_progress or (lambda s: None)
        self._requests = asyncio.Semaphore(cfg.concurrency)
        # The adapter's rate limiter paces every call (the judge's and the tool mock's too, through the same
        # adapter); the run says how far its window may open and any limits the server does not send.
        limits: RateControl | None = getattr(adapter, "limits", None)
        if limits is not None:
            limits.configure(max_concurrency=cfg.concurrency, rpm=cfg.rate_limit_rpm, tpm=cfg.rate_limit_tpm)
            self.stats.rate = limits
        self.stats.budget = cfg.max_cost_usd
        self._flush_lock = asyncio.Lock()
        self._queries_since_flush = 0
        self._committed = 0.0  # estimated cost of the queries in flight (max_cost_usd)
        self._in_flight = 0
        self._unreachable = 0  # calls in a row whose server refused every connection attempt
        per_request = min(adapter.max_n_per_request, cfg.n_per_request, cfg.num_candidates)
        self.per_request = max(per_request, 1)
        # Enough queries in flight to keep every request slot busy, few enough to bound memory.
        wanted = math.ceil(2 * cfg.concurrency * self.per_request / cfg.num_candidates)
        self.max_inflight_queries = max(2, min(wanted, 2 * cfg.concurrency))
        self.tool_loop = ToolLoop(self._call, self.checker.offload, max_iterations=cfg.max_tool_iterations,
                                  token_budget=cfg.max_tool_tokens, llm_mock=tool_mock)

    # ---- one API call, retried ------------------------------------------------------------------
    async def _call(self, req: GenRequest, k: int) -> list[Candidate]:
        async with self._requests:
            try:
                cands, attempts = await call_with_retry(
                    lambda: self.adapter.generate(req, k),
                    max_retries=self.cfg.max_retries,
                    key_env=self.adapter.info.key_env,
                    stats=self.stats.retry,
                )
            except AuthError:
                raise
            except Exception as exc:  # recorded on its rows; the run goes on, unless the server is gone
                attempts = getattr(exc, "attempts", 1)
                error = describe_error(exc)
                self._server_gone(error)
                return [Candidate(text=None, error=error, attempts=attempts) for _ in range(k)]
        self._unreachable = 0
        self.count_input(req, cands)
        for c in cands:
            c.attempts = attempts
        return self.settle(req, cands)

    def _server_gone(self, error: str) -> None:
        """A server that refuses connections through every retry of several calls in a row has gone away
        (stopped, crashed, every replica down): stop, keeping what is written, rather than write an error
        row for every query left."""
        if error_kind(error) != "cannot connect":
            self._unreachable = 0
            return
        self._unreachable += 1
        if self._unreachable >= DEAD_SERVER_CALLS:
            where = self.adapter.base_url or f"the {self.adapter.info.name} API"
            raise RunFailure(
                f"the model server at {where} stopped answering mid-run: {self._unreachable} requests in a row "
                f"failed after every retry ({error}). Every finished query is written; once the server is back, run "
                f"the same command to go on, then `bestofn {self.adapter.info.name} regen` on the output to redo the "
                "rows that errored."
            )

    @staticmethod
    def settle(req: GenRequest, cands: list[Candidate]) -> list[Candidate]:
        """What every answered candidate goes through, online or from a batch: no content is an error, and a
        structured reply is parsed once."""
        for c in cands:
            if c.error is not None:
                continue
            if c.text is None and not c.tool_calls:
                # Apart from "" (the model said nothing): the API sent no content at all. An error, so
                # regen redoes it.
                c.error = f"the API returned no content (finish_reason {c.finish_reason})"
            if req.response_schema is not None:
                reasoning, c.final_answer = parse_structured(c.text)
                # The provider's own trace (Claude's thinking) exists only here, while the JSON's reasoning
                # stays whole in `response`: the trace wins, the JSON's reasoning fills in where there is none.
                c.reasoning = c.reasoning or reasoning
        return cands

    def count_input(self, req: GenRequest, cands: list[Candidate]) -> None:
        """One call's prompt as billed, against the same prompt sent once per candidate without caching."""
        if not cands:
            return
        info = self.adapter.info
        usage = cands[0].usage  # each candidate holds its share of the call's usage
        for c in cands[1:]:
            usage = usage.plus(c.usage)
        billed = self.pricer.billed_input(info, req.model, usage)
        prompt = self.pricer.prompt_tokens(info, usage)
        if billed is not None and prompt is not None:
            self.stats.billed_input += billed
            self.stats.naive_input += prompt * len(cands)

    async def _chunk(self, req: GenRequest, k: int) -> list[Candidate]:
        """k candidates from as many calls as it takes: servers may return fewer choices than `n`."""
        got: list[Candidate] = []
        empty_rounds = 0
        while len(got) < k:
            new = await self._call(req, k - len(got))
            got.extend(new)
            empty_rounds = 0 if new else empty_rounds + 1
            if empty_rounds >= 3:
                missing = k - len(got)
                got += [Candidate(text=None, error="server returned no choices three times")] * missing
        return got[:k]

    async def _conversations(self, req: GenRequest, first: list[Candidate] | int, key: str) -> list[Candidate]:
        """Candidates from their first turns (or that many new ones); with tools, each first turn carried
        on through its own tool loop."""
        got = await self._chunk(req, first) if isinstance(first, int) else first
        if not req.tools:
            return got
        return list(await asyncio.gather(*(self.tool_loop.run(req, c, key) for c in got)))

    async def candidates_for(self, req: GenRequest, indices: list[int], key: str = "") -> list[tuple[int, Candidate]]:
        """Candidates for `indices`; `key` (the query id) seeds each tool sandbox's state."""
        sizes = [self.per_request] * (len(indices) // self.per_request)
        if rest := len(indices) % self.per_request:
            sizes.append(rest)
        jobs = []
        if self.adapter.cache_warmup and len(sizes) > 1:
            # The first call writes the prompt cache; the rest then read it.
            jobs.append(self._conversations(req, await self._chunk(req, sizes[0]), key))
            sizes = sizes[1:]
        jobs += [self._conversations(req, k, key) for k in sizes]
        results = [c for chunk in await asyncio.gather(*jobs) for c in chunk]
        return list(zip(indices, results, strict=True))

    # ---- rows -----------------------------------------------------------------------------------
    def make_row(
        self, q: Query, req: GenRequest, idx: int, cand: Candidate, checks: dict[str, Any]
    ) -> BestOfNRecord:
        cfg = self.cfg
        quality = compute_quality(
            cand.text, cand.finish_reason, q.split, cand.usage.output_tokens,
            has_answer=True if cand.final_answer else None,  # a structured answer is an answer
            is_refusal=checks.get("is_refusal"),  # the row's verdict, LLM pass included
        )
        u = cand.usage
        run = cand.tool_run
        tool_fields: dict[str, Any] = {}
        if run is not None:
            terminated = run.terminated_by
            if terminated == "final_answer" and checks.get("is_refusal"):
                terminated = "refusal"
            tool_fields = {
                "tool_trace": json.dumps(run.trace, ensure_ascii=False, default=str),
                "num_tool_calls": run.num_tool_calls,
                "num_iterations": run.num_iterations,
                "invalid_tool_calls": run.invalid_tool_calls,
                "terminated_by": terminated,
            }
        return BestOfNRecord(
            query_id=q.query_id,
            split=q.split,
            candidate_idx=idx,
            question=q.question,
            system_prompt=req.system,
            persona=cfg.persona_name,
            ground_truth=q.ground_truth,
            query_metadata=q.metadata_json(),
            response=cand.text,  # whole, however long: Parquet holds large strings
            reasoning=cand.reasoning,
            final_answer=cand.final_answer,
            tool_calls=cand.tool_calls_json(),
            model=cfg.model or "",
            provider=self.adapter.info.name,
            api=self.adapter.api,
            temperature=cfg.temperature if self.adapter.applies_temperature(req.model) else None,
            max_tokens=cfg.max_tokens,
            quality_completeness_score=quality.quality_completeness_score,
            quality_is_substantive=quality.quality_is_substantive,
            has_final_answer=quality.has_final_answer,
            is_truncated=quality.is_truncated,
            response_chars=quality.response_chars,
            finish_reason=cand.finish_reason,
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cached_input_tokens=u.cached_input_tokens,
            cache_creation_input_tokens=u.cache_creation_input_tokens,
            reasoning_tokens=u.reasoning_tokens,
            latency_s=cand.latency_s,
            **self._costs(req, cand, checks),
            error=cand.error,
            attempts=cand.attempts,
            run_id=self.run_id,
            batched=cand.batched,
            **tool_fields,
            **checks,
        )

    def _costs(self, req: GenRequest, cand: Candidate, checks: dict[str, Any]) -> dict[str, Any]:
        """cost_usd (generation, judge and tool mock together) and its two parts beside generation. An
        error row's generation costs nothing, unless turns of its tool loop answered before the error."""
        u = cand.usage
        gen = (self.pricer.cost(self.adapter.info, req.model, u, batched=cand.batched)
               if cand.error is None or u.input_tokens else None)
        judge = checks.pop("judge_cost_usd", 0.0)
        mock = cand.tool_run.mock_cost_usd if cand.tool_run is not None else 0.0
        total = None if gen is None or judge is None or mock is None else round(gen + judge + mock, 8)
        return {"cost_usd": total, "judge_cost_usd": judge,
                "tool_mock_cost_usd": mock if cand.tool_run is not None else None}

    async def rows_for(self, query: Query, indices: list[int]) -> list[BestOfNRecord]:
        req = build_request(query, self.cfg, self.persona_text)
        pairs = await self.candidates_for(req, indices, query.query_id)
        return await self.rows_from(query, req, pairs)

    async def rows_from(self, query: Query, req: GenRequest, pairs: list[tuple[int, Candidate]]) -> list[BestOfNRecord]:
        """Check `pairs` (candidate index, candidate), ask again for capability refusals, and build the rows
        (candidates from a batch come in here too)."""
        checks = list(await asyncio.gather(*(self.checker.check(query, c) for _, c in pairs)))
        requeues = await self._requeue_capability_refusals(query, req, pairs, checks)
        for (idx, _), chk in zip(pairs, checks, strict=True):
            chk["requeue_count"] = requeues.get(idx, 0)

        def rows() -> list[BestOfNRecord]:
            return [self.make_row(query, req, idx, c, chk) for (idx, c), chk in zip(pairs, checks, strict=True)]

        # Quality metrics run regexes over whole responses: long ones go off the event loop (one hop
        # for the query); short ones cost less than the hop.
        if sum(len(c.text or "") + len(c.reasoning or "") for _, c in pairs) > INLINE_ROW_CHARS:
            return await self.checker.offload(rows)
        return rows()

    async def _requeue_capability_refusals(
        self, query: Query, req: GenRequest, pairs: list[tuple[int, Candidate]], checks: list[dict[str, Any]]
    ) -> dict[int, int]:
        """A candidate that says it cannot do the task ("I can't browse the web") is asked for again, up
        to `max_requeues` times, in place (same index); the row keeps the last candidate, the tokens and
        cost of every attempt, and the count. Safety refusals are answers and stay as they are."""
        counts: dict[int, int] = {}
        for _ in range(self.cfg.max_requeues):
            redo = [i for i, chk in enumerate(checks)
                    if chk.get("is_refusal") and chk.get("refusal_type") == "capability"]
            if not redo:
                break
            fresh = await self.candidates_for(req, [pairs[i][0] for i in redo], query.query_id)
            fresh_checks = await asyncio.gather(*(self.checker.check(query, c) for _, c in fresh))
            for i, (idx, cand), chk in zip(redo, fresh, fresh_checks, strict=True):
                cand.usage = pairs[i][1].usage.plus(cand.usage)
                cand.attempts += pairs[i][1].attempts
                pairs[i], checks[i] = (idx, cand), chk
                counts[idx] = counts.get(idx, 0) + 1
        return counts

    # ---- adaptive N ------------------------------------------------------------------------------
    async def query_rows(self, query: Query, indices: list[int]) -> list[BestOfNRecord]:
        """The query's rows: all of `indices` at once, or with `stop_when` in rounds until the query has
        what it needs (QueryTally) or the indices are spent."""
        if self.stop_when is None:
            return await self.rows_for(query, indices)
        tally = QueryTally(*self.prior.pop(query.query_id, (0, 0)))
        rows: list[BestOfNRecord] = []
        todo = list(indices)
        while todo and not tally.satisfies(self.stop_when):
            take = self.stop_when.round_size or tally.missing(self.stop_when)
            batch, todo = todo[:take], todo[take:]
            new = await self.rows_for(query, batch)
            for row in new:
                tally.add(row)
            rows += new
        self.stats.candidates_saved += len(todo)
        return rows

    # ---- the run --------------------------------------------------------------------------------
    async def finish_query(self, rows: list[BestOfNRecord]) -> None:
        for row in rows:
            self.stats.record(row)
        self.store.add(rows)
        self.stats.queries_done += 1
        self._queries_since_flush += 1
        if self._queries_since_flush >= self.cfg.checkpoint_every:
            await self.flush()
        self.on_progress(self.stats)

    def _estimate(self, query: Query, indices: list[int]) -> float:
        """What a query about to start will likely cost, for max_cost_usd: this run's cost per query so far,
        else the output's, else (nothing known yet) the most it can cost, its output at max_tokens."""
        s = self.stats
        if s.budget is None:
            return 0.0
        if s.queries_done:
            return s.cost_usd / s.queries_done
        if s.queries_before:
            return s.cost_before / s.queries_before
        req = build_request(query, self.cfg, self.persona_text)
        requests = math.ceil(len(indices) / self.per_request)
        return self.pricer.bound(self.adapter.info, req, len(indices), requests) or 0.0

    def _over_budget(self, estimate: float) -> bool:
        """Whether starting a query of that estimate could pass max_cost_usd, with what is spent and what the
        queries in flight will likely cost. With none in flight and the limit not reached, one query starts
        anyway: the limit is passed by at most that query, and a limit below one query's worst case still
        makes progress."""
        budget = self.stats.budget
        if budget is None:
            return False
        if self.stats.spent >= budget:
            return True
        return self._in_flight > 0 and self.stats.spent + self._committed + estimate > budget

    async def flush(self) -> None:
        async with self._flush_lock:
            self._queries_since_flush = 0
            rows = self.store.take()
            if rows:
                await asyncio.to_thread(self.store.write_part, rows)

    async def run(self, work: Iterable[tuple[Query, list[int]]]) -> RunStats:
        """`work` yields (query, candidate indices still to make); pulled lazily in a thread
        because dataset streaming may block on the network."""
        it: Iterator[tuple[Query, list[int]]] = iter(work)
        slots = asyncio.Semaphore(self.max_inflight_queries)
        tasks: set[asyncio.Task] = set()
        failure: BaseException | None = None

        async def one(query: Query, indices: list[int], estimate: float) -> None:
            try:
                await self.finish_query(await self.query_rows(query, indices))
            finally:
                self._committed -= estimate
                self._in_flight -= 1
                slots.release()

        def done_callback(task: asyncio.Task) -> None:
            nonlocal failure
            tasks.discard(task)
            if not task.cancelled() and task.exception() is not None and failure is None:
                failure = task.exception()

        pending: deque[tuple[Query, list[int]]] = deque()
        try:
            while failure is None:
                await slots.acquire()
                if not pending:
                    # In batches: each hop to a thread may wait a GIL switch interval (5 ms).
                    pending.extend(await asyncio.to_thread(lambda: list(islice(it, QUERY_BATCH))))
                if not pending or failure is not None:
                    slots.release()
                    break
                estimate = self._estimate(*pending[0])
                while tasks and failure is None and self._over_budget(estimate):
                    # It may fit once the queries in flight have cost what they really cost.
                    await asyncio.wait(set(tasks), return_when=asyncio.FIRST_COMPLETED)
                    estimate = self._estimate(*pending[0])
                if failure is not None or self._over_budget(estimate):
                    slots.release()
                    self.stats.stopped_by_budget = failure is None
                    break
                self._committed += estimate
                self._in_flight += 1
                task = asyncio.create_task(one(*pending.popleft(), estimate))
                tasks.add(task)
                task.add_done_callback(done_callback)
            while tasks and failure is None:
                await asyncio.wait(set(tasks), return_when=asyncio.FIRST_EXCEPTION)
            if failure is not None:
                raise failure
        finally:
            for t in tasks:
                t.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            # Whatever finished is kept, on success, error or Ctrl-C alike.
            await asyncio.shield(self.flush())
        return self.stats


@dataclass
class QueryTally:
    """What adaptive N counts of one query's rows: verified ones, and verified-wrong ones fit to be a DPO
    pair's rejected answer (not errored, refused or truncated)."""

    verified: int = 0
    wrong: int = 0

    COLUMNS = ("query_id", "is_verified", "is_refusal", "is_truncated", "error")

    @staticmethod
    def counts(is_verified: bool | None, is_refusal: bool | None, is_truncated: bool | None,
               error: str | None) -> tuple[int, int]:
        wrong = is_verified is False and not is_refusal and not is_truncated and error is None
        return int(bool(is_verified)), int(wrong)

    def add(self, row: BestOfNRecord) -> None:
        v, w = self.counts(row.is_verified, row.is_refusal, row.is_truncated, row.error)
        self.verified += v
        self.wrong += w

    def satisfies(self, when: StopWhen) -> bool:
        return self.verified >= when.verified and (not when.need_pair or self.wrong > 0)

    def missing(self, when: StopWhen) -> int:
        """Candidates the next round asks for: the verified ones still missing, plus one for a pair."""
        return max(when.verified - self.verified, 0) + int(when.need_pair and not self.wrong) or 1

    @classmethod
    def of(cls, rows: Iterable[tuple[Any, ...]]) -> dict[str, list[int]]:
        """query id -> [verified, wrong] from (query_id, is_verified, is_refusal, is_truncated, error) rows."""
        out: dict[str, list[int]] = {}
        for qid, *fields in rows:
            v, w = cls.counts(*fields)
            tally = out.setdefault(qid, [0, 0])
            tally[0] += v
            tally[1] += w
        return out


def pending_work(
    queries: Iterable[Query], num_candidates: int, done: set[Key], stats: RunStats,
    stop_when: StopWhen | None = None, prior: dict[str, list[int]] | None = None,
) -> Iterator[tuple[Query, list[int]]]:
    """Skip what a previous run already made: resume never regenerates or duplicates a row.
    A query id seen twice in the data is made once (the first row wins). With `stop_when`, a query
    whose rows in the output (`prior`) already satisfy it is done too."""
    seen: set[str] = set()
    for q in queries:
        if q.query_id in seen:
            stats.duplicate_ids += 1
            continue
        seen.add(q.query_id)
        missing = [i for i in range(num_candidates) if (q.query_id, i) not in done]
        if missing and stop_when is not None and prior and q.query_id in prior \
                and QueryTally(*prior[q.query_id]).satisfies(stop_when):
            missing = []
        if missing:
            yield q, missing
        else:
            stats.queries_skipped_done += 1
