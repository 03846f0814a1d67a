"""Accuracy and speed of the tool-calling verifier on the labelled tool-call set, per kind.

    python bench/tool_accuracy.py                    # the tuning set, tests/data/tool_calls.jsonl
    python bench/tool_accuracy.py --holdout          # the held-out third (do not tune on it)
    python bench/tool_accuracy.py --file PATH        # any file in the same format
    python bench/tool_accuracy.py --show-errors      # and list every disagreement

Each case is checked with `get_verifier("tool_calling").check_calls(calls, tools, reference=...)`, and
only `is_verified` is compared with the label (confidence is not scored). Per kind: n, accuracy, false
accepts (labelled False, verified) and false rejects (labelled True, not verified); then the overall
accuracy and the calls checked per second. The set is written by tests/data/make_tool_calls.py. The
script measures; it always exits 0, except when the set itself is malformed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the checkout: python bench/tool_accuracy.py
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data"
TUNE = DATA / "tool_calls.jsonl"
HOLDOUT = DATA / "tool_calls_holdout.jsonl"

KINDS = (
    "valid", "unknown_tool", "unknown_parameter", "missing_required", "wrong_type", "enum", "malformed_json",
    "bfcl_types", "reference_match", "reference_mismatch", "parallel_order", "irrelevance", "multiple",
)
KEYS = ("id", "kind", "tools", "calls", "reference", "expected", "note")


class SetError(ValueError):
    """The set itself is malformed; str(e) is one sentence."""


def load(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise SetError(f"{path} does not exist (run python tests/data/make_tool_calls.py).")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise SetError(f"{path.name} line {lineno} is not valid JSON ({e.msg}).") from None
        where = f"{path.name} line {lineno}"
        if not isinstance(row, dict):
            raise SetError(f"{where} is not a JSON object.")
        missing = [k for k in KEYS if k not in row]
        if missing:
            raise SetError(f"{where} lacks the key(s) {', '.join(missing)}.")
        if row["kind"] not in KINDS:
            raise SetError(f"{where} has the unknown kind {row['kind']!r}.")
        if not isinstance(row["expected"], bool):
            raise SetError(f"{where} has a non-boolean 'expected'.")
        if not isinstance(row["tools"], list) or not isinstance(row["calls"], list):
            raise SetError(f"{where} needs lists for 'tools' and 'calls'.")
        if not all(isinstance(c, dict) and "name" in c and "arguments" in c for c in row["calls"]):
            raise SetError(f"{where} has a call without 'name' and 'arguments'.")
        if row["reference"] is not None and not isinstance(row["reference"], list):
            raise SetError(f"{where} has a reference that is neither null nor a list.")
        if row["id"] in seen:
            raise SetError(f"{where} repeats the id {row['id']!r}.")
        seen.add(row["id"])
        rows.append(row)
    if not rows:
        raise SetError(f"{path} holds no cases.")
    return rows


def run(rows: list[dict[str, Any]]) -> tuple[list[Any], float]:
    from verifiers import get_verifier

    verifier = get_verifier("tool_calling")
    with contextlib.suppress(Exception):  # imports and first-use set-up outside the timing
        verifier.check_calls([], [], reference=None)
    results = []
    start = time.perf_counter()
    for row in rows:
        try:
            results.append(verifier.check_calls(row["calls"], row["tools"], reference=row["reference"]))
        except Exception as e:  # noqa: BLE001 - a crash is reported as a disagreement, not a stop
            results.append(e)
    return results, time.perf_counter() - start


def verdict(res: Any) -> bool | None:
    return None if isinstance(res, Exception) else bool(res.is_verified)


def reason(res: Any) -> str:
    if isinstance(res, Exception):
        return f"CRASH {type(res).__name__}: {res}"
    return str((getattr(res, "details", None) or {}).get("reason", ""))


def _pct(num: int, den: int) -> str:
    return f"{num / den:6.1%}" if den else "     -"


def report(rows: list[dict[str, Any]], results: list[Any], seconds: float, title: str) -> None:
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row, res in zip(rows, results, strict=True):
        got = verdict(res)
        for kind in (row["kind"], "ALL"):
            s = stats[kind]
            s["n"] += 1
            s["pos" if row["expected"] else "neg"] += 1
            s["correct"] += got == row["expected"]
            s["false_accept"] += (not row["expected"]) and got is True
            s["false_reject"] += row["expected"] and got is not True
            s["crash"] += got is None
    print(f"\n{title}")
    print(f"{'kind':20} {'n':>4} {'true':>5} {'acc':>7} {'f.acc':>6} {'f.rej':>6} {'crash':>6}")
    for kind in [k for k in KINDS if k in stats] + ["ALL"]:
        s = stats[kind]
        if kind == "ALL":
            print("-" * 60)
        print(f"{kind:20} {s['n']:4d} {s['pos']:5d} {_pct(s['correct'], s['n']):>7} {s['false_accept']:6d} "
              f"{s['false_reject']:6d} {s['crash']:6d}")
    s = stats["ALL"]
    n_calls = sum(len(r["calls"]) for r in rows)
    rate = f"{n_calls / seconds:,.0f}" if seconds > 0 else "-"
    print(f"\noverall accuracy: {s['correct']}/{s['n']} = {s['correct'] / s['n']:.1%} "
          f"(false accepts {s['false_accept']}, false rejects {s['false_reject']})")
    print(f"throughput: {n_calls} calls in {len(rows)} cases checked in {seconds * 1e3:.1f} ms = {rate} calls/s "
          f"({len(rows) / seconds:,.0f} cases/s)" if seconds > 0 else "throughput: -")


def show_errors(rows: list[dict[str, Any]], results: list[Any]) -> None:
    wrong = [(r, res) for r, res in zip(rows, results, strict=True) if verdict(res) != r["expected"]]
    print(f"\ndisagreements ({len(wrong)}):")
    for row, res in wrong:
        got = verdict(res)
        print(f"  {row['id']:8} {row['kind']:18} expected={row['expected']!s:5} got={got!s:5} "
              f"reason={reason(res)!r} | {row['note']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--holdout", action="store_true", help="use the held-out file")
    which.add_argument("--file", type=Path, help="use this file")
    parser.add_argument("--show-errors", action="store_true", help="list every disagreement with the labels")
    args = parser.parse_args()
    path = args.file or (HOLDOUT if args.holdout else TUNE)
    try:
        rows = load(path)
    except SetError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    try:
        results, seconds = run(rows)
    except Exception as e:  # noqa: BLE001 - the verifier may not exist yet; report, do not fail
        print(f"could not run the tool-calling verifier: {type(e).__name__}: {e}")
        return
    report(rows, results, seconds, f"{path.name}: {len(rows)} cases")
    if args.show_errors:
        show_errors(rows, results)


if __name__ == "__main__":
    main()
