"""Every check a candidate goes through, in the order of the verification flow:
refusal, decided once here (patterns, then the LLM where they are unsure) -> the split's verifier
(told the refusal check is done) -> the judge when the policy asks for it.

Returns the verdict fields of the row. Verifiers block (sandboxes, worker processes), so they run
on the checker's own thread pool, sized to what the verifiers can run at once; the event loop's
default pool stays free for checkpoint writes and dataset pulls. A verifier that queues its own work
(`verifiers.queues`: math, whose worker processes take candidates in batches, extraction included) is
handed each candidate straight from the loop, and its verdicts come back in bursts (`_Inbox`), so
verification runs beside generation without a thread hop per candidate. Model-written code and
comparison work run in sandboxes and worker processes, never in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from common.checks.refusal import RefusalClassifier
from common.checks.verdicts import VerdictCache, verdict_key
from common.checks.voice import VoiceScorer
from common.config import ExperimentConfig, verifier_options
from common.data.query import Query
from common.errors import UserError
from common.judge.judge import LLMJudge
from common.judge.policy import combine, format_tool_trace, needs_judge
from common.model.api import Candidate
from common.model.pricing import metering
from verifiers import (
    VerifierConfigError,
    check_options,
    has_verifier,
    parallel_slots,
    queues,
    start,
    verify_candidate,
)
from verifiers.base import NO_VERDICT_REASONS, UNDECIDED_REASONS, VerificationResult
from verifiers.refusal import RefusalResult, detect_refusal

T = TypeVar("T")


def judge_needed_for(cfg: ExperimentConfig) -> bool:
    """Whether a run can reach the judge at all (so a missing judge key fails at start, not midway)."""
    if cfg.persona is not None and cfg.persona_voice == "judge":
        return True
    if not cfg.verify:
        return False
    return cfg.llm_judge_fallback or any(s in ("tool_calling", "code") for s in cfg.splits)


def judge_question(query: Query) -> str:
    """What the judge is told was asked: the question alone, or for a conversation the dataset's system
    prompt and every turn before the candidate's (an instruction or an earlier result may decide what
    the right answer is). The persona is left out: it shapes the style, and style is not judged."""
    if not query.system and len(query.messages) <= 1:
        return query.question
    lines = [f"[system] {query.system}"] if query.system else []
    for m in query.messages:
        text = m.get("content") or ""
        if m.get("tool_calls"):
            calls = ", ".join(f"{c.get('name')}({c.get('arguments')})" for c in m["tool_calls"])
            text = f"{text}\n(calls {calls})".strip()
        who = f"tool result {m.get('name') or ''}".strip() if m.get("role") == "tool" else m.get("role")
        lines.append(f"[{who}] {text}")
    return "\n".join(lines)


def _local_fields(result: VerificationResult) -> dict[str, Any]:
    details = result.details or {}
    extracted = details.get("extracted")
    return {
        "is_verified": result.is_verified,
        "confidence": result.confidence,
        "verification_method": result.method,
        "verification_explanation": result.explanation,
        "verification_reason": details.get("reason"),
        "extracted_answer": None if extracted is None else str(extracted),
        "verification_details": json.dumps(details, ensure_ascii=False, default=str) if details else None,
    }


class _Inbox:
    """Verdicts handed over from the verifiers' own threads to one event loop: one wake-up of the loop per
    burst of verdicts, not one per verdict."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._items: list[tuple[asyncio.Future[Any], Any]] = []

    def put(self, fut: asyncio.Future[Any], value: Any) -> None:
        with self._lock:
            self._items.append((fut, value))
            first = len(self._items) == 1
        if first:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for these any more
                self.loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        with self._lock:
            items, self._items = self._items, []
        for fut, value in items:
            if fut.done():  # cancelled meanwhile
                continue
            if isinstance(value, BaseException):
                fut.set_exception(value)
            else:
                fut.set_result(value)


class CandidateChecker:
    def __init__(self, cfg: ExperimentConfig, judge: LLMJudge | None, verdicts: VerdictCache | None = None) -> None:
        self.cfg = cfg
        self.judge = judge
        # Verdicts by their inputs (common/checks/verdicts.py). By default only filled, for `bestofn verify`.
        self.verdicts = verdicts if verdicts is not None else VerdictCache(read=False)
        self.refusals = RefusalClassifier(judge)
        self.voice = VoiceScorer.for_run(cfg, judge, self.offload)
        self.options = {split: verifier_options(cfg, split) for split in cfg.splits}
        slots = 0
        for split in cfg.splits if cfg.verify else ():
            try:  # a setting that cannot work fails here, not as an error on every row
                check_options(split, **self.options[split])
                slots += parallel_slots(split, **self.options[split])
            except VerifierConfigError as e:
                raise UserError(f"cannot verify the {split} split: {e}.") from None
        # Verifications that can progress at once, plus two threads that light work (quality metrics
        # and row building for long responses) always finds free: at most `slots` verifications
        # are handed to the pool at a time, so none parks a thread waiting for a sandbox.
        self.executor = ThreadPoolExecutor(max_workers=slots + 2, thread_name_prefix="bestofn-verify")
        self._verifying = asyncio.Semaphore(max(slots, 1))
        self._queued: dict[str, bool] = {}  # per split: does its verifier queue work itself (verifiers.queues)
        self._inbox: _Inbox | None = None
        for split in cfg.splits if cfg.verify else ():
            if has_verifier(split) and self._queues(split):
                # Its workers start now, while the first candidates are generated, not when they arrive.
                start(split, **(self.options[split] or {}))

    async def offload(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking or CPU-heavy work on the checker's pool, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.verdicts.close()

    def _verify(self, key: bytes | None, split: str, text: str, ground_truth: str | None,
                context: dict[str, Any]) -> VerificationResult:
        result = verify_candidate(split, text, ground_truth, context, self.options.get(split))
        self.verdicts.keep(key, split, result)
        return result

    def _queues(self, split: str) -> bool:
        queued = self._queued.get(split)
        if queued is None:
            queued = self._queued[split] = queues(split, **(self.options.get(split) or {}))
        return queued

    async def _submit(self, key: bytes | None, split: str, text: str, ground_truth: str | None,
                      context: dict[str, Any]) -> tuple[VerificationResult, dict[str, Any]]:
        """A verifier that queues its own work (math: batches to worker processes) takes the candidate here,
        on the loop, without a trip through the thread pool. Its thread keeps the verdict (working out the
        key when `key` is None) and makes the row's fields; both come back to the loop through the inbox."""
        loop = asyncio.get_running_loop()
        if self._inbox is None or self._inbox.loop is not loop:
            self._inbox = _Inbox(loop)
        inbox = self._inbox
        fut: asyncio.Future[tuple[VerificationResult, dict[str, Any]]] = loop.create_future()
        options = self.options.get(split)

        def on_done(value: VerificationResult | BaseException) -> None:
            if isinstance(value, VerificationResult):
                try:
                    kept = key if key is not None else verdict_key(split, text, ground_truth, context, options)
                    self.verdicts.keep(kept, split, value)
                    inbox.put(fut, (value, _local_fields(value)))
                except Exception as exc:  # noqa: BLE001 - for the awaiting check, as offload would raise it
                    inbox.put(fut, exc)
            else:
                inbox.put(fut, value)

        verify_candidate(split, text, ground_truth, context, options, on_done)
        return await fut

    async def check(self, query: Query, cand: Candidate) -> dict[str, Any]:
        """The row's verdict fields, with `judge_cost_usd`: what the judge's calls for it cost."""
        with metering() as spend:
            out = await self._check(query, cand)
            if self.voice is not None and cand.error is None and cand.text:
                out.update(await self.voice.score(cand.text))
        out["judge_cost_usd"] = spend.judge
        return out

    async def _check(self, query: Query, cand: Candidate) -> dict[str, Any]:
        if cand.error is not None:
            return {"verification_method": "error"}
        text = cand.text or ""
        out: dict[str, Any] = {}
        refusal: RefusalResult | None = None
        if text:
            refusal = detect_refusal(text)  # head and tail windows only: flat cost, fine on the loop
            if self.cfg.verify and refusal.ambiguous:
                refusal = await self.refusals.classify(text, query.question, pattern=refusal)
            out.update(is_refusal=refusal.refused, refusal_type=refusal.refusal_type)
        if not self.cfg.verify:
            return {**out, "verification_method": "disabled"}
        if refusal is not None and refusal.refused:
            return {
                **out,
                "is_verified": False,
                "confidence": refusal.confidence,
                "verification_method": "refusal",
                "verification_reason": "refusal",
                "verification_explanation": f"refusal ({refusal.refusal_type}, {refusal.source}): {refusal.matched!r}",
            }
        split = query.split
        result: VerificationResult | None = None
        if has_verifier(split):
            context = {
                "question": query.question,
                "tests": query.tests,
                "tools": query.tools,
                "language": query.language,
                "entry_point": query.entry_point,
                "final_answer": cand.final_answer,
                "refusal_checked": True,  # decided above, once
                "tool_calls": cand.tool_calls,
                "reference": query.reference_calls,
                "terminated_by": cand.tool_run.terminated_by if cand.tool_run else None,
            }
            queued = self._queues(split)
            if queued and not self.verdicts.read:
                # Nothing to look up: the verdict's key is worked out off the loop, when it is kept.
                result, fields = await self._submit(None, split, text, query.ground_truth, context)
                out.update(fields)
            else:
                key, result = self.verdicts.lookup(split, text, query.ground_truth, context, self.options.get(split))
                if result is None and queued:
                    result, fields = await self._submit(key, split, text, query.ground_truth, context)
                    out.update(fields)
                else:
                    if result is None:
                        async with self._verifying:
                            result = await self.offload(self._verify, key, split, text, query.ground_truth, context)
                    out.update(_local_fields(result))
            if out["verification_reason"] in NO_VERDICT_REASONS:
                # The sandbox or worker failed: no verdict, and none to hand to the judge either.
                return {**out, "is_verified": None, "confidence": None}
        else:
            out.update(verification_method="none", verification_explanation=f"no local verifier for split '{split}'")
        if self.judge is None or not needs_judge(split, result, self.cfg.llm_judge_fallback, self.cfg.judge_threshold):
            if out.get("verification_reason") in UNDECIDED_REASONS:
                # Undecided and no judge asked: unverified, not wrong (a null verdict is left out of
                # every verified share instead of counting as a failure).
                return {**out, "is_verified": None, "confidence": None}
            return out
        trace = cand.tool_run.trace if cand.tool_run else None
        tools = json.dumps(query.tools, ensure_ascii=False) if query.tools else None
        verdict = await self.judge.judge(judge_question(query), text, query.ground_truth, split,
                                         tool_trace=format_tool_trace(trace, cand.tool_calls), tools=tools)
        out.update(combine(result, verdict))
        return out
