"""ReplicaPool (common/model/replicas.py): least-loaded routing, passive health checks, probes, all-down.

The clients are plain objects (the pool is generic over them); the errors are the openai SDK's own
exception classes, built as the SDK builds them from an HTTP answer or a failed connection.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import openai
import pytest

from common.config import ExperimentConfig
from common.errors import UserError
from common.model.replicas import ReplicaPool, one_base_url, parse_base_urls, replica_failed, split_base_urls
from common.model.retry import call_with_retry
from common.pipeline.session import same_servers

URLS = ["http://a:8000/v1", "http://b:8000/v1", "http://c:8000/v1"]
REQUEST = httpx.Request("POST", "http://a:8000/v1/chat/completions")


def status_error(status: int) -> openai.APIStatusError:
    response = httpx.Response(status, request=REQUEST, json={"error": {"message": f"status {status}"}})
    cls = {400: openai.BadRequestError, 429: openai.RateLimitError}.get(status, openai.InternalServerError)
    return cls(f"status {status}", response=response, body=None)


def refused() -> openai.APIConnectionError:
    return openai.APIConnectionError(message="Connection error.", request=REQUEST)


class Probe:
    """The probe the pool calls: answers, or fails with `error`, per replica URL; counts its calls."""

    def __init__(self) -> None:
        self.fail: dict[str, BaseException] = {}
        self.calls: list[str] = []

    async def __call__(self, client: str) -> None:
        self.calls.append(client)
        if client in self.fail:
            raise self.fail[client]


def make_pool(probe: Probe | None = None, n: int = 3, **kw: Any) -> ReplicaPool[str]:
    # The client object of each replica is its URL: what a lease hands out shows where it went.
    kw = {"first_cooldown_s": 0.05, "max_cooldown_s": 0.4, "probe_timeout_s": 1.0, **kw}
    return ReplicaPool([(u, u) for u in URLS[:n]], probe or Probe(), **kw)


async def fail_on(pool: ReplicaPool[str], exc: BaseException) -> str:
    """One call that fails with `exc`; the URL it went to."""
    where = ""
    with pytest.raises(type(exc)):
        async with pool.lease() as client:
            where = client
            raise exc
    return where


def stats(pool: ReplicaPool[str]) -> dict[str, Any]:
    return {s.url: s for s in pool.snapshot()}


# ---- routing ---------------------------------------------------------------------------------------------

def test_ties_go_round_robin_so_sequential_calls_spread_evenly() -> None:
    async def main() -> list[str]:
        pool = make_pool()
        return [await pool.call(lambda c: asyncio.sleep(0, c)) for _ in range(9)]

    assert asyncio.run(main()) == URLS * 3


def test_a_call_goes_to_the_replica_with_the_fewest_calls_in_flight() -> None:
    async def main() -> None:
        pool = make_pool()
        async with pool.lease() as first, pool.lease() as second, pool.lease() as third:
            assert [first, second, third] == URLS  # all idle: round-robin
            async with pool.lease() as fourth:  # one each in flight: the tie goes round again
                assert fourth == URLS[0]
                busy = stats(pool)
                assert [busy[u].in_flight for u in URLS] == [2, 1, 1]
        # b is the only busy one now: the next two calls go to the idle a and c, never b.
        async with pool.lease() as b_call:
            assert b_call == URLS[1]
            async with pool.lease() as x, pool.lease() as y:
                assert {x, y} == {URLS[0], URLS[2]}
                async with pool.lease() as z:  # one each in flight again
                    assert z in URLS
        assert all(s.in_flight == 0 for s in pool.snapshot())

    asyncio.run(main())


def test_concurrent_calls_spread_evenly() -> None:
    async def main() -> dict[str, int]:
        pool = make_pool()

        async def one(client: str) -> str:
            await asyncio.sleep(0.002 * (1 + URLS.index(client)))  # c is three times as slow as a
            return client

        await asyncio.gather(*(pool.call(one) for _ in range(300)))
        return {s.url: s.requests for s in pool.snapshot()}

    counts = asyncio.run(main())
    assert sum(counts.values()) == 300 and all(c >= 60 for c in counts.values()), counts
    assert counts[URLS[0]] >= counts[URLS[2]]  # the fastest frees its slots first, so it takes the most


# ---- passive health checks -------------------------------------------------------------------------------

@pytest.mark.parametrize("exc", [status_error(500), status_error(503), refused(),
                                 openai.APITimeoutError(request=REQUEST)], ids=["500", "503", "refused", "timeout"])
def test_a_connection_error_timeout_or_5xx_marks_the_replica_down(exc: BaseException,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        pool = make_pool(first_cooldown_s=60)
        where = await fail_on(pool, exc)  # the error propagates unchanged, for the retry layer
        assert where == URLS[0]
        assert [s.healthy for s in pool.snapshot()] == [False, True, True]
        assert {await pool.call(lambda c: asyncio.sleep(0, c)) for _ in range(6)} == set(URLS[1:])
        s = stats(pool)[URLS[0]]
        assert (s.requests, s.failures, s.in_flight) == (1, 1, 0) and s.last_error

    with caplog.at_level(logging.WARNING, "bestofn"):
        asyncio.run(main())
    assert any(URLS[0] in r.getMessage() and "is down" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("status", [400, 404, 422, 429, 529])
def test_a_4xx_or_rate_limit_leaves_the_replica_up(status: int) -> None:
    async def main() -> None:
        pool = make_pool()
        await fail_on(pool, status_error(status))
        assert all(s.healthy for s in pool.snapshot())
        assert stats(pool)[URLS[0]].failures == 0

    asyncio.run(main())


def test_error_classification() -> None:
    assert replica_failed(refused()) and replica_failed(status_error(502)) and replica_failed(ConnectionResetError())
    assert not replica_failed(status_error(400)) and not replica_failed(status_error(429))
    assert not replica_failed(ValueError("a bug of ours"))


def test_a_retry_after_a_replica_fails_lands_on_another_one() -> None:
    async def main() -> tuple[list[str], int]:
        pool = make_pool(first_cooldown_s=60)
        seen: list[str] = []

        async def send() -> str:
            async with pool.lease() as client:
                seen.append(client)
                if client == URLS[0]:
                    raise refused()
                return client

        result, attempts = await call_with_retry(send, max_retries=3, key_env="K", initial_wait=0.01)
        return seen + [result], attempts

    seen, attempts = asyncio.run(main())
    assert seen == [URLS[0], URLS[1], URLS[1]] and attempts == 2


def test_a_call_that_began_before_a_recovery_does_not_take_the_replica_down_again() -> None:
    async def main() -> None:
        pool = make_pool(n=2)
        stale = pool.lease()
        assert await stale.__aenter__() == URLS[0]  # in flight on a while a goes down and comes back
        pool.mark_down(URLS[0], refused())
        await asyncio.sleep(0.08)
        await pool.call(lambda c: asyncio.sleep(0.02))  # starts a's probe, which answers
        assert stats(pool)[URLS[0]].healthy
        exc = refused()
        # The old call fails now (the error goes on to the caller): it says nothing of the replica today.
        assert await stale.__aexit__(type(exc), exc, None) is False
        assert stats(pool)[URLS[0]].healthy and stats(pool)[URLS[0]].failures == 1

    asyncio.run(main())


# ---- recovery --------------------------------------------------------------------------------------------

def test_a_down_replica_is_probed_after_its_cooldown_which_doubles_while_probes_fail() -> None:
    async def main() -> None:
        probe = Probe()
        probe.fail[URLS[0]] = refused()
        pool = make_pool(probe)
        pool.mark_down(URLS[0], refused())
        await pool.call(lambda c: asyncio.sleep(0))
        assert probe.calls == []  # its cooldown (50 ms) has not passed
        times = []
        loop = asyncio.get_running_loop()
        start = loop.time()
        while len(probe.calls) < 3:  # calls keep coming; each lease starts a probe that is due
            await pool.call(lambda c: asyncio.sleep(0.005))
            if len(probe.calls) > len(times):
                times.append(loop.time() - start)
        gaps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
        assert gaps[0] >= 0.045 and gaps[1] >= 0.09 and gaps[2] >= 0.18, gaps  # 50, 100, 200 ms
        assert not stats(pool)[URLS[0]].healthy
        del probe.fail[URLS[0]]  # it answers again
        while not stats(pool)[URLS[0]].healthy:
            await pool.call(lambda c: asyncio.sleep(0.005))
            assert loop.time() - start < 5
        assert {await pool.call(lambda c: asyncio.sleep(0, c)) for _ in range(3)} == set(URLS)

    asyncio.run(main())


def test_the_cooldown_stops_doubling_at_its_maximum() -> None:
    async def main() -> None:
        probe = Probe()
        probe.fail[URLS[0]] = refused()
        pool = make_pool(probe, first_cooldown_s=0.01, max_cooldown_s=0.04)
        pool.mark_down(URLS[0], refused())
        loop = asyncio.get_running_loop()
        stamps: list[float] = []
        while len(probe.calls) < 6:
            await pool.call(lambda c: asyncio.sleep(0.002))
            if len(probe.calls) > len(stamps):
                stamps.append(loop.time())
        gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
        assert max(gaps) < 0.1, gaps  # 10, 20, 40, 40, 40 ms (+ scheduling)

    asyncio.run(main())


def test_a_probe_answered_with_a_4xx_counts_as_an_answer() -> None:
    async def main() -> None:
        probe = Probe()
        probe.fail[URLS[0]] = status_error(404)  # a server with no model list is still there
        pool = make_pool(probe, n=2)
        pool.mark_down(URLS[0], refused())
        await asyncio.sleep(0.06)
        await pool.call(lambda c: asyncio.sleep(0.01))
        await asyncio.sleep(0)
        assert stats(pool)[URLS[0]].healthy

    asyncio.run(main())


# ---- all down --------------------------------------------------------------------------------------------

def test_when_all_are_down_a_call_waits_for_the_probe_that_brings_one_back() -> None:
    async def main() -> None:
        probe = Probe()
        pool = make_pool(probe, first_cooldown_s=0.1)
        for u in URLS:
            pool.mark_down(u, refused())
        loop = asyncio.get_running_loop()
        start = loop.time()
        got = await pool.call(lambda c: asyncio.sleep(0, c))
        assert 0.09 <= loop.time() - start < 1.0
        assert stats(pool)[got].healthy and probe.calls

    asyncio.run(main())


def test_when_all_are_down_and_the_probe_fails_the_call_fails_with_its_own_error() -> None:
    async def main() -> None:
        probe = Probe()
        for u in URLS:
            probe.fail[u] = refused()
        pool = make_pool(probe)
        for u in URLS:
            pool.mark_down(u, refused())
        tried: list[str] = []

        async def send(client: str) -> None:
            tried.append(client)
            raise refused()  # the servers are dead: the call's own error

        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(openai.APIConnectionError):
            await pool.call(send)
        assert 0.04 <= loop.time() - start < 1.0 and len(tried) == 1 and probe.calls

    asyncio.run(main())


def test_when_all_are_down_probes_come_at_the_first_cooldown_however_long_theirs_grew() -> None:
    async def main() -> float:
        probe = Probe()
        for u in URLS:
            probe.fail[u] = refused()
        pool = make_pool(probe, first_cooldown_s=0.05, max_cooldown_s=60)
        for u in URLS:
            pool.mark_down(u, refused())
        loop = asyncio.get_running_loop()
        start = loop.time()
        for _ in range(7):  # a call's attempts, one after the other: each waits for one probe
            with pytest.raises(openai.APIConnectionError):
                async with pool.lease():
                    raise refused()
        assert len(probe.calls) >= 7
        assert all(s.last_error for s in pool.snapshot())
        return loop.time() - start

    # 7 x 50 ms; with each wait doubling as the cooldowns do it would be 50 ms x (2^7 - 1) = 6.35 s.
    assert asyncio.run(main()) < 1.5


def test_a_dead_fleet_ends_in_the_connection_error_after_the_retry_layers_attempts() -> None:
    async def main() -> BaseException:
        probe = Probe()
        for u in URLS:
            probe.fail[u] = refused()
        pool = make_pool(probe, first_cooldown_s=0.01, max_cooldown_s=0.05)

        async def send(client: str) -> None:
            raise refused()

        with pytest.raises(openai.APIConnectionError) as info:
            await asyncio.wait_for(call_with_retry(lambda: pool.call(send), max_retries=4, key_env="K",
                                                   initial_wait=0.01, max_wait=0.02), 10)
        return info.value

    exc = asyncio.run(main())
    assert exc.attempts == 5  # type: ignore[attr-defined]


def test_a_call_that_succeeds_on_a_down_replica_brings_it_back() -> None:
    async def main() -> None:
        probe = Probe()
        for u in URLS:
            probe.fail[u] = refused()
        pool = make_pool(probe)
        for u in URLS:
            pool.mark_down(u, refused())
        got = await pool.call(lambda c: asyncio.sleep(0, c))  # the probe failed, the call itself answered
        assert stats(pool)[got].healthy

    asyncio.run(main())


def test_a_hanging_probe_times_out() -> None:
    async def main() -> None:
        async def hang(client: str) -> None:
            await asyncio.sleep(60)

        pool = ReplicaPool([(u, u) for u in URLS[:2]], hang, first_cooldown_s=0.01, probe_timeout_s=0.05)
        for u in URLS[:2]:
            pool.mark_down(u, refused())
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(openai.APIConnectionError):
            async with pool.lease():
                raise refused()
        assert loop.time() - start < 1.0
        assert "no answer to a probe" in (pool.snapshot()[0].last_error or "")
        await pool.aclose()

    asyncio.run(main())


def test_snapshot_counts_calls_failures_and_in_flight() -> None:
    async def main() -> None:
        pool = make_pool(first_cooldown_s=60)
        for _ in range(3):
            await pool.call(lambda c: asyncio.sleep(0))
        await fail_on(pool, status_error(500))  # a: down
        await fail_on(pool, status_error(400))  # b: the request's fault
        async with pool.lease():
            snap = stats(pool)
        assert [(snap[u].requests, snap[u].failures, snap[u].healthy) for u in URLS] == [
            (2, 1, False), (2, 0, True), (2, 0, True)]
        assert sum(s.in_flight for s in snap.values()) == 1
        assert "HTTP 500" in (snap[URLS[0]].last_error or "")
        await pool.aclose()

    asyncio.run(main())


# ---- base_url values -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "stored"), [
    ("http://a:8000/v1", "http://a:8000/v1"),
    ("http://a:8000/v1, https://b/v1", ["http://a:8000/v1", "https://b/v1"]),
    (["http://a:8000/v1"], "http://a:8000/v1"),
    (["http://a/v1", "http://b/v1", "http://c/v1"], ["http://a/v1", "http://b/v1", "http://c/v1"]),
    ("http://a/v1,", "http://a/v1"),
])
def test_base_url_takes_one_url_or_several(value: Any, stored: Any) -> None:
    cfg = ExperimentConfig(base_url=value)
    assert cfg.base_url == stored
    assert cfg.fingerprint() == ExperimentConfig().fingerprint()  # where a run is served is not what a row is
    assert ExperimentConfig(**cfg.model_dump()).base_url == stored  # as a results file's saved config


@pytest.mark.parametrize(("value", "words"), [
    ("localhost:8000/v1", "'localhost:8000/v1' is not an http:// or https:// URL"),
    ("http://a/v1,ftp://b", "'ftp://b' is not an http:// or https:// URL"),
    ("", "give at least one URL"),
    (["http://a/v1", "http://a/v1"], "http://a/v1 is listed twice"),
    (8000, "give a URL such as"),
])
def test_a_bad_base_url_is_named_in_one_sentence(value: Any, words: str) -> None:
    with pytest.raises(ValueError, match="base_url") as info:
        ExperimentConfig(base_url=value)
    assert words in str(info.value)


def test_split_and_same_servers() -> None:
    assert split_base_urls("http://a/v1, http://b/v1") == ["http://a/v1", "http://b/v1"]
    assert split_base_urls(["http://a/v1,http://b/v1"]) == ["http://a/v1", "http://b/v1"]
    assert parse_base_urls(["http://a/v1"]) == ["http://a/v1"]
    assert same_servers(None, "http://a/v1,http://b/v1")
    assert same_servers("http://b/v1, http://a/v1", "http://a/v1,http://b/v1")
    assert not same_servers("http://a/v1", "http://a/v1,http://b/v1")
    assert same_servers("http://a/v1", "http://a/v1") and not same_servers("", None)


def test_one_base_url_for_an_adapter_that_takes_one_server() -> None:
    assert one_base_url(None, "x") is None and one_base_url("http://a/v1", "x") == "http://a/v1"
    assert one_base_url(["http://a/v1"], "x") == "http://a/v1"
    with pytest.raises(UserError, match="bestofn claude takes one base_url, not 2"):
        one_base_url(["http://a/v1", "http://b/v1"], "bestofn claude")
