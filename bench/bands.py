"""Confidence bands: how often verdicts in each band of confidence were right.

Shared by the accuracy benches (math, code, refusals). A verdict's confidence is its confidence in
the verdict it gives (a confident "wrong" is (False, 0.95)), so "right" means the verdict matched
the label. The bar (design.md, verifiers/README.md): at >= 0.9, right at least 97% of the time.

    from bands import band_table, print_bands
    print_bands([(0.95, True), (0.5, False)], title="math, tuning split")
"""

from __future__ import annotations

from collections.abc import Iterable

from verifiers.math.calibration import wilson_lower  # the same bound the math confidences are set from

__all__ = ["BANDS", "band_table", "print_bands", "wilson_lower"]

# (lower bound, label), highest first; a verdict falls in the first band whose bound it reaches.
BANDS = ((0.9, ">= 0.9"), (0.7, "0.7-0.9"), (0.4, "0.4-0.7"), (0.0, "< 0.4"))
BAR = {">= 0.9": 0.97}


def band_of(confidence: float) -> str:
    for low, label in BANDS:
        if confidence >= low:
            return label
    return BANDS[-1][1]


def band_table(verdicts: Iterable[tuple[float, bool]]) -> list[dict[str, object]]:
    """Rows `{band, verdicts, right, share, lower95}` for (confidence, right) pairs, every band listed."""
    counts = {label: [0, 0] for _, label in BANDS}
    for confidence, right in verdicts:
        cell = counts[band_of(confidence)]
        cell[0] += bool(right)
        cell[1] += 1
    return [
        {"band": label, "verdicts": n, "right": ok, "share": ok / n if n else None, "lower95": wilson_lower(ok, n)}
        for label, (ok, n) in counts.items()
    ]


def print_bands(verdicts: Iterable[tuple[float, bool]], title: str) -> list[dict[str, object]]:
    rows = band_table(verdicts)
    total = sum(int(r["verdicts"]) for r in rows)  # type: ignore[call-overload]
    print(f"confidence bands: {title} ({total} verdicts)")
    print(f"  {'confidence':<10} {'verdicts':>8} {'right':>7} {'share':>7} {'95% low':>8}  bar")
    for r in rows:
        share = "-" if r["share"] is None else f"{r['share']:.1%}"
        low = "-" if not r["verdicts"] else f"{r['lower95']:.1%}"
        bar = BAR.get(str(r["band"]))
        mark = "" if bar is None or not r["verdicts"] else (" ok" if r["share"] >= bar else " BELOW")  # type: ignore[operator]
        bar_text = f">= {bar:.0%}{mark}" if bar else ""
        print(f"  {r['band']:<10} {r['verdicts']:>8} {r['right']:>7} {share:>7} {low:>8}  {bar_text}")
    return rows
