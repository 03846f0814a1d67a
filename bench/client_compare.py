#!/usr/bin/env python3
"""Completions per second: bestofn against a hand-written AsyncOpenAI client, same fake server, same run.

    python -m bench.client_compare                              # 2000 queries x N=8, latency 0.2 s, conc. 64 and 256
    python -m bench.client_compare --queries 1000 --concurrency 64

Side by side, for each concurrency:
  - bestofn: the real CLI, `verify: false`, N candidates through `n` in one request per query; timed by
    its own pipeline clock (`pipeline_s` in the file's summary: from the first request to the last row,
    without interpreter start-up) and by the wall clock of the whole command;
  - a hand-written client: `openai.AsyncOpenAI` (its default httpx transport, as most scripts use it) with
    an asyncio.Semaphore of the same size, one `n=N` request per query, nothing written anywhere;
  - the same client on the SDK's aiohttp transport (`openai.DefaultAioHttpClient`).

The fake server answers every request after `--latency` seconds; the ceiling is concurrency x N / latency
completions per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openai

from common.store import read_metadata
from tests.fakes.launch import FakeServer, start_fake

ROOT = Path(__file__).resolve().parent.parent


def question(i: int) -> str:
    return f"What is {i} + {i}?"


def run_bestofn(fake: FakeServer, work: Path, queries: int, n: int, concurrency: int) -> dict:
    data = work / "data.jsonl"
    if not data.exists():
        with data.open("w") as f:
            for i in range(queries):
                f.write(json.dumps({"id": f"q{i:06d}", "split": "math", "question": question(i),
                                    "ground_truth": str(2 * i)}) + "\n")
    out = work / f"out_{concurrency}.parquet"
    cfg = work / f"cfg_{concurrency}.yaml"
    cfg.write_text(f"dataset: {data}\nsplits: math\nnum_candidates: {n}\nconcurrency: {concurrency}\n"
                   f"output: {out}\nverify: false\ncheckpoint_every: 10\nmax_tokens: 64\nmodel: gpt-4o-mini\n")
    env = {**os.environ, "OPENAI_API_KEY": "sk-bench", "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT / "bestofn.py"), "openai", "generate", "--config", str(cfg),
                        "--base-url", fake.base_url, "--quiet", "--overwrite"], env=env, capture_output=True,
                       text=True)
    wall = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(f"bestofn failed:\n{r.stderr[-2000:]}")
    summary = json.loads(read_metadata(out)["bestofn.summary"])
    return {"candidates": summary["candidates"], "seconds": summary["pipeline_s"], "wall_s": wall}


async def hand_written(base_url: str, queries: int, n: int, concurrency: int, aiohttp: bool) -> dict:
    kwargs = {"http_client": openai.DefaultAioHttpClient()} if aiohttp else {}
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-bench", max_retries=0, **kwargs)
    slots = asyncio.Semaphore(concurrency)
    done = 0

    async def one(i: int) -> None:
        nonlocal done
        async with slots:
            r = await client.chat.completions.create(model="gpt-4o-mini", n=n, max_tokens=64,
                                                     messages=[{"role": "user", "content": question(i)}])
            done += len(r.choices)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(queries)))
    elapsed = time.perf_counter() - start
    await client.close()
    return {"candidates": done, "seconds": elapsed, "wall_s": elapsed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[64, 256])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, start_fake("openai", latency_s=args.latency) as fake:
        work = Path(tmp)
        for conc in args.concurrency:
            ceiling = conc * args.n / args.latency
            sides = {
                "bestofn": run_bestofn(fake, work, args.queries, args.n, conc),
                "AsyncOpenAI (httpx)": asyncio.run(hand_written(fake.base_url, args.queries, args.n, conc, False)),
                "AsyncOpenAI (aiohttp)": asyncio.run(hand_written(fake.base_url, args.queries, args.n, conc, True)),
            }
            for name, r in sides.items():
                rows.append((conc, name, r["candidates"] / r["seconds"], r["candidates"] / r["wall_s"], ceiling))
                print(json.dumps({"concurrency": conc, "client": name, **r}), flush=True)
    print(f"\n{args.queries} queries x N={args.n}, latency {args.latency} s")
    print(f"{'conc':>5} {'client':<24} {'compl/s':>9} {'wall c/s':>9} {'of ceiling':>11} {'vs httpx':>9}")
    base = {conc: cps for conc, name, cps, _, _ in rows if name == "AsyncOpenAI (httpx)"}
    for conc, name, cps, wall, ceiling in rows:
        print(f"{conc:>5} {name:<24} {cps:>9,.0f} {wall:>9,.0f} {cps / ceiling:>10.0%} {cps / base[conc]:>8.2f}x")


if __name__ == "__main__":
    main()
