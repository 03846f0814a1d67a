"""LLM-as-judge over a ProviderAdapter: the run's provider judges by default (a Claude run with
Claude, an OpenAI run with OpenAI, a local run with its own server), each overridable.

It builds no SDK client of its own: every call is `adapter.generate` through `call_with_retry`,
so retries, timeouts, base URLs and accounting are those of generation. Verdicts are cached on
disk (common/cache.py) under a hash of provider, model, prompt version and the full prompt,
so a rerun costs nothing. A failure comes back as a verdict with `error` set and is never cached;
only a rejected key (AuthError) raises, because every later call would fail the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.cache import CACHE_ROOT, DiskCache, cache_key
from common.errors import AuthError
from common.judge.parse import as_bool, as_confidence, parse_json_object
from common.judge.prompts import PROMPT_VERSION, JudgePrompt, refusal_prompt, verdict_prompt
from common.model.api import GenRequest, ProviderAdapter
from common.model.pricing import DEFAULT_PRICER, Pricer, charge
from common.model.retry import call_with_retry, describe_error
from verifiers.refusal import RefusalType

PARSE_ATTEMPTS = 2  # an unparseable reply is asked once more before it counts as a failure
_SCHEMA_REJECTED = (400, 422)  # a server that knows no JSON-Schema output: plain prompting from then on


@dataclass
class JudgeUsage:
    """What the judge cost this run (cache hits cost nothing and are not calls)."""

    calls: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0  # None once a call could not be priced

    def add(self, other: JudgeUsage) -> None:
        """Count another's calls in too (a sharded run's shards); a cost that could not be priced stays unknown."""
        self.calls += other.calls
        self.errors += other.errors
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cost_usd = None if self.cost_usd is None or other.cost_usd is None else self.cost_usd + other.cost_usd


@dataclass(frozen=True)
class JudgeVerdict:
    """`is_correct` None means the judge failed; `error` says why."""

    is_correct: bool | None
    confidence: float
    reasoning: str
    model: str
    cached: bool = False
    error: str | None = None


@dataclass(frozen=True)
class RefusalVerdict:
    is_refusal: bool | None
    refusal_type: RefusalType
    confidence: float
    reasoning: str
    model: str
    cached: bool = False
    error: str | None = None


def _verdict_fields(data: dict[str, Any] | None) -> dict[str, Any] | None:
    is_correct = as_bool((data or {}).get("is_correct"))
    if data is None or is_correct is None:
        return None
    return {"is_correct": is_correct, "confidence": as_confidence(data.get("confidence")),
            "reasoning": str(data.get("reasoning") or "")}


def _refusal_fields(data: dict[str, Any] | None) -> dict[str, Any] | None:
    is_refusal = as_bool((data or {}).get("is_refusal"))
    if data is None or is_refusal is None:
        return None
    kind = str(data.get("refusal_type") or "").lower()
    if not is_refusal:
        kind = "none"
    elif kind not in ("safety", "capability"):
        kind = "safety"  # a refusal the judge did not type: safety is the usual reason
    return {"is_refusal": is_refusal, "refusal_type": kind, "confidence": as_confidence(data.get("confidence")),
            "reasoning": str(data.get("reasoning") or "")}


class _Failure(Exception):
    """A judge failure that ends up on the row, not in a traceback."""


class LLMJudge:
    """Use one LLMJudge from one event loop (the pipeline's): its adapter's client is bound to it."""

    def __init__(
        self,
        adapter: ProviderAdapter,
        model: str | None = None,
        cache_dir: Path | str | None = None,
        *,
        use_cache: bool = True,
        max_retries: int = 4,
        initial_wait: float = 1.0,
        concurrency: int = 16,
        max_tokens: int = 4096,  # a reasoning model's hidden reasoning counts against it
        name: str = "judge",  # how its errors are labelled ("tool mock" for the LLM tool mock)
        pricer: Pricer = DEFAULT_PRICER,
    ) -> None:
        self.name = name
        self.pricer = pricer
        self.adapter = adapter
        self.provider = adapter.info.name
        # None: picked on first use (the default judge model at the provider's own endpoint, else
        # the model the server serves).
        self.model = model
        self.key_env = adapter.info.key_env
        self.cache = DiskCache(cache_dir or CACHE_ROOT / "judge") if use_cache else None
        self.max_retries = max_retries
        self.initial_wait = initial_wait
        self.max_tokens = max_tokens
        self.usage = JudgeUsage()
        self._slots = asyncio.Semaphore(concurrency)
        self._model_lock = asyncio.Lock()
        # Dropped for good if the server rejects JSON-Schema output.
        self._use_schema = adapter.info.supports_structured_output
        self._inflight: dict[str, asyncio.Future[tuple[dict[str, Any] | None, str | None]]] = {}

    # ---- public API -----------------------------------------------------------------------------
    async def judge(
        self,
        question: str,
        candidate: str,
        ground_truth: str | None,
        split: str,
        tool_trace: str | None = None,
        tools: str | None = None,
    ) -> JudgeVerdict:
        """Correctness against `ground_truth`, without one, or (split tool_calling) appropriateness."""
        prompt = verdict_prompt(question, candidate, ground_truth, split, tool_trace, tools)
        fields, cached, error = await self._ask(prompt, _verdict_fields)
        if fields is None:
            return JudgeVerdict(None, 0.0, "", self.model or self.provider, error=error)
        return JudgeVerdict(fields["is_correct"], fields["confidence"], fields["reasoning"], self.model or "",
                            cached=cached)

    async def classify_refusal(self, text: str, question: str | None = None) -> RefusalVerdict:
        fields, cached, error = await self._ask(refusal_prompt(text, question), _refusal_fields)
        if fields is None:
            return RefusalVerdict(None, "none", 0.0, "", self.model or self.provider, error=error)
        return RefusalVerdict(fields["is_refusal"], fields["refusal_type"], fields["confidence"],
                              fields["reasoning"], self.model or "", cached=cached)

    async def ask_json(self, prompt: JudgePrompt, key: str) -> tuple[dict[str, Any] | None, bool, str | None]:
        """(the JSON object the model replied, cached, error), cached on disk under the caller's `key`:
        the LLM tool mock asks through here, so it has the judge's retries, cache and de-duplication."""
        return await self._ask(prompt, lambda data: data, key)

    # ---- cache, de-duplication, retries ---------------------------------------------------------
    async def _ask(
        self,
        prompt: JudgePrompt,
        fields_of: Callable[[dict[str, Any] | None], dict[str, Any] | None],
        key: str | None = None,
    ) -> tuple[dict[str, Any] | None, bool, str | None]:
        """(fields, cached, error)."""
        try:
            model = await self._model_name()
        except _Failure as exc:
            return None, False, str(exc)
        key = key or cache_key(self.provider, model, PROMPT_VERSION, prompt.kind, prompt.system, prompt.user)
        if self.cache is not None and (hit := fields_of(self.cache.get(key))) is not None:
            return hit, True, None
        # Identical candidates (common for short answers) are judged concurrently: ask once.
        while (pending := self._inflight.get(key)) is not None:
            try:
                fields, error = await asyncio.shield(pending)
                return fields, False, error
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # we were cancelled, not the call we waited on
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            fields, error = await self._fetch(prompt, model, fields_of)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:  # AuthError: every waiter fails the same way
            future.set_exception(exc)
            future.exception()  # marks it retrieved even if nobody waits
            raise
        else:
            future.set_result((fields, error))
        finally:
            del self._inflight[key]
        if fields is not None and self.cache is not None:
            self.cache.put(key, fields)  # failures are never cached
        return fields, False, error

    async def _fetch(
        self, prompt: JudgePrompt, model: str, fields_of: Callable[[dict[str, Any] | None], dict[str, Any] | None]
    ) -> tuple[dict[str, Any] | None, str | None]:
        reply = ""
        # Only an object with every key the schema requires is a verdict: a quoted `{"is_correct": true}`
        # from the candidate is not (the last such object in the reply wins: parse.parse_json_object).
        required = tuple((prompt.schema or {}).get("required", ()))
        async with self._slots:
            for _ in range(PARSE_ATTEMPTS):
                try:
                    reply, _attempts = await call_with_retry(
                        lambda: self._complete(prompt, model), max_retries=self.max_retries,
                        key_env=self.key_env, initial_wait=self.initial_wait,
                    )
                except AuthError:
                    raise
                except Exception as exc:  # recorded on the row; the run goes on
                    self.usage.errors += 1
                    return None, f"{self.name}: {describe_error(exc)}"
                fields = fields_of(parse_json_object(reply, required))
                if fields is not None:
                    return fields, None
        self.usage.errors += 1
        return None, f"{self.name}: unparseable reply {reply[:200]!r}"

    # ---- model calls, through the adapter --------------------------------------------------------
    async def _model_name(self) -> str:
        if self.model is None:
            async with self._model_lock:
                if self.model is None:
                    try:
                        self.model = await self.adapter.pick_model(self.adapter.info.default_judge_model)
                    except Exception as exc:
                        raise _Failure(f"{self.name}: could not ask {self.adapter.base_url} for its model: "
                                       f"{describe_error(exc)}") from None
        return self.model

    async def _complete(self, prompt: JudgePrompt, model: str) -> str:
        schema = prompt.schema if self._use_schema else None
        req = GenRequest(
            model=model, system=prompt.system, messages=[{"role": "user", "content": prompt.user}],
            max_tokens=self.max_tokens, temperature=0.0, response_schema=schema, schema_name=f"judge_{prompt.kind}",
        )
        try:
            candidates = await self.adapter.generate(req, 1)
        except Exception as exc:
            if schema is None or getattr(exc, "status_code", None) not in _SCHEMA_REJECTED:
                raise
            self._use_schema = False
            return await self._complete(prompt, model)
        self.usage.calls += 1
        if not candidates:
            return ""
        u = candidates[0].usage
        self.usage.input_tokens += u.input_tokens or 0
        self.usage.output_tokens += u.output_tokens or 0
        cost = self.pricer.cost(self.adapter.info, model, u)
        charge(self.name, cost)  # onto the row being checked
        self.usage.cost_usd = None if cost is None or self.usage.cost_usd is None else self.usage.cost_usd + cost
        return candidates[0].text or ""
