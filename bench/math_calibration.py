"""Re-derive the math verifier's calibration table (verifiers/math/calibration.py) from the tuning data.

    python bench/math_calibration.py [--write]

Runs `MathVerifier` (inline, the production extraction and comparison, with the calibration caps
switched off) on both tuning files, tests/data/math_outside.jsonl and tests/data/math_pairs.jsonl, and
for every kind of verdict, (reason, verdict), counts how often it was right. It then prints:

- per kind: n, right, share, the 95% Wilson lower bound, the comparer's own highest confidence and the
  cap `verifiers.math.calibration.cap_for` sets (measured kinds: the Wilson bound; rare ones: shrunk
  share, at most RARE_CAP unless an exact comparison);
- the confidence bands of the tuning data with the comparer's raw confidences and with the caps;
- the `CAPS` dict to commit. `--write` replaces the block between "# BEGIN CAPS" and "# END CAPS" in
  verifiers/math/calibration.py with it.

The blind holdout (tests/data/math_outside_holdout.jsonl) is never read here: calibrating on it would
make its figures meaningless. "no_answer" verdicts whose response clearly holds no answer (the
verifier's own test) are reported apart: they keep NO_ANSWER_CLEAR and are not part of the table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bands import print_bands  # noqa: E402

import verifiers.math.verifier as verifier_module  # noqa: E402
from verifiers.math import calibration  # noqa: E402
from verifiers.math.extract import gold_answer  # noqa: E402

TUNING = (ROOT / "tests" / "data" / "math_outside.jsonl", ROOT / "tests" / "data" / "math_pairs.jsonl")
CALIBRATION_FILE = ROOT / "verifiers" / "math" / "calibration.py"


def _rows() -> list[dict[str, Any]]:
    rows = []
    for path in TUNING:
        assert "holdout" not in path.name
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def _run(rows: list[dict[str, Any]]) -> list[tuple[str, bool, bool, float]]:
    """(reason, verdict, right, raw confidence) per row, with the calibration caps switched off."""
    v = verifier_module.MathVerifier(inline=True, calibrate=False)
    out = []
    for r in rows:
        context = {k: r[k] for k in ("question", "final_answer") if k in r}
        res = v.verify(r["candidate"], r["gold"], **context)
        reason = str(res.details.get("reason"))
        if reason == "no_answer" and verifier_module._clearly_unanswered(r["candidate"], gold_answer(r["gold"])):
            reason = "no_answer (clear)"
        out.append((reason, res.is_verified, res.is_verified == r["label"], res.confidence))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="write the CAPS dict into verifiers/math/calibration.py")
    args = ap.parse_args()
    rows = _run(_rows())
    per: dict[tuple[str, bool], list[Any]] = defaultdict(lambda: [0, 0, 0.0])
    for reason, verdict, right, conf in rows:
        cell = per[(reason, verdict)]
        cell[0] += right
        cell[1] += 1
        cell[2] = max(cell[2], conf)
    caps: dict[tuple[str, bool], float] = {}
    print(f"{len(rows)} tuning verdicts ({', '.join(p.name for p in TUNING)})\n")
    print(f"{'reason':<30} {'verdict':<7} {'n':>5} {'right':>6} {'share':>7} {'wilson95':>9} {'own max':>8} {'cap':>6}")
    for (reason, verdict), (ok, n, conf) in sorted(per.items(), key=lambda kv: (-kv[1][1], kv[0])):
        if reason == "no_answer (clear)":
            cap_text = f"{calibration.NO_ANSWER_CLEAR:.2f}*"
        elif reason in calibration.UNCAPPED:
            cap_text = "-*"
        else:
            caps[(reason, verdict)] = calibration.cap_for(reason, ok, n)
            cap_text = f"{caps[(reason, verdict)]:.2f}"
        print(f"{reason:<30} {verdict!s:<7} {n:>5} {ok:>6} {ok / n:>7.1%} {calibration.wilson_lower(ok, n):>9.1%} "
              f"{conf:>8.2f} {cap_text:>6}")
    print("\n* not in the table: the response clearly holds no answer (NO_ANSWER_CLEAR), or UNCAPPED\n")

    print_bands([(conf, right) for _, _, right, conf in rows], "tuning data, comparer's own confidences")
    print()
    capped = []
    for reason, verdict, right, conf in rows:
        cap = caps.get((reason, verdict), calibration.NO_ANSWER_CLEAR if reason == "no_answer (clear)" else 1.0)
        capped.append((round(min(conf, cap), 2), right))
    print_bands(capped, "tuning data, calibrated")

    body = "CAPS: dict[tuple[str, bool], float] = {\n" + "".join(
        f"    ({reason!r}, {verdict}): {cap},\n" for (reason, verdict), cap in sorted(caps.items())
    ) + "}"
    print("\n# BEGIN CAPS\n" + body + "\n# END CAPS")
    if args.write:
        text = CALIBRATION_FILE.read_text(encoding="utf-8")
        new = re.sub(r"# BEGIN CAPS\n.*?# END CAPS", lambda _: f"# BEGIN CAPS\n{body}\n# END CAPS", text, flags=re.S)
        CALIBRATION_FILE.write_text(new, encoding="utf-8")
        print(f"\nwritten to {CALIBRATION_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
