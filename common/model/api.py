"""The neutral model interface: what every provider adapter takes, returns and declares.

A `GenRequest` says everything one call needs (model, prompt, sampling settings, an optional
JSON Schema the reply must follow); an adapter turns it into its API's wire format and returns
neutral `Candidate`s. Retries, fan-out, parsing of structured replies and bookkeeping live in
`common/`, never in the adapters. Generation, the LLM judge and the refusal LLM pass all reach a
model through this interface, so retries, timeouts, base URLs and accounting are the same.

A provider package declares a `ProviderInfo` (defaults, capabilities, prices, and the factory that
opens an adapter); `bestofn.py` maps provider names to those and hands the table down.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol


class MalformedReply(ValueError):
    """A 200 whose body is JSON but not the shape the API documents: retried like a 5xx."""


@dataclass(frozen=True, slots=True)
class Price:
    """List prices in USD per million tokens (reasoning tokens bill as output)."""

    input: float
    cached_input: float
    cache_write: float
    output: float
    batch_discount: float = 0.5  # share of the price taken off for batch API requests (0: no batch price)


class AdapterFactory(Protocol):
    def __call__(
        self, base_url: str | None, *, api: str, timeout: float, model: str | None, stack: ExitStack
    ) -> ProviderAdapter:
        """Open an adapter (MissingKeyError without its key). `model` is the run's model, for a
        provider that starts its own server; what the adapter starts is stopped by `stack`."""
        ...


@dataclass(frozen=True)
class ProviderInfo:
    """What a provider is and supports: config validation, defaults and pricing ask this, never a name."""

    name: str
    open: AdapterFactory
    key_env: str  # the variable that holds the API key
    default_model: str | None  # at the provider's own endpoint; None: always ask the server (pick_model)
    default_judge_model: str | None
    apis: tuple[str, ...] = ("chat",)  # values the config key `api` may take here
    supports_thinking: bool = False
    supports_structured_output: bool = False
    supports_temperature: bool = True
    no_temperature_models: tuple[str, ...] = ()  # model-name prefixes that reject a temperature
    supports_n: bool = False
    supports_batch: bool = False  # the adapter implements BatchAPI (--batch)
    # Accounting: does the API count cached prompt tokens inside input_tokens (OpenAI) or apart (Anthropic)?
    cached_input_in_input_tokens: bool = True
    prices: Mapping[str, Price] = field(default_factory=dict)
    self_hosted: bool = False  # costs nothing per token (a server you run)
    # Configs written by these generators may run on this provider (an OpenAI config on a compatible server).
    accepts_generators: tuple[str, ...] = ()


@dataclass(slots=True)
class GenRequest:
    """`messages` are neutral turns, converted to each API's wire format by its adapter:
        {"role": "user", "content": str}
        {"role": "assistant", "content": str | None, "tool_calls": [{"id", "name", "arguments": str}],
         "native": {"api": str, ...}}   # the adapter's own record of the turn, replayed unchanged
        {"role": "tool", "tool_call_id": str, "name": str, "content": str, "is_error": bool}
    `tools` are in the one internal form {"name", "description", "parameters"} (verifiers.tools.spec).
    """

    model: str
    messages: list[dict[str, Any]]
    system: str | None = None
    tools: list[dict[str, Any]] | None = None
    max_tokens: int = 1024
    temperature: float | None = None  # None: the provider's default
    seed: int | None = None
    thinking_budget: int = 0
    response_schema: dict[str, Any] | None = None  # JSON Schema the reply must follow
    schema_name: str = "answer"


@dataclass(slots=True)
class Usage:
    """Usage of one API call; split across the candidates that call returned."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    reasoning_tokens: int | None = None

    def split(self, parts: int) -> list[Usage]:
        """This call's usage in `parts` whole-token shares that add up to it exactly (the first shares take
        the remainder), so the rows of one call sum to what the provider billed."""
        def cut(v: int | None, i: int) -> int | None:
            if v is None:
                return None
            q, r = divmod(v, parts)
            return q + (i < r)

        return [Usage(*(cut(getattr(self, f), i) for f in Usage.__slots__)) for i in range(parts)]

    def plus(self, other: Usage) -> Usage:
        """Both calls' usage (None stays None only where neither reported it)."""

        def add(a: int | None, b: int | None) -> int | None:
            return None if a is None and b is None else (a or 0) + (b or 0)

        return Usage(*(add(getattr(self, f), getattr(other, f)) for f in Usage.__slots__))


@dataclass(slots=True)
class ToolRun:
    """What a candidate's tool loop did (common/pipeline/tool_loop.py): one entry per model turn."""

    trace: list[dict[str, Any]] = field(default_factory=list)
    num_tool_calls: int = 0
    invalid_tool_calls: int = 0
    terminated_by: str = "final_answer"  # final_answer | max_iterations | budget | error | refusal
    mock_cost_usd: float | None = 0.0  # the LLM tool mock's answers in this loop (None: unpriced)

    @property
    def num_iterations(self) -> int:
        return len(self.trace)


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
    # The assistant turn as a neutral message (with the adapter's `native` record), so a tool loop
    # can send it back in the next request exactly as the API requires.
    turn: dict[str, Any] | None = None
    tool_run: ToolRun | None = None
    batched: bool = False  # answered through the provider's batch API (batch prices apply)

    def tool_calls_json(self) -> str | None:
        return json.dumps(self.tool_calls, ensure_ascii=False) if self.tool_calls else None


@dataclass(slots=True)
class BatchItem:
    """One request of a provider batch: `n` candidates for `req`, answered under `custom_id`
    (letters, digits, `_` and `-`, at most 40 characters, so every provider takes it whole)."""

    custom_id: str
    req: GenRequest
    n: int = 1


@dataclass(slots=True)
class BatchState:
    """Where a submitted batch stands, in neutral words.

    status: "submitting" | "in_progress" | "ended" (results can be read) | "failed" (rejected as a whole;
    `error` says why) | "cancelling". A batch that expired or was cancelled still "ended": the items it
    did not answer come back from `batch_results` as errored candidates, and go online.
    counts: "succeeded", "errored", "expired", "canceled", "processing" (items, as far as the API says).
    """

    id: str
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    created_at: float | None = None  # unix seconds
    expires_at: float | None = None
    error: str | None = None


class BatchAPI(Protocol):
    """A provider's asynchronous batch API (OpenAI Batch, Anthropic Message Batches), on an adapter
    whose `info.supports_batch` is true. Prices are the provider's batch prices (`Price.batch_discount`)."""

    max_batch_items: int  # requests the provider takes in one batch

    async def batch_submit(self, items: list[BatchItem], marker: str | None = None) -> str:
        """Build, upload and submit one batch; returns its id. `marker` (the caller's name for the batch)
        goes with it where the API keeps metadata, so `batch_find` can find a batch whose id was lost."""
        ...

    async def batch_find(self, marker: str, since: float) -> str | None:
        """The id of a batch submitted with `marker` after `since` (unix seconds), if the API can say;
        None when there is none, or the API keeps no metadata to tell (Anthropic)."""
        ...

    async def batch_state(self, batch_id: str) -> BatchState: ...

    def batch_results(self, batch_id: str) -> AsyncIterator[tuple[str, list[Candidate]]]:
        """(custom_id, its `n` candidates) for every item of an ended batch, in any order; an item that
        errored, expired or was cancelled yields `n` candidates whose `error` says so
        ("batch item expired: ...", "batch item canceled", "batch item errored: ...")."""
        ...

    async def batch_cancel(self, batch_id: str) -> BatchState: ...


class RateControl(Protocol):
    """What the pipeline asks of an adapter's rate limiters (common/model/ratelimit.py: RateLimits)."""

    def configure(self, *, max_concurrency: int | None = None, rpm: float | None = None,
                  tpm: float | None = None) -> None: ...

    def describe(self) -> str: ...

    def summary(self) -> str: ...


class ProviderAdapter(Protocol):
    info: ProviderInfo
    api: str
    max_n_per_request: int
    cache_warmup: bool  # first candidate alone, so candidates 2..N read the prompt cache
    base_url: str | None
    # One rate limiter per model (common/model/ratelimit.py), fed by this adapter's calls and their
    # headers; everyone calling through this adapter (generation, judge, tool mock) shares it.
    limits: RateControl

    def applies_temperature(self, model: str) -> bool:
        """False: the request carries no temperature and the row records none (the provider's default)."""
        ...

    def deprecation(self, model: str) -> str | None:
        """The SDK's end-of-life notice for `model`, or None."""
        ...

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        """One API call (admitted by `limits` first) returning up to `n` candidates; raises the SDK's error."""
        ...

    async def ping(self) -> None:
        """One cheap authenticated request (the model list), so a dead server or a rejected key is
        found before any work; raises the SDK's error."""
        ...

    async def pick_model(self, default: str | None) -> str:
        """The model to use where the config names none: `default` at the provider's own endpoint;
        elsewhere (a compatible server, a gateway) the model the server says it serves, so rows are
        never recorded and priced as a model that did not answer (RunFailure when it cannot say)."""
        ...

    async def aclose(self) -> None: ...


ProviderTable = Mapping[str, Callable[[], ProviderInfo]]
"""Provider name -> a function that imports the provider package and returns its info (lazily,
so a missing SDK fails only when that provider is used)."""


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
