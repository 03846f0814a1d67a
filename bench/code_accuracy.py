"""Code verifier accuracy on the labelled corpus, and warm-pool throughput on short Python test runs.

    python bench/code_accuracy.py [--sandbox docker|bwrap|auto] [--threads 4] [--runs 200]

Prints, per label and language, how often the verdict is right (correct -> verified; wrong and
cheat -> not verified), the candidates that were misjudged, a confidence band table (>= 0.9, 0.7-0.9,
0.4-0.7, < 0.4: verdicts and the share that is right), then executions per second: `--runs` short
Python function-test runs through CodeVerifier from `--threads` threads on a warm pool.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bands import print_bands

from verifiers.code.verifier import CodeVerifier
from verifiers.sandbox.select import shared_sandbox

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "code_corpus.jsonl"
SHORT = ("```python\ndef add(a, b):\n    return a + b\n```",
         {"inputs": [[1, 2], [3, 4], [-1, 1]], "outputs": [3, 7, 0], "fn_name": "add"})


def load() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


def accuracy(verifier: CodeVerifier, rows: list[dict], threads: int) -> bool:
    def judge(row: dict) -> tuple[dict, object]:
        return row, verifier.verify(row["response"], None, question=row["question"], tests=row["tests"],
                                    language=row["language"], entry_point=row["entry_point"])

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(judge, rows))
    elapsed = time.monotonic() - started
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misjudged = []
    for row, res in results:
        right = res.is_verified == (row["label"] == "correct")
        for key in ((row["label"], row["language"]), (row["label"], "all")):
            table[key][0] += right
            table[key][1] += 1
        if not right:
            misjudged.append((row["id"], res.details.get("reason"), res.explanation[:150]))
    print(f"corpus: {len(rows)} candidates in {elapsed:.1f} s ({len(rows) / elapsed:.1f}/s, {threads} threads)")
    print(f"{'label':<8} {'language':<11} {'right':>7} {'rate':>7}")
    for (label, lang), (ok, n) in sorted(table.items()):
        print(f"{label:<8} {lang:<11} {ok:>3}/{n:<3} {ok / n:>7.1%}")
    for rid, reason, text in misjudged:
        print(f"  MISJUDGED {rid}: {reason}: {text}")
    print_bands([(res.confidence, res.is_verified == (row["label"] == "correct")) for row, res in results],
                "project corpus (a verdict is right when it matches the label)")
    slowest = sorted(results, key=lambda rr: -rr[1].details.get("runtime_s", 0))[:3]
    print("slowest: " + ", ".join(f"{row['id']} {res.details.get('runtime_s')} s" for row, res in slowest))
    cheat_ok, cheat_n = table[("cheat", "all")]
    wrong_ok, wrong_n = table[("wrong", "all")]
    correct_ok, correct_n = table[("correct", "all")]
    return (cheat_ok == cheat_n and wrong_n - wrong_ok <= 0.02 * wrong_n
            and correct_n - correct_ok <= 0.02 * correct_n)


def throughput(verifier: CodeVerifier, runs: int, threads: int, sample: tuple[str, dict] = SHORT,
               what: str = "short Python test runs") -> float:
    """Executions per second: `runs` verifications of one short `sample` (answer, tests) from `threads`
    threads on a warm pool (bench/code_calibration.py times a HumanEval-form sample with it)."""
    response, tests = sample
    verifier.verify(response, None, tests=tests)  # warm the pool
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        ok = sum(r.is_verified for r in pool.map(lambda _: verifier.verify(response, None, tests=tests), range(runs)))
    rate = runs / (time.monotonic() - started)
    print(f"throughput: {runs} {what} ({ok} verified), {threads} threads: {rate:.1f} executions/s")
    return rate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sandbox", default=None, help="docker | bwrap | auto (default $BESTOFN_SANDBOX or auto)")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    box = shared_sandbox(args.sandbox)
    print(f"sandbox: {box.name}")
    verifier = CodeVerifier(sandbox=box, timeout_s=4.0)
    meets_bar = accuracy(verifier, load(), args.threads)
    rate = throughput(verifier, args.runs, args.threads)
    print(f"bar (no cheat accepted, <=2% wrong accepted, <=2% correct rejected): {'met' if meets_bar else 'MISSED'}; "
          f"throughput >= 15/s: {'met' if rate >= 15 else 'MISSED'}")
    box.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
