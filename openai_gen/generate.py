"""OpenAI adapter: Chat Completions (with `n`) or the Responses API, for OpenAI and compatible servers."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import openai

from common.errors import MissingKeyError, RunFailure
from common.providers import (
    STRUCTURED_OUTPUT_SCHEMA,
    Candidate,
    GenRequest,
    Usage,
    parse_structured,
)

_FINISH_FROM_STATUS = {"max_output_tokens": "length", "content_filter": "content_filter"}


def _text_format() -> dict[str, Any]:
    return {"name": "answer", "strict": True, "schema": STRUCTURED_OUTPUT_SCHEMA}


def _tool_calls_from_chat(message: dict[str, Any]) -> list[dict[str, Any]] | None:
    calls = [c for c in message.get("tool_calls") or [] if c.get("function")]
    if not calls:
        return None
    return [{"id": c.get("id"), "name": c["function"].get("name"), "arguments": c["function"].get("arguments")}
            for c in calls]


class OpenAIAdapter:
    """One adapter for api.openai.com, vLLM, SGLang, llama.cpp and local_server.py."""

    cache_warmup = False  # OpenAI caches prefixes by itself; `n` already bills the prompt once
    applies_temperature = True

    def __init__(
        self,
        *,
        api: str = "chat",
        base_url: str | None = None,
        api_key: str | None = None,
        key_env: str = "OPENAI_API_KEY",
        name: str = "openai",
        timeout: float = 600.0,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(key_env)
        if not key:
            raise MissingKeyError(f"{key_env} is not set; export your API key (or point --base-url at a local server).")
        self.name = name
        self.api = api
        self.key_env = key_env
        self.max_n_per_request = 1 if api == "responses" else 128
        # aiohttp as transport: httpcore's pool checks every idle connection on each request,
        # which costs more than the request itself at concurrency 64 and up.
        self.client = openai.AsyncOpenAI(
            api_key=key, base_url=base_url, max_retries=0, timeout=timeout,
            http_client=openai.DefaultAioHttpClient(timeout=timeout),
        )
        # api.openai.com wants max_completion_tokens; compatible servers widely know only max_tokens.
        self._official = base_url is None and not os.environ.get("OPENAI_BASE_URL")

    async def aclose(self) -> None:
        await self.client.close()

    async def served_model(self) -> str:
        """The first model a compatible server lists, for runs that name none."""
        try:
            models = await self.client.models.list()
        except openai.APIError as e:
            raise RunFailure(f"Could not list the models of {self.client.base_url}: {e}") from None
        if not models.data:
            raise RunFailure(f"{self.client.base_url} serves no model; pass --model.")
        return models.data[0].id

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        start = time.perf_counter()
        if self.api == "responses":
            out = [await self._responses(req)]
        else:
            out = await self._chat(req, n)
        latency = time.perf_counter() - start
        for c in out:
            c.latency_s = latency
        return out

    # ---- Chat Completions -------------------------------------------------------------------
    async def _chat(self, req: GenRequest, n: int) -> list[Candidate]:
        cfg = req.config
        messages = ([{"role": "system", "content": req.system}] if req.system else []) + req.messages
        kwargs: dict[str, Any] = {
            "model": cfg.model,
            "messages": messages,
            "temperature": cfg.temperature,
            "n": n,
        }
        kwargs["max_completion_tokens" if self._official else "max_tokens"] = cfg.max_tokens
        if cfg.seed is not None:
            kwargs["seed"] = cfg.seed
        if req.tools:
            kwargs["tools"] = req.tools
        if cfg.structured_output:
            kwargs["response_format"] = {"type": "json_schema", "json_schema": _text_format()}
        # The SDK's documented raw `post` skips its typed-parameter transform and response models,
        # the largest per-request costs at hundreds of requests a second; it still sends, authenticates
        # and maps HTTP errors to the SDK's exceptions. The body is the documented wire format.
        raw = await self.client.post("/chat/completions", body=kwargs, cast_to=openai.HttpxBinaryResponseContent)
        data = json.loads(raw.content)
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
            final = None
            if cfg.structured_output:
                reasoning, final = parse_structured(text)
            elif msg.get("refusal") and not text:
                text = msg["refusal"]
            out.append(
                Candidate(
                    text=text,
                    reasoning=reasoning,
                    final_answer=final,
                    tool_calls=_tool_calls_from_chat(msg),
                    finish_reason=choice.get("finish_reason"),
                    usage=share,
                )
            )
        return out

    # ---- Responses API ----------------------------------------------------------------------
    async def _responses(self, req: GenRequest) -> Candidate:
        cfg = req.config
        kwargs: dict[str, Any] = {
            "model": cfg.model,
            "input": req.messages,
            "max_output_tokens": cfg.max_tokens,
            "temperature": cfg.temperature,
            "store": False,
        }
        if req.system:
            kwargs["instructions"] = req.system
        if req.tools:
            kwargs["tools"] = [{"type": "function", **t["function"]} for t in req.tools]
        if cfg.structured_output:
            kwargs["text"] = {"format": {"type": "json_schema", **_text_format()}}
        resp = await self.client.responses.create(**kwargs)
        text = resp.output_text or None
        reasoning_parts: list[str] = []
        tool_calls: list[dict[str, Any]] = []
        for item in resp.output or []:
            if item.type == "reasoning":
                reasoning_parts += [s.text for s in (getattr(item, "summary", None) or [])]
            elif item.type == "function_call":
                tool_calls.append({"id": item.call_id, "name": item.name, "arguments": item.arguments})
        reasoning = "\n".join(reasoning_parts) or None
        final = None
        if cfg.structured_output:
            reasoning, final = parse_structured(text)
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
        return Candidate(
            text=text,
            reasoning=reasoning,
            final_answer=final,
            tool_calls=tool_calls or None,
            finish_reason=finish,
            usage=usage,
        )

