"""One self-contained HTML report of bestofn results (`inspect_experiment.py FILE... --html OUT.html`).

`write_report(data, frame, out_path)` takes
- `data`: `inspect_experiment.summarize` output extended by `inspect_experiment.report_data` (verdicts and
  usage for every model and persona, the worst queries). Every number that exists there is read from
  there, never computed again;
- `frame`: the loaded, normalised rows (only the summarised columns, no response text), for the
  distributions the summary does not keep: confidence, latency, refusal types, tool calls, persona voice.
The prompts and candidates of the worst queries are read back from the files named in `data["files"]`,
only those queries' rows, only the columns shown.

The page has no script and loads nothing: CSS is inline, plots are inline SVG, and a Content-Security-
Policy forbids everything else. Every string that came from a file (model output, prompts, reasons,
names) is HTML-escaped; model output is hostile input. The file is written to a temporary name next to
the target and renamed over it, so a crash never leaves half a report.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from common.report import plots

# inspect_experiment's name for a missing label (a row with no persona has persona "(none)").
NO_LABEL = "(none)"
SECTIONS = (
    ("overview", "Overview"),
    ("verified", "Verified share"),
    ("pass-at-k", "pass@k"),
    ("confidence", "Confidence by verification method"),
    ("judge", "LLM judge and local verifier"),
    ("refusals", "Refusals"),
    ("cost", "Tokens and cost per verified candidate"),
    ("latency", "Latency"),
    ("tools", "Tool calling"),
    ("persona-voice", "Persona voice"),
    ("worst-queries", "Worst queries"),
)
# Every plot the report can draw; each is a <figure data-plot="…" id="plot-…">, or, without data, a
# <p class="empty" data-empty="…"> sentence saying why.
PLOT_IDS = (
    "verified-by-split",
    "verified-by-model",
    "verified-by-persona",
    "pass-at-k",
    "pass-at-k-by-model",
    "confidence-by-method",
    "judge-agreement",
    "judge-disagreement",
    "refusal-by-type",
    "cost-per-verified-model",
    "cost-per-verified-persona",
    "latency",
    "tool-calling",
    "persona-voice",
)
PROMPT_PREVIEW = 1_200  # characters of a prompt shown before "show all"
RESPONSE_SHOWN = 4_000  # characters of a candidate shown when it is opened
TEXT_LIMIT = 20_000  # the most of any one text the page carries
SUMMARY_TEXT = 60  # characters of an extracted answer in a candidate's one-line summary
MAX_CANDIDATES = 24  # candidates listed per worst query
# What a worst query's candidates show, read back from the files (absent columns are skipped).
QUERY_COLUMNS = ("query_id", "split", "candidate_idx", "question", "system_prompt", "model", "persona", "response",
                 "final_answer", "is_verified", "verification_method", "verification_reason", "confidence",
                 "verification_explanation", "extracted_answer", "ground_truth", "is_refusal", "refusal_type", "error",
                 "judge_error")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CSS = """
:root { color-scheme: light; --muted: #5f6368; --line: #dadce0; --bad: #b3261e; --good: #1e7b34; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #202124;
       background: #fff; }
header, main { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 16px; }
h1 { font-size: 22px; margin: 8px 0; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
h4 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); }
nav ul { list-style: none; padding: 0; margin: 4px 0 12px; display: flex; flex-wrap: wrap; gap: 4px 14px; }
a { color: #1a5fb4; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; padding-left: 10px; }
figure.plot { margin: 10px 0 16px; }
figure.plot svg { max-width: 100%; height: auto; display: block; }
figcaption, .note { color: var(--muted); font-size: 12.5px; }
p.empty { color: var(--muted); font-style: italic; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; border: 1px solid var(--line);
      padding: 6px 8px; margin: 4px 0; font-size: 12.5px; max-height: 480px; overflow-y: auto; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px;
              overflow-wrap: anywhere; }
details { margin: 3px 0; }
details > summary { cursor: pointer; overflow-wrap: anywhere; }
details.cand { border-left: 3px solid var(--line); padding-left: 8px; }
details.cand.fail { border-left-color: var(--bad); }
details.cand.pass { border-left-color: var(--good); }
.mark-fail { color: var(--bad); font-weight: 600; }
.mark-pass { color: var(--good); font-weight: 600; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
article.query { border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px 10px; margin: 12px 0; }
.tag { display: inline-block; background: #eef1f5; border-radius: 4px; padding: 0 6px; font-size: 12px;
       font-weight: normal; }
"""
# No script, no request: the page can show only itself. 'unsafe-inline' covers the <style> above and
# the style attributes of the inline SVG; anything else, were escaping ever to fail, would not run.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class ReportError(Exception):
    """The report cannot be written where asked (a folder, a missing or read-only folder): one sentence."""


# ---------------------------------------------------------------- small helpers


def esc(value: Any) -> str:
    """Text from a file as HTML text: markup characters escaped, control characters shown as `\\xNN`."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return html.escape(text, quote=True)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _int(value: float | None) -> str:
    return "—" if value is None else f"{int(value):,}"


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() and digits == 0 else f"{value:,.{digits}f}"


def _usd(value: float | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.4f}" if value >= 0.01 else f"${value:.6f}"


def _ratio(part: int, whole: int) -> str:
    return f"{_pct(part / whole if whole else None)} ({part:,}/{whole:,})"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Iterable[int] = (),
           caption: str | None = None) -> str:
    """An escaped table; `numeric` names the right-aligned columns by index."""
    right = set(numeric)
    head = "".join(f'<th{" class=n" if i in right else ""}>{esc(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if i in right else ""}>{esc(c)}</td>' for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    note = f'<p class="note">{esc(caption)}</p>' if caption else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def _figure(plot_id: str, svg: str, caption: str) -> str:
    return (f'<figure class="plot" id="plot-{plot_id}" data-plot="{plot_id}">{svg}'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def _empty(plot_id: str | None, sentence: str) -> str:
    marker = f' data-empty="{plot_id}"' if plot_id else ""
    return f'<p class="empty"{marker}>{esc(sentence)}</p>'


def _joined(split: str, name: str, several: bool) -> str:
    return f"{name} · {split}" if several else name


def _voiced_files(files: list[dict[str, Any]], column: str) -> tuple[list[str], list[str]]:
    """The files whose schema has `column`, and those without it."""
    have, lack = [], []
    for meta in files:
        try:
            names = pq.read_schema(meta["file"]).names
        except (pa.ArrowException, OSError):
            names = []
        (have if column in names else lack).append(str(meta["file"]))
    return have, lack


# ---------------------------------------------------------------- sections


def _overview(data: dict[str, Any]) -> str:
    info = data["overview"]
    rows = [("rows", f"{info['rows']:,}"), ("queries", f"{info['queries']:,}"),
            ("most candidates per query", f"{info['max_candidates_per_query']:,}")]
    rows += [(key.replace("_", " "), ", ".join(info[key]) or "—")
             for key in ("splits", "models", "providers", "personas", "run_ids")]
    files = []
    for meta in data["files"]:
        extra = ""
        for key in ("notes", "config", "versions"):
            if key in meta:
                value = meta[key] if isinstance(meta[key], str) else json.dumps(meta[key], indent=2, default=str)
                extra += f"<details><summary>{esc(key)}</summary><pre>{esc(_clip(value, TEXT_LIMIT))}</pre></details>"
        files.append(f"<li><span class=mono>{esc(meta['file'])}</span> ({meta['rows']:,} rows){extra}</li>")
    return (_table(("field", "value"), rows) + f"<h3>Files</h3><ul>{''.join(files)}</ul>"
            + '<p class="note">Shares exclude null verdicts (no verifier ran); split-level numbers pool every '
              "model and persona of a query.</p>")


def _verified(data: dict[str, Any]) -> str:
    splits = data["splits"]
    rows, bars, silent = [], [], []
    for split, d in splits.items():
        v, fb = d["verified"], d["first_vs_best"]
        rows.append((split, f"{v['rows']:,}", f"{v['verifiable']:,}", f"{v['verified']:,}", _pct(v["share"]),
                     f"{v['unverifiable']:,}", _pct(fb["first_share"]), _pct(fb["best_of_n"]),
                     ", ".join(f"{m} ({n:,})" for m, n in v["methods"].items())))
        if v["share"] is None:
            silent.append(split)
        else:
            bars.append((split, v["share"], _ratio(v["verified"], v["verifiable"])))
    out = [_table(("split", "rows", "verifiable", "verified", "share", "no verdict", "first candidate", "best-of-N",
                   "methods"), rows, numeric=range(1, 8))]
    if bars:
        out.append(_figure("verified-by-split", plots.share_bars("verified-by-split", bars, "Verified share by split"),
                           "Verified / verifiable candidates per split."))
    else:
        out.append(_empty("verified-by-split", "No split has a verdict: no verifier ran on these rows."))
    if silent:
        out.append(f'<p class="note">No verdicts (not plotted): {esc(", ".join(silent))}.</p>')
    several_splits = len(splits) > 1
    for column in ("model", "persona"):
        groups = data["breakdowns"].get(column, {})
        plot_id = f"verified-by-{column}"
        rows, bars = [], []
        for value, per_split in groups.items():
            for split, d in per_split.items():
                v, fb, curve = d["verified"], d["first_vs_best"], d["pass_at_k"]
                rows.append((value, split, f"{v['rows']:,}", f"{v['verifiable']:,}", f"{v['verified']:,}",
                             _pct(v["share"]), _pct(fb["best_of_n"]), _pct(curve[0]["pass_at_k"] if curve else None)))
                if v["share"] is not None:
                    bars.append((_joined(split, value, several_splits), v["share"],
                                 _ratio(v["verified"], v["verifiable"])))
        out.append(f"<h3>By {esc(column)}</h3>")
        if bars:
            left = len(bars) - plots.MAX_BARS
            caption = f"Verified / verifiable candidates per {column}" + (" and split" if several_splits else "")
            caption += f"; {left:,} more bars in the table only." if left > 0 else "."
            out.append(_figure(plot_id, plots.share_bars(plot_id, bars, f"Verified share by {column}"), caption))
        else:
            out.append(_empty(plot_id, f"No {column} has a verdict to plot."))
        if rows:
            out.append(_table((column, "split", "rows", "verifiable", "verified", "share", "best-of-N", "pass@1"),
                              rows, numeric=range(2, 8)))
    return "".join(out)


def _pass_at_k(data: dict[str, Any]) -> str:
    curves = {split: [(p["k"], p["pass_at_k"]) for p in d["pass_at_k"]] for split, d in data["splits"].items()}
    curves = {split: points for split, points in curves.items() if points}
    if not curves:
        return (_empty("pass-at-k", "No query has a verifiable candidate, so there is no pass@k curve.")
                + _empty("pass-at-k-by-model", "No pass@k by model either."))
    out = [_figure("pass-at-k", plots.curves("pass-at-k", {"": curves}, "pass@k by split"),
                   "Unbiased estimator (Chen et al. 2021), k = 1..N, averaged over the queries with at least k "
                   "verifiable candidates.")]
    models = data["breakdowns"].get("model", {})
    panels: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for model, per_split in models.items():
        for split, d in per_split.items():
            if d["pass_at_k"]:
                panels.setdefault(split, {})[model] = [(p["k"], p["pass_at_k"]) for p in d["pass_at_k"]]
    if len(models) > 1 and panels:
        caption = "pass@k per model, one panel per split."
        if len(models) > plots.MAX_SERIES:
            caption += f" The first {plots.MAX_SERIES} models by name are drawn."
        out.append(_figure("pass-at-k-by-model", plots.curves("pass-at-k-by-model", dict(sorted(panels.items())),
                                                              "pass@k by model"), caption))
    else:
        out.append(_empty("pass-at-k-by-model", "One model only: its curve is the one above."))
    rows = [(split, p["k"], _pct(p["pass_at_k"]), f"{p['queries']:,}")
            for split, d in data["splits"].items() for p in d["pass_at_k"]]
    out.append("<details><summary>pass@k values</summary>"
               + _table(("split", "k", "pass@k", "queries"), rows, numeric=(1, 2, 3)) + "</details>")
    return "".join(out)


def _confidence(frame: pd.DataFrame) -> str:
    rated = frame.loc[frame["confidence"].notna(), ["verification_method", "confidence"]]
    if rated.empty:
        return _empty("confidence-by-method", "No row records a confidence.")
    panels: dict[str, dict[str, list[float]]] = {}
    rows = []
    for method, part in rated.groupby("verification_method", sort=True):
        values = part["confidence"].astype("float64")
        panels[str(method)] = {str(method): values.tolist()}
        rows.append((method, f"{len(values):,}", _num(values.mean(), 3), _num(values.median(), 3),
                     _num(values.min(), 3), _num(values.max(), 3)))
    low, high = float(rated["confidence"].min()), float(rated["confidence"].max())
    value_range = (min(0.0, low), max(1.0, high))
    svg = plots.histograms("confidence-by-method", panels, "Confidence by verification method", "confidence",
                           value_range=value_range)
    return (_figure("confidence-by-method", svg, "Histogram of the recorded confidence, one panel per "
                    "verification method (rows without a confidence are left out).")
            + _table(("method", "rows", "mean", "median", "min", "max"), rows, numeric=range(1, 6)))


def _judge(data: dict[str, Any]) -> str:
    judged = {split: d["judge"] for split, d in data["splits"].items() if "judge" in d}
    if not judged:
        return (_empty("judge-agreement", "The LLM judge was not asked on any row (no judge verdict or judge error "
                                          "recorded), so there is no agreement to show.")
                + _empty("judge-disagreement", "No judge verdicts."))
    several = len(judged) > 1
    bars = []
    for split, j in judged.items():
        if j["both"]:
            bars.append((_joined(split, "all", several), j["agreement"], _ratio(j["agree"], j["both"])))
        for band in j["by_local_confidence"]:
            bars.append((_joined(split, f"local confidence {band['band']}", several), band["agreement"],
                         _ratio(band["agree"], band["both"])))
    out = []
    if bars:
        out.append(_figure("judge-agreement", plots.share_bars("judge-agreement", bars, "Judge agrees with the local "
                                                                "verifier", xlabel="agreement"),
                           "Rows with both a local and a judge verdict, overall and by band of the local "
                           "verifier's confidence."))
        with_pairs = [s for s, j in judged.items() if j["both"]]
        parts = {"agree": [judged[s]["agree"] for s in with_pairs],
                 "local ✓ judge ✗": [judged[s]["local_yes_judge_no"] for s in with_pairs],
                 "local ✗ judge ✓": [judged[s]["local_no_judge_yes"] for s in with_pairs]}
        out.append(_figure("judge-disagreement", plots.stacked_counts("judge-disagreement", with_pairs, parts,
                                                                      "Agreement and the two ways to disagree",
                                                                      "rows with both verdicts"),
                           "Counts per split."))
    else:
        out.append(_empty("judge-agreement", "The judge was asked, but no row has both a judge verdict and a real "
                                             "local verdict to compare."))
        out.append(_empty("judge-disagreement", "Nothing to compare."))
    rows = []
    for split, j in judged.items():
        rows.append((split, "all", f"{j['asked']:,}", f"{j['decided']:,} ({_pct(j['decided_share'])})",
                     f"{j['failed']:,}", f"{j['both']:,}", _pct(j["agreement"]), f"{j['local_yes_judge_no']:,}",
                     f"{j['local_no_judge_yes']:,}"))
        rows += [(split, band["band"], "", "", "", f"{band['both']:,}", _pct(band["agreement"]), "", "")
                 for band in j["by_local_confidence"]]
    out.append(_table(("split", "local confidence", "asked", "decided", "failed", "both verdicts", "agreement",
                       "local ✓ judge ✗", "local ✗ judge ✓"), rows, numeric=range(2, 9),
                      caption="decided: share of the split's verdicts the judge gave"))
    return "".join(out)


def _refusals(data: dict[str, Any], frame: pd.DataFrame) -> str:
    splits = data["splits"]
    checked_rows = frame[frame["is_refusal"].notna()]
    if checked_rows.empty:
        return _empty("refusal-by-type", "No refusal check ran on these rows (is_refusal is null everywhere).")
    refused = checked_rows[checked_rows["is_refusal"].astype(bool)]
    kind = refused["refusal_type"].astype(str).replace(NO_LABEL, "unspecified")
    by_split = kind.groupby(refused["split"]).value_counts()
    several = len(splits) > 1
    rows, bars = [], []
    for split, d in splits.items():
        r = d["rates"]
        checked = r["refusal_checked"]
        counts = by_split.get(split, pd.Series(dtype="int64")) if len(by_split) else pd.Series(dtype="int64")
        types = {str(k): int(v) for k, v in counts.items()}
        rows.append((split, f"{checked:,}", _pct(r["refusal_rate"]),
                     ", ".join(f"{t}: {_ratio(n, checked)}" for t, n in sorted(types.items())) or "—"))
        for refusal_type, count in sorted(types.items()):
            bars.append((_joined(split, refusal_type, several), count / checked, _ratio(count, checked)))
    out = []
    if bars:
        out.append(_figure("refusal-by-type", plots.share_bars("refusal-by-type", bars, "Refusal rate by type",
                                                               xlabel="share of checked candidates", full_scale=False),
                           "Candidates recorded as refusals, by refusal_type, over the candidates checked."))
    else:
        out.append(_empty("refusal-by-type", f"No candidate was recorded as a refusal ({len(checked_rows):,} "
                                             "checked)."))
    out.append(_table(("split", "checked", "refusal rate", "by type"), rows, numeric=(1, 2)))
    return "".join(out)


def _cost(data: dict[str, Any]) -> str:
    use = data["usage"]
    overall = f"Total cost {_usd(use['cost_usd_total'])} over {use['cost_rows']:,} priced rows"
    if use["cost_per_verified_usd"] is not None:
        overall += f"; {_usd(use['cost_per_verified_usd'])} per verified candidate"
    if use.get("unpriced_rows"):
        overall += (f"; {use['unpriced_rows']:,} rows have no listed price, so no overall cost per verified candidate "
                    "is made up")
    out = [f'<p class="note">{esc(overall)}.</p>']
    for column in ("model", "persona"):
        plot_id = f"cost-per-verified-{column}"
        usage_by = data.get("usage_by", {}).get(column, {})
        groups = data["breakdowns"].get(column, {})
        rows = []
        token_bars, cost_bars = [], []
        for value, use in usage_by.items():
            per_split = groups.get(value, {})
            verified = sum(d["verified"]["verified"] for d in per_split.values())
            rows_n = sum(d["verified"]["rows"] for d in per_split.values())
            tin, tout = use["metrics"]["input_tokens"]["total"], use["metrics"]["output_tokens"]["total"]
            tokens = None if tin is None and tout is None else (tin or 0) + (tout or 0)
            per_token = tokens / verified if tokens is not None and verified else None
            per_cost = use["cost_per_verified_usd"]
            note = f" ({use['unpriced_rows']:,} unpriced rows)" if use["unpriced_rows"] else ""
            rows.append((value, f"{rows_n:,}", f"{verified:,}", _int(tin), _int(tout), _num(per_token, 0),
                         _usd(use["cost_usd_total"]), _usd(per_cost) + note))
            if per_token is not None:
                token_bars.append((value, per_token, f"{per_token:,.0f}"))
            if per_cost is not None:
                cost_bars.append((value, per_cost, _usd(per_cost)))
        out.append(f"<h3>By {esc(column)}</h3>")
        panels = {name: bars for name, bars in (("tokens (input + output) per verified candidate", token_bars),
                                                ("USD per verified candidate", cost_bars)) if bars}
        if panels:
            out.append(_figure(plot_id, plots.value_bars(plot_id, panels, f"Cost of a verified candidate by {column}"),
                               "Totals over all of a group's candidates divided by its verified candidates; no USD "
                               "bar where a row had no listed price."))
        else:
            out.append(_empty(plot_id, f"No {column} has both token or cost counts and a verified candidate."))
        if rows:
            out.append(_table((column, "rows", "verified", "input tokens", "output tokens", "tokens / verified",
                               "cost", "cost / verified"), rows, numeric=range(1, 8)))
    return "".join(out)


def _latency(data: dict[str, Any], frame: pd.DataFrame) -> str:
    timed = frame.loc[frame["latency_s"].notna(), ["model", "latency_s"]]
    if timed.empty:
        return _empty("latency", "No row records a latency (latency_s).")
    values = timed["latency_s"].astype("float64")
    p99 = float(values.quantile(0.99))
    cut = float(values.max()) > 3 * p99 > 0
    shown = timed[values <= p99] if cut else timed
    models = sorted(shown["model"].unique())
    series = ({str(m): shown.loc[shown["model"] == m, "latency_s"].tolist() for m in models}
              if 1 < len(models) <= plots.MAX_SERIES else {"all candidates": shown["latency_s"].tolist()})
    caption = "Seconds per candidate (one request, or the whole tool loop)"
    if cut:
        caption += f"; the x axis stops at the 99th percentile ({p99:,.2f} s), slower rows are in the table"
    caption += "."
    svg = plots.histograms("latency", {"latency": series}, "Latency distribution", "seconds", bins=30)
    rows = []
    overall = data["usage"]["metrics"]["latency_s"]
    rows.append(("all", f"{overall['count']:,}", _num(overall["mean"]), _num(overall["median"]), _num(overall["p95"]),
                 _num(float(values.max()))))
    for model, use in data.get("usage_by", {}).get("model", {}).items():
        m = use["metrics"]["latency_s"]
        if m["count"]:
            top = timed.loc[timed["model"] == model, "latency_s"].max()
            rows.append((model, f"{m['count']:,}", _num(m["mean"]), _num(m["median"]), _num(m["p95"]), _num(top)))
    return _figure("latency", svg, caption) + _table(("model", "rows", "mean s", "median s", "p95 s", "max s"), rows,
                                                     numeric=range(1, 6))


def _tools(data: dict[str, Any], frame: pd.DataFrame) -> str:
    tools = {split: d["tool_calling"] for split, d in data["splits"].items() if "tool_calling" in d}
    if not tools:
        return _empty("tool-calling", "No candidate ran a tool loop (num_tool_calls is null on every row).")
    looped = frame[frame["num_tool_calls"].notna()]
    calls = {split: looped.loc[looped["split"] == split, "num_tool_calls"].tolist() for split in tools}
    ended = {split: {k: v["count"] for k, v in t["terminated_by"].items()} for split, t in tools.items()}
    top = {split: {tool["name"]: tool["calls"] for tool in t["top_tools"]} for split, t in tools.items()}
    svg = plots.tool_panels("tool-calling", calls, ended, top, "Tool calling")
    metrics = [
        ("candidates with a tool loop", lambda t: f"{t['candidates']:,}"),
        ("calls (total)", lambda t: f"{t['calls']['total']:,}"),
        ("calls per candidate: mean / median / max",
         lambda t: f"{_num(t['calls']['mean'])} / {_num(t['calls']['median'], 0)} / {t['calls']['max']:,}"),
        ("candidates with no call", lambda t: f"{t['no_call_candidates']:,} ({_pct(t['no_call_share'])})"),
        ("invalid calls (share of all calls)", lambda t: f"{t['invalid_calls']:,} ({_pct(t['invalid_rate'])})"),
        ("candidates with an invalid call",
         lambda t: f"{t['candidates_with_invalid']:,} ({_pct(t['candidates_with_invalid_share'])})"),
        ("invalid calls by kind", lambda t: ", ".join(f"{k}: {v:,}" for k, v in t["invalid_by_kind"].items()) or "—"),
        ("mean turns", lambda t: _num(t["mean_iterations"])),
        ("valid calls in traces", lambda t: f"{t['valid_calls']:,}"),
        ("answered by dynamic mock / LLM mock / generic",
         lambda t: " / ".join(f"{t['answered_by'][k]['count']:,} ({_pct(t['answered_by'][k]['share'])})"
                              for k in ("dynamic_mock", "llm_mock", "generic"))),
        ("mock returned an error", lambda t: f"{t['mock_errors']:,} ({_pct(t['mock_error_rate'])})"),
        ("traces read / unreadable", lambda t: f"{t['traces']:,} / {t['unreadable_traces']:,}"),
    ]
    rows = [(name, *(cell(t) for t in tools.values())) for name, cell in metrics]
    return (_figure("tool-calling", svg, "Calls per candidate, how the loops ended and the most called tools "
                    "(splits whose queries offered tools).")
            + _table(("metric", *tools), rows, numeric=range(1, len(tools) + 1)))


def _persona_voice(data: dict[str, Any], frame: pd.DataFrame) -> str:
    have, lack = _voiced_files(data["files"], "persona_voice")
    if not have:
        return _empty("persona-voice", "Persona voice was not recorded: no file has a persona_voice column "
                                       "(files written before it existed).")
    voice = frame["persona_voice"] if "persona_voice" in frame else pd.Series(dtype="float64")
    scored = frame.loc[voice.notna(), ["persona", "persona_voice"]]
    note = (f'<p class="note">No persona_voice column in: {esc(", ".join(lack))}.</p>' if lack else "")
    if scored.empty:
        return _empty("persona-voice", "persona_voice is recorded but null on every row (no candidate had a "
                                       "persona).") + note
    groups, rows = {}, []
    for persona, part in scored.groupby("persona", sort=True):
        values = part["persona_voice"].astype("float64")
        groups[str(persona)] = values.tolist()
        rows.append((persona, f"{len(values):,}", _num(values.mean(), 3), _num(values.median(), 3),
                     _num(values.min(), 3), _num(values.max(), 3)))
    svg = plots.boxes("persona-voice", groups, "Persona voice by persona", "persona_voice (0 = no trace of the "
                      "persona, 1 = fully in voice)")
    return (_figure("persona-voice", svg, "Distribution per persona (box: quartiles, diamond: mean).")
            + _table(("persona", "rows", "mean", "median", "min", "max"), rows, numeric=range(1, 6)) + note)


# ---------------------------------------------------------------- worst queries


def _read_matching(path: str, ids: list[str]) -> pd.DataFrame:
    """The rows of `path` whose query_id is in `ids`, only the shown columns. The query_id column is
    read first, row group by row group; texts are read only from row groups that hold a match, in
    batches, so memory stays near one batch of texts however large the file."""
    handle = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
    columns = [c for c in QUERY_COLUMNS if c in handle.schema_arrow.names]
    value_set = pa.array(ids, type=pa.string())
    batches = []
    for group in range(handle.num_row_groups):
        keys = handle.read_row_group(group, columns=["query_id"]).column("query_id").cast(pa.string())
        if not pc.any(pc.is_in(keys, value_set=value_set)).as_py():
            continue
        for batch in handle.iter_batches(batch_size=1024, row_groups=[group], columns=columns):
            mask = pc.is_in(batch.column("query_id").cast(pa.string()), value_set=value_set)
            if pc.any(mask).as_py():
                batches.append(batch.filter(mask))
    if not batches:
        return pd.DataFrame(columns=columns)
    return pa.Table.from_batches(batches).to_pandas()


def _query_rows(files: list[dict[str, Any]], worst: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    """The worst queries' rows, read back file by file; files that cannot be read again (moved,
    unusual types) are named, not fatal."""
    ids = sorted({w["query_id"] for w in worst})
    wanted = {(w["split"], w["query_id"]) for w in worst}
    parts, unread = [], []
    for meta in files:
        path = str(meta["file"])
        try:
            part = _read_matching(path, ids)
        except (pa.ArrowException, OSError, TypeError, ValueError):
            unread.append(path)
            continue
        for column in ("split", "query_id"):
            part[column] = part[column].astype("object").where(part[column].notna(), NO_LABEL).astype(str)
        keep = [(s, q) in wanted for s, q in zip(part["split"], part["query_id"], strict=True)]
        parts.append(part[keep].assign(source=Path(path).name))
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["split", "query_id"])
    return rows, unread


def _long_text(text: Any, preview: int) -> str:
    if _missing(text):
        return '<p class="note">(not recorded)</p>'
    text = str(text)
    if len(text) <= preview:
        return f"<pre>{esc(text)}</pre>"
    shown = text[:TEXT_LIMIT]
    more = ""
    if len(text) > TEXT_LIMIT:
        more = f'<p class="note">{len(text) - TEXT_LIMIT:,} more characters not shown.</p>'
    return (f"<pre>{esc(text[:preview])}…</pre><details><summary>show all {len(text):,} characters</summary>"
            f"<pre>{esc(shown)}</pre>{more}</details>")


def _get(row: pd.Series, column: str) -> Any:
    value = row.get(column)
    return None if _missing(value) else value


def _candidate(row: pd.Series, shared_truth: bool) -> str:
    """One candidate as a closed <details>: a one-line verdict summary; inside, what the verifier read
    (the ground truth only when it differs between the query's rows) and the response, clipped."""
    verdict = _get(row, "is_verified")
    kind = "none" if verdict is None else "pass" if bool(verdict) else "fail"
    mark = {"pass": '<span class="mark-pass">✓ verified</span>',
            "fail": '<span class="mark-fail">✗ not verified</span>',
            "none": '<span class="mark-none">– no verdict</span>'}[kind]
    idx = _get(row, "candidate_idx")
    bits = [f"#{int(idx)}" if idx is not None else "#?"]
    bits += [esc(_get(row, c)) for c in ("model", "persona") if _get(row, c) not in (None, NO_LABEL)]
    reason = _get(row, "verification_reason") or _get(row, "verification_method")
    if reason is not None:
        bits.append(f"<code>{esc(reason)}</code>")
    if _get(row, "extracted_answer") is not None:
        bits.append(f"answer <code>{esc(_clip(str(_get(row, 'extracted_answer')), SUMMARY_TEXT))}</code>")
    if _get(row, "error") is not None:
        bits.append(f"error <code>{esc(_clip(str(_get(row, 'error')), SUMMARY_TEXT))}</code>")
    fields = []
    for column, name in (("verification_method", "method"), ("verification_reason", "reason"),
                         ("confidence", "confidence"), ("verification_explanation", "explanation"),
                         ("extracted_answer", "extracted answer"), ("ground_truth", "ground truth"),
                         ("final_answer", "final answer"), ("refusal_type", "refusal type"), ("error", "error"),
                         ("judge_error", "judge error"), ("source", "file")):
        value = _get(row, column)
        if (column == "refusal_type" and not _get(row, "is_refusal")) or (column == "ground_truth" and shared_truth):
            continue
        if isinstance(value, float):
            value = f"{value:.4g}"
        if value is not None:
            fields.append(f"<dt>{esc(name)}</dt><dd>{esc(_clip(str(value), TEXT_LIMIT))}</dd>")
    response = _get(row, "response")
    if response is None:
        body = '<p class="note">(no response text)</p>'
    else:
        response = str(response)
        body = f"<pre>{esc(response[:RESPONSE_SHOWN])}</pre>"
        if len(response) > RESPONSE_SHOWN:
            body += f'<p class="note">{len(response) - RESPONSE_SHOWN:,} more characters not shown.</p>'
    return (f'<details class="cand {kind}"><summary>{mark} {" · ".join(bits)}</summary>'
            f'<dl class="fields">{"".join(fields)}</dl>{body}</details>')


def _worst_queries(data: dict[str, Any]) -> str:
    out = []
    reasons = [(split, reason, f"{count:,}") for split, d in data["splits"].items()
               for reason, count in d["failures"]["reasons"].items()]
    if reasons:
        out.append("<h3>Why candidates failed</h3>"
                   + _table(("split", "reason", "count"), reasons, numeric=(2,),
                            caption="verification_reason (the method where a file has none); judge and sandbox "
                                    "failures count too"))
    worst = data.get("worst_queries", [])
    if not worst:
        out.append(_empty(None, "No query has a failed verdict."))
        return "".join(out)
    rows, unread = _query_rows(data["files"], worst)
    if unread:
        out.append(f'<p class="note">Could not read the texts back from: {esc(", ".join(unread))}.</p>')
    out.append(f'<p class="note">The {len(worst):,} queries with the lowest verified share (ties: most failed '
               "candidates first). Open a candidate to see its response and what the verifier read.</p>")
    for rank, w in enumerate(worst, start=1):
        mine = rows[(rows["split"] == w["split"]) & (rows["query_id"] == w["query_id"])]
        sort = [c for c in ("source", "model", "candidate_idx") if c in mine]
        mine = mine.sort_values(sort, kind="stable") if sort else mine
        head = (f'<h3>{rank}. <span class="mono">{esc(w["query_id"])}</span> <span class="tag">{esc(w["split"])}</span>'
                f" — {w['verified']:,}/{w['verifiable']:,} verified, {w['failed']:,} failed</h3>")
        parts = [head]
        if "verification_reason" in mine:
            why = mine.loc[mine["is_verified"].eq(False), "verification_reason"].dropna().value_counts()
            if len(why):
                parts.append(f'<p class="note">reasons: {esc(", ".join(f"{k} × {v}" for k, v in why.items()))}</p>')
        if mine.empty:
            parts.append('<p class="note">Its rows could not be read back from the files.</p>')
        else:
            first = mine.iloc[0]
            if _get(first, "system_prompt") is not None:
                parts.append("<h4>System prompt</h4>" + _long_text(first["system_prompt"], PROMPT_PREVIEW))
            parts.append("<h4>Prompt</h4>" + _long_text(_get(first, "question"), PROMPT_PREVIEW))
            truths = mine["ground_truth"].dropna().astype(str).unique() if "ground_truth" in mine else []
            if len(truths):
                parts.append("<h4>Ground truth</h4>"
                             + "".join(f"<pre>{esc(_clip(t, TEXT_LIMIT))}</pre>" for t in truths[:3]))
            parts.append(f"<h4>Candidates ({len(mine):,})</h4>")
            parts += [_candidate(row, len(truths) == 1) for _, row in mine.head(MAX_CANDIDATES).iterrows()]
            if len(mine) > MAX_CANDIDATES:
                parts.append(f'<p class="note">{len(mine) - MAX_CANDIDATES:,} more candidates not shown.</p>')
        out.append(f'<article class="query" id="worst-{rank}">{"".join(parts)}</article>')
    return "".join(out)


# ---------------------------------------------------------------- the page


def build_html(data: dict[str, Any], frame: pd.DataFrame) -> str:
    """The whole page as one string (no I/O but reading the worst queries' texts back)."""
    builders = {
        "overview": lambda: _overview(data),
        "verified": lambda: _verified(data),
        "pass-at-k": lambda: _pass_at_k(data),
        "confidence": lambda: _confidence(frame),
        "judge": lambda: _judge(data),
        "refusals": lambda: _refusals(data, frame),
        "cost": lambda: _cost(data),
        "latency": lambda: _latency(data, frame),
        "tools": lambda: _tools(data, frame),
        "persona-voice": lambda: _persona_voice(data, frame),
        "worst-queries": lambda: _worst_queries(data),
    }
    body = "".join(f'<section id="{sid}"><h2>{esc(title)}</h2>{builders[sid]()}</section>' for sid, title in SECTIONS)
    toc = "".join(f'<li><a href="#{sid}">{esc(title)}</a></li>' for sid, title in SECTIONS)
    names = ", ".join(Path(str(f["file"])).name for f in data["files"])
    title = f"bestofn report: {_clip(names, 120)}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f'<body><header><h1>{esc(title)}</h1><nav><ul>{toc}</ul></nav></header><main>{body}</main>'
        '<footer><p class="note" style="text-align:center">Written by inspect_experiment.py --html.</p></footer>'
        "</body></html>\n"
    )


def check_output(path: Path, inputs: Sequence[Path] = ()) -> None:
    """Refuse, in one sentence, a report path that cannot be written, or that would replace an input or another
    Parquet file, before any work is done."""
    if path.is_dir():
        raise ReportError(f"{path} is a directory; --html needs a file name such as {path / 'report.html'}.")
    if path.exists() and any(p.exists() and os.path.samefile(p, path) for p in inputs):
        raise ReportError(f"--html {path} is one of the results files being read; name a new file such as "
                          f"{path.with_suffix('.html')}.")
    if path.is_file() and _is_parquet(path):
        raise ReportError(f"--html {path} is a Parquet file, and the report would replace it; name an .html file.")
    parent = path.parent
    if not parent.exists():
        raise ReportError(f"cannot write {path}: the folder {parent} does not exist.")
    if not parent.is_dir():
        raise ReportError(f"cannot write {path}: {parent} is not a folder.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(f"cannot write {path}: no permission to write in {parent}.")


def _is_parquet(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PAR1"
    except OSError:
        return False


def _atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`: readers see all or nothing."""
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ReportError(f"cannot write {path} ({exc.strerror or exc}).") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp's 0600 would hide the report from the rest of the team
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise ReportError(f"cannot write {path} ({exc.strerror or exc}).") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_report(data: dict[str, Any], frame: pd.DataFrame, out_path: Path | str) -> int:
    """Build the report and write it atomically to `out_path`; returns its size in bytes."""
    path = Path(out_path)
    check_output(path)
    text = build_html(data, frame)
    _atomic_write(path, text)
    return len(text.encode("utf-8", errors="replace"))
