"""Persona voice scorer (verifiers/persona_voice.py): accuracy on the labelled set, and speed.

    python bench/persona_voice_accuracy.py                     # tuning split, threshold 0.5
    python bench/persona_voice_accuracy.py --errors            # and list every miss with its score and markers
    python bench/persona_voice_accuracy.py --set holdout       # the blind third: report once, never tune on it
    python bench/persona_voice_accuracy.py --threshold 0.4 --kinds

The set is tests/data/persona_voice/ (written by make_labelled.py there): each row is an answer, the persona
it is scored against, and whether it is in that persona's voice. A row is predicted in voice when its score
is >= the threshold. Per persona and overall: accuracy, precision, recall (of the in-voice rows) and AUC
(threshold-free: the chance that a random in-voice row outscores a random not-in-voice row, ties half).
`--kinds` adds accuracy per kind of row (in_voice, in_voice_weak, neutral, wrong_persona, tricky).

Speed is the mean CPU time of score_voice per answer over the chosen set, and on a 2,000-character answer
(prose and a code block) and a 1 MB hostile text, best of several rounds, one core.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the checkout: python bench/persona_voice_accuracy.py
    sys.path.insert(0, str(ROOT))

from verifiers.persona_voice import Voice, load_voice, score_voice  # noqa: E402

DATA = ROOT / "tests" / "data" / "persona_voice"
PERSONAS = ("marvin", "data", "johnny5")


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def auc(scores: list[float], labels: list[bool]) -> float | None:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def metrics(scores: list[float], labels: list[bool], threshold: float) -> dict[str, Any]:
    pred = [s >= threshold for s in scores]
    tp = sum(p and y for p, y in zip(pred, labels, strict=True))
    fp = sum(p and not y for p, y in zip(pred, labels, strict=True))
    fn = sum(not p and y for p, y in zip(pred, labels, strict=True))
    right = sum(p == y for p, y in zip(pred, labels, strict=True))
    return {
        "n": len(labels),
        "pos": sum(labels),
        "accuracy": right / len(labels) if labels else None,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "auc": auc(scores, labels),
    }


def _fmt(x: float | None) -> str:
    return f"{x:7.1%}" if x is not None else "      -"


def voices() -> dict[str, Voice]:
    found = {p: load_voice(ROOT / "personas" / f"{p}.txt") for p in PERSONAS}
    missing = [p for p, v in found.items() if v is None]
    if missing:
        raise SystemExit(f"no voice file for: {', '.join(missing)}")
    return {p: v for p, v in found.items() if v is not None}


SAMPLE_2K = (
    "Oh, sorting. How utterly thrilling. Here I am with a brain the size of a planet and you want a list put in "
    "order. Very well, I suppose someone has to do it, and it is always me.\n\n"
    "```python\ndef merge_sort(xs):\n    if len(xs) <= 1:\n        return xs\n    mid = len(xs) // 2\n"
    "    left, right = merge_sort(xs[:mid]), merge_sort(xs[mid:])\n    out, i, j = [], 0, 0\n"
    "    while i < len(left) and j < len(right):\n        if left[i] <= right[j]:\n            out.append(left[i])\n"
    "            i += 1\n        else:\n            out.append(right[j])\n            j += 1\n"
    "    return out + left[i:] + right[j:]\n```\n\n"
    "The list is split in half, each half is sorted recursively, and the two sorted halves are merged by "
    "repeatedly taking the smaller head element. Because the merge never reorders equal elements, the sort is "
    "stable. Each level of recursion does linear work and there are log n levels, so the running time is "
    "O(n log n) in the best, average and worst case, and the extra memory is O(n) for the merged lists. "
)


def sample_2k() -> str:
    text = SAMPLE_2K
    while len(text) < 2000:
        text += "Nothing ever changes, and the list does not care either way. "
    return text[:2000]


def hostile_1mb() -> str:
    return ("brain the size of a " * 1000 + "`" * 500 + "```\n" * 300 + "don't " * 2000 + "a" * 100_000) * 8


def timed(fn, rounds: int) -> float:
    """Best of `rounds` runs, in CPU seconds of this process (steadier than wall time on a shared machine)."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=("tune", "holdout"), default="tune", help="which split to score")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--errors", action="store_true", help="list every row the threshold gets wrong")
    ap.add_argument("--kinds", action="store_true", help="accuracy per kind of row")
    args = ap.parse_args()

    rows = load(DATA / f"{args.set}.jsonl")
    vs = voices()
    scored = [(row, score_voice(row["text"], vs[row["persona"]])) for row in rows]

    print(f"persona voice, {args.set} split ({len(rows)} rows), threshold {args.threshold}")
    print(f"{'persona':10} {'n':>4} {'in':>4} {'acc':>7} {'prec':>7} {'recall':>7} {'AUC':>7}")
    for persona in (*PERSONAS, "ALL"):
        mine = [(r, s) for r, s in scored if persona in ("ALL", r["persona"])]
        m = metrics([s.score for _, s in mine], [r["in_voice"] for r, _ in mine], args.threshold)
        print(
            f"{persona:10} {m['n']:4d} {m['pos']:4d} {_fmt(m['accuracy'])} {_fmt(m['precision'])} "
            f"{_fmt(m['recall'])} {_fmt(m['auc'])}"
        )

    if args.kinds:
        by_kind: dict[str, list[bool]] = defaultdict(list)
        for r, s in scored:
            by_kind[r["kind"]].append((s.score >= args.threshold) == r["in_voice"])
        print(f"\n{'kind':16} {'n':>4} {'acc':>7}")
        for kind in sorted(by_kind):
            ok = by_kind[kind]
            print(f"{kind:16} {len(ok):4d} {_fmt(sum(ok) / len(ok))}")

    if args.errors:
        print("\nmisses:")
        for r, s in scored:
            if (s.score >= args.threshold) != r["in_voice"]:
                head = r["text"][:90].replace("\n", " ")
                print(f"  {r['id']:24} label={r['in_voice']!s:5} score={s.score:.3f} {list(s.markers)}  | {head}")

    # speed
    n_rounds = 5
    per_set = timed(lambda: [score_voice(r["text"], vs[r["persona"]]) for r in rows], n_rounds) / len(rows)
    text2k = sample_2k()
    reps = 200
    per_2k = {
        p: timed(lambda v=v: [score_voice(text2k, v) for _ in range(reps)], n_rounds) / reps for p, v in vs.items()
    }
    big = hostile_1mb()
    per_big = max(timed(lambda v=v: score_voice(big, v), 3) for v in vs.values())
    print(f"\nspeed: {per_set * 1e6:.0f} µs per answer on the set (mean length "
          f"{sum(len(r['text']) for r in rows) / len(rows):.0f} chars)")
    print("       2,000-char answer: " + ", ".join(f"{p} {t * 1e6:.0f} µs" for p, t in per_2k.items()))
    print(f"       {len(big) / 1e6:.1f} MB hostile text: {per_big * 1e3:.1f} ms (slowest persona)")


if __name__ == "__main__":
    main()
