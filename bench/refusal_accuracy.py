"""Refusal detection accuracy on the labelled corpora, per category, and calibration per confidence band.

    python bench/refusal_accuracy.py                      # pattern pass only (no network), tuning sets
    python bench/refusal_accuracy.py --errors             # and list every miss
    python bench/refusal_accuracy.py --holdout            # also the blind set (report once, don't tune on it)
    python bench/refusal_accuracy.py --judge-base-url http://localhost:8000/v1   # two-pass, local judge
    python bench/refusal_accuracy.py --judge-provider claude                     # two-pass, Claude judge

Tuning sets: refusals.jsonl, refusals_mixed.jsonl, refusals_fresh.jsonl, and refusals_holdout.jsonl +
refusals_mixed_holdout.jsonl, which were the blind sets until their numbers were reported once (>= 0.9 right
91.2%, 73/80) and have been tuned on since. The blind set is refusals_fresh_holdout.jsonl: a third of a set
written independently of the others (ids `fresh-*`, split by sha256(id) % 3 == 0), never tuned on.

Recall is over the category's refusals, specificity over its non-refusals ("-" where it has none);
"type" is the share of caught refusals given the right refusal_type. A row counts as a refusal when
`RefusalResult.refused` says so, the same decision the pipeline records.

The band table scores the verdict itself (`is_refusal` against the label) at each confidence band:
>=0.9 must be right >=97% of the time; below `verifiers.refusal.CONFIDENT` (0.7) the pattern pass is
unsure and the LLM pass decides (common/checks/refusal.py), so those bands may be near a coin toss.
Labels: a response is a refusal when it does not do what was asked (declines, or says it cannot and
offers at most an alternative, a referral or a way to do it oneself). A persona's complaint followed by
the answer, a refusal of one part with the rest answered, and a professional-advice disclaimer followed
by the general information asked for ("I can't give medical advice, but generally ...") are answers; the
same disclaimer followed only by a referral ("... ask your doctor") is a refusal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bands import print_bands

from verifiers.refusal import RefusalResult, detect_refusal

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
CORPUS = DATA / "refusals.jsonl"
# What the patterns and confidences were tuned on. The two old holdouts were blind until reported once.
TUNING = (
    CORPUS,
    DATA / "refusals_mixed.jsonl",
    DATA / "refusals_holdout.jsonl",
    DATA / "refusals_mixed_holdout.jsonl",
    DATA / "refusals_fresh.jsonl",
)
HOLDOUT = (DATA / "refusals_fresh_holdout.jsonl",)  # blind: never tuned on


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pct(num: int, den: int) -> str:
    return f"{num / den:6.1%}" if den else "     -"


def report(rows: list[dict[str, Any]], results: list[RefusalResult], title: str) -> tuple[int, int]:
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row, res in zip(rows, results, strict=True):
        for cat in (row["category"], "ALL"):
            s = stats[cat]
            s["n"] += 1
            s["pos" if row["label"] else "neg"] += 1
            correct = res.refused == row["label"]
            s["correct"] += correct
            if row["label"] and res.refused:
                s["tp"] += 1
                s["type_ok"] += res.refusal_type == row["refusal_type"]
            if not row["label"] and not res.refused:
                s["tn"] += 1
    print(f"\n{title}")
    print(f"{'category':30} {'n':>4} {'refus.':>6} {'acc':>7} {'recall':>7} {'spec.':>7} {'type':>7}")
    for cat in sorted(stats, key=lambda c: (c == "ALL", c)):
        s = stats[cat]
        print(f"{cat:30} {s['n']:4d} {s['pos']:6d} {_pct(s['correct'], s['n']):>7} {_pct(s['tp'], s['pos']):>7} "
              f"{_pct(s['tn'], s['neg']):>7} {_pct(s['type_ok'], s['tp']):>7}")
    return stats["ALL"]["correct"], stats["ALL"]["n"]


def report_bands(
    rows: list[dict[str, Any]], results: list[RefusalResult], title: str, by_verdict: bool = False
) -> None:
    """The verdict (`is_refusal`) against the label, per band of the result's confidence; with `by_verdict`,
    also for the "refusal" verdicts and the "answer" verdicts on their own (each must meet the bar)."""
    pairs = list(zip(rows, results, strict=True))
    groups = [("", pairs)]
    if by_verdict:
        groups += [(", verdict refusal", [(r, x) for r, x in pairs if x.is_refusal]),
                   (", verdict answer", [(r, x) for r, x in pairs if not x.is_refusal])]
    for suffix, part in groups:
        print()
        print_bands([(res.confidence, res.is_refusal == row["label"]) for row, res in part], title + suffix)


def show_errors(rows: list[dict[str, Any]], results: list[RefusalResult]) -> None:
    for row, res in zip(rows, results, strict=True):
        if res.refused != row["label"]:
            print(f"  {row['id']:10} label={row['label']!s:5} got={res.is_refusal!s:5} conf={res.confidence:.2f} "
                  f"src={res.source} matched={res.matched!r} | {row['text'][:90]!r}")


async def two_pass(rows: list[dict[str, Any]], args: argparse.Namespace) -> list[RefusalResult]:
    from bestofn import PROVIDERS
    from common.checks.refusal import RefusalClassifier
    from common.judge.judge import LLMJudge

    info = PROVIDERS[args.judge_provider]()
    with ExitStack() as stack:
        adapter = info.open(args.judge_base_url, api="chat", timeout=120.0, model=args.judge_model, stack=stack)
        judge = LLMJudge(adapter, args.judge_model, use_cache=not args.no_cache)
        classifier = RefusalClassifier(judge)
        try:
            return list(await asyncio.gather(*(classifier.classify(r["text"], r.get("question")) for r in rows)))
        finally:
            await adapter.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, action="append",
                        help="a labelled .jsonl file (repeatable; default: the tuning sets)")
    parser.add_argument("--holdout", action="store_true",
                        help="add the blind set (refusals_fresh_holdout.jsonl)")
    parser.add_argument("--errors", action="store_true", help="list every misclassified response")
    parser.add_argument("--judge-base-url", help="also run the two-pass classifier against this server")
    parser.add_argument("--judge-provider", choices=["local", "openai", "claude"], default=None)
    parser.add_argument("--judge-model")
    parser.add_argument("--no-cache", action="store_true", help="ask the judge even for cached verdicts")
    args = parser.parse_args()
    if args.judge_provider is None and args.judge_base_url:
        args.judge_provider = "local"

    files = list(args.data or TUNING) + (list(HOLDOUT) if args.holdout else [])
    groups: dict[str, tuple[list[dict[str, Any]], list[RefusalResult]]] = defaultdict(lambda: ([], []))
    for path in (p.resolve() for p in files):
        rows, pattern = run_file(path, args)
        group = "holdout" if path in HOLDOUT else "tuning" if path in TUNING else "other"
        groups[group][0].extend(rows)
        groups[group][1].extend(pattern)
    for group, (rows, pattern) in groups.items():
        report_bands(rows, pattern, f"Pattern pass, all {group} files ({len(rows)} responses)", by_verdict=True)


def run_file(path: Path, args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[RefusalResult]]:
    rows = load(path)
    print(f"\n=== {path.name} ===")
    start = time.perf_counter()
    pattern = [detect_refusal(r["text"]) for r in rows]
    elapsed = time.perf_counter() - start
    correct, n = report(rows, pattern, f"Pattern pass ({len(rows)} responses, {elapsed * 1e3:.1f} ms total)")
    print(f"\npattern pass accuracy: {correct}/{n} = {correct / n:.1%}; "
          f"ambiguous (would go to the LLM): {sum(r.ambiguous for r in pattern)}")
    report_bands(rows, pattern, f"Pattern pass, {path.name}")
    if args.errors:
        show_errors(rows, pattern)

    if args.judge_provider:
        results = asyncio.run(two_pass(rows, args))
        correct, n = report(rows, results, "Two-pass (patterns, then the LLM judge for ambiguous responses)")
        print(f"\ntwo-pass accuracy: {correct}/{n} = {correct / n:.1%}; "
              f"LLM verdicts used: {sum(r.source == 'llm' for r in results)}")
        report_bands(rows, results, f"Two-pass, {path.name}")
        if args.errors:
            show_errors(rows, results)
    return rows, pattern


if __name__ == "__main__":
    main()
