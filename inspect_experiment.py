#!/usr/bin/env python
"""Summarise bestofn result Parquet files: verification, best-of-N, pass@k, rates, usage and tool calling.

Every number comes from `summarize`, which the rich tables, `--json` and the `--html` report
(common/report/html.py) all render, so the views cannot disagree. A null `is_verified` means no
verifier ran for that row; it is excluded from every verified share instead of being counted as a
failure.
"""

from __future__ import annotations

import json
import math
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.table import Table

from verifiers.base import NO_VERDICT_REASONS, UNDECIDED_REASONS

REQUIRED_COLUMNS = ("query_id", "split", "candidate_idx", "is_verified")
LABEL_COLUMNS = ("model", "provider", "persona", "run_id", "verification_method", "finish_reason", "refusal_type")
BOOL_COLUMNS = ("is_refusal", "is_truncated", "local_is_verified", "judge_is_correct", "batched")
USAGE_COLUMNS = ("input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens", "latency_s")
# Set only on rows whose query offered tools (the tool loop ran); null everywhere else and in older files.
TOOL_COUNT_COLUMNS = ("num_tool_calls", "num_iterations", "invalid_tool_calls")
TOOL_TEXT_COLUMNS = ("terminated_by", "tool_trace")
# persona_voice: how strongly a candidate speaks in its persona's voice (0..1, null without a persona); newer files.
NUMERIC_COLUMNS = (*USAGE_COLUMNS, "confidence", "cost_usd", "attempts", "regen_count", *TOOL_COUNT_COLUMNS,
                   "local_confidence", "judge_cost_usd", "tool_mock_cost_usd", "persona_voice")
# What the verifier saw, for the failure view (files written before these columns show them empty).
FAILURE_TEXT_COLUMNS = ("verification_reason", "extracted_answer", "ground_truth", "verification_explanation")
OPTIONAL_COLUMNS = (*LABEL_COLUMNS, *BOOL_COLUMNS, *NUMERIC_COLUMNS, "error", *FAILURE_TEXT_COLUMNS, *TOOL_TEXT_COLUMNS,
                    "judge_error")
# Bands of the local verifier's confidence for the judge agreement table (lower bound, label).
CONFIDENCE_BANDS = ((0.9, "≥ 0.9"), (0.7, "0.7–0.9"), (0.4, "0.4–0.7"), (0.0, "< 0.4"))
TRUNCATION_REASONS = ("length", "max_tokens")
# Rows lacking a label still need a group to land in, and a visible name in the tables.
NO_LABEL = "(none)"
# The trace's `mock` for a call the LLM mock answered; any other non-null name is a dynamic mock.
LLM_MOCK = "llm"
TOP_TOOLS = 5
META_KEYS = {"config": b"bestofn.config", "notes": b"bestofn.notes", "versions": b"bestofn.versions"}


class InputError(Exception):
    """A problem the user can fix (wrong path, wrong file): shown as one sentence, exit code 2."""


class GroupBy(StrEnum):
    model = "model"
    persona = "persona"
    provider = "provider"
    none = "none"


# ---------------------------------------------------------------- loading


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _read_schema(path: Path) -> pa.Schema:
    if not path.exists():
        raise InputError(f"{path}: no such file.")
    if not path.is_file():
        raise InputError(f"{path} is not a file; pass a bestofn results .parquet file.")
    try:
        return pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path} is not a readable Parquet file ({_short(exc)}).") from None


def _check_columns(path: Path, schema: pa.Schema) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in schema.names]
    if missing:
        raise InputError(f"{path} is not a bestofn results file: it lacks column(s) {', '.join(missing)}.")
    # pandas writes an all-null column as the null type, which still reads as "no verdicts".
    verdict_type = schema.field("is_verified").type
    if not (pa.types.is_boolean(verdict_type) or pa.types.is_null(verdict_type)):
        raise InputError(f"{path} is not a bestofn results file: is_verified is {verdict_type}, not boolean.")


def _maybe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def file_metadata(schema: pa.Schema) -> dict[str, Any]:
    """The bestofn.* key-value entries; files written by other tools simply have none."""
    raw = schema.metadata or {}
    found: dict[str, Any] = {}
    for name, key in META_KEYS.items():
        if key in raw:
            text = raw[key].decode("utf-8", errors="replace")
            found[name] = text if name == "notes" else _maybe_json(text)
    return found


def _read_one(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    schema = _read_schema(path)
    _check_columns(path, schema)
    # Only the columns we summarise: response/reasoning text dominates file size.
    wanted = [name for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in schema.names]
    try:
        frame = pd.read_parquet(path, columns=wanted)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path} could not be read as Parquet ({_short(exc)}).") from None
    return frame, {"file": str(path), "rows": len(frame), **file_metadata(schema)}


def normalize(df: pd.DataFrame) -> pd.DataFrame:
    """Give every optional column a predictable dtype, so summaries never special-case absence."""
    df = df.copy()
    for name in OPTIONAL_COLUMNS:
        if name not in df.columns:
            df[name] = pd.NA
    # Nullable booleans keep null distinct from False (object dtype would compare None != True).
    for name in ("is_verified", *BOOL_COLUMNS):
        df[name] = df[name].astype("boolean")
    for name in NUMERIC_COLUMNS:
        df[name] = pd.to_numeric(df[name], errors="coerce").astype("float64")
    for name in ("query_id", "split", *LABEL_COLUMNS):
        df[name] = df[name].astype("object").where(df[name].notna(), NO_LABEL).astype(str)
    df["candidate_idx"] = pd.to_numeric(df["candidate_idx"], errors="coerce")
    return df


def load(paths: list[Path]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    seen: dict[Path, Path] = {}
    for path in paths:
        if path.exists() and (real := path.resolve()) in seen:
            raise InputError(f"{path} is given twice (as {seen[real]} too); its rows would count twice.")
        seen[path.resolve()] = path
    frames, files = [], []
    for path in paths:
        frame, meta = _read_one(path)
        frames.append(frame)
        files.append(meta)
    df = pd.concat(frames, ignore_index=True)
    if len(frames) > 1:
        # A copy of a file, or files that share rows (a results file and a verified copy of it): each row once.
        key = [c for c in ("query_id", "candidate_idx", "run_id", "model", "response") if c in df.columns]
        same = df.duplicated(key, keep="first")
        if same.any():
            print(f"warning: {int(same.sum())} rows appear in more than one file (same run, query, candidate and "
                  "answer); each is counted once.", file=sys.stderr)
            df = df[~same].reset_index(drop=True)
    return normalize(df), files


# ---------------------------------------------------------------- computations


def _float(value: Any) -> float | None:
    """JSON-safe float: NaN/NA (an empty mean) becomes None."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _mean(values: pd.Series) -> float | None:
    return _float(values.astype("float64").mean()) if len(values) else None


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al. 2021): 1 - C(n-c, k) / C(n, k).

    The product form avoids the huge binomials that overflow for large n.
    """
    if not 0 < k <= n or not 0 <= c <= n:
        raise ValueError(f"pass@k needs 0 < k <= n and 0 <= c <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def query_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Per query: n verifiable samples and c verified ones (null verdicts dropped, not failed)."""
    verifiable = df[df["is_verified"].notna()]
    grouped = verifiable.groupby(["split", "query_id"], sort=True)["is_verified"]
    return grouped.agg(n="size", c="sum").astype("int64").reset_index()


def pass_at_k_curve(counts: pd.DataFrame) -> list[dict[str, Any]]:
    """pass@k for k = 1..max n, each averaged over the queries with at least k verifiable samples."""
    # Distinct (n, c) pairs are few even for many queries, so weight by their frequency.
    pairs = counts.groupby(["n", "c"]).size()
    max_n = int(counts["n"].max()) if len(counts) else 0
    curve = []
    for k in range(1, max_n + 1):
        eligible = [(n, c, w) for (n, c), w in pairs.items() if n >= k]
        weight = sum(w for _, _, w in eligible)
        total = sum(w * pass_at_k(int(n), int(c), k) for n, c, w in eligible)
        curve.append({"k": k, "pass_at_k": total / weight, "queries": int(weight)})
    return curve


def verified_stats(part: pd.DataFrame) -> dict[str, Any]:
    verdicts = part["is_verified"]
    verifiable = int(verdicts.notna().sum())
    verified = int(verdicts.sum())  # nullable sum skips nulls
    return {
        "rows": len(part),
        "verifiable": verifiable,
        "verified": verified,
        "unverifiable": len(part) - verifiable,
        "share": verified / verifiable if verifiable else None,
        "methods": {str(k): int(v) for k, v in part["verification_method"].value_counts().items()},
    }


def first_vs_best(part: pd.DataFrame, counts: pd.DataFrame) -> dict[str, Any]:
    first = part.loc[part["candidate_idx"] == 0, "is_verified"].dropna()
    return {
        "first_verifiable": len(first),
        "first_share": _mean(first),
        "queries": len(counts),
        "best_of_n": _mean(counts["c"] > 0),
    }


def verdict_summary(part: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Verified share, first vs best-of-N and pass@k per split of `part`."""
    out = {}
    for split, split_part in part.groupby("split", sort=True):
        counts = query_counts(split_part)
        out[str(split)] = {
            "verified": verified_stats(split_part),
            "first_vs_best": first_vs_best(split_part, counts),
            "pass_at_k": pass_at_k_curve(counts),
        }
    return out


def failures(part: pd.DataFrame) -> dict[str, Any]:
    """Why candidates were not verified: counts per reason code, and for each reason the first
    row with what the verifier read. Rows left with no verdict because the judge or the sandbox
    failed count too (a row with no verifier at all does not). Older files have no reason column:
    the method stands in."""
    judge_failed = part["verification_method"].str.endswith("_failed") & part["is_verified"].isna()
    no_verdict = part["verification_reason"].isin(list(NO_VERDICT_REASONS)) & part["is_verified"].isna()
    failed = part[part["is_verified"].fillna(True).eq(False) | judge_failed | no_verdict]
    reason = failed["verification_reason"].astype("object")
    reason = reason.where(reason.notna(), failed["verification_method"].astype("object")).astype(str)
    counts = reason.value_counts()
    rows = []
    for why in counts.index:
        row = failed[reason == why].iloc[0]
        rows.append({
            "query_id": str(row["query_id"]),
            "candidate_idx": int(row["candidate_idx"]),
            "reason": str(why),
            "extracted_answer": _text_or_none(row["extracted_answer"]),
            "ground_truth": _text_or_none(row["ground_truth"]),
            "explanation": _text_or_none(row["verification_explanation"]),
        })
    return {"failed": len(failed), "reasons": {str(k): int(v) for k, v in counts.items()}, "examples": rows}


def _text_or_none(value: Any) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else str(value)


def rates(part: pd.DataFrame) -> dict[str, Any]:
    refusal = part["is_refusal"].dropna()  # null: no refusal check ran
    truncated = part["finish_reason"].isin(TRUNCATION_REASONS) | part["is_truncated"].fillna(False)
    rows = len(part)
    return {
        "rows": rows,
        "refusal_checked": len(refusal),
        "refusal_rate": _mean(refusal),
        "error_rate": int(part["error"].notna().sum()) / rows if rows else None,
        "truncation_rate": int(truncated.sum()) / rows if rows else None,
        "mean_confidence": _mean(part["confidence"].dropna()),
    }


def _distribution(values: pd.Series) -> dict[str, Any]:
    return {
        "count": len(values),
        "mean": _mean(values),
        "median": _float(values.median()) if len(values) else None,
        "p95": _float(values.quantile(0.95)) if len(values) else None,
        "total": _float(values.sum()) if len(values) else None,
    }


def _column_total(values: pd.Series, unknown: pd.Series) -> float | None:
    """The sum of a cost column; None when a row that cost something has no price (`unknown`), or none has one."""
    if bool(unknown.any()):
        return None
    values = values.dropna()
    return _float(values.sum()) if len(values) else None


def usage(df: pd.DataFrame) -> dict[str, Any]:
    cost = df["cost_usd"].dropna()
    verified = int(df["is_verified"].fillna(False).astype(bool).sum())
    total = _float(cost.sum()) if len(cost) else None
    # A row that answered but has no cost: its model (or its judge's) has no listed price.
    unpriced = df["cost_usd"].isna() & df["error"].isna()
    judged = df["judge_is_correct"].notna() | df["judge_error"].notna()
    return {
        "metrics": {name: _distribution(df[name].dropna()) for name in USAGE_COLUMNS},
        "cost_usd_total": total,
        "unpriced_rows": int(unpriced.sum()),
        "judge_cost_usd_total": _column_total(df["judge_cost_usd"], judged & df["judge_cost_usd"].isna()),
        "tool_mock_cost_usd_total": _column_total(df["tool_mock_cost_usd"], df["tool_mock_cost_usd"].isna()
                                                  & df["num_tool_calls"].notna()),
        "cost_per_verified_usd": total / verified if total is not None and verified and not unpriced.any() else None,
        "batched_rows": int(df["batched"].fillna(False).astype(bool).sum()),
        "cost_rows": len(cost),
        "retried_rows": int((df["attempts"] > 1).sum()),
        "max_attempts": _float(df["attempts"].max()),
        "regen_rows": int((df["regen_count"] > 0).sum()),
        "regen_total": int(df["regen_count"].fillna(0).sum()),
    }


def _trace_calls(cell: Any) -> list[dict[str, Any]] | None:
    """Every call of one `tool_trace` cell, or None when the cell is not a readable list of turns."""
    if isinstance(cell, bytes):
        cell = cell.decode("utf-8", errors="replace")
    try:
        turns = json.loads(cell) if isinstance(cell, str) else None
    except (ValueError, RecursionError):  # a model can nest its arguments a million deep
        return None
    if not isinstance(turns, list):
        return None
    calls: list[dict[str, Any]] = []
    for turn in turns:
        if not isinstance(turn, dict):
            return None
        turn_calls = turn.get("calls") or []  # a turn without calls is the final answer
        if not isinstance(turn_calls, list) or not all(isinstance(c, dict) for c in turn_calls):
            return None
        calls.extend(turn_calls)
    return calls


def _shares(counts: dict[str, int], total: int) -> dict[str, dict[str, Any]]:
    return {k: {"count": v, "share": v / total if total else None} for k, v in counts.items()}


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    """Most frequent first, ties by name, so the order is the same on every run."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _trace_stats(cells: pd.Series) -> dict[str, Any]:
    """Who answered the calls, why calls were invalid and which tools were called, read from the
    traces one cell at a time (no frame of calls is built). A malformed cell is skipped and counted."""
    read = unreadable = valid = 0
    answered = {"dynamic_mock": 0, "llm_mock": 0, "generic": 0}
    mock_errors = 0
    by_kind: dict[str, int] = {}
    by_mock: dict[str, int] = {}
    by_tool: dict[str, int] = {}
    for cell in cells:
        if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)):
            continue  # no trace written: nothing to read, nothing wrong
        calls = _trace_calls(cell)
        if calls is None:
            unreadable += 1
            continue
        read += 1
        for call in calls:
            name = call.get("name")
            name = NO_LABEL if name is None else str(name)
            by_tool[name] = by_tool.get(name, 0) + 1
            if call.get("valid") is False:
                kind = call.get("error_kind")
                kind = NO_LABEL if kind is None else str(kind)
                by_kind[kind] = by_kind.get(kind, 0) + 1
                continue
            valid += 1
            mock = call.get("mock")
            if mock is None:
                answered["generic"] += 1
            elif mock == LLM_MOCK:
                answered["llm_mock"] += 1
            else:
                answered["dynamic_mock"] += 1
                by_mock[str(mock)] = by_mock.get(str(mock), 0) + 1
            mock_errors += call.get("is_error") is True
    return {
        "traces": read,
        "unreadable_traces": unreadable,
        "valid_calls": valid,
        "answered_by": _shares(answered, valid),
        "dynamic_mocks": _ranked(by_mock),
        "mock_errors": mock_errors,
        "mock_error_rate": mock_errors / valid if valid else None,
        "invalid_by_kind": _ranked(by_kind),
        "top_tools": [{"name": k, "calls": v} for k, v in list(_ranked(by_tool).items())[:TOP_TOOLS]],
    }


def tool_calling(part: pd.DataFrame) -> dict[str, Any] | None:
    """The tool loop of the candidates that ran one (`num_tool_calls` set); None when none did."""
    looped = part[part["num_tool_calls"].notna()]
    candidates = len(looped)
    if not candidates:
        return None
    calls = looped["num_tool_calls"]
    invalid = looped["invalid_tool_calls"].fillna(0)
    total_calls, total_invalid = int(calls.sum()), int(invalid.sum())
    no_call, with_invalid = int((calls == 0).sum()), int((invalid > 0).sum())
    ended = looped["terminated_by"].astype("object")
    ended = ended.where(ended.notna(), NO_LABEL).astype(str)
    return {
        "candidates": candidates,
        "calls": {
            "total": total_calls,
            "mean": _mean(calls),
            "median": _float(calls.median()),
            "max": int(calls.max()),
        },
        "no_call_candidates": no_call,
        "no_call_share": no_call / candidates,
        "invalid_calls": total_invalid,
        "invalid_rate": total_invalid / total_calls if total_calls else None,
        "candidates_with_invalid": with_invalid,
        "candidates_with_invalid_share": with_invalid / candidates,
        "mean_iterations": _mean(looped["num_iterations"].dropna()),
        "terminated_by": _shares(_ranked({str(k): int(v) for k, v in ended.value_counts().items()}), candidates),
        **_trace_stats(looped["tool_trace"]),
    }


def _agreement(pairs: pd.DataFrame) -> dict[str, Any]:
    agree = int((pairs["local_is_verified"] == pairs["judge_is_correct"]).sum())
    return {"both": len(pairs), "agree": agree, "agreement": agree / len(pairs) if len(pairs) else None}


def judge_stats(part: pd.DataFrame) -> dict[str, Any] | None:
    """How often the judge was asked and decided, and how often it agreed with the local verifier:
    overall, both ways of disagreeing, and per band of the local confidence (where the judge tells
    whether a band's verdicts are as sure as they claim). A local placeholder (nothing to check
    against, schema-only tool checks) is no verdict to agree with. None when no row was judged."""
    asked = part["judge_is_correct"].notna() | part["judge_error"].notna()
    if not asked.any():
        return None
    decided = part["judge_is_correct"].notna()
    verifiable = int(part["is_verified"].notna().sum())
    real_local = part["local_is_verified"].notna() & ~part["verification_reason"].isin(list(UNDECIDED_REASONS))
    pairs = part[decided & real_local]
    bands = []
    remaining = pairs
    for low, label in CONFIDENCE_BANDS:
        in_band = remaining[remaining["local_confidence"] >= low]
        remaining = remaining[~(remaining["local_confidence"] >= low)]
        if len(in_band):
            bands.append({"band": label, **_agreement(in_band)})
    local, judge = pairs["local_is_verified"], pairs["judge_is_correct"]
    return {
        "asked": int(asked.sum()),
        "decided": int(decided.sum()),
        "failed": int(part["judge_error"].notna().sum()),
        "verifiable": verifiable,
        "decided_share": int(decided.sum()) / verifiable if verifiable else None,
        **_agreement(pairs),
        "local_yes_judge_no": int((local & ~judge).sum()),
        "local_no_judge_yes": int((~local & judge).sum()),
        "by_local_confidence": bands,
    }


def _labels(series: pd.Series) -> list[str]:
    return sorted(str(v) for v in series.unique())


def overview(df: pd.DataFrame) -> dict[str, Any]:
    return {
        "rows": len(df),
        # A query is identified within its split; the same id in two splits is two queries.
        "queries": int(df[["split", "query_id"]].drop_duplicates().shape[0]),
        "splits": _labels(df["split"]),
        "models": _labels(df["model"]),
        "providers": _labels(df["provider"]),
        "personas": _labels(df["persona"]),
        "run_ids": _labels(df["run_id"]),
        "max_candidates_per_query": int(df.groupby(["split", "query_id"]).size().max()) if len(df) else 0,
    }


def group_columns(df: pd.DataFrame, by: str | None) -> list[str]:
    """Explicit --by wins; otherwise break down by model and persona when there are several."""
    if by == "none":
        return []
    if by:
        return [by]
    return [name for name in ("model", "persona") if df[name].nunique() > 1]


def breakdown(df: pd.DataFrame, column: str) -> dict[str, dict[str, Any]]:
    """`verdict_summary` for each value of `column` (model, persona, provider)."""
    return {str(value): verdict_summary(part) for value, part in df.groupby(column, sort=True)}


def summarize(df: pd.DataFrame, files: list[dict[str, Any]], by: str | None = None) -> dict[str, Any]:
    splits = verdict_summary(df)
    for split, split_part in df.groupby("split", sort=True):
        splits[str(split)]["rates"] = rates(split_part)
        splits[str(split)]["failures"] = failures(split_part)
        judged = judge_stats(split_part)
        if judged is not None:  # only splits where the judge was asked
            splits[str(split)]["judge"] = judged
        tools = tool_calling(split_part)
        if tools is not None:  # only splits whose queries offered tools
            splits[str(split)]["tool_calling"] = tools
    breakdowns = {column: breakdown(df, column) for column in group_columns(df, by)}
    return {
        "files": files,
        "overview": overview(df),
        "splits": splits,
        "usage": usage(df),
        "breakdowns": breakdowns,
    }


# What the HTML report breaks down by, always (the tables only when there are several values).
REPORT_GROUPS = ("model", "persona")
WORST_QUERIES = 10


def worst_queries(df: pd.DataFrame, limit: int = WORST_QUERIES) -> list[dict[str, Any]]:
    """The queries with a failed verdict and the lowest verified share (ties: most failures, then by name)."""
    counts = query_counts(df)
    counts = counts[counts["c"] < counts["n"]]
    counts = counts.assign(share=counts["c"] / counts["n"], failed=counts["n"] - counts["c"])
    ranked = counts.sort_values(["share", "failed", "split", "query_id"], ascending=[True, False, True, True])
    return [
        {"split": str(row.split), "query_id": str(row.query_id), "verifiable": int(row.n), "verified": int(row.c),
         "failed": int(row.failed), "share": float(row.share)}
        for row in ranked.head(limit).itertuples(index=False)
    ]


def report_data(df: pd.DataFrame, report: dict[str, Any], worst: int = WORST_QUERIES) -> dict[str, Any]:
    """`summarize` output plus what only the HTML report shows: verdicts and usage for every model and
    persona (the tables break down only when there are several) and the worst queries."""
    breakdowns = {column: report["breakdowns"].get(column) or breakdown(df, column) for column in REPORT_GROUPS}
    return {
        **report,
        "breakdowns": {**breakdowns, **report["breakdowns"]},
        "usage_by": {column: {str(value): usage(part) for value, part in df.groupby(column, sort=True)}
                     for column in REPORT_GROUPS},
        "worst_queries": worst_queries(df, worst),
    }


# ---------------------------------------------------------------- rendering


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value: float | None, fixed: bool = False) -> str:
    """Token counts read best without decimals unless fractional; seconds always keep two."""
    if value is None:
        return "—"
    if fixed:
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# Terminal control characters (escape sequences, bells) a model may have written into a name or answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class SafeTable(Table):
    """A table whose text cells cannot drive the terminal: control characters are shown escaped."""

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        cells = [_CONTROL.sub(lambda m: repr(m.group())[1:-1], c) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **kwargs)


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _overview_table(report: dict[str, Any]) -> Table:
    info = report["overview"]
    pooled = len(info["models"]) > 1 or len(info["personas"]) > 1
    # Split-level numbers treat a query's candidates from every model/persona as one pool.
    caption = "split tables pool all models/personas per query; see the By … tables" if pooled else None
    table = SafeTable(title="Overview", show_header=False, caption=caption)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("files", "\n".join(f"{f['file']} ({f['rows']:,} rows)" for f in report["files"]))
    for key in ("rows", "queries", "max_candidates_per_query"):
        table.add_row(key.replace("_", " "), f"{info[key]:,}")
    for key in ("splits", "models", "providers", "personas", "run_ids"):
        table.add_row(key.replace("_", " "), ", ".join(info[key]) or "—")
    for meta in report["files"]:
        for key in ("notes", "config", "versions"):
            if key in meta:
                value = meta[key] if isinstance(meta[key], str) else json.dumps(meta[key], sort_keys=True)
                table.add_row(f"{key} [{Path(meta['file']).name}]", _clip(value))
    return table


def _verified_table(splits: dict[str, Any]) -> Table:
    table = SafeTable(title="Verified share by split (null verdicts excluded, listed separately)")
    for name in ("split", "rows", "verifiable", "verified", "share", "unverifiable (null)", "methods"):
        table.add_column(name, justify="left" if name in ("split", "methods") else "right")
    for split, data in splits.items():
        v = data["verified"]
        methods = ", ".join(f"{m} ({n:,})" for m, n in v["methods"].items())
        row = (v["rows"], v["verifiable"], v["verified"])
        table.add_row(split, *(f"{x:,}" for x in row), _pct(v["share"]), f"{v['unverifiable']:,}", methods)
    return table


def _first_best_table(splits: dict[str, Any]) -> Table:
    table = SafeTable(title="First candidate vs best-of-N (any verified candidate per query)")
    for name in ("split", "first verifiable", "first verified", "queries", "best-of-N", "gain"):
        table.add_column(name, justify="left" if name == "split" else "right")
    for split, data in splits.items():
        fb = data["first_vs_best"]
        gain = None if None in (fb["first_share"], fb["best_of_n"]) else fb["best_of_n"] - fb["first_share"]
        gain_text = "—" if gain is None else f"{gain * 100:+.1f} pts"
        table.add_row(
            split,
            f"{fb['first_verifiable']:,}",
            _pct(fb["first_share"]),
            f"{fb['queries']:,}",
            _pct(fb["best_of_n"]),
            gain_text,
        )
    return table


def _pass_table(splits: dict[str, Any]) -> Table:
    table = SafeTable(title="pass@k by split",
                      caption="unbiased estimator; mean over queries with ≥ k verifiable samples")
    for name in ("split", "k", "pass@k", "queries"):
        table.add_column(name, justify="left" if name == "split" else "right")
    for split, data in splits.items():
        for point in data["pass_at_k"]:
            table.add_row(split, str(point["k"]), _pct(point["pass_at_k"]), f"{point['queries']:,}")
    return table


def _rates_table(splits: dict[str, Any]) -> Table:
    table = SafeTable(title="Rates by split")
    for name in ("split", "rows", "refusal", "error", "truncated", "mean confidence"):
        table.add_column(name, justify="left" if name == "split" else "right")
    for split, data in splits.items():
        r = data["rates"]
        refusal = _pct(r["refusal_rate"]) + (f" of {r['refusal_checked']:,}" if r["refusal_checked"] else "")
        confidence = "—" if r["mean_confidence"] is None else f"{r['mean_confidence']:.3f}"
        table.add_row(split, f"{r['rows']:,}", refusal, _pct(r["error_rate"]), _pct(r["truncation_rate"]), confidence)
    return table


def _usage_table(use: dict[str, Any]) -> Table:
    cost = "—" if use["cost_usd_total"] is None else f"${use['cost_usd_total']:,.4f}"
    if use.get("unpriced_rows"):
        cost += f" + {use['unpriced_rows']:,} rows with no listed price"
    parts = [f"judge ${use['judge_cost_usd_total']:,.4f}" if use.get("judge_cost_usd_total") else "",
             f"tool mock ${use['tool_mock_cost_usd_total']:,.4f}" if use.get("tool_mock_cost_usd_total") else "",
             f"${use['cost_per_verified_usd']:,.5f} per verified candidate" if use.get("cost_per_verified_usd") else "",
             f"{use['batched_rows']:,} rows through the batch API" if use.get("batched_rows") else ""]
    cost += "".join(f" · {p}" for p in parts if p)
    caption = (
        f"total cost {cost} over {use['cost_rows']:,} rows · {use['retried_rows']:,} rows needed >1 attempt"
        f" · {use['regen_rows']:,} rows regenerated ({use['regen_total']:,} regenerations)"
    )
    table = SafeTable(title="Tokens and latency", caption=caption)
    for name in ("metric", "rows", "mean", "median", "p95", "total"):
        table.add_column(name, justify="left" if name == "metric" else "right")
    for metric, d in use["metrics"].items():
        cells = (_num(d[key], fixed=metric == "latency_s") for key in ("mean", "median", "p95", "total"))
        table.add_row(metric, f"{d['count']:,}", *cells)
    return table


def _breakdown_table(column: str, groups: dict[str, Any]) -> Table:
    table = SafeTable(title=f"By {column}: verified, best-of-N and pass@1")
    for name in (column, "split", "rows", "verifiable", "verified", "first", "best-of-N", "pass@1"):
        table.add_column(name, justify="left" if name in (column, "split") else "right")
    for value, splits in groups.items():
        for split, data in splits.items():
            v, fb, curve = data["verified"], data["first_vs_best"], data["pass_at_k"]
            pass1 = curve[0]["pass_at_k"] if curve else None
            table.add_row(
                value,
                split,
                f"{v['rows']:,}",
                f"{v['verifiable']:,}",
                _pct(v["share"]),
                _pct(fb["first_share"]),
                _pct(fb["best_of_n"]),
                _pct(pass1),
            )
    return table


def _failures_table(splits: dict[str, Any]) -> Table:
    table = SafeTable(title="Not verified: why, and what the verifier read")
    for name in ("split", "reason", "count", "example query", "extracted answer", "ground truth"):
        # Reason codes stay whole; the example texts wrap.
        table.add_column(name, justify="right" if name == "count" else "left",
                         no_wrap=name in ("reason", "count"), overflow="fold")
    for split, data in splits.items():
        fail = data["failures"]
        examples = {e["reason"]: e for e in fail["examples"]}
        for reason, count in fail["reasons"].items():
            e = examples[reason]
            table.add_row(split, reason, f"{count:,}", _clip(e.get("query_id") or "", 40),
                          _clip(e.get("extracted_answer") or "", 60), _clip(e.get("ground_truth") or "", 60))
    return table


def _count_share(count: int, share: float | None) -> str:
    """A count with its share, e.g. `3 (25.0%)`."""
    return f"{count:,} ({_pct(share)})"


def _tool_table(tools: dict[str, dict[str, Any]]) -> Table:
    """One column per split that ran a tool loop; shares of valid calls for who answered them."""
    table = SafeTable(title="Tool calling by split",
                      caption="answered by: shares of the valid calls read from the traces")
    table.add_column("metric", style="bold")
    for split in tools:
        table.add_column(split, justify="right")

    def row(label: str, cell: Any) -> None:
        table.add_row(label, *(cell(t) for t in tools.values()))

    row("candidates with a tool loop", lambda t: f"{t['candidates']:,}")
    row("calls (total)", lambda t: f"{t['calls']['total']:,}")
    row("calls per candidate: mean", lambda t: _num(t["calls"]["mean"], fixed=True))
    row("calls per candidate: median", lambda t: _num(t["calls"]["median"]))
    row("calls per candidate: max", lambda t: f"{t['calls']['max']:,}")
    row("candidates with no call", lambda t: _count_share(t["no_call_candidates"], t["no_call_share"]))
    row("invalid calls (share of all calls)", lambda t: _count_share(t["invalid_calls"], t["invalid_rate"]))
    row("candidates with an invalid call",
        lambda t: _count_share(t["candidates_with_invalid"], t["candidates_with_invalid_share"]))
    row("mean turns", lambda t: _num(t["mean_iterations"], fixed=True))
    row("valid calls in traces", lambda t: f"{t['valid_calls']:,}")
    for key, label in (("dynamic_mock", "dynamic mock"), ("llm_mock", "LLM mock"), ("generic", "generic (no mock)")):
        row(f"answered by {label}", lambda t, k=key: _count_share(**t["answered_by"][k]))
    row("mock returned an error", lambda t: _count_share(t["mock_errors"], t["mock_error_rate"]))
    row("traces read / unreadable", lambda t: f"{t['traces']:,} / {t['unreadable_traces']:,}")
    return table


def _tool_counts_table(tools: dict[str, dict[str, Any]]) -> Table:
    table = SafeTable(
        title=f"Tool calling: how loops ended, invalid calls by kind, top {TOP_TOOLS} tools, dynamic mocks")
    for name in ("split", "kind", "value", "count", "share"):
        table.add_column(name, justify="right" if name in ("count", "share") else "left", overflow="fold")
    for split, t in tools.items():
        for reason, d in t["terminated_by"].items():
            table.add_row(split, "terminated by", reason, f"{d['count']:,}", _pct(d["share"]))
        for kind, count in t["invalid_by_kind"].items():
            share = count / t["invalid_calls"] if t["invalid_calls"] else None
            table.add_row(split, "invalid call", kind, f"{count:,}", _pct(share))
        for tool in t["top_tools"]:
            share = tool["calls"] / t["calls"]["total"] if t["calls"]["total"] else None
            table.add_row(split, "tool", _clip(tool["name"], 60), f"{tool['calls']:,}", _pct(share))
        for mock, count in t["dynamic_mocks"].items():
            share = count / t["valid_calls"] if t["valid_calls"] else None
            table.add_row(split, "dynamic mock", _clip(mock, 60), f"{count:,}", _pct(share))
    return table


def _judge_table(judged: dict[str, dict[str, Any]]) -> Table:
    table = SafeTable(
        title="LLM judge and local verifier",
        caption="decided: share of the split's verdicts the judge gave; agreement: rows with both verdicts",
    )
    for name in ("split", "local confidence", "asked", "decided", "failed", "both verdicts", "agreement",
                 "local ✓ judge ✗", "local ✗ judge ✓"):
        table.add_column(name, justify="left" if name in ("split", "local confidence") else "right")
    for split, j in judged.items():
        table.add_row(split, "all", f"{j['asked']:,}", _count_share(j["decided"], j["decided_share"]),
                      f"{j['failed']:,}", f"{j['both']:,}", _pct(j["agreement"]),
                      f"{j['local_yes_judge_no']:,}", f"{j['local_no_judge_yes']:,}")
        for band in j["by_local_confidence"]:
            table.add_row(split, band["band"], "", "", "", f"{band['both']:,}", _pct(band["agreement"]), "", "")
    return table


def render(report: dict[str, Any], console: Console) -> None:
    splits = report["splits"]
    tables = [
        _overview_table(report),
        _verified_table(splits),
        _first_best_table(splits),
        _pass_table(splits),
        _rates_table(splits),
        _failures_table(splits),
        _usage_table(report["usage"]),
    ]
    tables += [_breakdown_table(column, groups) for column, groups in report["breakdowns"].items()]
    judged = {split: data["judge"] for split, data in splits.items() if "judge" in data}
    if judged:
        tables.append(_judge_table(judged))
    tools = {split: data["tool_calling"] for split, data in splits.items() if "tool_calling" in data}
    if tools:
        tables += [_tool_table(tools), _tool_counts_table(tools)]
    for table in tables:
        console.print(table)


# ---------------------------------------------------------------- CLI

app = typer.Typer(add_completion=False, help=__doc__, pretty_exceptions_show_locals=False)


@app.command()
def main(
    paths: Annotated[list[Path], typer.Argument(help="One or more bestofn results .parquet files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    by: Annotated[
        GroupBy | None,
        typer.Option("--by", help="Break verdicts down by this column (default: model/persona if several)."),
    ] = None,
    html_out: Annotated[
        Path | None,
        typer.Option("--html", metavar="OUT.html",
                     help="Write a self-contained HTML report (plots, worst queries) to this file instead of the "
                          "tables; combines with --json."),
    ] = None,
) -> None:
    """Summarise bestofn results: verified share, best-of-N, pass@k, rates, tokens, cost and tool calling."""
    try:
        if html_out is not None:
            from common.report.html import ReportError, check_output  # matplotlib loads only for a report

            try:
                check_output(html_out, paths)  # before the work, not after it
            except ReportError as exc:
                raise InputError(str(exc)) from None
        df, files = load(paths)
    except InputError as exc:
        # A user mistake deserves a sentence, not a traceback.
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    report = summarize(df, files, by.value if by else None)
    if html_out is not None:
        from common.report.html import ReportError, write_report

        try:
            size = write_report(report_data(df, report), df, html_out)
        except ReportError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"wrote {html_out} ({size / 1024:,.0f} KiB)", err=True)  # stdout stays free for --json
    if as_json:
        # allow_nan=False: a NaN here is a bug in summarize, and invalid JSON for most parsers.
        sys.stdout.write(json.dumps(report, indent=2, allow_nan=False) + "\n")
    elif html_out is None:
        render(report, Console(markup=False))  # model-written names are text, never markup


if __name__ == "__main__":
    app()
