#!/usr/bin/env python3
"""Pipeline throughput and memory against the fake OpenAI server (verification off unless --verify).

    python -m bench.pipeline_throughput                 # 500 and 5000 queries, N=8, concurrency 64
    python -m bench.pipeline_throughput --queries 500 --latency 0.2 --n 8 --concurrency 64
    python -m bench.pipeline_throughput --tools --queries 200 1000   # tool loops: 2 tool turns + an answer
    python -m bench.pipeline_throughput --verify --queries 2000      # and every math candidate verified

The ceiling is concurrency x n / latency candidates per second (every request slot busy all
the time); with --tools each candidate makes three requests (a first turn shared through `n`,
then two turns of its own), so the ceiling is concurrency / (latency x (1/n + 2)). Prints
achieved candidates/s, its share of the ceiling and the CLI's peak RSS (from wait4, so only the
bestofn process is counted, not the fake server).
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


WEATHER = {"name": "get_weather", "description": "Current weather for a city.",
           "parameters": {"type": "object", "required": ["city"], "properties": {
               "city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}
CONVERT = {"name": "convert_units", "description": "Convert a value between units.",
           "parameters": {"type": "object", "properties": {"value": {"type": "number"}, "from_unit": {"type": "string"},
                                                           "to_unit": {"type": "string"}},
                          "required": ["value", "from_unit", "to_unit"]}}
# Two tool turns (the second with parallel calls), then an answer quoting the results.
TOOL_SCRIPT = {"rules": [{"match": "Weather check", "replies": [{"turns": [
    {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]},
    {"tool_calls": [{"name": "convert_units", "arguments": {"value": 10, "from_unit": "km", "to_unit": "mi"}},
                    {"name": "get_weather", "arguments": {"city": "Bergen", "unit": "fahrenheit"}}]},
    "Done: {tool_results}",
]}]}]}


def write_dataset(path: Path, queries: int, tools: bool = False) -> None:
    with path.open("w") as f:
        for i in range(queries):
            if tools:
                row = {"id": f"q{i:06d}", "split": "tool_calling", "question": f"Weather check {i}",
                       "tools": [WEATHER, CONVERT]}
            else:
                row = {"id": f"q{i:06d}", "split": "math", "question": f"What is {i} + {i}?",
                       "ground_truth": str(2 * i)}
            f.write(json.dumps(row) + "\n")


def run_once(queries: int, n: int, concurrency: int, latency: float, base_url: str, work: Path,
             tools: bool = False, verify: bool = False) -> dict:
    data = work / f"data_{queries}.jsonl"
    write_dataset(data, queries, tools)
    out = work / f"out_{queries}.parquet"
    cfg = work / f"cfg_{queries}.yaml"
    cfg.write_text(
        f"dataset: {data}\nsplits: {'tool_calling' if tools else 'math'}\nnum_candidates: {n}\n"
        f"concurrency: {concurrency}\noutput: {out}\nverify: {str(verify).lower()}\ncheckpoint_every: 10\n"
        f"max_tokens: 64\n"
        f"tool_mock_cache_dir: {work / 'mock_cache'}\n"
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
    ceiling = concurrency / (latency * (1 / n + 2)) if tools else concurrency * n / latency
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
    ap.add_argument("--tools", action="store_true", help="tool_calling rows: every candidate runs a tool loop")
    ap.add_argument("--verify", action="store_true", help="verify every candidate (math rows: the worker pool)")
    args = ap.parse_args()
    script = TOOL_SCRIPT if args.tools else None
    with tempfile.TemporaryDirectory() as tmp, start_fake("openai", script, latency_s=args.latency) as fake:
        for q in args.queries:
            result = run_once(q, args.n, args.concurrency, args.latency, fake.base_url, Path(tmp), args.tools,
                              args.verify)
            mode = ("tools" if args.tools else "plain") + ("+verify" if args.verify else "")
            print(json.dumps({"mode": mode, **result}))


if __name__ == "__main__":
    main()
