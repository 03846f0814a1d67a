"""The report's figures, each returned as an SVG string ready to inline in HTML.

Figures are built with matplotlib's object API (`matplotlib.figure.Figure`) and saved through the
SVG backend: pyplot is never imported, so no GUI backend is chosen, no display is opened and no
global figure registry grows, which also makes the module safe inside a notebook or a thread.
Text stays text (`svg.fonttype: none`): matplotlib escapes it, and labels pass through `label`
first so a model's name can neither start mathtext (`$`) nor hide from a legend (`_`).
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

# Stable output for the same input: hashed clip-path ids use a fixed salt; no date or tool metadata.
_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "bestofn-report",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8,
    "legend.frameon": False,
}
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
WIDTH = 7.5  # inches; the page scales the SVG down, never up
MAX_BARS = 40  # more bars than this stop being readable: the caller says which were left out
MAX_SERIES = 8  # lines or overlaid histograms per axes before a legend turns into noise
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
# boxplot's `vert` gave way to `orientation` in matplotlib 3.10 (and warns from 3.11).
_HORIZONTAL = ({"orientation": "horizontal"} if tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 10)
               else {"vert": False})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TAG = re.compile(r"<[^>]*>")


def label(text: Any, limit: int = 40) -> str:
    """A data-written string made safe as a matplotlib label: no control characters, no mathtext,
    not hidden from legends, and short."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def _prefix_ids(svg: str, prefix: str) -> str:
    """Give every id of one figure a prefix, so several inlined figures never share an id. Only the
    markup is rewritten (tags), never the text between tags, where a label could look like `id="x"`."""

    def tag(match: re.Match[str]) -> str:
        text = match.group()
        text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
        text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)
        return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)

    return _TAG.sub(tag, svg)


def to_svg(fig: Figure, plot_id: str) -> str:
    """The figure as an `<svg>` element for inline HTML: no XML prologue, no DOCTYPE, no namespace
    URLs (the HTML parser supplies them), ids made unique to this plot."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_STYLE), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph missing from the font is drawn as a box, not an error
        fig.savefig(buffer, format="svg", metadata=_METADATA)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{plot_id}" ', 1)
    return _prefix_ids(svg, f"svg-{plot_id}")


def _figure(rows: int = 1, cols: int = 1, height: float = 3.2, width: float = WIDTH) -> tuple[Figure, Any]:
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False)
    return fig, axes


def _bar_height(count: int) -> float:
    return 0.9 + 0.28 * count


def share_bars(plot_id: str, bars: Sequence[tuple[str, float, str]], title: str, xlabel: str = "verified share",
               full_scale: bool = True) -> str:
    """Horizontal bars of shares, each annotated (e.g. `37.5% (3/8)`); first bar on top. The axis runs
    to 100% unless `full_scale` is off (small rates such as refusals), then to just past the largest."""
    bars = list(bars)[:MAX_BARS]
    with matplotlib.rc_context(_STYLE):
        fig, axes = _figure(height=_bar_height(len(bars)))
        ax = axes[0][0]
        positions = range(len(bars))
        ax.barh(list(positions), [share for _, share, _ in bars], color=COLOURS[0])
        ax.set_yticks(list(positions), [label(name) for name, _, _ in bars])
        ax.invert_yaxis()
        if full_scale:
            ax.set_xlim(0, 1.18)  # room for the annotations right of a full bar
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        else:
            ax.set_xlim(0, (max((share for _, share, _ in bars), default=0) or 0.01) * 1.4)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        for position, (_, share, note) in zip(positions, bars, strict=True):
            ax.annotate(label(note, 60), (share, position), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_title(label(title, 120))
        ax.grid(axis="y", visible=False)
        return to_svg(fig, plot_id)


def curves(plot_id: str, panels: dict[str, dict[str, list[tuple[int, float]]]], title: str) -> str:
    """pass@k style curves: one axes per panel, one line per series (k on x, a share on y)."""
    names = list(panels)
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    # One colour per series name across all panels (a model keeps its colour from split to split).
    every = sorted({series_name for series in panels.values() for series_name in series})[:MAX_SERIES]
    colours = dict(zip(every, COLOURS, strict=False))
    with matplotlib.rc_context(_STYLE):
        fig, axes = _figure(rows, cols, height=2.8 * rows + 0.4)
        for index, name in enumerate(names):
            ax = axes[index // cols][index % cols]
            series = [(k, v) for k, v in panels[name].items() if k in colours]
            max_k = 1
            for series_name, points in series:
                colour = colours[series_name]
                ks = [k for k, _ in points]
                max_k = max(max_k, *ks) if ks else max_k
                ax.plot(ks, [v for _, v in points], marker="o" if len(ks) <= 20 else None, markersize=3,
                        color=colour, label=label(series_name))
            ax.set_ylim(0, 1.02)
            ax.set_xlim(0.8, max_k + 0.2)
            if max_k <= 16:
                ax.set_xticks(range(1, max_k + 1))
            ax.set_xlabel("k")
            ax.set_ylabel("pass@k")
            if len(names) > 1:
                ax.set_title(label(name))
            if len(series) > 1 or len(names) == 1:
                ax.legend(loc="lower right")
        for index in range(len(names), rows * cols):
            axes[index // cols][index % cols].set_visible(False)
        fig.suptitle(label(title, 120))
        return to_svg(fig, plot_id)


def histograms(plot_id: str, panels: dict[str, dict[str, Sequence[float]]], title: str, xlabel: str,
               bins: int = 20, value_range: tuple[float, float] | None = None) -> str:
    """One axes per panel; within it one histogram per series (overlaid as steps when several)."""
    names = list(panels)
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    with matplotlib.rc_context(_STYLE):
        fig, axes = _figure(rows, cols, height=2.5 * rows + 0.4)
        for index, name in enumerate(names):
            ax = axes[index // cols][index % cols]
            series = [(k, list(v)) for k, v in panels[name].items() if len(v)][:MAX_SERIES]
            several = len(series) > 1
            for colour, (series_name, values) in zip(COLOURS, series, strict=False):
                ax.hist(values, bins=bins, range=value_range, color=colour, histtype="step" if several else "bar",
                        linewidth=1.5 if several else None, label=f"{label(series_name)} ({len(values):,})")
            ax.set_xlabel(xlabel)
            ax.set_ylabel("candidates")
            count = sum(len(values) for _, values in series)
            if len(names) > 1:
                ax.set_title(f"{label(name)} ({count:,})")
            if several:
                ax.legend(loc="best")
        for index in range(len(names), rows * cols):
            axes[index // cols][index % cols].set_visible(False)
        fig.suptitle(label(title, 120))
        return to_svg(fig, plot_id)


def value_bars(plot_id: str, panels: dict[str, list[tuple[str, float, str]]], title: str) -> str:
    """Side-by-side axes of horizontal bars with free scales (e.g. tokens and USD per verified)."""
    names = list(panels)
    count = max((len(bars) for bars in panels.values()), default=1)
    with matplotlib.rc_context(_STYLE):
        fig, axes = _figure(1, len(names), height=_bar_height(min(count, MAX_BARS)) + 0.3)
        for ax, name in zip(axes[0], names, strict=True):
            bars = panels[name][:MAX_BARS]
            positions = list(range(len(bars)))
            ax.barh(positions, [v for _, v, _ in bars], color=COLOURS[0])
            ax.set_yticks(positions, [label(n, 28) for n, _, _ in bars])
            ax.invert_yaxis()
            top = max((v for _, v, _ in bars), default=0) or 1
            ax.set_xlim(0, top * 1.35)
            for position, (_, value, note) in zip(positions, bars, strict=True):
                ax.annotate(label(note), (value, position), xytext=(3, 0), textcoords="offset points", va="center",
                            fontsize=8)
            ax.set_title(label(name, 60))
            ax.grid(axis="y", visible=False)
        fig.suptitle(label(title, 120))
        return to_svg(fig, plot_id)


def stacked_counts(plot_id: str, groups: list[str], parts: dict[str, list[int]], title: str, xlabel: str) -> str:
    """One horizontal bar per group, split into the named parts (counts)."""
    groups = groups[:MAX_BARS]
    with matplotlib.rc_context(_STYLE):
        fig, axes = _figure(height=_bar_height(len(groups)) + 0.4)
        ax = axes[0][0]
        left = [0] * len(groups)
        positions = list(range(len(groups)))
        for colour, (part, counts) in zip(COLOURS, parts.items(), strict=False):
            counts = counts[: len(groups)]
            ax.barh(positions, counts, left=left, color=colour, label=label(part))
            left = [a + b for a, b in zip(left, counts, strict=True)]
        ax.set_yticks(positions, [label(g) for g in groups])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=len(parts))
        ax.set_title(label(title, 120), loc="left")
        ax.grid(axis="y", visible=False)
        return to_svg(fig, plot_id)


def boxes(plot_id: str, groups: dict[str, Sequence[float]], title: str, xlabel: str) -> str:
    """One horizontal box per group with its mean marked, for bounded scores such as persona voice."""
    items = [(name, list(values)) for name, values in groups.items() if len(values)][:MAX_BARS]
    with matplotlib.rc_context(_STYLE):
        fig, axes = _figure(height=_bar_height(len(items)) + 0.3)
        ax = axes[0][0]
        positions = list(range(1, len(items) + 1))
        ax.boxplot([values for _, values in items], positions=positions, widths=0.6, **_HORIZONTAL,
                   showmeans=True, meanprops={"marker": "D", "markerfacecolor": COLOURS[1], "markeredgecolor": "none"})
        ax.set_yticks(positions, [f"{label(name)} ({len(values):,})" for name, values in items])
        ax.invert_yaxis()
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel(xlabel)
        ax.set_title(label(title, 120))
        ax.grid(axis="y", visible=False)
        return to_svg(fig, plot_id)


def tool_panels(plot_id: str, calls: dict[str, Sequence[float]], ended: dict[str, dict[str, int]],
                tools: dict[str, dict[str, int]], title: str) -> str:
    """Three views of the tool loop: calls per candidate, how loops ended, the most called tools."""
    with matplotlib.rc_context(_STYLE):
        fig, axes = _figure(1, 3, height=3.0)
        ax = axes[0][0]
        top = max((max(v) for v in calls.values() if len(v)), default=0)
        several = len(calls) > 1
        for colour, (split, values) in zip(COLOURS, list(calls.items())[:MAX_SERIES], strict=False):
            ax.hist(list(values), bins=range(int(top) + 2), color=colour, histtype="step" if several else "bar",
                    label=label(split), align="left", linewidth=1.5 if several else None,
                    rwidth=None if several else 0.8)
        ax.set_xlabel("tool calls per candidate")
        ax.set_ylabel("candidates")
        if several:
            ax.legend()
        for ax, counts, name in ((axes[0][1], ended, "how loops ended"), (axes[0][2], tools, "most called tools")):
            bars = [(f"{k} · {s}" if len(counts) > 1 else k, v) for s, d in counts.items() for k, v in d.items()]
            bars = bars[:12]
            positions = list(range(len(bars)))
            ax.barh(positions, [v for _, v in bars], color=COLOURS[0])
            ax.set_yticks(positions, [label(n, 24) for n, _ in bars])
            ax.invert_yaxis()
            ax.set_xlabel("candidates" if counts is ended else "calls")
            ax.set_title(name)
            ax.grid(axis="y", visible=False)
        fig.suptitle(label(title, 120))
        return to_svg(fig, plot_id)
