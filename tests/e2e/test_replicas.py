"""Several base URLs for one model (vLLM / SGLang replicas), end to end: the real CLI, the official SDK,
three fake servers on the wire; one dead from the start, one killed mid-run, all dead, different models."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer, start_fake


@pytest.fixture(scope="module")
def fleet() -> Iterator[list[FakeServer]]:
    fakes = [start_fake("openai", latency_s=0.05) for _ in range(3)]
    try:
        yield fakes
    finally:
        for fake in fakes:
            fake.stop()


@pytest.fixture
def fakes(fleet: list[FakeServer]) -> list[FakeServer]:
    for fake in fleet:
        fake.reset()
    return fleet


def dead_url() -> str:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def chats(fake: FakeServer) -> int:
    return sum(r["path"].endswith("/chat/completions") for r in fake.requests())


def config(tmp_path: Path, **keys: object) -> Path:
    return write_config(tmp_path / "c.yaml", **{"max_queries": 6, "num_candidates": 4, "n_per_request": 1,
                                                "concurrency": 4, **keys})


def run_killing(cfg: Path, ready: Callable[[], bool], victims: list[FakeServer], never: str) -> tuple[int, str]:
    """Run `local generate` on `cfg`, kill the `victims` once `ready()` holds, and return its exit code and stderr."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bestofn.py"), "local", "generate", "--config", str(cfg), "--quiet"],
        cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready():
            assert proc.poll() is None and time.monotonic() < deadline, never
            time.sleep(0.02)
        for victim in victims:
            victim.proc.kill()
        _, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, stderr


def all_rows(out: Path, candidates: int = 4) -> pd.DataFrame:
    df = pd.read_parquet(out)
    assert not df.duplicated(["query_id", "candidate_idx"]).any()
    assert df.groupby("query_id").size().eq(candidates).all()
    assert df.error.isna().all(), df.error.dropna().tolist()
    return df


def test_calls_spread_evenly_over_the_replicas_listed_on_the_command_line(tmp_path: Path,
                                                                           fakes: list[FakeServer]) -> None:
    r = run_cli("local", "generate", "--config", str(config(tmp_path)), "--quiet",
                "--base-url", ",".join(f.base_url for f in fakes), env=cli_env())
    assert r.returncode == 0, r.stderr
    df = all_rows(tmp_path / "out.parquet")
    counts = [chats(f) for f in fakes]
    assert sum(counts) == len(df) == 24 and min(counts) >= 6, counts  # 8 each when perfectly even
    assert df.model.eq("gpt-5-mini").all()  # what the replicas serve
    assert "is down" not in r.stderr


def test_a_yaml_list_of_base_urls_works_for_openai_too(tmp_path: Path, fakes: list[FakeServer]) -> None:
    cfg = config(tmp_path, base_url=[f.base_url for f in fakes])
    r = run_cli("openai", "generate", "--config", str(cfg), "--quiet", env=cli_env(OPENAI_API_KEY="sk-test"))
    assert r.returncode == 0, r.stderr
    all_rows(tmp_path / "out.parquet")
    assert all(chats(f) >= 6 for f in fakes), [chats(f) for f in fakes]


def test_a_replica_dead_from_the_start_is_warned_about_and_left_out(tmp_path: Path,
                                                                      fakes: list[FakeServer]) -> None:
    dead = dead_url()
    urls = [fakes[0].base_url, dead, fakes[1].base_url]
    r = run_cli("local", "generate", "--config", str(config(tmp_path)), "--quiet", "--base-url", ",".join(urls),
                env=cli_env())
    assert r.returncode == 0, r.stderr
    warned = [line for line in r.stderr.splitlines() if "WARNING" in line and dead in line]
    assert len(warned) == 1 and "is down" in warned[0] and "Connection refused" in warned[0], r.stderr
    all_rows(tmp_path / "out.parquet")
    assert chats(fakes[0]) + chats(fakes[1]) == 24 and min(chats(fakes[0]), chats(fakes[1])) >= 8
    assert "Traceback" not in r.stderr


def test_a_replica_killed_mid_run_loses_no_row(tmp_path: Path, fakes: list[FakeServer]) -> None:
    victim = start_fake("openai", latency_s=0.2)
    try:
        for fake in fakes:
            fake.update({"latency_s": 0.2})
        urls = [fakes[0].base_url, victim.base_url, fakes[1].base_url]
        cfg = config(tmp_path, max_queries=28, concurrency=6, base_url=urls)
        # Requests in flight on the victim die with it.
        returncode, stderr = run_killing(cfg, lambda: chats(victim) >= 5, [victim], "the run never reached the victim")
        assert returncode == 0, stderr
        df = all_rows(tmp_path / "out.parquet")
        assert len(df) >= 80  # 28 queries but the ones with an empty prompt, 4 candidates each
        assert f"replica {victim.base_url} is down" in stderr
        survivors = chats(fakes[0]) + chats(fakes[1])
        assert survivors >= len(df) - 5 and min(chats(fakes[0]), chats(fakes[1])) >= len(df) // 3
    finally:
        victim.stop()


@pytest.mark.parametrize("replicas", [1, 2])
def test_a_server_gone_mid_run_stops_the_run_keeping_what_is_written(tmp_path: Path, replicas: int) -> None:
    servers = [start_fake("openai", latency_s=0.2) for _ in range(replicas)]
    try:
        cfg = config(tmp_path, max_queries=28, concurrency=2, max_retries=1, checkpoint_every=1,
                     base_url=[s.base_url for s in servers])
        parts = tmp_path / "out.parquet.parts"
        started = time.monotonic()
        returncode, stderr = run_killing(cfg, lambda: len(list(parts.glob("part-*.parquet"))) >= 2, servers,
                                         "no checkpoint appeared")
        assert returncode == 1, stderr
        assert "stopped answering mid-run" in stderr and "Connection refused" in stderr, stderr
        assert time.monotonic() - started < 90  # not one errored query after another to the end
        kept = pd.concat([pd.read_parquet(p) for p in parts.glob("part-*.parquet")])
        assert len(kept) >= 8 and not kept.duplicated(["query_id", "candidate_idx"]).any()
    finally:
        for server in servers:
            server.stop()


def test_a_dead_fleet_stops_the_run_at_start_as_one_dead_server_does(tmp_path: Path) -> None:
    urls = ",".join(dead_url() for _ in range(3))
    r = run_cli("local", "generate", "--config", str(config(tmp_path)), "--quiet", "--base-url", urls, env=cli_env())
    assert r.returncode == 1, r.stderr
    assert f"the model server at {urls} cannot be reached" in r.stderr and "Connection refused" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out.parquet").exists()


def test_replicas_of_different_models_are_refused(tmp_path: Path, fakes: list[FakeServer]) -> None:
    fakes[0].configure({"models": ["qwen-7b"]})
    fakes[1].configure({"models": ["llama-8b"]})
    r = run_cli("local", "generate", "--config", str(config(tmp_path)), "--quiet",
                "--base-url", f"{fakes[0].base_url},{fakes[1].base_url}", env=cli_env())
    assert r.returncode == 2, r.stderr
    assert "not replicas of one model" in r.stderr and "qwen-7b" in r.stderr and "llama-8b" in r.stderr, r.stderr
    assert not any(chats(f) for f in fakes)


@pytest.mark.parametrize(("url", "words"), [
    ("http://127.0.0.1:1/v1,localhost:8000/v1", "'localhost:8000/v1' is not an http:// or https:// URL"),
    ("http://127.0.0.1:1/v1,http://127.0.0.1:1/v1", "is listed twice"),
])
def test_a_bad_url_in_the_list_is_named(tmp_path: Path, url: str, words: str) -> None:
    r = run_cli("local", "generate", "--config", str(config(tmp_path)), "--quiet", "--base-url", url, env=cli_env())
    assert r.returncode == 2 and "'base_url'" in r.stderr and words in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_claude_takes_one_server_and_says_so(tmp_path: Path) -> None:
    r = run_cli("claude", "generate", "--config", str(config(tmp_path)), "--quiet", "--base-url",
                "http://127.0.0.1:1,http://127.0.0.1:2", env=cli_env(ANTHROPIC_API_KEY="sk-ant-test"))
    assert r.returncode == 2 and "bestofn claude takes one base_url, not 2" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_the_summary_counts_each_replicas_requests(tmp_path: Path, fakes: list[FakeServer]) -> None:
    r = run_cli("local", "generate", "--config", str(config(tmp_path)), "--base-url",
                ",".join(f.base_url for f in fakes), "--quiet", env=cli_env())  # plain lines, unwrapped
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() + r.stderr.splitlines() if "replicas (requests, failures)" in ln)
    assert all(f.base_url in line for f in fakes), line


def test_a_replica_taken_out_comes_back_when_its_probe_answers(fakes: list[FakeServer]) -> None:
    """The probe is the SDK's own model list against the real server: after its cooldown the replica
    answers it and takes calls again."""
    import asyncio

    import httpx
    import openai

    from common.model.api import GenRequest
    from openai_gen.adapter import LOCAL, OpenAIAdapter

    async def main() -> list[int]:
        adapter = OpenAIAdapter(LOCAL, base_url=[f.base_url for f in fakes[:2]], api_key="not-needed")
        try:
            assert adapter.pool is not None
            gone = openai.APIConnectionError(request=httpx.Request("GET", fakes[1].base_url))
            adapter.pool.mark_down(fakes[1].base_url, gone)
            req = GenRequest(model="gpt-5-mini", messages=[{"role": "user", "content": "What is 2 + 2?"}])
            for _ in range(4):
                await adapter.generate(req, 1)
            assert chats(fakes[1]) == 0
            await asyncio.sleep(1.2)  # the first cooldown
            for _ in range(8):
                await adapter.generate(req, 1)
            snapshot = adapter.replicas()
            assert all(s.healthy for s in snapshot) and sum(s.requests for s in snapshot) == 12
            return [chats(f) for f in fakes[:2]]
        finally:
            await adapter.aclose()

    first, second = asyncio.run(main())
    assert first + second == 12 and second >= 2
    assert any(r["path"].endswith("/models") for r in fakes[1].requests())  # probed
