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


def stats_line(s: RunStats, rate: bool = True) -> str:
    line = (
        f"cands {s.candidates} | verified {_share(s.verified, s.verifiable)} | "
        f"tok in {s.input_tokens:,} out {s.output_tokens:,} | errors {s.errors} | retries {s.retry.retries}"
    )
    limits = s.rate.describe() if rate and s.rate is not None else ""
    return f"{line} | {limits}" if limits else line


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
        ("input / output tokens", f"{stats.input_tokens:,} / {stats.output_tokens:,}"),
        ("cost (USD, list price)", _cost(stats)),
        ("elapsed", f"{elapsed_s:.1f} s"),
        ("candidates / s", f"{stats.candidates / elapsed_s:.1f}" if elapsed_s > 0 else "n/a"),
    ]
    rows += [(f"split {name} (this run)", split.line()) for name, split in sorted(stats.by_split.items())]
    rows += list(extra.items())
    return rows
