"""OpenAI adapter: Chat Completions (with `n`) or the Responses API, for OpenAI and compatible servers."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

import openai

from common.errors import MissingKeyError, RunFailure
from common.model.api import Candidate, GenRequest, MalformedReply, Price, ProviderInfo, Usage
from common.model.ratelimit import (
    LimitRules,
    LimitsSnapshot,
    RateLimits,
    make_limit,
    pick_headers,
    retry_after_header_s,
)
from verifiers.tools.spec import WireNames, to_openai_chat, to_openai_responses

_FINISH_FROM_STATUS = {"max_output_tokens": "length", "content_filter": "content_filter"}


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def duration_s(value: str | None) -> float | None:
    """OpenAI's reset durations (`20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`) in seconds; None if not one."""
    if not value:
        return None
    text = value.strip()
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(num + unit for num, unit in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(num) * scale[unit] for num, unit in parts)


def read_limits(headers: Mapping[str, str]) -> LimitsSnapshot:
    """`x-ratelimit-{limit,remaining,reset}-{requests,tokens}` and Retry-After, as the limiter reads them."""
    headers = pick_headers(headers, "x-ratelimit-")
    if not headers:
        return LimitsSnapshot()

    def one(kind: str) -> Any:
        return make_limit(headers.get(f"x-ratelimit-limit-{kind}"), headers.get(f"x-ratelimit-remaining-{kind}"),
                          duration_s(headers.get(f"x-ratelimit-reset-{kind}")))

    return LimitsSnapshot(requests=one("requests"), tokens=one("tokens"), retry_after_s=retry_after_header_s(headers))


# OpenAI charges a request at admission its prompt (cached tokens too) plus max_tokens x n, and gives
# nothing back.
LIMIT_RULES = LimitRules(refunds_output=False, cache_reads_count=True, cached_in_input=True)


def _text_format(req: GenRequest) -> dict[str, Any]:
    return {"name": req.schema_name, "strict": True, "schema": req.response_schema}


def _args_text(arguments: Any) -> str:
    """Arguments as the JSON string both OpenAI wire formats carry."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps({} if arguments is None else arguments, ensure_ascii=False)


def _tool_calls_from_chat(message: dict[str, Any], names: WireNames) -> list[dict[str, Any]] | None:
    calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict) and isinstance(c.get("function"), dict)]
    if not calls:
        return None
    # A compatible server may leave out ids; the tool loop needs one to answer each call.
    return [{"id": c.get("id") or f"call_{uuid.uuid4().hex[:24]}", "name": names.read(c["function"].get("name")),
             "arguments": _args_text(c["function"].get("arguments"))} for c in calls]


def chat_messages(system: str | None, messages: list[dict[str, Any]], names: WireNames) -> list[dict[str, Any]]:
    """Neutral turns to Chat Completions messages: an assistant turn carries its `tool_calls`, and
    each result follows it as a `tool` message answering one call id."""
    out: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            msg: dict[str, Any] = {"role": "assistant", "content": m.get("content")}
            if m.get("tool_calls"):
                msg["tool_calls"] = [
                    {"id": c["id"], "type": "function",
                     "function": {"name": names.send(c["name"]), "arguments": _args_text(c.get("arguments"))}}
                    for c in m["tool_calls"]
                ]
            out.append(msg)
        elif role == "tool":
            out.append({"role": "tool", "tool_call_id": m["tool_call_id"], "content": m.get("content") or ""})
        else:
            out.append({"role": role, "content": m.get("content")})
    return out


def responses_input(messages: list[dict[str, Any]], names: WireNames) -> list[dict[str, Any]]:
    """Neutral turns to Responses input items. An assistant turn this adapter produced goes back as
    the very items the API returned (reasoning items with their encrypted content, which the API
    requires beside the function calls they led to when nothing is stored server-side)."""
    items: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            native = m.get("native") or {}
            if native.get("api") == "responses":
                items.extend(native["items"])
                continue
            if m.get("content"):
                items.append({"role": "assistant", "content": m["content"]})
            items += [{"type": "function_call", "call_id": c["id"], "name": names.send(c["name"]),
                       "arguments": _args_text(c.get("arguments"))} for c in m.get("tool_calls") or []]
        elif role == "tool":
            items.append({"type": "function_call_output", "call_id": m["tool_call_id"],
                          "output": m.get("content") or ""})
        else:
            items.append({"role": role, "content": m.get("content")})
    return items


class OpenAIAdapter:
    """One adapter for api.openai.com, vLLM, SGLang, llama.cpp and local_server.py."""

    cache_warmup = False  # OpenAI caches prefixes by itself; `n` already bills the prompt once

    def __init__(
        self,
        info: ProviderInfo,
        *,
        api: str = "chat",
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 600.0,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(info.key_env)
        if not key:
            raise MissingKeyError(
                f"{info.key_env} is not set; export your API key (or point --base-url at a local server)."
            )
        self.info = info
        self.api = api
        self.base_url = base_url
        self.max_n_per_request = 1 if api == "responses" else 128
        # aiohttp as transport: httpcore's pool checks every idle connection on each request,
        # which costs more than the request itself at concurrency 64 and up.
        self.client = openai.AsyncOpenAI(
            api_key=key, base_url=base_url, max_retries=0, timeout=timeout,
            http_client=openai.DefaultAioHttpClient(timeout=timeout),
        )
        self._official = base_url is None and not os.environ.get("OPENAI_BASE_URL")
        # A server of your own (vLLM, llama.cpp) sets no limits: no need to find them out first.
        self.limits = RateLimits(read_limits, LIMIT_RULES, probe=not info.self_hosted)

    async def aclose(self) -> None:
        await self.client.close()

    def applies_temperature(self, model: str) -> bool:
        return not model.startswith(self.info.no_temperature_models)

    def _max_tokens_key(self, model: str) -> str:
        # api.openai.com, and its reasoning models behind any gateway, want max_completion_tokens;
        # compatible servers widely know only max_tokens.
        official = self._official or not self.applies_temperature(model)
        return "max_completion_tokens" if official else "max_tokens"

    def deprecation(self, model: str) -> str | None:
        return None  # the openai SDK ships no deprecation data

    async def ping(self) -> None:
        await self.client.models.list()

    async def pick_model(self, default: str | None) -> str:
        if default is not None and self._official:
            return default
        return await self._served_model()

    async def _served_model(self) -> str:
        """The first model a compatible server lists."""
        try:
            models = await self.client.models.list()
        except openai.APIError as e:
            raise RunFailure(f"Could not list the models of {self.client.base_url}: {e}") from None
        if not models.data:
            raise RunFailure(f"{self.client.base_url} serves no model; pass --model.")
        return models.data[0].id

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        async with self.limits.request(req, n) as gate:
            start = time.perf_counter()
            out, usage, headers = await (self._responses(req) if self.api == "responses" else self._chat(req, n))
            latency = time.perf_counter() - start
            gate.done(headers, usage)
        for c in out:
            c.latency_s = latency
        return out

    # ---- Chat Completions -------------------------------------------------------------------
    async def _chat(self, req: GenRequest, n: int) -> tuple[list[Candidate], Usage, Mapping[str, str]]:
        names = WireNames(req.tools)
        if len(req.messages) == 1 and req.messages[0].get("role") == "user":  # the common case, kept cheap
            messages = ([{"role": "system", "content": req.system}] if req.system else []) + req.messages
        else:
            messages = chat_messages(req.system, req.messages, names)
        kwargs: dict[str, Any] = {"model": req.model, "messages": messages, "n": n}
        if req.temperature is not None and self.applies_temperature(req.model):
            kwargs["temperature"] = req.temperature
        kwargs[self._max_tokens_key(req.model)] = req.max_tokens
        if req.seed is not None:
            kwargs["seed"] = req.seed
        if req.tools:
            kwargs["tools"] = [to_openai_chat(t) for t in names.tools(req.tools)]
        if req.response_schema is not None:
            kwargs["response_format"] = {"type": "json_schema", "json_schema": _text_format(req)}
        # The SDK's documented raw `post` skips its typed-parameter transform and response models,
        # the largest per-request costs at hundreds of requests a second; it still sends, authenticates
        # and maps HTTP errors to the SDK's exceptions. The body is the documented wire format.
        raw = await self.client.post("/chat/completions", body=kwargs, cast_to=openai.HttpxBinaryResponseContent)
        data = json.loads(raw.content)
        if not isinstance(data, dict) or not isinstance(data.get("choices", []), list):
            raise MalformedReply(f"a JSON {type(data).__name__} without a list of choices")
        choices = data.get("choices") or []
        u = data.get("usage") or {}
        usage = Usage(
            input_tokens=u.get("prompt_tokens"),
            output_tokens=u.get("completion_tokens"),
            cached_input_tokens=(u.get("prompt_tokens_details") or {}).get("cached_tokens"),
            reasoning_tokens=(u.get("completion_tokens_details") or {}).get("reasoning_tokens"),
        )
        share = usage.share(max(len(choices), 1))
        out = []
        for choice in choices:
            msg = choice.get("message") or {}
            text = msg.get("content")
            # vLLM, SGLang and DeepSeek-style servers return the reasoning trace beside the answer.
            reasoning = msg.get("reasoning_content") or msg.get("reasoning")
            if msg.get("refusal") and not text:
                text = msg["refusal"]
            calls = _tool_calls_from_chat(msg, names)
            out.append(
                Candidate(
                    text=text,
                    reasoning=reasoning,
                    tool_calls=calls,
                    finish_reason=choice.get("finish_reason"),
                    usage=share,
                    turn={"role": "assistant", "content": text, "tool_calls": calls} if calls else None,
                )
            )
        return out, usage, raw.response.headers

    # ---- Responses API ----------------------------------------------------------------------
    async def _responses(self, req: GenRequest) -> tuple[list[Candidate], Usage, Mapping[str, str]]:
        names = WireNames(req.tools)
        kwargs: dict[str, Any] = {
            "model": req.model,
            "input": responses_input(req.messages, names),
            "max_output_tokens": req.max_tokens,
            "store": False,
        }
        if req.temperature is not None and self.applies_temperature(req.model):
            kwargs["temperature"] = req.temperature
        if req.system:
            kwargs["instructions"] = req.system
        if req.tools:
            kwargs["tools"] = [to_openai_responses(t) for t in names.tools(req.tools)]
            # Nothing is stored server-side, so a reasoning model's reasoning items come back
            # encrypted and go back with the function calls they led to.
            kwargs["include"] = ["reasoning.encrypted_content"]
        if req.response_schema is not None:
            kwargs["text"] = {"format": {"type": "json_schema", **_text_format(req)}}
        raw = await self.client.responses.with_raw_response.create(**kwargs)
        resp = raw.parse()
        # "" when a message came back empty (the model said nothing); None when no message came at all.
        text = resp.output_text if any(item.type == "message" for item in resp.output or []) else None
        reasoning_parts: list[str] = []
        tool_calls: list[dict[str, Any]] = []
        for item in resp.output or []:
            if item.type == "reasoning":
                reasoning_parts += [s.text for s in (getattr(item, "summary", None) or [])]
            elif item.type == "function_call":
                tool_calls.append({"id": item.call_id, "name": names.read(item.name), "arguments": item.arguments})
        reasoning = "\n".join(reasoning_parts) or None
        finish = "stop"
        if resp.status == "incomplete":
            reason = getattr(resp.incomplete_details, "reason", None)
            finish = _FINISH_FROM_STATUS.get(reason or "", reason or "incomplete")
        elif tool_calls:
            finish = "tool_calls"
        usage = Usage()
        if resp.usage is not None:
            u = resp.usage
            usage = Usage(
                input_tokens=u.input_tokens,
                output_tokens=u.output_tokens,
                cached_input_tokens=getattr(u.input_tokens_details, "cached_tokens", None),
                reasoning_tokens=getattr(u.output_tokens_details, "reasoning_tokens", None),
            )
        turn = None
        if tool_calls:
            items = [item.model_dump(exclude_none=True) for item in resp.output or []]
            turn = {"role": "assistant", "content": text, "tool_calls": tool_calls,
                    "native": {"api": "responses", "items": items}}
        cand = Candidate(text=text, reasoning=reasoning, tool_calls=tool_calls or None, finish_reason=finish,
                         usage=usage, turn=turn)
        return [cand], usage, raw.headers


# ---- what the providers declare -----------------------------------------------------------------
# List prices (USD per million tokens: input, cached input, cache write, output) for the models the
# installed SDK lists whose prices we know; any other model is priced as unknown (null).
_OPENAI_PRICES = {
    "gpt-5.1": Price(1.25, 0.125, 1.25, 10.00),
    "gpt-5": Price(1.25, 0.125, 1.25, 10.00),
    "gpt-5-mini": Price(0.25, 0.025, 0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.005, 0.05, 0.40),
    "gpt-4.1": Price(2.00, 0.50, 2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 0.10, 0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.025, 0.10, 0.40),
    "gpt-4o": Price(2.50, 1.25, 2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.075, 0.15, 0.60),
    "o3": Price(2.00, 0.50, 2.00, 8.00),
    "o4-mini": Price(1.10, 0.275, 1.10, 4.40),
}


def _open_openai(
    base_url: str | None, *, api: str, timeout: float, model: str | None, stack: ExitStack
) -> OpenAIAdapter:
    return OpenAIAdapter(OPENAI, api=api, base_url=base_url, timeout=timeout)


def _open_local(
    base_url: str | None, *, api: str, timeout: float, model: str | None, stack: ExitStack
) -> OpenAIAdapter:
    """A compatible server at `base_url` (or $BESTOFN_LOCAL_BASE_URL); without one, the embedded
    model is started here and stopped by `stack`."""
    base_url = base_url or os.environ.get("BESTOFN_LOCAL_BASE_URL")
    if base_url is None:
        from openai_gen.local_launch import local_server

        base_url = stack.enter_context(local_server(model))
    key = os.environ.get("BESTOFN_LOCAL_API_KEY") or os.environ.get("OPENAI_API_KEY") or "not-needed"
    return OpenAIAdapter(LOCAL, api=api, base_url=base_url, api_key=key, timeout=timeout)


OPENAI = ProviderInfo(
    name="openai",
    open=_open_openai,
    key_env="OPENAI_API_KEY",
    default_model="gpt-5-mini",
    default_judge_model="gpt-5-mini",
    apis=("chat", "responses"),
    supports_structured_output=True,
    supports_n=True,
    # OpenAI's reasoning models take no temperature, at api.openai.com or behind a gateway.
    no_temperature_models=("o1", "o3", "o4", "gpt-5"),
    cached_input_in_input_tokens=True,
    prices=_OPENAI_PRICES,
    accepts_generators=("local",),
)

LOCAL = ProviderInfo(
    name="local",
    open=_open_local,
    key_env="BESTOFN_LOCAL_API_KEY",  # optional: most local servers want none (see _open_local)
    default_model=None,  # the server is asked what it serves
    default_judge_model=None,
    apis=("chat", "responses"),
    supports_structured_output=True,
    supports_n=True,
    self_hosted=True,
    accepts_generators=("openai",),
)
