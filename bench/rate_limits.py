#!/usr/bin/env python3
"""Time to finish under a server-enforced token limit, and the share of requests answered 429.

    python -m bench.rate_limits                       # TPM 60,000 over 1 s windows, 120 queries x N=4, conc. 64
    python -m bench.rate_limits --tpm 120000 --queries 200 --latency 0.5
    python -m bench.rate_limits --clients bestofn     # one side only

The fake OpenAI server enforces the limit as a token bucket holding `window` seconds of the minute's
tokens (TPM 60,000, 1 s: 1,000 tokens, refilled at 1,000 a second), charges each request at admission
its prompt tokens plus `max_tokens x n`, answers what does not fit with a 429 carrying `retry-after-ms`,
and sends truthful `x-ratelimit-*` headers on every response. Side by side in one run:

  - bestofn (the real CLI, `verify: false`, N candidates through `n` in one request per query);
  - a hand-written AsyncOpenAI client that knows the limit in advance and paces itself by a token bucket
    (the same requests: one per query with `n=N`), retrying 429s after `retry-after-ms`.

The theoretical minimum counts the tokens the server actually charged in that run: the bucket starts
full, so it is (charged - bucket) / rate, plus one request's latency for the last answer.
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
import pyarrow.parquet as pq

from common.store import read_metadata
from tests.fakes.launch import FakeServer, start_fake  # run from the checkout: python -m bench.rate_limits

ROOT = Path(__file__).resolve().parent.parent
FILLER = ("Show each step of the working clearly, state any assumption you make about the quantities "
          "involved, and give the final answer in a box at the end.")


def question(i: int) -> str:
    return f"Question {i}: a train leaves at {i % 12 + 1} o'clock and travels {10 + i} km. {FILLER}"


def write_dataset(path: Path, queries: int) -> None:
    with path.open("w") as f:
        for i in range(queries):
            f.write(json.dumps({"id": f"q{i:05d}", "split": "math", "question": question(i),
                                "ground_truth": "42"}) + "\n")


def minimum_s(stats: dict, latency: float) -> float:
    """The least time the server's buckets allow for what it charged (the slowest bucket decides)."""
    worst = 0.0
    for kind, charged in stats["charged"].items():
        rate = stats["limits"][kind] / 60
        worst = max(worst, max(charged - stats["capacity"][kind], 0) / rate)
    return worst + latency


def report(name: str, elapsed: float, stats: dict, latency: float, extra: dict) -> dict:
    total = stats["admitted"] + stats["rejected"]
    floor = minimum_s(stats, latency)
    return {"client": name, "seconds": round(elapsed, 2), "minimum_s": round(floor, 2),
            "x_minimum": round(elapsed / floor, 3), "requests": total, "answered_429": stats["rejected"],
            "share_429": round(stats["rejected"] / total, 4) if total else None,
            "charged_tokens": stats["charged"].get("tokens"), **extra}


def run_bestofn(fake: FakeServer, work: Path, args: argparse.Namespace) -> dict:
    data = work / "data.jsonl"
    write_dataset(data, args.queries)
    out = work / "out.parquet"
    cfg = work / "cfg.yaml"
    cfg.write_text(
        f"dataset: {data}\nsplits: math\nnum_candidates: {args.n}\nconcurrency: {args.concurrency}\n"
        f"output: {out}\nverify: false\ncheckpoint_every: 10\nmax_tokens: {args.max_tokens}\n"
        f"model: gpt-4o-mini\nmax_retries: {args.max_retries}\n"
    )
    env = {**os.environ, "OPENAI_API_KEY": "sk-bench"}
    cmd = [sys.executable, str(ROOT / "bestofn.py"), "openai", "generate", "--config", str(cfg),
           "--base-url", fake.base_url, "--quiet", "--overwrite"]
    fake.reset()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=args.timeout)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bestofn failed:\n{proc.stderr[-2000:]}")
    summary = json.loads(read_metadata(out)["bestofn.summary"])
    stats = fake.rate_limit_stats()
    assert stats is not None
    errors = pq.read_table(out, columns=["error"]).column("error").drop_null()
    return report("bestofn", summary["pipeline_s"], stats, args.latency,
                  {"candidates": summary["candidates"], "errors": len(errors)})


async def token_bucket_client(base_url: str, args: argparse.Namespace) -> tuple[float, int]:
    """The hand-written client: a semaphore, a token bucket set from the known limit, retry on 429."""
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-bench", max_retries=0)
    rate, capacity = args.tpm / 60, args.tpm / 60 * args.window
    bucket = {"level": capacity, "stamp": time.monotonic()}
    lock, slots = asyncio.Lock(), asyncio.Semaphore(args.concurrency)
    done = 0

    async def take(cost: float) -> None:
        async with lock:  # one waiter at a time: first come, first served
            while True:
                now = time.monotonic()
                bucket["level"] = min(capacity, bucket["level"] + (now - bucket["stamp"]) * rate)
                bucket["stamp"] = now
                if bucket["level"] >= min(cost, capacity):
                    bucket["level"] -= cost
                    return
                await asyncio.sleep((min(cost, capacity) - bucket["level"]) / rate)

    async def one(i: int) -> None:
        nonlocal done
        text = question(i)
        async with slots:
            while True:
                await take(len(text) / 4 + args.max_tokens * args.n)
                try:
                    r = await client.chat.completions.create(model="gpt-4o-mini", n=args.n,
                                                             max_tokens=args.max_tokens,
                                                             messages=[{"role": "user", "content": text}])
                    done += len(r.choices)
                    return
                except openai.RateLimitError as e:
                    await asyncio.sleep(int(e.response.headers.get("retry-after-ms", "1000")) / 1000)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(args.queries)))
    elapsed = time.perf_counter() - start
    await client.close()
    return elapsed, done


def run_token_bucket(fake: FakeServer, args: argparse.Namespace) -> dict:
    fake.reset()
    elapsed, done = asyncio.run(token_bucket_client(fake.base_url, args))
    stats = fake.rate_limit_stats()
    assert stats is not None
    return report("token-bucket client", elapsed, stats, args.latency, {"candidates": done, "errors": 0})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, default=120)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--tpm", type=int, default=60_000)
    ap.add_argument("--window", type=float, default=1.0, help="seconds of the minute's limit a bucket holds")
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--max-retries", type=int, default=6, help="bestofn's max_retries (its default)")
    ap.add_argument("--timeout", type=float, default=900, help="give up on a bestofn run after this long")
    ap.add_argument("--clients", nargs="+", choices=["bestofn", "token-bucket"], default=["bestofn", "token-bucket"])
    args = ap.parse_args()
    config = {"rate_limits": {"tpm": args.tpm, "window_s": args.window}}
    results = []
    with tempfile.TemporaryDirectory() as tmp, start_fake("openai", config, latency_s=args.latency) as fake:
        for name in args.clients:
            result = run_bestofn(fake, Path(tmp), args) if name == "bestofn" else run_token_bucket(fake, args)
            print(json.dumps(result), flush=True)
            results.append(result)
    print(f"\n{'client':<22}{'seconds':>9}{'minimum':>9}{'x min':>7}{'requests':>10}{'429s':>7}{'429 share':>11}")
    for r in results:
        share = f"{r['share_429']:.1%}" if r["share_429"] is not None else "n/a"
        print(f"{r['client']:<22}{r['seconds']:>9.1f}{r['minimum_s']:>9.1f}{r['x_minimum']:>7.2f}"
              f"{r['requests']:>10}{r['answered_429']:>7}{share:>11}")


if __name__ == "__main__":
    main()
