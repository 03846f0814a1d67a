"""Server-side rate limits for the fake servers: short-window token buckets, charged at admission.

Config (the `rate_limits` key of a fake's config; every key optional):
    rpm, tpm:        requests and tokens (input + output) per minute, as OpenAI counts them
    itpm, otpm:      input and output tokens per minute, as Anthropic counts them
    window_s:        how much of a minute a bucket holds (default 1.0: a TPM of 60,000 admits at most 1,000
                     tokens in any one second, refilled continuously at 1,000 a second)
    headers:         false: send no limit headers (a gateway that strips them); 429s still carry Retry-After

Each request is charged at admission what it may use: its prompt tokens plus `max_tokens x n` (OpenAI's
documented rule). A request that does not fit is answered 429 at once, uncharged, with the wait until
it would fit. The output-token bucket (Anthropic's OTPM) is corrected at the end to the output actually
produced, and the input-token bucket (ITPM) gives back cache reads, as Anthropic documents; the
combined token bucket (OpenAI's TPM) never is. Every response carries the buckets' state as it is
when the response is sent (limit per minute, remaining, seconds until full): truthful headers.
"""

from __future__ import annotations

import time
from typing import Any

KINDS = ("requests", "tokens", "input_tokens", "output_tokens")
_CONFIG = {"rpm": "requests", "tpm": "tokens", "itpm": "input_tokens", "otpm": "output_tokens"}
CONFIG_KEYS = {*_CONFIG, "window_s", "headers"}


class Bucket:
    __slots__ = ("limit", "rate", "capacity", "level", "stamp", "charged")

    def __init__(self, per_minute: int, window_s: float, now: float) -> None:
        self.limit = per_minute
        self.rate = per_minute / 60.0
        self.capacity = self.rate * window_s
        self.level = self.capacity
        self.stamp = now
        self.charged = 0.0  # net of corrections: what this bucket was charged in all

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_s(self, cost: float) -> float:
        # A request bigger than the whole bucket goes through once the bucket is full (into debt),
        # rather than never.
        need = min(cost, self.capacity)
        return 0.0 if self.level >= need else (need - self.level) / self.rate

    def take(self, cost: float) -> None:
        self.level -= cost
        self.charged += cost

    def give_back(self, amount: float) -> None:
        self.level = min(self.capacity, self.level + amount)
        self.charged -= amount

    def reset_s(self) -> float:
        """Seconds until the bucket is full again."""
        return max(self.capacity - self.level, 0.0) / self.rate


def check_config(cfg: Any) -> dict[str, Any] | None:
    if cfg is None:
        return None
    if not isinstance(cfg, dict):
        raise ValueError(f"rate_limits must be an object: {cfg!r}")
    unknown = set(cfg) - CONFIG_KEYS
    if unknown:
        raise ValueError(f"unknown rate_limits keys: {sorted(unknown)}")
    for key in _CONFIG:
        value = cfg.get(key)
        if value is not None and (not isinstance(value, int | float) or value <= 0):
            raise ValueError(f"rate_limits.{key} must be a positive number: {value!r}")
    if float(cfg.get("window_s") or 1.0) <= 0:
        raise ValueError("rate_limits.window_s must be positive")
    return dict(cfg)


class Admission:
    """What one admitted request was charged, so the end of the request can correct it."""

    __slots__ = ("input_tokens", "output_tokens")

    def __init__(self, input_tokens: int, output_tokens: int) -> None:
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens


class ServerLimits:
    """The buckets of one fake server, with counts a benchmark reads back (/_control/requests)."""

    def __init__(self, cfg: dict[str, Any], clock: Any = time.monotonic) -> None:
        self.clock = clock
        self.send_headers = cfg.get("headers", True) is not False
        now = clock()
        window = float(cfg.get("window_s") or 1.0)
        self.buckets: dict[str, Bucket] = {
            kind: Bucket(int(cfg[key]), window, now) for key, kind in _CONFIG.items() if cfg.get(key)
        }
        self.admitted = 0
        self.rejected = 0

    def _costs(self, input_tokens: int, output_tokens: int) -> dict[str, float]:
        return {"requests": 1, "tokens": input_tokens + output_tokens,
                "input_tokens": input_tokens, "output_tokens": output_tokens}

    def admit(self, input_tokens: int, output_tokens: int) -> tuple[Admission | None, float, str]:
        """(admission, 0, "") or (None, seconds until it would fit, the bucket that is short)."""
        now = self.clock()
        costs = self._costs(input_tokens, output_tokens)
        wait, short = 0.0, ""
        for kind, bucket in self.buckets.items():
            bucket.refill(now)
            if (w := bucket.wait_s(costs[kind])) > wait:
                wait, short = w, kind
        if wait > 0:
            self.rejected += 1
            return None, wait, short
        for kind, bucket in self.buckets.items():
            bucket.take(costs[kind])
        self.admitted += 1
        return Admission(input_tokens, output_tokens), 0.0, ""

    def settle(self, admission: Admission, output_used: int | None, cache_read: int | None) -> None:
        """Anthropic's corrections at the end of a request: OTPM to the output produced, ITPM less cache reads."""
        now = self.clock()
        out = self.buckets.get("output_tokens")
        if out is not None and output_used is not None and output_used < admission.output_tokens:
            out.refill(now)
            out.give_back(admission.output_tokens - output_used)
        inp = self.buckets.get("input_tokens")
        if inp is not None and cache_read:
            inp.refill(now)
            inp.give_back(min(cache_read, admission.input_tokens))

    def state(self) -> dict[str, tuple[int, int, float]]:
        """kind -> (limit per minute, remaining now, seconds until full); empty when headers are off."""
        if not self.send_headers:
            return {}
        now = self.clock()
        out = {}
        for kind, bucket in self.buckets.items():
            bucket.refill(now)
            out[kind] = (bucket.limit, max(int(bucket.level), 0), bucket.reset_s())
        return out

    def stats(self) -> dict[str, Any]:
        return {
            "admitted": self.admitted,
            "rejected": self.rejected,
            "charged": {k: round(b.charged) for k, b in self.buckets.items()},
            "limits": {k: b.limit for k, b in self.buckets.items()},
            "capacity": {k: b.capacity for k, b in self.buckets.items()},
        }


def go_duration(seconds: float) -> str:
    """A duration as OpenAI writes its reset headers: `20ms`, `1.5s`, `6m0s`."""
    if seconds < 1:
        return f"{max(round(seconds * 1000), 0)}ms"
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{round(rest, 3):g}s"
