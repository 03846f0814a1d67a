"""The neutral model interface every provider adapter speaks.

A `GenRequest` is built once per query; an adapter turns it into one API call for `k`
candidates and returns neutral `Candidate`s. Retries, fan-out and bookkeeping live in
`common/generation_utils.py`, never in the adapters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from common.config import ExperimentConfig
from common.nemotron_utils import Query


@dataclass(slots=True)
class GenRequest:
    query: Query
    system: str | None
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    config: ExperimentConfig


@dataclass(slots=True)
class Usage:
    """Usage of one API call; split across the candidates that call returned."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    reasoning_tokens: int | None = None

    def share(self, parts: int) -> Usage:
        def cut(v: int | None) -> int | None:
            return None if v is None else round(v / parts)

        return Usage(*(cut(getattr(self, f)) for f in Usage.__slots__))


@dataclass(slots=True)
class Candidate:
    text: str | None
    reasoning: str | None = None
    final_answer: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    latency_s: float | None = None
    error: str | None = None
    attempts: int = 1

    def tool_calls_json(self) -> str | None:
        return json.dumps(self.tool_calls, ensure_ascii=False) if self.tool_calls else None


class ProviderAdapter(Protocol):
    name: str
    api: str
    max_n_per_request: int
    cache_warmup: bool  # first candidate alone, so candidates 2..N read the prompt cache
    applies_temperature: bool  # False: the row records no temperature, the provider's default applied

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]: ...

    async def aclose(self) -> None: ...


def build_system_prompt(persona_text: str | None, query_system: str | None) -> str | None:
    """Persona first (it is shared by every query, so it heads the cacheable prefix)."""
    parts = [p for p in (persona_text, query_system) if p]
    return "\n\n".join(parts) if parts else None


STRUCTURED_OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reasoning": {"type": "string", "description": "step-by-step working"},
        "final_answer": {"type": "string", "description": "the final answer only"},
    },
    "required": ["reasoning", "final_answer"],
    "additionalProperties": False,
}


def parse_structured(text: str | None) -> tuple[str | None, str | None]:
    """(reasoning, final_answer) from a structured-output reply; (None, None) if it is not that JSON."""
    if not text:
        return None, None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    reasoning, answer = data.get("reasoning"), data.get("final_answer")
    return (reasoning if isinstance(reasoning, str) else None, None if answer is None else str(answer))
