"""Accuracy and throughput of our MathVerifier against Math-Verify on the labelled corpus.

    python bench/math_accuracy.py [--corpus tests/data/math_pairs.jsonl] [--only ours|mv] [--errors]
                                  [--category hard] [--threads 2] [--reasons]

Corpora: tests/data/math_pairs.jsonl (this project's own), tests/data/math_outside.jsonl (outside pairs,
the tuning split) and tests/data/math_outside_holdout.jsonl (its blind third: report on it, never tune on
it). After the per-category table it prints the confidence bands of our verdicts (bench/bands.py) and,
with --reasons, the share right per (reason, verdict): the figures the confidences are set from
(bench/math_calibration.py turns them into verifiers/math/calibration.py's table).

Prints, per category, n / accuracy / recall (correct answers accepted) / specificity (wrong answers
rejected) for both verifiers, then the overall figures and pairs per second.

How each side is run:
- ours: `MathVerifier().verify(candidate, gold, question=..., final_answer=...)`, the production
  path: regex extraction in this process, comparison in the time-boxed worker pool (pool IPC
  included). Timed serially from one caller thread -- the figure to compare with math_verify --
  then with `--threads` caller threads on a fresh pool of that many workers (how the pipeline
  calls it), and inline in this process (no pool, no time bound) for reference. Every run starts
  with cold parse caches.
- math_verify 0.9: its documented usage, in this process, serially:
  `verify(parse("$" + gold + "$"), parse(candidate))` with its default extraction and timeouts.
  For a structured answer it gets the `final_answer` text as the candidate, as we do.
Both are warmed up (imports, first parse, pool workers) before timing. The machine is shared, so
throughput numbers are noisy: compare the two columns of one run, not runs with each other.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bands import print_bands, wilson_lower

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "math_pairs.jsonl"


def load(path: Path, category: str | None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if category is None or r["category"] == category]


def run_ours(rows: list[dict[str, Any]], inline: bool = False) -> tuple[list[bool], list[dict[str, Any]], float]:
    from verifiers.math.verifier import MathVerifier

    verifier = MathVerifier(inline=inline)
    verifier.verify(r"\boxed{1}", "1")  # start the pool's first worker outside the timing
    if not inline:
        from verifiers.math.verifier import shared_pool

        shared_pool().warm(2)
    out, info = [], []
    start = time.perf_counter()
    for r in rows:
        res = verifier.verify(r["candidate"], r["gold"], **_context(r))
        out.append(res.is_verified)
        info.append({"confidence": res.confidence, "method": res.method, **res.details})
    return out, info, time.perf_counter() - start


def run_ours_threaded(rows: list[dict[str, Any]], threads: int) -> float:
    from verifiers.math.timeout_pool import TimeoutPool
    from verifiers.math.verifier import MathVerifier

    # A fresh pool: the serial run's workers have every value of the corpus cached.
    pool = TimeoutPool(max_workers=threads, preload=("verifiers.math.verifier:_warm_worker",))
    pool.warm(threads)
    verifier = MathVerifier(pool=pool)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as ex:
        list(ex.map(lambda r: verifier.verify(r["candidate"], r["gold"], **_context(r)), rows))
    elapsed = time.perf_counter() - start
    pool.close()
    return elapsed


def _context(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r[k] for k in ("question", "final_answer") if k in r}


def run_math_verify(rows: list[dict[str, Any]]) -> tuple[list[bool], float]:
    from math_verify import parse, verify

    logging.getLogger("math_verify").setLevel(logging.ERROR)
    verify(parse("$1$"), parse("1"))
    out = []
    start = time.perf_counter()
    for r in rows:
        candidate = r.get("final_answer") or r["candidate"]
        try:
            ok = bool(verify(parse(f"${r['gold']}$"), parse(candidate)))
        except Exception:  # noqa: BLE001 - a crash is a rejection, as in its own harnesses
            ok = False
        out.append(ok)
    return out, time.perf_counter() - start


def scores(rows: list[dict[str, Any]], preds: list[bool]) -> tuple[int, float, float, float]:
    pos = [p for r, p in zip(rows, preds, strict=True) if r["label"]]
    neg = [p for r, p in zip(rows, preds, strict=True) if not r["label"]]
    acc = sum(p == r["label"] for r, p in zip(rows, preds, strict=True)) / len(rows)
    recall = sum(pos) / len(pos) if pos else float("nan")
    spec = (len(neg) - sum(neg)) / len(neg) if neg else float("nan")
    return len(rows), acc, recall, spec


def fmt(x: float) -> str:
    return "   -  " if x != x else f"{100 * x:5.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--category")
    ap.add_argument("--only", choices=["ours", "mv"])
    ap.add_argument("--errors", action="store_true", help="list the pairs we get wrong")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reasons", action="store_true",
                    help="share right per (reason, verdict): what the confidences are calibrated from")
    args = ap.parse_args()
    rows = load(args.corpus, args.category)
    results: dict[str, list[bool]] = {}
    timings: dict[str, float] = {}
    info: list[dict[str, Any]] = []
    if args.only != "mv":
        results["ours"], info, timings["ours (pool, 1 caller thread)"] = run_ours(rows)
        timings[f"ours (pool, {args.threads} caller threads)"] = run_ours_threaded(rows, args.threads)
        timings["ours (inline, no time bound)"] = run_ours(rows, inline=True)[2]
    if args.only != "ours":
        results["math_verify"], timings["math_verify 0.9 (in-process)"] = run_math_verify(rows)

    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_cat[r["category"]].append(i)
    names = list(results)
    header = f"{'category':<18} {'n':>4} " + " ".join(f"{n + ' acc/rec/spec':>26}" for n in names)
    print(header)
    print("-" * len(header))
    for cat in sorted(by_cat) + ["OVERALL"]:
        idx = by_cat[cat] if cat != "OVERALL" else list(range(len(rows)))
        sub = [rows[i] for i in idx]
        cells = []
        for n in names:
            _, acc, rec, spec = scores(sub, [results[n][i] for i in idx])
            cells.append(f"{fmt(acc)} {fmt(rec)} {fmt(spec)}".rjust(26))
        print(f"{cat:<18} {len(idx):>4} " + " ".join(cells))
    print()
    for name, seconds in timings.items():
        print(f"{name:<36} {len(rows) / seconds:8.1f} pairs/s  ({seconds:.2f}s for {len(rows)})")
    if "ours" in results:
        right = [p == r["label"] for r, p in zip(rows, results["ours"], strict=True)]
        print()
        bands = print_bands([(extra["confidence"], ok) for extra, ok in zip(info, right, strict=True)], "ours")
        _, acc, _, spec = scores(rows, results["ours"])
        sure = bands[0]
        sure_ok = not sure["verdicts"] or sure["share"] >= 0.97  # type: ignore[operator]
        verdict = "PASS" if acc >= 0.90 and spec >= 0.975 and sure_ok else "FAIL"
        print(f"\nbar (accuracy >= 90%, specificity >= 97.5%, >= 0.9 confidence right >= 97%): {verdict}")
    if args.reasons and "ours" in results:
        per: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0, 0, 0])
        for r, p, extra in zip(rows, results["ours"], info, strict=True):
            cell = per[(str(extra.get("reason")), bool(p))]
            cell[0] += p == r["label"]
            cell[1] += 1
            cell[2] = max(cell[2], int(round(100 * extra["confidence"])))
        print(f"\n{'reason':<28} {'verdict':<8} {'n':>5} {'right':>7} {'95% low':>8} {'max conf':>8}")
        for (reason, verdict_given), (ok, n, conf) in sorted(per.items(), key=lambda kv: -kv[1][1]):
            print(f"{reason:<28} {verdict_given!s:<8} {n:>5} {ok / n:>7.1%} {wilson_lower(ok, n):>8.1%} "
                  f"{conf / 100:>8.2f}")
    if args.errors and "ours" in results:
        print("\nours, wrong verdicts:")
        for r, p, extra in zip(rows, results["ours"], info, strict=True):
            if p != r["label"]:
                cand = r.get("final_answer") or r["candidate"]
                print(
                    f"  {r['id']:<22} label={r['label']!s:<5} gold={r['gold']!r} cand={cand[-80:]!r} "
                    f"-> {extra.get('extracted')!r} {extra.get('reason')} conf={extra['confidence']}"
                )


if __name__ == "__main__":
    main()
