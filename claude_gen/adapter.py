"""Claude adapter: Messages API, extended thinking kept apart, persona and question marked for caching,
structured output through `output_config.format`."""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import UTC, date, datetime
from typing import Any

import anthropic

from common.errors import MissingKeyError, RunFailure
from common.model.api import Candidate, GenRequest, Price, ProviderInfo, Usage
from common.model.ratelimit import (
    LimitRules,
    LimitsSnapshot,
    RateLimits,
    make_limit,
    pick_headers,
    retry_after_header_s,
)
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

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
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
        async with self.limits.request(req, 1) as gate:  # one candidate per call: no `n` here
            start = time.perf_counter()
            with warnings.catch_warnings():
                # The SDK warns about a deprecated model on every request; the run said so once at start.
                warnings.simplefilter("ignore", DeprecationWarning)
                raw = await self.client.messages.with_raw_response.create(**kwargs)
                msg = await raw.parse()
            latency = time.perf_counter() - start
            usage = _usage(msg)
            gate.done(raw.headers, usage)

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
        return [
            Candidate(
                text=text,
                reasoning="\n".join(thinking) or None,
                tool_calls=calls or None,
                finish_reason=_FINISH.get(msg.stop_reason or "", msg.stop_reason),
                usage=usage,
                latency_s=latency,
                turn=turn,
            )
        ]


# List prices (USD per million tokens: input, cache read, cache write (5 min), output) for the models
# the installed SDK lists whose prices we know; any other model is priced as unknown (null).
_CLAUDE_PRICES = {
    "claude-opus-4-6": Price(5.00, 0.50, 6.25, 25.00),
    "claude-sonnet-4-6": Price(3.00, 0.30, 3.75, 15.00),
    "claude-opus-4-5": Price(5.00, 0.50, 6.25, 25.00),
    "claude-haiku-4-5": Price(1.00, 0.10, 1.25, 5.00),
}


def _open_claude(
    base_url: str | None, *, api: str, timeout: float, model: str | None, stack: ExitStack
) -> ClaudeAdapter:
    return ClaudeAdapter(CLAUDE, base_url=base_url, timeout=timeout)


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
    cached_input_in_input_tokens=False,  # cache reads and writes are reported beside input_tokens
    prices=_CLAUDE_PRICES,
)
