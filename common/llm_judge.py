"""LLM-as-judge, provider-aware: a Claude run judges with Claude, an OpenAI run with gpt-4o-mini,
a local run with its own server; each overridable.

Every call goes through `call_with_retry`; verdicts are cached on disk (common/judge_cache.py)
under a hash of provider, model, prompt version and the full prompt, so a rerun costs nothing.
A failure comes back as a verdict with `error` set and is never cached; only a rejected key
(AuthError) raises, because every later call would fail the same way.

Use one LLMJudge from one event loop (the pipeline's): its SDK client is bound to that loop.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from common.api_retry import call_with_retry, describe_error
from common.errors import AuthError, MissingKeyError, UserError
from common.judge_cache import JudgeCache, cache_key
from common.judge_json import as_bool, as_confidence, parse_json_object
from common.judge_prompts import PROMPT_VERSION, JudgePrompt, refusal_prompt, verdict_prompt
from common.refusal_check import RefusalType

JudgeProvider = Literal["openai", "claude", "local"]
DEFAULT_JUDGE_MODELS: dict[str, str] = {"openai": "gpt-4o-mini", "claude": "claude-sonnet-4-5-20250929"}
KEY_ENVS: dict[str, str] = {"openai": "OPENAI_API_KEY", "claude": "ANTHROPIC_API_KEY", "local": "BESTOFN_LOCAL_API_KEY"}
PARSE_ATTEMPTS = 2  # an unparseable reply is asked once more before it counts as a failure
_NO_TEMPERATURE = ("o1", "o3", "o4", "gpt-5")  # reasoning models reject a temperature


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
    def __init__(
        self,
        provider: JudgeProvider,
        model: str | None = None,
        base_url: str | None = None,
        cache_dir: Path | str | None = None,
        *,
        api_key: str | None = None,
        use_cache: bool = True,
        max_retries: int = 4,
        initial_wait: float = 1.0,
        timeout: float = 120.0,
        concurrency: int = 16,
        max_tokens: int = 1024,
    ) -> None:
        if provider not in KEY_ENVS:
            raise UserError(f"judge provider must be openai, claude or local, not {provider!r}.")
        if provider == "local" and not base_url:
            raise UserError("a local judge needs the base URL of the server to ask.")
        self.provider = provider
        self.model = model or DEFAULT_JUDGE_MODELS.get(provider)  # local: asked of the server on first use
        self.base_url = base_url
        self.key_env = KEY_ENVS[provider]
        self._key = api_key or os.environ.get(self.key_env)
        if provider == "local":
            self._key = self._key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        elif not self._key:
            raise MissingKeyError(f"{self.key_env} is not set; the {provider} judge needs it.")
        self.cache = JudgeCache(cache_dir) if use_cache else None
        self.max_retries = max_retries
        self.initial_wait = initial_wait
        self.timeout = timeout
        self.max_tokens = max_tokens
        self._slots = asyncio.Semaphore(concurrency)
        self._client: Any = None
        self._model_lock = asyncio.Lock()
        self._use_schema = provider != "claude"  # dropped for good if a server rejects response_format
        # api.openai.com wants max_completion_tokens; compatible servers widely know only max_tokens.
        self._official = provider == "openai" and base_url is None and not os.environ.get("OPENAI_BASE_URL")
        self._inflight: dict[str, asyncio.Future[tuple[dict[str, Any] | None, str | None]]] = {}

    # ---- public API -----------------------------------------------------------------------------
    async def judge(
        self, question: str, candidate: str, ground_truth: str | None, split: str, tool_trace: str | None = None
    ) -> JudgeVerdict:
        """Correctness against `ground_truth`, without one, or (split tool_calling) appropriateness."""
        fields, cached, error = await self._ask(verdict_prompt(question, candidate, ground_truth, split, tool_trace),
                                                _verdict_fields)
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

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    # ---- cache, de-duplication, retries ---------------------------------------------------------
    async def _ask(
        self, prompt: JudgePrompt, fields_of: Callable[[dict[str, Any] | None], dict[str, Any] | None]
    ) -> tuple[dict[str, Any] | None, bool, str | None]:
        """(fields, cached, error)."""
        try:
            model = await self._model_name()
        except _Failure as exc:
            return None, False, str(exc)
        key = cache_key(self.provider, model, PROMPT_VERSION, prompt.kind, prompt.system, prompt.user)
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
                    return None, f"judge: {describe_error(exc)}"
                fields = fields_of(parse_json_object(reply))
                if fields is not None:
                    return fields, None
        return None, f"judge: unparseable reply {reply[:200]!r}"

    # ---- provider calls -------------------------------------------------------------------------
    async def _model_name(self) -> str:
        if self.model is None:
            async with self._model_lock:
                if self.model is None:
                    try:
                        models = await self._get_client().models.list()
                    except Exception as exc:
                        raise _Failure(f"judge: could not list the models of {self.base_url}: "
                                       f"{describe_error(exc)}") from None
                    if not models.data:
                        raise _Failure(f"judge: {self.base_url} serves no model")
                    self.model = models.data[0].id
        return self.model

    def _get_client(self) -> Any:
        """Built on first use, inside the running loop (the aiohttp transport binds to it)."""
        if self._client is None:
            if self.provider == "claude":
                import anthropic

                self._client = anthropic.AsyncAnthropic(api_key=self._key, base_url=self.base_url, max_retries=0,
                                                        timeout=self.timeout)
            else:
                import openai

                self._client = openai.AsyncOpenAI(
                    api_key=self._key, base_url=self.base_url, max_retries=0, timeout=self.timeout,
                    http_client=openai.DefaultAioHttpClient(timeout=self.timeout),
                )
        return self._client

    async def _complete(self, prompt: JudgePrompt, model: str) -> str:
        if self.provider == "claude":
            # The installed SDK's messages.create takes no temperature: the API default applies.
            msg = await self._get_client().messages.create(
                model=model, max_tokens=self.max_tokens, system=prompt.system,
                messages=[{"role": "user", "content": prompt.user}],
            )
            return "".join(block.text for block in msg.content if block.type == "text")
        return await self._chat(prompt, model)

    async def _chat(self, prompt: JudgePrompt, model: str) -> str:
        import openai

        kwargs: dict[str, Any] = {
            "model": model,
            "messages": [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
        }
        kwargs["max_completion_tokens" if self._official else "max_tokens"] = self.max_tokens
        if not model.startswith(_NO_TEMPERATURE):
            kwargs["temperature"] = 0.0
        if self._use_schema:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": f"judge_{prompt.kind}", "strict": True, "schema": prompt.schema},
            }
        try:
            raw = await self._get_client().chat.completions.with_raw_response.create(**kwargs)
        except (openai.BadRequestError, openai.UnprocessableEntityError):
            if not self._use_schema:
                raise
            self._use_schema = False  # the server knows no json_schema: plain prompting from now on
            return await self._chat(prompt, model)
        data = json.loads(raw.http_response.content)
        message = (data.get("choices") or [{}])[0].get("message") or {}
        if not message.get("content") and message.get("refusal"):
            raise _Failure(f"the judge model refused: {message['refusal']}")
        return message.get("content") or ""
