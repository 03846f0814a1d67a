"""The rate limiter's rules (common/model/ratelimit.py) and each provider's header reading, with a manual
clock where time matters and small real durations where senders must wait on each other."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx2
import openai
import pytest

from claude_gen.adapter import LIMIT_RULES as CLAUDE_RULES
from claude_gen.adapter import read_limits as claude_limits
from common.model.api import GenRequest, Usage
from common.model.ratelimit import PACED, Limit, LimitsSnapshot, RateLimiter, RateLimits, retry_after_header_s
from common.model.retry import call_with_retry
from openai_gen.adapter import LIMIT_RULES as OPENAI_RULES
from openai_gen.adapter import duration_s
from openai_gen.adapter import read_limits as openai_limits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def request(max_tokens: int = 40, prompt: str = "x" * 40) -> GenRequest:
    return GenRequest(model="m", messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens)


def limiter(clock: Clock | None = None, rules=OPENAI_RULES, **caps: float) -> RateLimiter:  # type: ignore[no-untyped-def]
    lim = RateLimiter("m", rules, max_concurrency=16, probe=False, clock=clock or Clock())
    key = {"tpm": "tokens", "rpm": "requests", "itpm": "input_tokens", "otpm": "output_tokens"}
    lim.configure(None, {key[k]: v for k, v in caps.items()})
    return lim


def admit(lim: RateLimiter, req: GenRequest, n: int = 1):  # type: ignore[no-untyped-def]
    assert lim.delay_s(req, n) == 0
    return asyncio.run(lim.acquire(req, n))


# ---- headers ----------------------------------------------------------------------------------------
def test_openai_headers_are_read() -> None:
    seen = openai_limits({
        "x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499",
        "x-ratelimit-reset-requests": "120ms",
        "x-ratelimit-limit-tokens": "60000", "x-ratelimit-remaining-tokens": "59000",
        "x-ratelimit-reset-tokens": "1s",
        "retry-after-ms": "250",
    })
    assert seen.requests == Limit(500, 499, 0.12)
    assert seen.tokens == Limit(60000, 59000, 1.0)
    assert seen.input_tokens is None and seen.output_tokens is None
    assert seen.retry_after_s == 0.25


@pytest.mark.parametrize(("text", "seconds"), [
    ("20ms", 0.02), ("1s", 1.0), ("1.5s", 1.5), ("6m0s", 360.0), ("1h2m3s", 3723.0), ("0s", 0.0),
    ("", None), (None, None), ("soon", None), ("5", None), ("1s later", None), ("-1s", None),
])
def test_openai_reset_durations(text: str | None, seconds: float | None) -> None:
    assert duration_s(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_odd_openai_values_are_ignored() -> None:
    seen = openai_limits({"x-ratelimit-limit-tokens": "0", "x-ratelimit-remaining-tokens": "lots",
                          "x-ratelimit-reset-tokens": "whenever", "x-ratelimit-limit-requests": "-5",
                          "x-ratelimit-remaining-requests": "0", "retry-after-ms": "0"})
    assert seen.tokens is None  # nothing usable
    assert seen.requests == Limit(None, 0, None)  # 0 remaining is real; a negative limit is not
    assert seen.retry_after_s is None
    assert openai_limits({}) == LimitsSnapshot()


def test_anthropic_headers_are_read() -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    seen = claude_limits({
        "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": soon,
        "anthropic-ratelimit-input-tokens-limit": "30000", "anthropic-ratelimit-input-tokens-remaining": "29000",
        "anthropic-ratelimit-input-tokens-reset": "2001-01-01T00:00:00Z",  # past: full now
        "anthropic-ratelimit-output-tokens-limit": "8000", "anthropic-ratelimit-output-tokens-remaining": "7000",
        "anthropic-ratelimit-output-tokens-reset": "not a time",
        "retry-after": "7",
    })
    assert seen.requests is not None and seen.requests.limit == 50 and seen.requests.remaining == 49
    assert seen.requests.reset_s == pytest.approx(30, abs=2)
    assert seen.input_tokens == Limit(30000, 29000, 0.0)
    assert seen.output_tokens == Limit(8000, 7000, None)
    assert seen.tokens is None
    assert seen.retry_after_s == 7


def test_odd_anthropic_values_are_ignored() -> None:
    seen = claude_limits({"anthropic-ratelimit-tokens-limit": "0", "anthropic-ratelimit-tokens-remaining": "",
                          "anthropic-ratelimit-requests-limit": "n/a", "retry-after": "garbage"})
    assert seen == LimitsSnapshot()


def test_retry_after_forms() -> None:
    assert retry_after_header_s({"retry-after": "3"}) == 3
    assert retry_after_header_s({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_header_s({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None  # in the past
    assert retry_after_header_s({"retry-after": "0"}) is None
    assert retry_after_header_s({"retry-after": "99999"}) == 120  # capped


# ---- admission by tokens --------------------------------------------------------------------------
def test_admits_by_tokens_and_waits_for_the_refill() -> None:
    clock = Clock()
    lim = limiter(clock, tpm=6000)  # 100 tokens a second; the bucket holds one second
    req = request(max_tokens=40)  # 40 chars ~ 10 prompt tokens + 40 output = 50
    admit(lim, req)
    admit(lim, req)
    assert lim.delay_s(req, 1) == pytest.approx(0.5)  # empty: 50 tokens at 100/s
    clock.now += 0.5
    assert lim.delay_s(req, 1) == 0
    # max_tokens x n is charged: 10 + 20 x 2 fits the 50 left, 10 + 20 x 4 waits for 40 more.
    assert lim.delay_s(request(max_tokens=20), 2) == 0
    assert lim.delay_s(request(max_tokens=20), 4) == pytest.approx(0.4)


def test_headers_teach_the_limit_and_correct_the_level() -> None:
    clock = Clock()
    lim = limiter(clock)
    req = request(max_tokens=40)
    ticket = admit(lim, req)
    # The server holds 1,000 tokens (remaining 600, full again in 0.4 s at 1,000/s).
    lim.succeeded(ticket, LimitsSnapshot(tokens=Limit(60000, 600, 0.4)), None)
    bucket = lim.buckets["tokens"]
    assert bucket.rate == 1000 and bucket.capacity == pytest.approx(1000) and bucket.level == pytest.approx(600)
    # Another client used the limit: the server's word lowers ours.
    ticket = admit(lim, req)
    lim.succeeded(ticket, LimitsSnapshot(tokens=Limit(60000, 100, 0.9)), None)
    assert bucket.level == pytest.approx(100)
    assert lim.delay_s(request(max_tokens=500), 1) > 0


def test_a_remaining_count_raises_the_level_only_past_what_was_sent_since() -> None:
    clock = Clock()
    lim = limiter(clock, tpm=60000)
    first = admit(lim, request(max_tokens=400))
    admit(lim, request(max_tokens=400))  # sent after `first`: the server may not have counted it yet
    level = lim.buckets["tokens"].level
    lim.succeeded(first, LimitsSnapshot(tokens=Limit(60000, 900, 0.1)), None)
    assert lim.buckets["tokens"].level == pytest.approx(max(level, 900 - 410))


def test_prompt_estimate_is_corrected_by_usage() -> None:
    clock = Clock()
    lim = limiter(clock, tpm=60000)
    req = request(max_tokens=100, prompt="y" * 400)  # estimated 100 prompt tokens
    ticket = admit(lim, req)
    before = lim.buckets["tokens"].level
    lim.succeeded(ticket, LimitsSnapshot(), Usage(input_tokens=40, output_tokens=5))
    # 60 prompt tokens given back; OpenAI keeps the unused output charged.
    assert lim.buckets["tokens"].level == pytest.approx(before + 60)
    assert lim.tokens_per_char < 0.25  # and the next estimate is closer
    assert lim.estimate(req, 1)[0]["input_tokens"] < 100


def test_unused_output_is_refunded_where_the_provider_does() -> None:
    clock = Clock()
    lim = limiter(clock, rules=CLAUDE_RULES, itpm=60000, otpm=60000)
    ticket = admit(lim, request(max_tokens=800, prompt="z" * 40))
    out_before, in_before = lim.buckets["output_tokens"].level, lim.buckets["input_tokens"].level
    # 10 prompt tokens: 2 read from the cache (not counted by Anthropic), 8 uncached; 30 of 800 output used.
    lim.succeeded(ticket, LimitsSnapshot(), Usage(input_tokens=8, cached_input_tokens=2, output_tokens=30))
    assert lim.buckets["output_tokens"].level == pytest.approx(out_before + 770)
    assert lim.buckets["input_tokens"].level == pytest.approx(in_before + 2)


# ---- concurrency: AIMD ----------------------------------------------------------------------------
def test_window_halves_once_per_burst_and_grows_additively() -> None:
    clock = Clock()
    lim = limiter(clock)
    assert lim.current_window(clock.now) == 16
    burst = [admit(lim, request()) for _ in range(3)]
    clock.now += 0.01
    lim.failed(burst[0], 429, LimitsSnapshot())
    assert lim.current_window(clock.now) == 8
    lim.failed(burst[1], 429, LimitsSnapshot())  # sent before the cut: the same burst
    assert lim.current_window(clock.now) == 8
    later = admit(lim, request())
    clock.now += 0.01
    lim.failed(later, 529, LimitsSnapshot())  # overloaded counts too
    assert lim.current_window(clock.now) == 4
    lim.failed(burst[2], 500, LimitsSnapshot())  # not a rate answer: no cut
    assert lim.current_window(clock.now) == 4
    for _ in range(4):
        lim.succeeded(admit(lim, request()), LimitsSnapshot(), None)
    assert lim.current_window(clock.now) == 5
    assert lim.throttled == 3


def test_window_bounds_requests_in_flight() -> None:
    lim = limiter()
    lim.configure(max_concurrency=2)
    a, _ = admit(lim, request()), admit(lim, request())
    assert lim.delay_s(request(), 1) is None  # wait for an answer
    lim.succeeded(a, LimitsSnapshot(), None)
    assert lim.delay_s(request(), 1) == 0


def test_probe_sends_one_request_until_an_answer_tells_the_limits() -> None:
    clock = Clock()
    lim = RateLimiter("m", OPENAI_RULES, max_concurrency=32, clock=clock)
    first = admit(lim, request())
    assert lim.delay_s(request(), 1) == pytest.approx(1.0)  # the window doubles after a second
    clock.now += 1.0
    admit(lim, request())
    assert lim.delay_s(request(), 1) is not None and lim.delay_s(request(), 1) > 0
    lim.succeeded(first, LimitsSnapshot(), None)  # no limits reported: nothing to pace
    assert lim.current_window(clock.now) == 32 and lim.delay_s(request(), 1) == 0


# ---- Retry-After pauses everyone ------------------------------------------------------------------
class RateLimited(Exception):
    def __init__(self, headers: dict[str, str], status: int = 429) -> None:
        super().__init__("rate limited")
        self.status_code = status
        self.response = SimpleNamespace(headers=headers)


def test_a_429_pauses_every_sender_for_retry_after() -> None:
    clock = Clock()
    lim = limiter(clock)
    t1 = admit(lim, request())
    admit(lim, request())
    assert lim.failed(t1, 429, LimitsSnapshot(retry_after_s=2.0)) is True
    assert lim.delay_s(request(), 1) == pytest.approx(2.0)  # another sender waits as long
    clock.now += 2.0
    assert lim.delay_s(request(), 1) == 0
    assert "429s 1" in lim.describe()


def test_pause_is_shared_across_concurrent_senders() -> None:
    async def scenario() -> tuple[bool, list[str], float]:
        limits = RateLimits(openai_limits, OPENAI_RULES, probe=False)
        order: list[str] = []

        async def throttled() -> bool:
            try:
                async with limits.request(request(), 1):
                    raise RateLimited({"retry-after-ms": "300"})
            except RateLimited as exc:
                order.append("429")
                return bool(getattr(exc, PACED, False))
            return False

        async def later(name: str) -> None:
            await asyncio.sleep(0.02)  # after the 429
            async with limits.request(request(), 1) as gate:
                order.append(name)
                gate.done({}, None)

        start = asyncio.get_running_loop().time()
        paced, *_ = await asyncio.gather(throttled(), later("a"), later("b"))
        return paced, order, asyncio.get_running_loop().time() - start

    paced, order, elapsed = asyncio.run(scenario())
    assert paced and order == ["429", "a", "b"]
    assert elapsed >= 0.25  # neither went before the pause was over


def test_a_paced_error_is_retried_without_a_backoff_of_its_own() -> None:
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            resp = httpx2.Response(429, headers={"retry-after-ms": "10"},
                                   request=httpx2.Request("POST", "http://fake/v1/chat/completions"))
            exc = openai.RateLimitError("slow down", response=resp, body=None)
            setattr(exc, PACED, True)
            raise exc
        return "ok"

    async def timed() -> tuple[str, int, float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        # initial_wait 5 s: any backoff of the retry loop's own would show.
        result, attempts = await call_with_retry(flaky, max_retries=3, key_env="K", initial_wait=5.0)
        return result, attempts, loop.time() - start

    result, attempts, elapsed = asyncio.run(timed())
    assert (result, attempts) == ("ok", 3) and elapsed < 2.0


def test_limiters_are_per_model_and_configured_together() -> None:
    limits = RateLimits(openai_limits, OPENAI_RULES, probe=False)
    a = limits.for_model("gpt-a")
    limits.configure(max_concurrency=4, tpm=6000)
    b = limits.for_model("gpt-b")
    assert a is limits.for_model("gpt-a") and a is not b
    for lim in (a, b):
        assert lim.max_concurrency == 4 and lim.buckets["tokens"].limit == 6000
    # The server's limit counts only where it is lower than the configured one.
    t = asyncio.run(a.acquire(request(), 1))
    a.succeeded(t, LimitsSnapshot(tokens=Limit(90000, 50, 0.5)), None)
    assert a.buckets["tokens"].limit == 6000
