"""Claude adapter: Messages API, extended thinking kept apart, persona and question marked for caching,
structured output through `output_config.format`."""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import AsyncIterator, Mapping
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import anthropic

from common.errors import MissingKeyError, RunFailure
from common.model.api import BatchItem, BatchState, Candidate, GenRequest, ProviderInfo, Usage
from common.model.pricing import load_prices
from common.model.ratelimit import (
    LimitRules,
    LimitsSnapshot,
    RateLimits,
    make_limit,
    pick_headers,
    retry_after_header_s,
)
from common.model.replicas import one_base_url
from verifiers.tools.spec import WireNames, to_anthropic

_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}
_CACHE = {"type": "ephemeral"}


def reset_s(value: str | None) -> float | None:
    """Seconds until an RFC 3339 reset time (`anthropic-ratelimit-*-reset`); None if not one."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def read_limits(headers: Mapping[str, str]) -> LimitsSnapshot:
    """`anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}` and
    Retry-After, as the limiter reads them."""
    headers = pick_headers(headers, "anthropic-ratelimit-")
    if not headers:
        return LimitsSnapshot()

    def one(kind: str) -> Any:
        name = f"anthropic-ratelimit-{kind}"
        return make_limit(headers.get(f"{name}-limit"), headers.get(f"{name}-remaining"),
                          reset_s(headers.get(f"{name}-reset")))

    return LimitsSnapshot(requests=one("requests"), tokens=one("tokens"), input_tokens=one("input-tokens"),
                          output_tokens=one("output-tokens"), retry_after_s=retry_after_header_s(headers))


# Anthropic estimates output from max_tokens at the start and corrects it to the output produced at the
# end; cache reads do not count against the input limit.
LIMIT_RULES = LimitRules(refunds_output=True, cache_reads_count=False, cached_in_input=False)


def _tool_input(arguments: Any) -> dict[str, Any]:
    """A call's arguments as the object `tool_use.input` must be (history from a dataset may hold a string)."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError:
            return {"raw": arguments}
    return arguments if isinstance(arguments, dict) else {"value": arguments}


# The fields each block type takes as input: what the API returned goes back unchanged, without
# the output-only fields the SDK fills with None.
_INPUT_FIELDS = {
    "text": ("type", "text"),
    "thinking": ("type", "thinking", "signature"),
    "redacted_thinking": ("type", "data"),
    "tool_use": ("type", "id", "name", "input"),
}


def _block_dict(block: Any) -> dict[str, Any]:
    data = block.model_dump(exclude_none=True)
    keep = _INPUT_FIELDS.get(data.get("type", ""))
    return {k: data[k] for k in keep if k in data} if keep else data


def _assistant_blocks(m: dict[str, Any], names: WireNames) -> list[dict[str, Any]]:
    native = m.get("native") or {}
    if native.get("api") == "messages":
        # Thinking blocks go back exactly as they came, signatures included: the API checks them.
        return [dict(b) for b in native["content"]]
    blocks: list[dict[str, Any]] = [{"type": "text", "text": m["content"]}] if m.get("content") else []
    blocks += [{"type": "tool_use", "id": c["id"], "name": names.send(c["name"]),
                "input": _tool_input(c.get("arguments"))} for c in m.get("tool_calls") or []]
    return blocks


def to_claude_messages(messages: list[dict[str, Any]], names: WireNames | None = None) -> list[dict[str, Any]]:
    """Neutral turns to Claude turns: tool results are `tool_result` blocks in the user turn after the
    calls; consecutive turns of one role merge (Claude needs alternating turns); the last block is
    marked so the whole prefix caches."""
    names = names or WireNames(None)
    out: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            blocks = _assistant_blocks(m, names)
        elif role == "tool":
            result: dict[str, Any] = {"type": "tool_result", "tool_use_id": m["tool_call_id"],
                                      "content": m.get("content") or ""}
            if m.get("is_error"):
                result["is_error"] = True
            blocks, role = [result], "user"
        else:
            blocks, role = [{"type": "text", "text": m.get("content") or "-"}], "user"
        blocks = blocks or [{"type": "text", "text": "-"}]
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    if out and out[-1]["content"][-1].get("type") in ("text", "tool_result", "tool_use"):
        out[-1]["content"][-1] = {**out[-1]["content"][-1], "cache_control": _CACHE}
    return out


def output_format(schema: dict[str, Any]) -> dict[str, Any]:
    """`output_config.format` for a JSON Schema: the reply's text block then holds JSON that follows it.

    The schema goes through the SDK's own `transform_schema`, the rewrite it applies to its typed
    `output_format`: the API refuses an object without `additionalProperties: false` and constraints it
    cannot enforce (`minimum`, `maxLength`, ...), so those are fixed or moved into descriptions here
    rather than failing every request of a run.
    """
    return {"type": "json_schema", "schema": anthropic.transform_schema(schema)}


def _usage(msg: Any) -> Usage:
    u = msg.usage
    return Usage(
        input_tokens=u.input_tokens,
        output_tokens=u.output_tokens,
        cached_input_tokens=getattr(u, "cache_read_input_tokens", None),
        cache_creation_input_tokens=getattr(u, "cache_creation_input_tokens", None),
    )


def deprecation_notice(model: str) -> str | None:
    """The installed SDK's own end-of-life data for `model` (shown once at start, not per request)."""
    try:
        from anthropic._data import DEPRECATED_MODELS  # the table the SDK itself warns from
    except ImportError:
        return None
    eol = DEPRECATED_MODELS.get(model)
    if not eol:
        return None
    try:  # the SDK writes dates as "January 22nd, 2027"
        day = datetime.strptime(re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", eol), "%B %d, %Y").date()
    except ValueError:
        day = None
    verb = "reached" if day is not None and day < date.today() else "reaches"
    return f"the Claude model '{model}' is deprecated and {verb} end-of-life on {eol}"


class ClaudeAdapter:
    api = "messages"
    max_n_per_request = 1  # the Messages API has no `n`
    cache_warmup = True

    def __init__(
        self, info: ProviderInfo, *, base_url: str | None = None, api_key: str | None = None, timeout: float = 600.0
    ) -> None:
        self.info = info
        self.base_url = base_url
        key = api_key if api_key is not None else os.environ.get(info.key_env)
        if not key:
            raise MissingKeyError(f"{info.key_env} is not set; export your Anthropic API key.")
        self.client = anthropic.AsyncAnthropic(api_key=key, base_url=base_url, max_retries=0, timeout=timeout)
        self.limits = RateLimits(read_limits, LIMIT_RULES, probe=not info.self_hosted)
        self._batch_names: dict[str, dict[str, WireNames]] = {}  # batch id -> item -> renamed tools

    async def aclose(self) -> None:
        await self.client.close()

    def applies_temperature(self, model: str) -> bool:
        return False  # the Messages API of the installed SDK takes no sampling settings

    def deprecation(self, model: str) -> str | None:
        return deprecation_notice(model)

    async def ping(self) -> None:
        await self.client.models.list()

    async def pick_model(self, default: str | None) -> str:
        # Anthropic-compatible gateways route Anthropic's model names, so the default stands everywhere.
        if default is not None:
            return default
        page = await self.client.models.list()
        if not page.data:
            raise RunFailure(f"{self.client.base_url} lists no model; set the config key 'model'.")
        return page.data[0].id

    def message_params(self, req: GenRequest) -> tuple[dict[str, Any], WireNames]:
        """The Messages API request (one candidate; an online call and a batch request alike), and the tool
        names as sent, to read the reply's calls back."""
        names = WireNames(req.tools)
        kwargs: dict[str, Any] = {
            "model": req.model,
            "max_tokens": req.max_tokens,
            "messages": to_claude_messages(req.messages, names),
        }
        if req.system:
            kwargs["system"] = [{"type": "text", "text": req.system, "cache_control": _CACHE}]
        if req.thinking_budget:
            kwargs["thinking"] = {"type": "enabled", "budget_tokens": req.thinking_budget, "display": "summarized"}
        if req.tools:
            kwargs["tools"] = [to_anthropic(t) for t in names.tools(req.tools)]
        if req.response_schema is not None:
            kwargs["output_config"] = {"format": output_format(req.response_schema)}
        return kwargs, names

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        kwargs, names = self.message_params(req)
        async with self.limits.request(req, 1) as gate:  # one candidate per call: no `n` here
            start = time.perf_counter()
            with warnings.catch_warnings():
                # The SDK warns about a deprecated model on every request; the run said so once at start.
                warnings.simplefilter("ignore", DeprecationWarning)
                raw = await self.client.messages.with_raw_response.create(**kwargs)
                msg = await raw.parse()
            latency = time.perf_counter() - start
            gate.done(raw.headers, _usage(msg))
        cand = parse_message(msg, names)
        cand.latency_s = latency
        return [cand]

    # ---- Message Batches (BatchAPI in common/model/api.py) -------------------------------------
    # Claude has no `n`: an item of n candidates is n requests named "<custom_id>-<j>-<n>", each built by
    # message_params and read by parse_message exactly as online; results group back into items without
    # any state kept here. Batch calls are not paced by `self.limits` and are not retried here.
    max_batch_items = 100_000  # requests in one batch (Anthropic's limit; the request may be 256 MB)

    async def batch_submit(self, items: list[BatchItem], marker: str | None = None) -> str:
        requests: list[dict[str, Any]] = []
        renamed: dict[str, WireNames] = {}
        for item in items:
            params, names = self.message_params(item.req)
            if any(name != wire for name, wire in names.out.items()):
                renamed[item.custom_id] = names
            requests += [{"custom_id": _wire_id(item.custom_id, j, item.n), "params": params}
                         for j in range(item.n)]
        if not requests:
            raise ValueError("a batch needs at least one item")
        if len(requests) > self.max_batch_items:
            raise ValueError(f"{len(requests)} requests in one batch; Anthropic takes at most {self.max_batch_items}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            batch = await self.client.messages.batches.create(requests=requests)
        if renamed:  # tool names the API could not take, to read the calls back (this process only)
            self._batch_names[batch.id] = renamed
        return batch.id

    async def batch_find(self, marker: str, since: float) -> str | None:
        return None  # Message Batches keep no metadata: a batch whose id was lost cannot be told apart

    async def batch_state(self, batch_id: str) -> BatchState:
        return _batch_state(await self.client.messages.batches.retrieve(batch_id))

    async def batch_cancel(self, batch_id: str) -> BatchState:
        try:
            batch = await self.client.messages.batches.cancel(batch_id)
        except (anthropic.BadRequestError, anthropic.ConflictError):  # it ended meanwhile
            batch = await self.client.messages.batches.retrieve(batch_id)
        return _batch_state(batch)

    async def batch_results(self, batch_id: str) -> AsyncIterator[tuple[str, list[Candidate]]]:
        renamed = self._batch_names.get(batch_id, {})
        open_items: dict[str, tuple[int, dict[int, Candidate]]] = {}  # item -> (n, its candidates so far)
        stream = await self.client.messages.batches.results(batch_id)  # JSONL, decoded line by line
        async for line in stream:
            parsed = _parse_wire_id(line.custom_id)
            item, j, n = parsed if parsed is not None else (line.custom_id, 0, 1)
            result = line.result
            if result.type == "succeeded":
                cand = parse_message(result.message, renamed.get(item) or _NO_RENAMES)
            elif result.type == "errored":
                err = result.error.error
                cand = _failed(f"batch item errored: {err.type}: {err.message}")
            elif result.type == "expired":
                cand = _failed("batch item expired: the batch ended before the request was processed")
            else:
                cand = _failed("batch item canceled")
            cand.batched = True
            _, got = open_items.setdefault(item, (n, {}))
            got[j] = cand
            if len(got) == n:
                del open_items[item]
                yield item, [got[k] for k in range(n)]
        for item, (n, got) in open_items.items():
            yield item, [got.get(k) or _failed("batch item errored: the batch returned no result for it")
                         for k in range(n)]


_NO_RENAMES = WireNames(None)
_BATCH_STATUS = {"in_progress": "in_progress", "canceling": "cancelling", "ended": "ended"}


def _wire_id(custom_id: str, j: int, n: int) -> str:
    """Request j of an item of n candidates (Anthropic takes ^[a-zA-Z0-9_-]{1,64}$ as a custom_id)."""
    return f"{custom_id}-{j}-{n}"


def _parse_wire_id(wire: str) -> tuple[str, int, int] | None:
    item, _, n = wire.rpartition("-")
    item, _, j = item.rpartition("-")
    if item and j.isdigit() and n.isdigit() and int(j) < int(n):
        return item, int(j), int(n)
    return None


def _failed(why: str) -> Candidate:
    return Candidate(text=None, error=why, batched=True)


def _batch_state(batch: Any) -> BatchState:
    """A Message Batch in neutral words (its counts other than `processing` stay zero until it ends)."""
    rc = batch.request_counts
    counts = {"succeeded": rc.succeeded, "errored": rc.errored, "expired": rc.expired, "canceled": rc.canceled,
              "processing": rc.processing}
    return BatchState(id=batch.id, status=_BATCH_STATUS.get(batch.processing_status, "in_progress"),
                      counts=counts, created_at=batch.created_at.timestamp(),
                      expires_at=None if batch.expires_at is None else batch.expires_at.timestamp())


def parse_message(msg: Any, names: WireNames) -> Candidate:
    """A Messages API reply (the SDK's `Message`, online or a batch result) as a candidate."""
    texts: list[str] = []
    thinking: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in msg.content:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "thinking":
            thinking.append(block.thinking)
        elif block.type == "redacted_thinking":
            thinking.append("[redacted thinking]")
        elif block.type == "tool_use":
            calls.append({"id": block.id, "name": names.read(block.name), "arguments": json.dumps(block.input)})
    text = "".join(texts) if texts else None  # "" said nothing; None: no text block came back
    turn = None
    if calls:
        turn = {"role": "assistant", "content": text, "tool_calls": calls,
                "native": {"api": "messages", "content": [_block_dict(b) for b in msg.content]}}
    return Candidate(
        text=text,
        reasoning="\n".join(thinking) or None,
        tool_calls=calls or None,
        finish_reason=_FINISH.get(msg.stop_reason or "", msg.stop_reason),
        usage=_usage(msg),
        turn=turn,
    )


# List prices: claude_gen/prices.yaml (common/model/pricing.py reads it).
_CLAUDE_PRICES = load_prices(Path(__file__).with_name("prices.yaml"))


def _open_claude(
    base_url: str | list[str] | None, *, api: str, timeout: float, model: str | None, stack: ExitStack
) -> ClaudeAdapter:
    return ClaudeAdapter(CLAUDE, base_url=one_base_url(base_url, "bestofn claude"), timeout=timeout)


CLAUDE = ProviderInfo(
    name="claude",
    open=_open_claude,
    key_env="ANTHROPIC_API_KEY",
    default_model="claude-sonnet-4-6",
    default_judge_model="claude-sonnet-4-6",
    apis=("chat",),  # the `api` key has only its default here: the Messages API
    supports_thinking=True,
    supports_structured_output=True,  # output_config.format (json_schema); works beside extended thinking
    supports_temperature=False,
    supports_batch=True,  # Message Batches (--batch)
    cached_input_in_input_tokens=False,  # cache reads and writes are reported beside input_tokens
    prices=_CLAUDE_PRICES,
)
