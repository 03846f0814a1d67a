#!/usr/bin/env python3
"""Pipeline throughput and memory against the fake OpenAI server (verification off).

    python -m bench.pipeline_throughput                 # 500 and 5000 queries, N=8, concurrency 64
    python -m bench.pipeline_throughput --queries 500 --latency 0.2 --n 8 --concurrency 64

The ceiling is concurrency x n / latency candidates per second (every request slot busy all
the time). Prints achieved candidates/s, its share of the ceiling and the CLI's peak RSS
(from wait4, so only the bestofn process is counted, not the fake server).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common.store import read_metadata
from tests.fakes.launch import start_fake  # run from the checkout: python -m bench.pipeline_throughput

ROOT = Path(__file__).resolve().parent.parent


def write_dataset(path: Path, queries: int) -> None:
    with path.open("w") as f:
        for i in range(queries):
            f.write(json.dumps({"id": f"q{i:06d}", "split": "math", "question": f"What is {i} + {i}?",
                                "ground_truth": str(2 * i)}) + "\n")


def run_once(queries: int, n: int, concurrency: int, latency: float, base_url: str, work: Path) -> dict:
    data = work / f"data_{queries}.jsonl"
    write_dataset(data, queries)
    out = work / f"out_{queries}.parquet"
    cfg = work / f"cfg_{queries}.yaml"
    cfg.write_text(
        f"dataset: {data}\nsplits: math\nnum_candidates: {n}\nconcurrency: {concurrency}\n"
        f"output: {out}\nverify: false\ncheckpoint_every: 10\nmax_tokens: 64\n"
    )
    env = {**os.environ, "OPENAI_API_KEY": "sk-bench"}
    cmd = [sys.executable, str(ROOT / "bestofn.py"), "openai", "generate", "--config", str(cfg),
           "--base-url", base_url, "--quiet", "--overwrite"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bestofn failed:\n{stderr[-2000:]}")
    summary = json.loads(read_metadata(out)["bestofn.summary"])
    ceiling = concurrency * n / latency
    rate = summary["candidates"] / summary["pipeline_s"]
    return {
        "queries": queries,
        "candidates": summary["candidates"],
        "pipeline_s": round(summary["pipeline_s"], 2),
        "wall_s_incl_startup": round(wall, 2),
        "candidates_per_s": round(rate, 1),
        "ceiling_per_s": round(ceiling, 1),
        "share_of_ceiling": round(rate / ceiling, 3),
        "peak_rss_mb": round(rusage.ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, nargs="+", default=[500, 5000])
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--latency", type=float, default=0.2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_fake("openai", latency_s=args.latency) as fake:
        for q in args.queries:
            print(json.dumps(run_once(q, args.n, args.concurrency, args.latency, fake.base_url, Path(tmp))))


if __name__ == "__main__":
    main()
