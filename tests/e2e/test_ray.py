"""`executor: ray` on a real local Ray cluster (127.0.0.1, started here): the shards give exactly the rows of
a single-machine run, and a worker killed with SIGKILL loses and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from common.pipeline.scaleout import shard_of
from tests.conftest import ROOT, cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

RAY = [sys.executable, "-m", "ray.scripts.scripts"]
# A throwaway cluster on the loopback: no token to hand around, no usage report.
RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
# Columns that say when and how fast a row was made, not what it is.
TIMING = ["latency_s", "run_id", "created_at", "verification_details"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pids(pattern: str, parent: int | None = None) -> set[int]:
    args = ["pgrep", *(["-P", str(parent)] if parent is not None else []), "-f", pattern]
    return {int(p) for p in subprocess.run(args, capture_output=True, text=True).stdout.split()}


RAYLETS: set[int] = set()  # this module's cluster's raylet: its shard workers are the ones a test may kill


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A one-node Ray cluster on 127.0.0.1 with 4 CPUs, so 4 shards run at once."""
    port = _free_port()
    before = _pids("ray/raylet/raylet")
    env = cli_env(**RAY_ENV)
    start = subprocess.run(
        [*RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=4",
         "--include-dashboard=false", "--disable-usage-stats", '--resources={"sandbox": 4}'],
        env=env, capture_output=True, text=True, timeout=180,
    )
    assert start.returncode == 0, start.stderr[-2000:]
    RAYLETS.update(_pids("ray/raylet/raylet") - before)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([*RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)


def _rows(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(path).drop(columns=TIMING)
    return df.sort_values(["query_id", "candidate_idx"]).reset_index(drop=True)


def _env() -> dict[str, str]:
    return cli_env(OPENAI_API_KEY="sk-test", **RAY_ENV)


def _config(tmp_path: Path, name: str, **keys: object) -> Path:
    keys = {"splits": "math,code", "max_queries": 8, "num_candidates": 3, "model": "gpt-4o-mini",
            "output": str(tmp_path / f"{name}.parquet"), **keys}
    return write_config(tmp_path / f"{name}.yaml", **keys)


def test_four_shards_give_exactly_the_rows_of_a_local_run(tmp_path: Path, cluster: str,
                                                           openai_fake: FakeServer) -> None:
    cfg = _config(tmp_path, "c", shard_resources={"sandbox": 1})  # shards go to nodes that have the sandboxes
    local = run_cli("openai", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url,
                    "--output", str(tmp_path / "local.parquet"), "--quiet", env=_env())
    assert local.returncode == 0, local.stderr
    sharded = run_cli("openai", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url,
                      "--ray", cluster, "--shards", "4", "--output", str(tmp_path / "ray.parquet"), "--quiet",
                      env=_env(), timeout=300)
    assert sharded.returncode == 0, sharded.stderr
    a, b = _rows(tmp_path / "ray.parquet"), _rows(tmp_path / "local.parquet")
    assert len(a) == 48 and not a.duplicated(["query_id", "candidate_idx"]).any()
    pd.testing.assert_frame_equal(a, b)
    summary = json.loads(pq.read_schema(tmp_path / "ray.parquet").metadata[b"bestofn.summary"])
    assert summary["shards"] == 4 and summary["queries_done"] == 16 and summary["candidates"] == 48
    # The shards really split the work: every shard owns some of these queries.
    assert {shard_of(q, 4) for q in a.query_id.unique()} == {0, 1, 2, 3}


def test_a_sharded_run_resumes_a_local_one_and_makes_only_what_is_missing(tmp_path: Path, cluster: str,
                                                                          openai_fake: FakeServer) -> None:
    cfg = _config(tmp_path, "c", max_queries=4)
    first = run_cli("openai", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url, "--quiet",
                    env=_env())
    assert first.returncode == 0, first.stderr
    before = len([q for q in openai_fake.requests() if q["path"].endswith("/chat/completions")])
    grown = run_cli("openai", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url, "--ray", cluster,
                    "--max-queries", "8", "--quiet", env=_env(), timeout=300)
    assert grown.returncode == 0, grown.stderr
    df = _rows(tmp_path / "c.parquet")
    assert len(df) == 48 and not df.duplicated(["query_id", "candidate_idx"]).any()
    sent = len([q for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]) - before
    assert sent == 8  # one request (n=3) per new query, none for the 8 already done


def _shard_pids() -> set[int]:
    """The workers of this cluster running a shard (not those of any other Ray on the machine)."""
    assert RAYLETS, "the cluster's raylet was not found"
    return {pid for raylet in RAYLETS for pid in _pids("ray::run_shard", parent=raylet)}


def _start_slow_run(tmp_path: Path, cluster: str, fake: FakeServer, **keys: object) -> tuple[subprocess.Popen, Path]:
    fake.update({"latency_s": 0.25})
    cfg = _config(tmp_path, "slow", max_queries=20, concurrency=1, checkpoint_every=1, **keys)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bestofn.py"), "openai", "generate", "--config", str(cfg), "--base-url",
         fake.base_url, "--ray", cluster, "--shards", "4", "--quiet"],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    return proc, tmp_path / "slow.parquet"


def _wait_for_parts(output: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    parts = output.with_name(output.name + ".parts")
    deadline = time.monotonic() + timeout
    while len(list(parts.glob("part-*.parquet"))) < n:
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "no checkpoint parts appeared"
        time.sleep(0.2)


def _kill_one_shard() -> int:
    deadline = time.monotonic() + 30
    while not (pids := _shard_pids()):
        assert time.monotonic() < deadline, "no shard worker found"
        time.sleep(0.2)
    pid = min(pids)
    os.kill(pid, signal.SIGKILL)
    return pid


def test_a_killed_worker_is_restarted_and_loses_or_duplicates_nothing(tmp_path: Path, cluster: str,
                                                                      openai_fake: FakeServer) -> None:
    proc, output = _start_slow_run(tmp_path, cluster, openai_fake)
    _wait_for_parts(output, 3, proc)
    _kill_one_shard()
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    assert "lost its worker" in err and "starting it again" in err
    df = _rows(output)
    assert len(df) == 120 and not df.duplicated(["query_id", "candidate_idx"]).any()
    assert df.error.isna().all()


def test_with_no_retries_the_rerun_finishes_the_job(tmp_path: Path, cluster: str, openai_fake: FakeServer) -> None:
    proc, output = _start_slow_run(tmp_path, cluster, openai_fake, shard_retries=0)
    _wait_for_parts(output, 3, proc)
    _kill_one_shard()
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err[-2000:]
    assert "lost its worker" in err and "the same command goes on" in err
    parts = output.with_name(output.name + ".parts")
    kept = pd.concat([pd.read_parquet(p) for p in parts.glob("part-*.parquet")])
    assert len(kept) > 0 and not kept.duplicated(["query_id", "candidate_idx"]).any()
    openai_fake.update({"latency_s": 0.0})
    cfg = tmp_path / "slow.yaml"
    rerun = run_cli("openai", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url, "--ray", cluster,
                    "--shards", "4", "--quiet", env=_env(), timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    df = _rows(output)
    assert len(df) == 120 and not df.duplicated(["query_id", "candidate_idx"]).any()
    before = kept.drop(columns=TIMING).set_index(["query_id", "candidate_idx"]).sort_index()
    after = df.set_index(["query_id", "candidate_idx"]).loc[before.index]
    pd.testing.assert_frame_equal(after, before, check_dtype=False)  # the checkpointed rows are kept as they were


def test_a_killed_driver_then_a_rerun_loses_and_duplicates_nothing(tmp_path: Path, cluster: str,
                                                                   openai_fake: FakeServer) -> None:
    proc, output = _start_slow_run(tmp_path, cluster, openai_fake)
    _wait_for_parts(output, 3, proc)
    proc.kill()
    proc.communicate(timeout=60)
    openai_fake.update({"latency_s": 0.0})
    rerun = run_cli("openai", "generate", "--config", str(tmp_path / "slow.yaml"), "--base-url",
                    openai_fake.base_url, "--ray", cluster, "--shards", "4", "--quiet", env=_env(), timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    df = _rows(output)
    assert len(df) == 120 and not df.duplicated(["query_id", "candidate_idx"]).any()


def test_a_dead_model_server_ends_the_sharded_run_in_one_sentence(tmp_path: Path, cluster: str) -> None:
    cfg = _config(tmp_path, "c")
    r = run_cli("openai", "generate", "--config", str(cfg), "--base-url", f"http://127.0.0.1:{_free_port()}/v1",
                "--ray", cluster, "--quiet", env=_env(), timeout=300)
    assert r.returncode == 1, r.stderr
    assert "cannot be reached" in r.stderr and "Traceback" not in r.stderr


def test_bad_ray_addresses_and_mixes_are_refused(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "c")
    r = run_cli("openai", "generate", "--config", str(cfg), "--ray", f"127.0.0.1:{_free_port()}", "--quiet",
                env=_env(), timeout=120)
    assert r.returncode == 1 and "cannot join the Ray cluster" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("openai", "generate", "--config", str(cfg), "--ray", "local", "--batch", "--quiet", env=_env())
    assert r.returncode == 2 and "do not mix" in r.stderr
    r = run_cli("openai", "generate", "--config", str(cfg), "--ray", " ", "--quiet", env=_env())
    assert r.returncode == 2 and "--ray is empty" in r.stderr


def test_shard_resources_no_node_offers_are_refused_at_once(tmp_path: Path, cluster: str) -> None:
    cfg = _config(tmp_path, "c", shard_resources={"gpu_box": 1})
    r = run_cli("openai", "generate", "--config", str(cfg), "--ray", cluster, "--quiet", env=_env(), timeout=120)
    assert r.returncode == 2, r.stderr
    assert "no node of the Ray cluster offers shard_resources" in r.stderr and "sandbox" in r.stderr
    cfg = _config(tmp_path, "d", shard_resources={"CPU": 2})
    r = run_cli("openai", "generate", "--config", str(cfg), "--ray", cluster, "--quiet", env=_env())
    assert r.returncode == 2 and "a shard takes 1 CPU" in r.stderr
