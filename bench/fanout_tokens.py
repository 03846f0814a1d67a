#!/usr/bin/env python3
"""Input tokens billed per query at N candidates, against naive fan-out (the whole prompt sent once per
candidate, uncached), through the real CLI and SDKs against the fake servers.

    python -m bench.fanout_tokens                  # N=8, 20 queries, a few-shot system prompt as shared prefix
    python -m bench.fanout_tokens --n 8 --queries 50

Runs, side by side:
  openai n=8   one Chat Completions request with n (the prompt is billed once)
  openai n=1   n_per_request: 1, eight requests (what a client without n pays)
  ... +prefix cache   the same against a server that caches prompt prefixes as OpenAI does (the shared
               system prompt is then cached across queries too)
  claude       the first candidate alone writes the prompt cache, candidates 2..N read it

"Billed" weights cache reads and writes by their list price against the input price (Claude: 0.1x and
1.25x), so it is the input bill in full-price tokens. The fake Claude server is started caching marked
prefixes of 1,024 tokens or more (`cache_min_tokens`, the API's minimum for most models) and reports
cache_creation_input_tokens / cache_read_input_tokens as the API does. The fake OpenAI server is run twice, the
second time simulating OpenAI's automatic prefix caching (a prompt of 1,024 tokens or more sent before reports its
prefix, in 128-token steps, as cached_tokens), in the "+prefix cache" rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common.store import read_metadata
from tests.fakes.launch import start_fake

ROOT = Path(__file__).resolve().parent.parent


def few_shot_prompt(work: Path) -> Path:
    """A system prompt of worked examples, long enough for the fake's prompt caching."""
    lines = ["You solve arithmetic problems. Think step by step and give the answer in \\boxed{}.", ""]
    for i in range(1, 81):
        lines.append(f"Example {i}: What is {i * 7} + {i * 13}? {i * 7} plus {i * 13} is {i * 20}. "
                     f"The answer is \\boxed{{{i * 20}}}.")
    path = work / "few_shot.txt"
    path.write_text("\n".join(lines))
    return path


def run(provider: str, base_url: str, work: Path, n: int, queries: int, per_request: int, model: str) -> dict:
    data = work / "data.jsonl"
    with data.open("w") as f:
        for i in range(queries):
            f.write(json.dumps({"id": f"q{i}", "split": "math", "question": f"What is {i} + {i}?",
                                "ground_truth": str(2 * i)}) + "\n")
    out = work / f"{provider}_{per_request}.parquet"
    cfg = work / f"{provider}_{per_request}.yaml"
    cfg.write_text(f"dataset: {data}\nsplits: math\nnum_candidates: {n}\nn_per_request: {per_request}\n"
                   f"output: {out}\nverify: false\nmax_tokens: 64\nconcurrency: 8\nmodel: {model}\n"
                   f"persona: {few_shot_prompt(work)}\n")
    key = "OPENAI_API_KEY" if provider == "openai" else "ANTHROPIC_API_KEY"
    env = {**os.environ, key: "sk-bench", "HF_HUB_OFFLINE": "1"}
    r = subprocess.run([sys.executable, str(ROOT / "bestofn.py"), provider, "generate", "--config", str(cfg),
                        "--base-url", base_url, "--quiet", "--overwrite"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{provider} run failed:\n{r.stderr[-2000:]}")
    summary = json.loads(read_metadata(out)["bestofn.summary"])
    return {"billed": summary["billed_input_tokens"] / queries, "naive": summary["naive_input_tokens"] / queries,
            "cost": summary["cost_usd"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--queries", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results = {}
        for cache in (False, True):
            label = " +prefix cache" if cache else ""
            with start_fake("openai", {"prefix_cache": cache}) as fake:
                results[f"openai n={args.n}{label}"] = run("openai", fake.base_url, work, args.n, args.queries,
                                                           args.n, "gpt-5-mini")
                results[f"openai n=1{label}"] = run("openai", fake.base_url, work, args.n, args.queries, 1,
                                                    "gpt-5-mini")
        with start_fake("anthropic", {"cache_min_tokens": 1024}) as fake:
            results["claude cache"] = run("claude", fake.base_url, work, args.n, args.queries, 1,
                                          "claude-sonnet-4-6")
    prompt = next(iter(results.values()))["naive"] / args.n
    print(f"N={args.n}, {args.queries} queries, a few-shot system prompt as the shared prefix "
          f"(prompt {prompt:,.0f} tokens by the fake's count)")
    print(f"{'setting':<26} {'billed/query':>13} {'naive/query':>12} {'share':>7} {'cost USD':>10}")
    for name, r in results.items():
        print(f"{name:<26} {r['billed']:>13,.0f} {r['naive']:>12,.0f} {r['billed'] / r['naive']:>7.1%} "
              f"{r['cost']:>10.5f}")


if __name__ == "__main__":
    main()
