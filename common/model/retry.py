"""Retries with exponential backoff and jitter for both SDKs, honouring Retry-After.

The SDKs' own retries are switched off (max_retries=0) so this is the single place that
decides, and the attempt count on each row is true.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from common.errors import AuthError
from common.model.api import MalformedReply
from common.model.ratelimit import PACED, retry_after_header_s

T = TypeVar("T")
RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504, 529}


@dataclass
class RetryStats:
    """Shared counters for the progress display."""

    retries: int = 0


def _sdk_errors(name: str) -> tuple[type[BaseException], ...]:
    """The named exception class from each SDK already imported (importing anthropic costs seconds)."""
    return tuple(getattr(sys.modules[m], name) for m in ("openai", "anthropic") if m in sys.modules)


def is_api_error(exc: BaseException) -> bool:
    """An error the SDK raised for the API's answer or its absence (not a bug of ours)."""
    return isinstance(exc, _sdk_errors("APIError") + (MalformedReply,))


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, _sdk_errors("APIConnectionError")):  # timeouts subclass it
        return True
    if isinstance(exc, json.JSONDecodeError | MalformedReply):  # a 200 that is not the API's reply (a proxy's page)
        return True
    return isinstance(exc, _sdk_errors("APIStatusError")) and exc.status_code in RETRY_STATUS


def retry_after_s(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait, from Retry-After (seconds or HTTP date) or retry-after-ms."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    return retry_after_header_s(response.headers)


class _Wait:
    """Exponential backoff with jitter, but never shorter than what Retry-After asks. An error the rate
    limiter paces (common/model/ratelimit.py: a 429 that paused every sender until Retry-After) goes back
    to the limiter's queue at once: backing off on top of that pause would only compound it."""

    def __init__(self, initial: float, maximum: float) -> None:
        self._backoff = wait_exponential_jitter(multiplier=initial, max=maximum, jitter=initial)

    def __call__(self, state: RetryCallState) -> float:
        backoff = self._backoff(state)
        exc = state.outcome.exception() if state.outcome else None
        if exc is not None and getattr(exc, PACED, False):
            return 0.0
        asked = retry_after_s(exc) if exc else None
        return max(backoff, asked) if asked is not None else backoff


def _os_cause(exc: BaseException) -> OSError | None:
    """The operating system's reason under an SDK error (refused, reset, no such host), if any."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, OSError) and not isinstance(cur, TimeoutError) and cur.strerror:
            return cur
        cur = cur.__cause__ or cur.__context__
    return None


def describe_error(exc: BaseException) -> str:
    """One line for the row's `error` column, naming the real cause (a refused connection is not a timeout,
    though some transports report it as one)."""
    if isinstance(exc, _sdk_errors("APIConnectionError")):
        url = getattr(getattr(exc, "request", None), "url", None)
        where = f" to {url.host}:{url.port}" if url is not None and url.port else ""
        if (cause := _os_cause(exc)) is not None:
            # The errno's own words ("Connection refused"), not the event loop's paraphrase of them; a name
            # lookup's errors are not errnos and say it themselves ("Name or service not known").
            words = os.strerror(cause.errno) if cause.errno and cause.errno > 0 else cause.strerror
            return f"cannot connect{where}: {words}"
        if isinstance(exc, _sdk_errors("APITimeoutError")):
            return f"no answer{where} within the request timeout"
    if isinstance(exc, json.JSONDecodeError):
        return f"the server's reply is not JSON ({exc})"
    if isinstance(exc, MalformedReply):
        return f"the server's reply is not the API's ({exc})"
    if isinstance(exc, _sdk_errors("APIStatusError")):
        body = exc.body if isinstance(exc.body, dict) else None
        detail = (body or {}).get("error", body)
        message = detail.get("message") if isinstance(detail, dict) else None
        return f"HTTP {exc.status_code}: {message or exc.message}"
    return f"{type(exc).__name__}: {exc}"


async def call_with_retry(
    fn: Callable[[], Awaitable[T]],
    *,
    max_retries: int,
    key_env: str,
    stats: RetryStats | None = None,
    initial_wait: float = 1.0,
    max_wait: float = 60.0,
) -> tuple[T, int]:
    """Run `fn` until it succeeds or fails for good; return (result, attempts).

    A rejected key raises AuthError at once (naming `key_env`); other final failures re-raise
    the SDK's exception with `.attempts` set so the caller can record it on the row.
    """

    def before_sleep(state: RetryCallState) -> None:
        if stats is not None:
            stats.retries += 1

    attempts = 0
    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(is_retryable),
            stop=stop_after_attempt(max_retries + 1),
            wait=_Wait(initial_wait, max_wait),
            before_sleep=before_sleep,
            reraise=True,
        ):
            with attempt:
                attempts = attempt.retry_state.attempt_number
                result = await fn()
    except Exception as exc:
        if not isinstance(exc, _sdk_errors("AuthenticationError") + _sdk_errors("PermissionDeniedError")):
            exc.attempts = attempts  # type: ignore[attr-defined]
            raise
        raise AuthError(
            f"The API rejected the key in {key_env} ({describe_error(exc)}); check it and run again."
        ) from None
    return result, attempts
