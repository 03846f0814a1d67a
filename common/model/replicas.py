"""Several servers of one model (vLLM / SGLang replicas) behind one adapter.

`ReplicaPool` is provider-neutral: it holds one client object per base URL (whatever the adapter's SDK
builds) and a cheap probe call the adapter gives it (a model list). It

- routes each call to the healthy replica with the fewest calls in flight, ties broken round-robin, so
  load spreads evenly;
- marks a replica down when a call to it fails with a connection error, a timeout or a 5xx (a 4xx is
  the request's fault, a 429/529 the rate limiter's business: neither says the server is gone); the
  error still propagates, so the retry layer (common/model/retry.py) retries it, and the retry lands
  on another replica;
- probes a down replica once its cooldown has passed (1 s, doubling on each failed probe up to 30 s;
  started lazily by the next lease, run in the background) and takes it back when the probe answers;
- when every replica is down, makes a lease wait for the next probe, and probes each replica as often
  as the first cooldown allows (once a second) whatever its cooldown has grown to, since no replica is
  left to spare: a probe that answers brings its replica back; one that fails lets the lease go to a
  down replica anyway, so the call fails with its own real error and the retry layer's attempts and
  backoff decide, as with one dead server (a dead fleet ends as fast, in the same error).

Counters per replica (`snapshot`) are for the progress display and the summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from common.errors import UserError
from common.model.ratelimit import THROTTLED
from common.model.retry import describe_error

C = TypeVar("C")
T = TypeVar("T")

log = logging.getLogger("bestofn")

FIRST_COOLDOWN_S = 1.0
MAX_COOLDOWN_S = 30.0
PROBE_TIMEOUT_S = 10.0


def split_base_urls(value: str | Sequence[str] | None) -> list[str]:
    """The URLs in a base_url value (a string, comma-separated for several, or a list), stripped, empty
    ones dropped; no check of what they are."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in str(v).split(",")]
    return [p.strip() for p in parts if p.strip()]


def parse_base_urls(value: Any) -> list[str]:
    """`split_base_urls`, each URL checked (http or https, with a host): ValueError in one sentence."""
    if not isinstance(value, str | list | tuple) or not all(isinstance(v, str) for v in
                                                            ([value] if isinstance(value, str) else value)):
        raise ValueError("give a URL such as http://host:8000/v1, or several as a list or comma-separated")
    urls = split_base_urls(value)
    if not urls:
        raise ValueError("give at least one URL, such as http://host:8000/v1")
    for url in urls:
        try:
            parts = urlsplit(url)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            _ = parts.port  # a port that is not a number raises here
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{url!r} is not an http:// or https:// URL with a host, such as http://host:8000/v1")
    twice = sorted({u for u in urls if urls.count(u) > 1})
    if twice:
        raise ValueError(f"{twice[0]} is listed twice; list each replica once")
    return urls


def one_base_url(value: str | Sequence[str] | None, who: str) -> str | None:
    """For an adapter that talks to one server only: the URL, or UserError when `value` lists several."""
    urls = split_base_urls(value)
    if len(urls) > 1:
        raise UserError(f"{who} takes one base_url, not {len(urls)}; replicas of one model (a list of base URLs) "
                        "are for OpenAI-compatible servers.")
    return value if value is None or isinstance(value, str) else (urls[0] if urls else None)


def _connection_errors() -> tuple[type[BaseException], ...]:
    """Each imported SDK's connection error (timeouts subclass it), without importing an SDK."""
    return tuple(sys.modules[m].APIConnectionError for m in ("openai", "anthropic") if m in sys.modules)


def replica_failed(exc: BaseException) -> bool:
    """Does this error say the server is gone or broken (connection error, timeout, 5xx), rather than
    that the request was wrong (4xx) or too many (429, 529)?"""
    if isinstance(exc, _connection_errors() + (ConnectionError, TimeoutError)):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and status >= 500 and status not in THROTTLED


@dataclass(frozen=True, slots=True)
class ReplicaStats:
    url: str
    healthy: bool
    in_flight: int
    requests: int  # calls leased to it (probes not counted)
    failures: int  # calls that failed with an error that marks a replica down
    last_error: str | None = None  # why it was last marked down, or why its last probe failed


class _Replica(Generic[C]):
    __slots__ = ("url", "client", "healthy", "in_flight", "requests", "failures", "last_error", "epoch",
                 "cooldown", "probe_at", "checked_at", "probing", "proven")

    def __init__(self, url: str, client: C) -> None:
        self.url = url
        self.client = client
        self.healthy = True
        self.in_flight = 0
        self.requests = 0
        self.failures = 0
        self.last_error: str | None = None
        self.epoch = 0  # counts transitions up/down, so a call's outcome only counts for the state it began in
        self.cooldown = FIRST_COOLDOWN_S
        self.probe_at = 0.0
        self.checked_at = 0.0  # when it was marked down or its last probe ended
        self.probing: asyncio.Task[None] | None = None
        self.proven = True  # a call succeeded since it last came back (else going down again doubles the wait)


class ReplicaPool(Generic[C]):
    """Replicas of one model; see the module's docstring. `probe(client)` is a cheap call that raises
    when the server is not there (an error that is no `is_failure` still counts as an answer)."""

    def __init__(
        self,
        replicas: Sequence[tuple[str, C]],
        probe: Callable[[C], Awaitable[object]],
        *,
        first_cooldown_s: float = FIRST_COOLDOWN_S,
        max_cooldown_s: float = MAX_COOLDOWN_S,
        probe_timeout_s: float = PROBE_TIMEOUT_S,
        is_failure: Callable[[BaseException], bool] = replica_failed,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not replicas:
            raise ValueError("a replica pool needs at least one replica")
        self._replicas = [_Replica(url, client) for url, client in replicas]
        for r in self._replicas:
            r.cooldown = first_cooldown_s
        self._probe_fn = probe
        self._first = first_cooldown_s
        self._max = max_cooldown_s
        self._probe_timeout = probe_timeout_s
        self._is_failure = is_failure
        self._clock = clock
        self._next = 0  # where the round-robin scan starts
        self._changed: asyncio.Event | None = None  # set (and replaced) whenever a replica changes state
        self._probes_failed = 0
        self._closed = False

    def __len__(self) -> int:
        return len(self._replicas)

    @property
    def urls(self) -> list[str]:
        return [r.url for r in self._replicas]

    @property
    def clients(self) -> list[C]:
        return [r.client for r in self._replicas]

    def healthy(self) -> list[tuple[str, C]]:
        return [(r.url, r.client) for r in self._replicas if r.healthy]

    def snapshot(self) -> list[ReplicaStats]:
        return [ReplicaStats(r.url, r.healthy, r.in_flight, r.requests, r.failures, r.last_error)
                for r in self._replicas]

    # ---- leasing ----------------------------------------------------------------------------------
    async def call(self, fn: Callable[[C], Awaitable[T]]) -> T:
        async with self.lease() as client:
            return await fn(client)

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[C]:
        """The client of the replica this call goes to; the call's outcome, seen on the way out,
        updates that replica's health (the error propagates unchanged)."""
        r = await self._acquire()
        epoch, was_healthy = r.epoch, r.healthy
        r.in_flight += 1
        r.requests += 1
        try:
            yield r.client
        except Exception as exc:
            if self._is_failure(exc):
                r.failures += 1
                if was_healthy and r.healthy and r.epoch == epoch:
                    self._set_down(r, exc)
            else:
                self._answered(r, epoch)
            raise
        else:
            self._answered(r, epoch)
        finally:
            r.in_flight -= 1

    def _answered(self, r: _Replica[C], epoch: int) -> None:
        if r.healthy:
            r.cooldown, r.proven = self._first, True
        elif r.epoch == epoch:  # leased while down (every replica was) and it answered: it is back
            self._set_up(r)
            r.cooldown, r.proven = self._first, True

    def _pick(self, healthy: bool) -> _Replica[C] | None:
        """The replica with the fewest calls in flight, among the healthy ones (or among all), the scan
        starting after the last one picked, so ties go round."""
        n = len(self._replicas)
        best: _Replica[C] | None = None
        best_at = 0
        for k in range(n):
            at = (self._next + k) % n
            r = self._replicas[at]
            if (r.healthy or not healthy) and (best is None or r.in_flight < best.in_flight):
                best, best_at = r, at
        if best is not None:
            self._next = (best_at + 1) % n
        return best

    async def _acquire(self) -> _Replica[C]:
        probe_failed = False
        while True:
            now = self._clock()
            self._start_due_probes(now)
            r = self._pick(healthy=True)
            if r is not None:
                return r
            if probe_failed or self._closed:
                # Every replica is down and the latest probe failed: the call goes to one anyway and fails
                # (or not) with its own error, so the retry layer counts the attempt as for one server.
                r = self._pick(healthy=False)
                assert r is not None
                return r
            # No replica to spare: each is probed again once the first cooldown has passed since its last check.
            for x in self._replicas:
                if x.probing is None:
                    x.probe_at = min(x.probe_at, x.checked_at + self._first)
            self._start_due_probes(now)
            failed_before = self._probes_failed
            changed = self._event()
            waits = [r.probe_at - now for r in self._replicas if r.probing is None]
            timeout = max(min(waits), 0.0) if waits else None
            with contextlib.suppress(TimeoutError):  # a cooldown ended: its probe starts at the top of the loop
                await asyncio.wait_for(changed.wait(), timeout)
            probe_failed = self._probes_failed != failed_before

    # ---- health -----------------------------------------------------------------------------------
    def mark_down(self, url: str, exc: BaseException) -> None:
        """Take a replica out (the adapter's start-up check found it not answering)."""
        for r in self._replicas:
            if r.url == url and r.healthy:
                self._set_down(r, exc)

    def _set_down(self, r: _Replica[C], exc: BaseException) -> None:
        if not r.proven:  # it came back but failed again before any call succeeded: wait longer
            r.cooldown = min(r.cooldown * 2, self._max)
        r.healthy, r.proven = False, False
        r.epoch += 1
        r.last_error = describe_error(exc)
        r.checked_at = self._clock()
        r.probe_at = r.checked_at + r.cooldown
        others = sum(x.healthy for x in self._replicas)
        then = (f"its calls go to the other {'replica' if others == 1 else f'{others} replicas'} until it answers again"
                if others
                else "no replica is left; calls wait for the next one that answers")
        log.warning("replica %s is down (%s); %s.", r.url, r.last_error, then)
        self._notify()

    def _set_up(self, r: _Replica[C]) -> None:
        r.healthy = True
        r.epoch += 1
        log.info("replica %s answers again; it takes calls again.", r.url)
        self._notify()

    def _start_due_probes(self, now: float) -> None:
        if self._closed:
            return
        for r in self._replicas:
            if not r.healthy and r.probing is None and r.probe_at <= now:
                r.probing = asyncio.get_running_loop().create_task(self._probe(r))

    async def _probe(self, r: _Replica[C]) -> None:
        try:
            await asyncio.wait_for(self._probe_fn(r.client), self._probe_timeout)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not isinstance(exc, TimeoutError) and not self._is_failure(exc):
                self._back(r)  # an answer, if not the one asked for: the server is there
            elif not r.healthy:
                r.cooldown = min(r.cooldown * 2, self._max)
                r.checked_at = self._clock()
                r.probe_at = r.checked_at + r.cooldown
                r.last_error = (f"no answer to a probe within {self._probe_timeout:g} s"
                                if isinstance(exc, TimeoutError) else describe_error(exc))
                self._probes_failed += 1
        else:
            self._back(r)
        finally:
            r.probing = None
            self._notify()

    def _back(self, r: _Replica[C]) -> None:
        if not r.healthy:
            self._set_up(r)

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def aclose(self) -> None:
        """Stop the probes under way (waiting leases go on to a replica and fail on their own)."""
        self._closed = True
        tasks = [r.probing for r in self._replicas if r.probing is not None]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._notify()
