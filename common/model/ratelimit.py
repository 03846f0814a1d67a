"""Client-side rate control: one limiter per (provider, model), driven by the provider's live headers.

Every adapter call passes through `RateLimits.request` (the adapter owns one `RateLimits`, so generation,
the judge and the LLM tool mock share a model's limiter whenever they share the adapter). A limiter:

- keeps a token bucket per limit the server reports (requests, tokens, input tokens, output tokens),
  refilled at limit/60 a second, its size learned from the headers (remaining + reset x rate), its level
  corrected by every response's `remaining` (never above it, never below what remains once every request
  sent since is counted against it);
- charges a request at admission what the server will: estimated prompt tokens (characters x a ratio
  learned from the usage observed) plus `max_tokens x n`, then corrects the prompt part by the usage, and
  gives back unused output where the provider does (`LimitRules.refunds_output`);
- bounds requests in flight by a window that grows by one per window of successes and halves on 429/529
  (once per burst), never above `concurrency`;
- on a 429 with Retry-After pauses every sender until then, and marks the error `paced` so the retry loop
  (common/model/retry.py) sends it back to the queue instead of adding a backoff of its own;
- starts with one request in flight (doubling every `PROBE_RAMP_S`) until the first answer says what the
  limits are, so a run does not open with a burst of 429s; a server that reports no limits (and no
  `rate_limit_*` key) is then not paced at all.

What differs per API (header names, reset formats, what counts against which limit) stays in the adapters:
they turn headers into a neutral `LimitsSnapshot` and declare their `LimitRules`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

from common.model.api import GenRequest, Usage

KINDS = ("requests", "tokens", "input_tokens", "output_tokens")
PACED = "bestofn_paced"  # set on an exception whose retry the limiter paces (retry.py adds no backoff)
THROTTLED = {429, 529}  # rate limited, overloaded: the window halves
MAX_PAUSE_S = 120.0
DEFAULT_WINDOW_S = 1.0  # a limit known only per minute is paced as if a bucket held one second of it
PROBE_RAMP_S = 1.0  # while no answer has told the limits, the window doubles this often
DEFAULT_MAX_CONCURRENCY = 256  # until the pipeline says (callers bound themselves too)
INITIAL_TOKENS_PER_CHAR = 0.25


# ---- what the adapters hand back ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Limit:
    """One limit as a response reports it: per minute, left now, seconds until fully replenished."""

    limit: float | None = None
    remaining: float | None = None
    reset_s: float | None = None


@dataclass(frozen=True, slots=True)
class LimitsSnapshot:
    """The limits one response reported (None: not reported). `tokens` counts input + output together
    (OpenAI); `input_tokens` and `output_tokens` apart (Anthropic)."""

    requests: Limit | None = None
    tokens: Limit | None = None
    input_tokens: Limit | None = None
    output_tokens: Limit | None = None
    retry_after_s: float | None = None

    def limits(self) -> dict[str, Limit]:
        return {k: v for k in KINDS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True, slots=True)
class LimitRules:
    """How a provider counts usage against its limits."""

    refunds_output: bool  # unused output (max_tokens x n - used) is given back at the end (Anthropic)
    cache_reads_count: bool  # cached prompt tokens count against the input limit (OpenAI: yes)
    cached_in_input: bool  # Usage.input_tokens already includes cached tokens (ProviderInfo's flag)


HeaderReader = Callable[[Mapping[str, str]], LimitsSnapshot]


def header_number(value: str | None, *, positive: bool = False) -> float | None:
    """A header's number; None when missing, garbage, negative (or zero where `positive`)."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except (ValueError, AttributeError):
        return None
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        return None
    return number


def pick_headers(headers: Mapping[str, str], prefix: str) -> dict[str, str]:
    """The rate-limit headers (names starting with `prefix`, and Retry-After) in one pass: a response's
    header map scans all its headers on every lookup."""
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith((prefix, "retry-after"))}


def make_limit(limit: str | None, remaining: str | None, reset_s: float | None) -> Limit | None:
    """A Limit from raw header values (a limit of 0 means nothing usable); None when nothing was usable."""
    parsed = Limit(header_number(limit, positive=True), header_number(remaining), reset_s)
    return None if parsed == Limit() else parsed


def retry_after_header_s(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait: `retry-after-ms`, else `Retry-After` (seconds or an HTTP date)."""
    ms = header_number(headers.get("retry-after-ms"), positive=True)
    if ms is not None:
        return min(ms / 1000, MAX_PAUSE_S)
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = header_number(value)
    if seconds is None:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(seconds, MAX_PAUSE_S) if seconds > 0 else None


def prompt_chars(req: GenRequest) -> int:
    """Characters of everything a request sends as prompt (cheap: no tokenizer)."""
    chars = len(req.system or "")
    for m in req.messages:
        content = m.get("content")
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):
            chars += sum(len(p.get("text") or "") for p in content if isinstance(p, dict))
        for call in m.get("tool_calls") or ():
            args = call.get("arguments")
            chars += len(args) if isinstance(args, str) else len(json.dumps(args))
    if req.tools:
        chars += len(json.dumps(req.tools))
    if req.response_schema:
        chars += len(json.dumps(req.response_schema))
    return chars


# ---- the limiter ---------------------------------------------------------------------------------
class _Bucket:
    """Our picture of one of the server's buckets (unknown until a header or a config key gives its limit)."""

    __slots__ = ("cap", "limit", "rate", "capacity", "level", "stamp", "spent")

    def __init__(self, now: float) -> None:
        self.cap: float | None = None  # a configured limit: the server's may only lower it
        self.limit: float | None = None
        self.rate = 0.0
        self.capacity = 0.0
        self.level = 0.0
        self.stamp = now
        self.spent = 0.0  # every charge ever made (corrections aside): what was sent after a given request

    @property
    def known(self) -> bool:
        return self.limit is not None

    def set_limit(self, per_minute: float, now: float) -> None:
        per_minute = min(per_minute, self.cap) if self.cap is not None else per_minute
        first = self.limit is None
        self.refill(now)
        self.limit, self.rate = per_minute, per_minute / 60
        if first:
            self.capacity = self.level = self.rate * DEFAULT_WINDOW_S
        self.capacity = min(self.capacity, per_minute)
        self.level = min(self.level, self.capacity)

    def refill(self, now: float) -> None:
        if self.known:
            self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_s(self, cost: float) -> float:
        need = min(cost, self.capacity)  # a request bigger than the bucket waits for a full one
        return 0.0 if self.level >= need else (need - self.level) / self.rate

    def take(self, cost: float) -> None:
        self.level -= cost
        self.spent += cost

    def adjust(self, delta: float) -> None:
        """Charge (positive) or give back (negative) the difference between what was charged and the truth."""
        self.level = min(self.capacity, self.level - delta)

    def observe(self, seen: Limit, sent_since: float, now: float) -> None:
        """Sync with a response: `sent_since` is what we charged after that request was sent (which the
        server may or may not have counted when it wrote `remaining`)."""
        if seen.limit is not None:
            self.set_limit(seen.limit, now)
        if not self.known or seen.remaining is None:
            return
        self.refill(now)
        if seen.reset_s is not None:  # full in reset_s at `rate`: that is how much the bucket holds
            size = seen.remaining + seen.reset_s * self.rate
            self.capacity = max(min(size, self.limit or size), seen.remaining, 1.0)
        else:
            self.capacity = max(self.capacity, min(seen.remaining, self.limit or seen.remaining))
        self.level = max(min(self.level, seen.remaining), seen.remaining - sent_since)
        self.level = min(self.level, self.capacity)


class Ticket:
    """One admitted request: what it was charged, so its answer can correct it."""

    __slots__ = ("costs", "sent_at", "spent_at", "chars", "done")

    def __init__(self, costs: dict[str, float], sent_at: float, spent_at: dict[str, float], chars: int) -> None:
        self.costs = costs
        self.sent_at = sent_at
        self.spent_at = spent_at
        self.chars = chars
        self.done = False


class RateLimiter:
    """Admission control for one (provider, model); use from one event loop."""

    def __init__(self, name: str, rules: LimitRules, *, max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
                 probe: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.rules = rules
        self.clock = clock
        now = clock()
        self.buckets = {k: _Bucket(now) for k in KINDS}
        self.max_concurrency = max_concurrency
        self.window = float(max_concurrency)
        self._successes = 0  # since the window last grew
        self.probing = probe  # until the first answer: one request, doubling every PROBE_RAMP_S
        self._probe_start: float | None = None
        self.in_flight = 0
        self.queued = 0
        self.pause_until = 0.0
        self._last_cut = -math.inf
        self.tokens_per_char = INITIAL_TOKENS_PER_CHAR
        self.sent = 0  # requests admitted
        self.throttled = 0  # 429/529 answers
        self.paused_s = 0.0  # time the limiter was paused by Retry-After, in all
        self.waited_s = 0.0  # time senders spent queued, in all
        self._turn = asyncio.Lock()  # FIFO: the first sender in line decides; the rest queue behind it
        self._changed = asyncio.Event()

    # ---- configuration and reporting ----------------------------------------------------------
    def configure(self, max_concurrency: int | None = None, caps: Mapping[str, float | None] | None = None) -> None:
        now = self.clock()
        if max_concurrency is not None:
            self.max_concurrency = max_concurrency
            self.window = min(self.window, max_concurrency) if not self.probing else float(max_concurrency)
        for kind, per_minute in (caps or {}).items():
            if per_minute:
                bucket = self.buckets[kind]
                bucket.cap = per_minute
                bucket.set_limit(min(per_minute, bucket.limit or per_minute), now)
                self.probing = False  # told the limits: no need to find them out
        self._changed.set()

    def current_window(self, now: float) -> int:
        if self.probing:
            if self._probe_start is None:
                return 1
            steps = int((now - self._probe_start) / PROBE_RAMP_S)
            return min(self.max_concurrency, 2 ** min(steps, 16))
        return max(1, min(int(self.window), self.max_concurrency))

    def describe(self) -> str:
        """One short line for the progress display."""
        now = self.clock()
        parts = [f"in flight {self.in_flight}/{self.current_window(now)}"]
        if self.queued:
            parts.append(f"queued {self.queued}")
        names = {"requests": "rpm", "tokens": "tpm", "input_tokens": "itpm", "output_tokens": "otpm"}
        limits = [f"{names[k]} {b.limit:,.0f}" for k, b in self.buckets.items() if b.known and b.limit is not None]
        if limits:
            parts.append("limit " + " ".join(limits))
        if self.throttled:
            parts.append(f"429s {self.throttled}")
        if self.pause_until > now:
            parts.append(f"retry wait {self.pause_until - now:.1f}s")
        return ", ".join(parts)

    # ---- admission ------------------------------------------------------------------------------
    def estimate(self, req: GenRequest, n: int) -> tuple[dict[str, float], int]:
        chars = prompt_chars(req)
        prompt = math.ceil(chars * self.tokens_per_char)
        output = req.max_tokens * n
        costs = {"requests": 1.0, "tokens": float(prompt + output), "input_tokens": float(prompt),
                 "output_tokens": float(output)}
        return costs, chars

    def delay_s(self, req: GenRequest, n: int) -> float | None:
        """How long a request sent now would wait: 0 none, seconds, None until a request in flight ends."""
        return self._wait_s(self.estimate(req, n)[0], self.clock())

    def _wait_s(self, costs: dict[str, float], now: float) -> float | None:
        """0: admit now; seconds to wait; None: wait until a request in flight finishes."""
        if now < self.pause_until:
            return self.pause_until - now
        if self.in_flight >= self.current_window(now):
            if self.probing and self._probe_start is not None:
                steps = int((now - self._probe_start) / PROBE_RAMP_S) + 1
                return self._probe_start + steps * PROBE_RAMP_S - now
            return None
        wait = 0.0
        for kind, bucket in self.buckets.items():
            if bucket.known:
                bucket.refill(now)
                wait = max(wait, bucket.wait_s(costs[kind]))
        return wait

    def _admit(self, costs: dict[str, float], chars: int, now: float) -> Ticket:
        spent_at = {}
        for kind, bucket in self.buckets.items():
            bucket.take(costs[kind])
            spent_at[kind] = bucket.spent
        self.in_flight += 1
        self.sent += 1
        if self._probe_start is None:
            self._probe_start = now
        return Ticket(costs, now, spent_at, chars)

    async def acquire(self, req: GenRequest, n: int) -> Ticket:
        costs, chars = self.estimate(req, n)
        now = self.clock()
        if not self.queued and self._wait_s(costs, now) == 0:
            return self._admit(costs, chars, now)  # the common case: no queue, nothing to wait for
        self.queued += 1
        try:
            async with self._turn:
                while (wait := self._wait_s(costs, self.clock())) != 0:
                    self._changed.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), wait)
                return self._admit(costs, chars, self.clock())
        finally:
            self.queued -= 1
            self.waited_s += self.clock() - now

    # ---- answers --------------------------------------------------------------------------------
    def _release(self, ticket: Ticket) -> None:
        if not ticket.done:
            ticket.done = True
            self.in_flight -= 1
            self._changed.set()

    def _observe(self, ticket: Ticket, seen: LimitsSnapshot, now: float) -> bool:
        limits = seen.limits()
        for kind, limit in limits.items():
            bucket = self.buckets[kind]
            bucket.observe(limit, bucket.spent - ticket.spent_at[kind], now)
        return bool(limits)

    def _end_probe(self, window: float) -> None:
        if self.probing:
            self.probing = False
            self.window = window

    def succeeded(self, ticket: Ticket, seen: LimitsSnapshot, usage: Usage | None) -> None:
        if ticket.done:
            return
        now = self.clock()
        if usage is not None:
            self._settle(ticket, usage)
        self._observe(ticket, seen, now)
        self._end_probe(float(self.max_concurrency))
        self._successes += 1
        if self._successes >= int(self.window):  # additive increase: one more per window of successes
            self._successes = 0
            self.window = min(self.window + 1, float(self.max_concurrency))
        self._release(ticket)

    def _settle(self, ticket: Ticket, usage: Usage) -> None:
        """Correct the charge by the usage: the prompt estimate always, unused output where refunded."""
        if usage.input_tokens is not None:
            cached, created = usage.cached_input_tokens or 0, usage.cache_creation_input_tokens or 0
            prompt = usage.input_tokens + (0 if self.rules.cached_in_input else cached + created)
            charged = prompt - (0 if self.rules.cache_reads_count else cached)
            if ticket.chars > 0 and prompt > 0:
                ratio = prompt / ticket.chars
                self.tokens_per_char = min(max(0.8 * self.tokens_per_char + 0.2 * ratio, 0.02), 2.0)
            delta = charged - ticket.costs["input_tokens"]
            self.buckets["input_tokens"].adjust(delta)
            self.buckets["tokens"].adjust(delta)
        if self.rules.refunds_output and usage.output_tokens is not None:
            unused = ticket.costs["output_tokens"] - usage.output_tokens
            if unused > 0:
                self.buckets["output_tokens"].adjust(-unused)
                self.buckets["tokens"].adjust(-unused)

    def failed(self, ticket: Ticket, status: int | None, seen: LimitsSnapshot) -> bool:
        """Record a failed request; True when the limiter paces its retry (a pause from Retry-After)."""
        if ticket.done:
            return False
        now = self.clock()
        paced = False
        if status in THROTTLED:
            self.throttled += 1
            for kind, bucket in self.buckets.items():  # refused, so not charged
                bucket.adjust(-ticket.costs[kind])
            self._observe(ticket, seen, now)
            # Once per burst: answers to requests sent before the last cut don't cut again.
            if ticket.sent_at >= self._last_cut:
                self._end_probe(float(self.max_concurrency))
                self.window = max(self.window / 2, 1.0)
                self._successes = 0
                self._last_cut = now
            if seen.retry_after_s is not None:
                until = now + min(seen.retry_after_s, MAX_PAUSE_S)
                if until > self.pause_until:
                    self.paused_s += until - max(self.pause_until, now)
                    self.pause_until = until
                paced = True
        elif self._observe(ticket, seen, now):
            self._end_probe(float(self.max_concurrency))
        self._release(ticket)
        return paced


class Gate:
    """`async with limits.request(req, n) as gate:` waits for admission; call `gate.done(headers, usage)`
    with the answer. An exception leaving the block is recorded (its response's headers read) and
    marked `paced` when the limiter will time its retry."""

    __slots__ = ("_limiter", "_req", "_n", "_read", "_ticket")

    def __init__(self, limiter: RateLimiter, req: GenRequest, n: int, read: HeaderReader) -> None:
        self._limiter, self._req, self._n, self._read = limiter, req, n, read
        self._ticket: Ticket | None = None

    async def __aenter__(self) -> Gate:
        self._ticket = await self._limiter.acquire(self._req, self._n)
        return self

    def done(self, headers: Mapping[str, str] | None, usage: Usage | None) -> None:
        assert self._ticket is not None
        self._limiter.succeeded(self._ticket, self._read(headers) if headers is not None else LimitsSnapshot(), usage)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        ticket = self._ticket
        if ticket is None or ticket.done:
            return
        if exc is None:
            self._limiter.succeeded(ticket, LimitsSnapshot(), None)
            return
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
        seen = self._read(headers) if headers is not None else LimitsSnapshot()
        status = getattr(exc, "status_code", None)
        if self._limiter.failed(ticket, status if isinstance(status, int) else None, seen):
            with contextlib.suppress(AttributeError):
                setattr(exc, PACED, True)


class RateLimits:
    """An adapter's limiters, one per model; `configure` applies the run's concurrency and any
    `rate_limit_*` keys to every limiter, present and future."""

    def __init__(self, read_headers: HeaderReader, rules: LimitRules, *, probe: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.read_headers = read_headers
        self.rules = rules
        self.probe = probe
        self.clock = clock
        self._max_concurrency: int | None = None
        self._caps: dict[str, float | None] = {}
        self.by_model: dict[str, RateLimiter] = {}

    def configure(self, *, max_concurrency: int | None = None, rpm: float | None = None,
                  tpm: float | None = None) -> None:
        if max_concurrency is not None:
            self._max_concurrency = max_concurrency
        if rpm is not None:
            self._caps["requests"] = rpm
        if tpm is not None:
            self._caps["tokens"] = tpm
        for limiter in self.by_model.values():
            limiter.configure(self._max_concurrency, self._caps)

    def for_model(self, model: str) -> RateLimiter:
        limiter = self.by_model.get(model)
        if limiter is None:
            limiter = RateLimiter(model, self.rules, probe=self.probe, clock=self.clock,
                                  max_concurrency=self._max_concurrency or DEFAULT_MAX_CONCURRENCY)
            limiter.configure(None, self._caps)
            self.by_model[model] = limiter
        return limiter

    def request(self, req: GenRequest, n: int) -> Gate:
        return Gate(self.for_model(req.model), req, n, self.read_headers)

    def describe(self) -> str:
        # list() first: the progress display calls this from its own thread while the loop may add a model.
        active = [lim for lim in list(self.by_model.values()) if lim.in_flight or lim.queued or lim.throttled
                  or any(b.known for b in lim.buckets.values())]
        if len(active) == 1:
            return active[0].describe()
        return "; ".join(f"{lim.name}: {lim.describe()}" for lim in active)

    def summary(self) -> str:
        """For the end-of-run table: requests, 429s, time paused by Retry-After, mean wait before sending."""
        return "; ".join(
            f"{lim.name}: {lim.sent} requests, {lim.throttled} answered 429/529, paused {lim.paused_s:.1f} s "
            f"by Retry-After, {lim.waited_s / lim.sent:.2f} s mean wait to send"
            for lim in self.by_model.values() if lim.sent
        )
