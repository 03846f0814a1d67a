"""Claude adapter: Messages API, extended thinking kept apart, persona and question marked for caching."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import anthropic

from common.errors import MissingKeyError
from common.providers import Candidate, GenRequest, Usage

_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}
_CACHE = {"type": "ephemeral"}


def to_claude_tools(tools: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not tools:
        return None
    out = []
    for t in tools:
        fn = t.get("function", t)
        out.append(
            {
                "name": fn["name"],
                "description": fn.get("description", ""),
                "input_schema": fn.get("parameters") or {"type": "object", "properties": {}},
            }
        )
    return out


def to_claude_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI-shaped turns to Claude turns; the last turn is marked so the whole prefix caches."""
    out: list[dict[str, Any]] = []
    for m in messages:
        role = "assistant" if m.get("role") == "assistant" else "user"
        text = m.get("content") or ""
        if m.get("role") == "tool":
            text = f"[tool result] {text}"
        if m.get("tool_calls"):
            text = (text + "\n" if text else "") + "[tool calls] " + json.dumps(m["tool_calls"])
        block = {"type": "text", "text": text or "-"}
        if out and out[-1]["role"] == role:  # Claude needs alternating turns
            out[-1]["content"].append(block)
        else:
            out.append({"role": role, "content": [block]})
    if out:
        out[-1]["content"][-1] = {**out[-1]["content"][-1], "cache_control": _CACHE}
    return out


class ClaudeAdapter:
    name = "claude"
    api = "messages"
    max_n_per_request = 1  # the Messages API has no `n`
    cache_warmup = True
    applies_temperature = False  # the Messages API of this SDK takes no sampling settings

    def __init__(self, *, base_url: str | None = None, timeout: float = 600.0) -> None:
        self.key_env = "ANTHROPIC_API_KEY"
        key = os.environ.get(self.key_env)
        if not key:
            raise MissingKeyError(f"{self.key_env} is not set; export your Anthropic API key.")
        self.client = anthropic.AsyncAnthropic(api_key=key, base_url=base_url, max_retries=0, timeout=timeout)

    async def aclose(self) -> None:
        await self.client.close()

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        cfg = req.config
        kwargs: dict[str, Any] = {
            "model": cfg.model,
            "max_tokens": cfg.max_tokens,
            "messages": to_claude_messages(req.messages),
        }
        if req.system:
            kwargs["system"] = [{"type": "text", "text": req.system, "cache_control": _CACHE}]
        if cfg.thinking_budget:
            kwargs["thinking"] = {"type": "enabled", "budget_tokens": cfg.thinking_budget, "display": "summarized"}
        if tools := to_claude_tools(req.tools):
            kwargs["tools"] = tools
        start = time.perf_counter()
        msg = await self.client.messages.create(**kwargs)
        latency = time.perf_counter() - start

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
                calls.append({"id": block.id, "name": block.name, "arguments": json.dumps(block.input)})
        u = msg.usage
        usage = Usage(
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cached_input_tokens=getattr(u, "cache_read_input_tokens", None),
            cache_creation_input_tokens=getattr(u, "cache_creation_input_tokens", None),
        )
        return [
            Candidate(
                text="".join(texts) or None,
                reasoning="\n".join(thinking) or None,
                tool_calls=calls or None,
                finish_reason=_FINISH.get(msg.stop_reason or "", msg.stop_reason),
                usage=usage,
                latency_s=latency,
            )
        ]
