#!/usr/bin/env python3
"""Pipeline throughput and memory against the fake OpenAI server (verification off unless --verify).

    python -m bench.pipeline_throughput                 # 500 and 5000 queries, N=8, concurrency 64
    python -m bench.pipeline_throughput --queries 500 --latency 0.2 --n 8 --concurrency 64
    python -m bench.pipeline_throughput --tools --queries 200 1000   # tool loops: 2 tool turns + an answer
    python -m bench.pipeline_throughput --verify --queries 2000      # and every math candidate verified
    python -m bench.pipeline_throughput --compare --queries 2000 5000  # verify off, then on: the ratio
    python -m bench.pipeline_throughput --split code --compare --queries 100 --sandbox docker

Math rows (the default) are a mixed best-of-N workload: each query (integer word problems, fraction
sums, expansions, decimals) gets its own n replies from the fake, right and wrong ones in the forms
models write; code rows get a markdown answer around a real Python function (right, wrong, or not
compiling) and call tests computed from a reference. With --verify the run prints how its rows were
decided ("method/reason/verdict": rows).

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
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

from common.store import iter_rows, read_metadata
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


# ---- math: an honest best-of-N workload ----------------------------------------------------------
# Every query has its own rule on the fake (matched by its "[#i]" tag) with n replies of its own: some
# right, some wrong, in the forms models write (\boxed{}, "The answer is", a trailing number, 12.0,
# 1,234, fractions, unreduced fractions, decimals, expressions, prose naming several numbers).
# Seeded, so both sides of a comparison (and every run) see the same candidates.


def _steps(*sentences: str) -> str:
    return " ".join(sentences)


def _math_int(rng: random.Random, i: int) -> tuple[str, str, list[str]]:
    a, b = rng.randint(12, 4999), rng.randint(12, 4999)
    v = a + b
    q = f"A warehouse holds {a} boxes and receives {b} more. How many boxes does it hold now?"
    intro = f"The warehouse starts with {a} boxes and {b} more arrive, so we add {a} and {b}."
    right = [
        _steps(intro, f"Adding the units first and carrying, {a} + {b} = {v}.", f"The answer is $\\boxed{{{v}}}$."),
        _steps(intro, f"{a} + {b} = {v}.", f"**Final answer:** {v:,}"),
        _steps(intro, f"That gives {v}.0 boxes.", f"The answer is {v}.0"),
        _steps(intro, f"So the warehouse now holds {v} boxes."),
        _steps(f"Let me compute {a} + {b}.", f"Hundreds and tens together give {v}.", f"Answer: {v}"),
        _steps(intro, f"Total = {a} + {b} = \\({v}\\) boxes.",
               f"Therefore the final answer is $\\boxed{{{v} \\text{{ boxes}}}}$."),
    ]
    wrong = [
        _steps(intro, f"{a} + {b} = {v + 10}.", f"The answer is $\\boxed{{{v + 10}}}$."),  # a carry slip
        _steps(f"The warehouse had {a} boxes and {b} were taken away, so {a} - {b} = {a - b}.",
               f"The answer is \\boxed{{{a - b}}}."),
        _steps(intro, f"Adding gives {v - 1}, so the answer is {v - 1}."),
        _steps(intro, f"I get {v + 100} boxes.", f"**Answer:** {v + 100}"),
    ]
    return q, str(v), _draw(rng, right, wrong)


def _math_fraction(rng: random.Random, i: int) -> tuple[str, str, list[str]]:
    while True:
        p, q_, r, s = rng.randint(1, 9), rng.randint(2, 12), rng.randint(1, 9), rng.randint(2, 12)
        v = Fraction(p, q_) + Fraction(r, s)
        if v.denominator > 1:
            break
    gt = f"\\frac{{{v.numerator}}}{{{v.denominator}}}"
    q = f"Compute $\\frac{{{p}}}{{{q_}}} + \\frac{{{r}}}{{{s}}}$ and give the answer as a fraction in lowest terms."
    den = q_ * s
    intro = (f"The common denominator of {q_} and {s} is {den}, so we rewrite both fractions: "
             f"$\\frac{{{p * s}}}{{{den}}} + \\frac{{{r * q_}}}{{{den}}} = \\frac{{{p * s + r * q_}}}{{{den}}}$.")
    n_, d_ = v.numerator, v.denominator
    right = [
        _steps(intro, f"Reducing, we get $\\boxed{{\\frac{{{n_}}}{{{d_}}}}}$."),
        _steps(intro, f"In lowest terms that is {n_}/{d_}.", f"The answer is {n_}/{d_}."),
        _steps(intro, f"So the sum is $\\boxed{{\\dfrac{{{p * s + r * q_}}}{{{den}}}}}$."),  # unreduced, same value
        _steps(intro, f"Dividing numerator and denominator by their gcd gives \\[\\frac{{{n_}}}{{{d_}}}\\]"),
    ]
    wrong = [
        _steps(f"Add the numerators and the denominators: {p}+{r} = {p + r} and {q_}+{s} = {q_ + s}.",
               f"The answer is $\\boxed{{\\frac{{{p + r}}}{{{q_ + s}}}}}$."),
        _steps(intro, f"Approximately, the sum is {float(v):.2f}.", f"**Answer:** {float(v):.2f}"),
        _steps(intro, f"Reducing, we get $\\boxed{{\\frac{{{d_}}}{{{n_}}}}}$."),
    ]
    return q, gt, _draw(rng, right, wrong)


def _math_expression(rng: random.Random, i: int) -> tuple[str, str, list[str]]:
    a, b = rng.randint(1, 15), rng.randint(1, 15)
    s, p = a + b, a * b
    gt = f"x^2 + {s}x + {p}"
    q = f"Expand $(x + {a})(x + {b})$."
    intro = f"Using FOIL: $x \\cdot x + {b}x + {a}x + {a} \\cdot {b}$."
    right = [
        _steps(intro, f"Collecting like terms, $(x+{a})(x+{b}) = \\boxed{{x^2 + {s}x + {p}}}$."),
        _steps(intro, f"So the expansion is $x^{{2}}+{s} x+{p}$.", f"The answer is $x^{{2}}+{s}x+{p}$."),
        _steps(intro, f"The answer is \\boxed{{{p} + {s}x + x^2}}."),
        _steps(intro, f"**Final answer:** x**2 + {s}*x + {p}"),
    ]
    wrong = [
        _steps(intro, f"Collecting like terms gives $\\boxed{{x^2 + {p}x + {s}}}$."),
        _steps(f"Multiply the first and last terms: $x^2 + {p}$.", f"The answer is $\\boxed{{x^2 + {p}}}$."),
        _steps(intro, f"So we get $\\boxed{{x^2 + {s}x + {p + 1}}}$."),
    ]
    return q, gt, _draw(rng, right, wrong)


def _math_decimal(rng: random.Random, i: int) -> tuple[str, str, list[str]]:
    a = rng.randint(3, 499) * 2 + 1
    v = Fraction(a, 4)
    gt = f"{float(v):g}"
    q = f"A rope of {a} metres is cut into 4 equal pieces. How long is each piece, in metres?"
    intro = f"Each piece is {a} / 4 metres long."
    right = [
        _steps(intro, f"{a} / 4 = {float(v):g}.", f"The answer is $\\boxed{{{float(v):g}}}$ metres."),
        _steps(intro, f"As a fraction, that is $\\boxed{{\\frac{{{a}}}{{4}}}}$."),
        _steps(intro, f"So each piece is {float(v):.3f} m long."),
        _steps(intro, f"**Answer:** {float(v):g} \\text{{ m}}"),
    ]
    wrong = [
        _steps(intro, f"{a} / 4 = {a // 4}.", f"The answer is \\boxed{{{a // 4}}}."),
        _steps(f"There are 4 pieces and {a} metres, so each is {a} \\times 4 = {a * 4} metres.",
               f"The answer is $\\boxed{{{a * 4}}}$."),
        _steps(intro, f"Rounding, each piece is about {round(float(v))} metres."),
    ]
    return q, gt, _draw(rng, right, wrong)


_MATH_KINDS = ((0.45, _math_int), (0.2, _math_fraction), (0.2, _math_expression), (0.15, _math_decimal))
_N_REPLIES = 8  # set from --n: every query gets one reply per candidate


_OPENERS = ("", "Let's think step by step.", "We solve this carefully.", "Let me work through it.",
            "Sure! Here is the solution.", "Read the question again: we need one number at the end.")
_ASIDES = ("First I restate what is given, then I compute.", "I will keep every intermediate value exact.",
           "Checking the arithmetic once more before answering.", "Units stay as in the question.",
           "No rounding is needed until the very end.", "A quick sanity check: the result has the expected size.")


def _draw(rng: random.Random, right: list[str], wrong: list[str]) -> list[str]:
    """n candidates: each right with a probability that varies by query (easy and hard questions), each with
    its own opening and asides, so candidates that agree on the answer still differ as text."""
    p_right = rng.choice((0.9, 0.75, 0.5, 0.25))
    out = []
    for _ in range(_N_REPLIES):
        body = rng.choice(right) if rng.random() < p_right else rng.choice(wrong)
        asides = " ".join(rng.sample(_ASIDES, rng.randint(0, 3)))
        out.append(" ".join(t for t in (rng.choice(_OPENERS), asides, body) if t))
    return out


def math_problem(i: int) -> tuple[str, str, list[str]]:
    """(question, ground truth, candidate replies) of query i."""
    rng = random.Random(i)
    pick, acc = rng.random(), 0.0
    make = _MATH_KINDS[-1][1]
    for share, kind in _MATH_KINDS:
        acc += share
        if pick < acc:
            make = kind
            break
    q, gt, replies = make(rng, i)
    return f"[#{i}] {q}", gt, replies


# ---- code: a real Python function per query, tests from a reference implementation ---------------

def _code_running_max(rng: random.Random) -> tuple[str, str, list[tuple[Any, Any]], list[str], list[str]]:
    name = "running_max"
    q = f"Write a Python function `{name}(xs)` that returns the list of running maxima of the list xs."
    cases = []
    for _ in range(rng.randint(3, 6)):
        xs = [rng.randint(-50, 50) for _ in range(rng.randint(0, 8))]
        cases.append(([xs], [max(xs[: j + 1]) for j in range(len(xs))]))
    right = [f"def {name}(xs):\n    out, best = [], None\n    for x in xs:\n        best = x if best is None "
             f"else max(best, x)\n        out.append(best)\n    return out\n",
             f"from itertools import accumulate\n\ndef {name}(xs):\n    return list(accumulate(xs, max))\n"]
    wrong = [f"def {name}(xs):\n    out, best = [], 0\n    for x in xs:\n        best = max(best, x)\n"
             f"        out.append(best)\n    return out\n",  # wrong for all-negative prefixes
             f"def {name}(xs):\n    return [max(xs[:i]) for i in range(len(xs))]\n"]  # off by one: raises
    return name, q, cases, right, wrong


def _code_count_vowels(rng: random.Random) -> tuple[str, str, list[tuple[Any, Any]], list[str], list[str]]:
    name = "count_vowels"
    q = f"Write a Python function `{name}(s)` that counts the vowels (a, e, i, o, u, either case) in s."
    words = ["Hello", "AEIOU", "rhythm", "Banana split", "queueing", "", "Python Is Fun", "xyz"]
    cases = [([w], sum(c in "aeiouAEIOU" for c in w)) for w in rng.sample(words, rng.randint(3, 6))]
    right = [f"def {name}(s):\n    return sum(1 for c in s.lower() if c in 'aeiou')\n",
             f"def {name}(s):\n    n = 0\n    for ch in s:\n        if ch in 'aeiouAEIOU':\n            n += 1\n"
             f"    return n\n"]
    wrong = [f"def {name}(s):\n    return sum(1 for c in s if c in 'aeiou')\n",  # forgets upper case
             f"def {name}(s)\n    return len([c for c in s if c in 'aeiou'])\n"]  # syntax error
    return name, q, cases, right, wrong


def _code_dedupe(rng: random.Random) -> tuple[str, str, list[tuple[Any, Any]], list[str], list[str]]:
    name = "dedupe"
    q = f"Write a Python function `{name}(xs)` that removes duplicates from xs, keeping first occurrences in order."
    cases = []
    for _ in range(rng.randint(3, 6)):
        xs = [rng.randint(0, 6) for _ in range(rng.randint(0, 9))]
        cases.append(([xs], list(dict.fromkeys(xs))))
    right = [f"def {name}(xs):\n    return list(dict.fromkeys(xs))\n",
             f"def {name}(xs):\n    seen, out = set(), []\n    for x in xs:\n        if x not in seen:\n"
             f"            seen.add(x)\n            out.append(x)\n    return out\n"]
    wrong = [f"def {name}(xs):\n    return sorted(set(xs))\n",  # loses the order
             f"def {name}(xs):\n    return list(set(xs))\n"]
    return name, q, cases, right, wrong


_CODE_KINDS = (_code_running_max, _code_count_vowels, _code_dedupe)


def code_problem(i: int) -> tuple[str, dict[str, Any], str, list[str]]:
    """(question, tests, entry point, candidate replies) of query i: markdown answers around a function."""
    rng = random.Random(i)
    name, q, cases, right, wrong = rng.choice(_CODE_KINDS)(rng)
    tests = {"inputs": [c[0] for c in cases], "outputs": [c[1] for c in cases], "fn_name": name}
    p_right = rng.choice((0.9, 0.6, 0.3))
    replies = []
    for _ in range(_N_REPLIES):
        code = rng.choice(right) if rng.random() < p_right else rng.choice(wrong)
        replies.append(f"Here is a solution.\n\n```python\n{code}```\n\nIt runs in linear time.")
    return f"[#{i}] {q}", tests, name, replies


def fake_script(split: str, queries: int) -> dict[str, Any] | None:
    if split == "tool_calling":
        return TOOL_SCRIPT
    make = math_problem if split == "math" else code_problem
    return {"rules": [{"match": f"[#{i}]", "replies": make(i)[-1]} for i in range(queries)]}


def write_dataset(path: Path, queries: int, split: str = "math") -> None:
    with path.open("w") as f:
        for i in range(queries):
            if split == "tool_calling":
                row = {"id": f"q{i:06d}", "split": "tool_calling", "question": f"Weather check {i}",
                       "tools": [WEATHER, CONVERT]}
            elif split == "code":
                question, tests, entry, _ = code_problem(i)
                row = {"id": f"q{i:06d}", "split": "code", "question": question, "tests": tests,
                       "entry_point": entry, "language": "python"}
            else:
                question, gt, _ = math_problem(i)
                row = {"id": f"q{i:06d}", "split": "math", "question": question, "ground_truth": gt}
            f.write(json.dumps(row) + "\n")


def verdict_counts(out: Path) -> dict[str, int]:
    """How the run's rows were decided ("method/reason": rows), to show the workload is mixed."""
    counts: Counter[str] = Counter()
    for method, reason, ok in iter_rows(out, ["verification_method", "verification_reason", "is_verified"]):
        counts[f"{method}/{reason}/{ok}"] += 1
    return dict(counts.most_common())


def run_once(queries: int, n: int, concurrency: int, latency: float, base_url: str, work: Path,
             split: str = "math", verify: bool = False, sandbox: str | None = None,
             sandbox_pool: int | None = None) -> dict:
    tools = split == "tool_calling"
    data = work / f"data_{queries}.jsonl"
    write_dataset(data, queries, split)
    out = work / f"out_{queries}.parquet"
    cfg = work / f"cfg_{queries}.yaml"
    extra = ""
    if sandbox:
        extra += f"sandbox: {sandbox}\n"
    if sandbox_pool:
        extra += f"sandbox_pool: {sandbox_pool}\n"
    cfg.write_text(
        f"dataset: {data}\nsplits: {split}\nnum_candidates: {n}\n"
        f"concurrency: {concurrency}\noutput: {out}\nverify: {str(verify).lower()}\ncheckpoint_every: 10\n"
        f"max_tokens: 512\n"
        f"tool_mock_cache_dir: {work / 'mock_cache'}\n" + extra
    )
    env = {**os.environ, "OPENAI_API_KEY": "sk-bench"}
    cmd = [sys.executable, str(ROOT / "bestofn.py"), "openai", "generate", "--config", str(cfg),
           "--base-url", base_url, "--quiet", "--overwrite"]
    start = time.perf_counter()
    # The working directory holds the verdict cache (.bestofn_cache): the bench's own, not the checkout's.
    proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bestofn failed:\n{stderr[-2000:]}")
    summary = json.loads(read_metadata(out)["bestofn.summary"])
    ceiling = concurrency / (latency * (1 / n + 2)) if tools else concurrency * n / latency
    rate = summary["candidates"] / summary["pipeline_s"]
    result = {
        "queries": queries,
        "candidates": summary["candidates"],
        "pipeline_s": round(summary["pipeline_s"], 2),
        "wall_s_incl_startup": round(wall, 2),
        "candidates_per_s": round(rate, 1),
        "ceiling_per_s": round(ceiling, 1),
        "share_of_ceiling": round(rate / ceiling, 3),
        "peak_rss_mb": round(rusage.ru_maxrss / 1024, 1),
    }
    if verify:
        result["verdicts"] = verdict_counts(out)
    return result


def main() -> None:
    global _N_REPLIES
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, nargs="+", default=[500, 5000])
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--split", choices=["math", "code", "tool_calling"], default="math",
                    help="math (default): varied right and wrong answers per query; code: a Python function "
                         "per query with call tests; tool_calling: every candidate runs a tool loop")
    ap.add_argument("--tools", action="store_true", help="same as --split tool_calling")
    ap.add_argument("--verify", action="store_true", help="verify every candidate (math: the worker pool; "
                                                          "code: the sandboxes)")
    ap.add_argument("--compare", action="store_true",
                    help="run each size with verification off, then on, and print on/off")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size and side (--compare reports medians)")
    ap.add_argument("--sandbox", choices=["docker", "bwrap"], default=None, help="code: the sandbox (default auto)")
    ap.add_argument("--sandbox-pool", type=int, default=None, help="code: sandboxes at once (config sandbox_pool)")
    args = ap.parse_args()
    split = "tool_calling" if args.tools else args.split
    _N_REPLIES = args.n
    script = fake_script(split, max(args.queries))
    modes = [False, True] if args.compare else [args.verify]
    with tempfile.TemporaryDirectory() as tmp, start_fake("openai", script, latency_s=args.latency) as fake:
        for q in args.queries:
            rates: dict[bool, list[float]] = {m: [] for m in modes}
            for _ in range(args.repeat):
                for verify in modes:  # alternating, so a busy spell of a shared machine hits both sides
                    fake.reset()  # every run starts the replies' round-robin at the same place
                    result = run_once(q, args.n, args.concurrency, args.latency, fake.base_url, Path(tmp), split,
                                      verify, args.sandbox, args.sandbox_pool)
                    mode = {"math": "plain", "tool_calling": "tools"}.get(split, split) + ("+verify" if verify else "")
                    rates[verify].append(result["candidates_per_s"])
                    print(json.dumps({"mode": mode, **result}), flush=True)
            if args.compare:
                off, on = statistics.median(rates[False]), statistics.median(rates[True])
                print(json.dumps({"queries": q, "runs": args.repeat, "median_off_per_s": off, "median_on_per_s": on,
                                  "verify_on_over_off": round(on / off, 3)}), flush=True)


if __name__ == "__main__":
    main()
