"""Live progress (rich) or plain log lines (--quiet), and the end-of-run summary."""

from __future__ import annotations

import logging
import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from common.model.api import RateControl
from common.pipeline.engine import RunStats

log = logging.getLogger("bestofn")


def _share(num: int, den: int) -> str:
    return f"{num / den:.1%}" if den else "n/a"


def cost_text(s: RunStats) -> str:
    """The output's spend so far, its projected total and the limit, e.g. `$1.2345 (proj $4.10 / max $5)`."""
    parts = []
    if (projected := s.projected_cost()) is not None:
        parts.append(f"proj {usd(projected)}")
    if s.budget is not None:
        parts.append(f"max {usd(s.budget)}")
    if s.unpriced and not s.spent:
        return "cost unknown (no listed price)"
    return usd(s.spent) + (f" ({' / '.join(parts)})" if parts else "")


def usd(value: float) -> str:
    """Dollars to the cent, or to four places under a dollar."""
    return f"${value:,.2f}" if value >= 1 else f"${value:.4f}"


def stats_line(s: RunStats, rate: bool = True) -> str:
    line = (
        f"cands {s.candidates} | verified {_share(s.verified, s.verifiable)} | "
        f"tok in {s.input_tokens:,} out {s.output_tokens:,} | {cost_text(s)} | errors {s.errors} | "
        f"retries {s.retry.retries}"
    )
    limits = s.rate.describe() if rate and s.rate is not None else ""
    line = f"{line} | {limits}" if limits else line
    return f"{line} | {s.batch_note}" if s.batch_note else line


class _RateColumn(ProgressColumn):
    """The rate limiter's state (window, in flight, limits, 429s, retry wait), read at every redraw, so
    a paused run shows its wait while no query finishes."""

    def __init__(self) -> None:
        super().__init__()
        self.limits: RateControl | None = None

    def render(self, task: Task) -> Text:
        text = self.limits.describe() if self.limits is not None else ""
        return Text(f"| {text}" if text else "", style="dim")


class ProgressDisplay:
    """Call with the run's stats after each query; redraws at most a few times a second."""

    def __init__(self, console: Console, total: int | None, quiet: bool, label: str = "queries") -> None:
        self.quiet = quiet
        self.console = console
        self._last = 0.0
        self._progress: Progress | None = None
        self._rate = _RateColumn()
        if not quiet:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[line]}"),
                self._rate,
                console=console,
                transient=False,
            )
            self._task = self._progress.add_task(label, total=total, line="")

    def __enter__(self) -> ProgressDisplay:
        if self._progress:
            self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress:
            self._progress.stop()

    def __call__(self, stats: RunStats) -> None:
        now = time.monotonic()
        self._rate.limits = stats.rate
        if self._progress:
            if now - self._last >= 0.1:
                self._last = now
                self._progress.update(self._task, completed=stats.queries_done, line=stats_line(stats, rate=False))
        elif now - self._last >= 10:
            self._last = now
            log.info("queries %d | %s", stats.queries_done, stats_line(stats))

    def finish(self, stats: RunStats) -> None:
        if self._progress:
            self._progress.update(self._task, completed=stats.queries_done, line=stats_line(stats, rate=False))


def _cost(stats: RunStats) -> str:
    if stats.unpriced and stats.unpriced == stats.candidates - stats.errors:
        return "unknown (the model has no listed price)"
    if stats.unpriced:
        return f"{stats.cost_usd:.4f} + {stats.unpriced:,} rows with no listed price"
    return f"{stats.cost_usd:.4f}"


def _fanout(stats: RunStats) -> str:
    """Input tokens billed (cache reads and writes weighted by price) against sending the whole prompt once
    per candidate, uncached: what `n` and prompt caching save."""
    if not stats.naive_input:
        return ""
    queries = max(stats.queries_done, 1)
    return (f"{stats.billed_input / queries:,.0f} / {stats.naive_input / queries:,.0f} per query "
            f"({_share(round(stats.billed_input), stats.naive_input)})")


def _spend_rows(stats: RunStats) -> list[tuple[str, str]]:
    rows = []
    if stats.cost_before or stats.budget is not None:
        limit = "" if stats.budget is None else f" of max_cost_usd {stats.budget:g}"
        stopped = " (stopped there)" if stats.stopped_by_budget else ""
        rows.append(("cost of the output so far (USD)", f"{stats.spent:.4f}{limit}{stopped}"))
    if stats.candidates_saved:
        asked = stats.candidates_saved + stats.candidates
        rows.append(("candidates saved by stop_when",
                     f"{stats.candidates_saved:,} of {asked:,} ({_share(stats.candidates_saved, asked)})"))
    return rows


def show_summary(console: Console, stats: RunStats, extra: dict[str, Any], elapsed_s: float, quiet: bool) -> None:
    """A table on a terminal; with --quiet one plain `what: value` line each, whole and greppable in a log."""
    print_rows(console, summary_rows(stats, extra, elapsed_s), "bestofn run summary", quiet)


def print_rows(console: Console, rows: list[tuple[str, Any]], title: str, quiet: bool) -> None:
    """`what: value` rows as a table, or with --quiet one plain line each, whole and greppable in a log."""
    if quiet:
        for k, v in rows:
            console.print(f"{k}: {v}", highlight=False, soft_wrap=True)
        return
    table = Table(title=title, show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for k, v in rows:
        table.add_row(k, str(v))
    console.print(table)


def summary_rows(stats: RunStats, extra: dict[str, Any], elapsed_s: float) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        ("queries done this run", stats.queries_done),
        ("queries already done (resumed)", stats.queries_skipped_done),
        ("candidates this run", stats.candidates),
        ("verified", f"{stats.verified}/{stats.verifiable} ({_share(stats.verified, stats.verifiable)})"),
        ("refusals", stats.refusals),
        ("errors (rows)", stats.errors),
        ("judge errors (rows)", stats.judge_errors),
        ("retries", stats.retry.retries),
        *([("rate limits", summary)] if stats.rate is not None and (summary := stats.rate.summary()) else []),
        ("input / output tokens", f"{stats.input_tokens:,} / {stats.output_tokens:,}"
         + (f" ({stats.cached_input_tokens:,} input tokens read from the prompt cache)"
            if stats.cached_input_tokens else "")),
        *([("input tokens billed / naive fan-out", fanout)] if (fanout := _fanout(stats)) else []),
        ("cost this run (USD, list price, judge and tool mock included)", _cost(stats)),
        *_spend_rows(stats),
        ("elapsed", f"{elapsed_s:.1f} s"),
        ("candidates / s", f"{stats.candidates / elapsed_s:.1f}" if elapsed_s > 0 else "n/a"),
    ]
    rows += [(f"split {name} (this run)", split.line()) for name, split in sorted(stats.by_split.items())]
    rows += list(extra.items())
    return rows
