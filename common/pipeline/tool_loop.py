"""The tool loop, written once for every provider: the model calls tools, each call is checked
against its tool's schema and answered (a dynamic mock, or the LLM mock where no mock fits well),
and the model goes on until it answers without calling, or a limit stops it.

Each candidate runs its own conversation with its own ToolSandbox (files, database, mailbox), and
every model turn goes through the pipeline's `call`, so all conversations share the run's
concurrency limit and retries. The adapters only convert the neutral turns to their wire format
and hand back each assistant turn in the form their API wants it replayed (`Candidate.turn`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from common.cache import CACHE_ROOT, cache_key
from common.judge.judge import LLMJudge
from common.judge.prompts import JudgePrompt, clip
from common.model.api import Candidate, GenRequest, ProviderAdapter, ToolRun, Usage
from common.model.pricing import DEFAULT_PRICER, Pricer, metering
from verifiers.tools.args import check_call
from verifiers.tools.mocks import ToolSandbox

MOCK_BELOW = 0.4  # a dynamic mock matched less surely than this gives way to the LLM mock
MOCK_PROMPT_VERSION = "tool-mock-v1"
LLM_MOCK = "llm"
MAX_RESULT_CHARS = 20_000  # what a model is shown of one result

_MOCK_SYSTEM = (
    "You simulate software tools so an AI assistant can be tested. Given a tool's definition and the "
    "arguments of one call, reply with exactly one JSON object: the result this tool would return for "
    "these arguments. Make it realistic, specific and consistent with the arguments; invent plausible "
    "data where you must. No prose, no code fences."
)

Call = Callable[[GenRequest, int], Awaitable[list[Candidate]]]
Offload = Callable[..., Awaitable[Any]]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _result_text(result: Any) -> str:
    text = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)
    return clip(text, MAX_RESULT_CHARS)


class LLMToolMock:
    """Answers a call no dynamic mock fits, through a model adapter (the run's provider). Answers are
    cached on disk under the canonical JSON of (tool definition, arguments) and the mock's provider
    and model: reruns ask nothing and get the same result; another mock model asks afresh."""

    def __init__(self, adapter: ProviderAdapter, model: str | None, cache_dir: Path | str | None,
                 max_retries: int = 6, pricer: Pricer = DEFAULT_PRICER) -> None:
        self.asker = LLMJudge(adapter, model=model, cache_dir=cache_dir or CACHE_ROOT / "tool_mock",
                              max_retries=max_retries, name="tool mock", pricer=pricer)

    async def answer(self, tool: dict[str, Any], arguments: dict[str, Any]) -> tuple[Any, str | None]:
        """(result, error): a failed mock leaves the result None and says why."""
        user = f"## Tool\n{_canonical(tool)}\n\n## Arguments\n{_canonical(arguments)}\n\nReply with the JSON result."
        key = cache_key(MOCK_PROMPT_VERSION, self.asker.provider, self.asker.model, _canonical(tool),
                        _canonical(arguments))
        data, _cached, error = await self.asker.ask_json(JudgePrompt("tool_mock", _MOCK_SYSTEM, user, None), key)
        return data, error


class ToolLoop:
    def __init__(
        self,
        call: Call,
        offload: Offload,
        *,
        max_iterations: int,
        token_budget: int | None,
        llm_mock: LLMToolMock | None,
    ) -> None:
        self.call = call
        self.offload = offload
        self.max_iterations = max_iterations
        self.token_budget = token_budget
        self.llm_mock = llm_mock

    async def run(self, req: GenRequest, first: Candidate, key: str) -> Candidate:
        """Carry one candidate's conversation on from its first turn to the end; returns the candidate
        with its final text, every call, the summed usage and the `tool_run` record."""
        # The request's tools are already in the internal form (read once, at load): index, don't re-read.
        tools = {t["name"]: t for t in req.tools or []}
        sandbox = ToolSandbox(key)
        try:
            with metering() as spend:
                cand = await self._converse(req, first, tools, sandbox)
            if cand.tool_run is not None:
                cand.tool_run.mock_cost_usd = spend.tool_mock
            return cand
        finally:
            sandbox.close()

    async def _converse(
        self, req: GenRequest, cand: Candidate, tools: dict[str, dict[str, Any]], sandbox: ToolSandbox
    ) -> Candidate:
        run = ToolRun()
        messages = list(req.messages)
        turns: list[Candidate] = [cand]
        while True:
            entry: dict[str, Any] = {"turn": len(turns), "text": cand.text, "finish_reason": cand.finish_reason,
                                     "latency_s": cand.latency_s, "calls": []}
            run.trace.append(entry)
            if cand.error is not None:
                run.terminated_by = "error"
                break
            if not cand.tool_calls:
                break  # the final answer
            results = []
            for call in cand.tool_calls:
                record = await self._answer(call, tools, sandbox)
                entry["calls"].append(record)
                run.num_tool_calls += 1
                run.invalid_tool_calls += not record["valid"]
                results.append({"role": "tool", "tool_call_id": call.get("id"), "name": call.get("name"),
                                "content": record["result"], "is_error": record["is_error"]})
            messages += [cand.turn or {"role": "assistant", "content": cand.text, "tool_calls": cand.tool_calls},
                         *results]
            if len(turns) >= self.max_iterations:
                run.terminated_by = "max_iterations"
                break
            used = sum((c.usage.input_tokens or 0) + (c.usage.output_tokens or 0) for c in turns)
            if self.token_budget is not None and used >= self.token_budget:
                run.terminated_by = "budget"
                break
            cand = (await self.call(replace(req, messages=messages), 1))[0]
            turns.append(cand)
        return _whole(turns, run)

    async def _answer(self, call: dict[str, Any], tools: dict[str, dict[str, Any]], sandbox: ToolSandbox) -> dict:
        start = time.perf_counter()
        check = check_call(call, tools)
        record: dict[str, Any] = {"id": call.get("id"), "name": call.get("name"), "arguments": call.get("arguments"),
                                  "valid": check.valid, "error_kind": check.kind}
        if not check.valid:
            # Answered the way a real API answers a bad call: an error the model can read and fix.
            record.update(result=json.dumps({"error": check.message}), is_error=True, mock=None, mock_confidence=None)
        else:
            tool, args = tools[call["name"]], check.arguments or {}
            mocked = await self.offload(sandbox.call, tool, args)
            result, mock, confidence, ok = mocked.result, mocked.mock, mocked.confidence, mocked.ok
            if confidence < MOCK_BELOW and self.llm_mock is not None:
                answer, error = await self.llm_mock.answer(tool, args)
                if answer is not None:
                    result, mock, confidence, ok = answer, LLM_MOCK, None, True
                else:
                    record["llm_mock_error"] = error
            record.update(result=_result_text(result), is_error=not ok, mock=mock, mock_confidence=confidence)
        record["latency_s"] = round(time.perf_counter() - start, 6)
        return record


def _whole(turns: list[Candidate], run: ToolRun) -> Candidate:
    """One candidate for the whole conversation: the last turn's answer, every turn's calls and cost."""
    last = turns[-1]
    usage = Usage()
    for c in turns:
        usage = usage.plus(c.usage)
    reasoning = "\n\n".join(c.reasoning for c in turns if c.reasoning) or None
    calls = [{"id": c["id"], "name": c["name"], "arguments": c["arguments"]}
             for entry in run.trace for c in entry["calls"]]
    return Candidate(
        text=last.text,
        reasoning=reasoning,
        final_answer=last.final_answer,
        tool_calls=calls or None,
        finish_reason=last.finish_reason,
        usage=usage,
        latency_s=sum(c.latency_s or 0.0 for c in turns),
        error=last.error,
        attempts=1 + sum(c.attempts - 1 for c in turns),  # retries count; a loop's later turns do not
        tool_run=run,
    )
