"""The charts drawn with matplotlib's object API (no pyplot: no global figure state, safe under threads).

Every function takes the numbers (tracker.charts.data) and the texts already translated, and returns
bytes: `fmt="svg"` for the pages (text kept as <text>, so it is searchable, printable and readable by
screen readers and tests) or `fmt="png"` for the Word report. Colours are Bootstrap's, told apart by
line style and markers too, so a grey print still reads.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .data import COMPOSITION_SHARES, BurnUp, Composition, StageProgress

BLUE, GREEN, GREY, RED, ORANGE, PURPLE, TEAL, DARK = (
    "#0d6efd", "#198754", "#6c757d", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#212529")
STAGE_STYLES = ((BLUE, "o", "-"), (ORANGE, "s", "-"), (PURPLE, "^", "-"), (TEAL, "D", "--"),
                (GREEN, "v", "-"), (RED, "P", "--"))
SHARE_COLOURS = {"women": RED, "young": BLUE, "ethnic_minority": ORANGE}
RC = {"svg.fonttype": "none", "svg.hashsalt": "tracker-charts", "font.family": "DejaVu Sans", "font.size": 9,
      "axes.spines.top": False, "axes.spines.right": False}
MAX_LABELS = 10  # date labels on an axis at most (5 on a small chart)
WIDE, SMALL = 8.0, 4.6  # inches: a chart across a page, and one across a phone (readable at 390 px)


def _dm(day: date) -> str:
    return day.strftime("%d/%m")  # the Vietnamese short date


def _save(fig: Figure, fmt: str) -> bytes:
    out = io.BytesIO()
    with matplotlib.rc_context(RC):
        # no creation date in the file: the same numbers give the same bytes (caching, tests)
        meta = {"Date": None} if fmt == "svg" else {}
        fig.savefig(out, format=fmt, dpi=150, bbox_inches="tight", metadata=meta)
    return out.getvalue()


def _figure(height: float = 3.4, small: bool = False) -> Figure:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(SMALL if small else WIDE, height), layout="constrained")
        fig.add_subplot()
    return fig


def _legend(ax, small: bool, ncols: int = 1) -> None:
    if small:  # below the plot, so it never hides a line on a narrow chart
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False, fontsize=8, ncols=2)
    else:
        ax.legend(loc="upper left", frameon=False, fontsize=8, ncols=ncols)


def _date_axis(ax, ends: Sequence[date], small: bool = False) -> None:
    step = max(1, -(-len(ends) // (MAX_LABELS // 2 if small else MAX_LABELS)))
    shown = list(range(len(ends) - 1, -1, -step))[::-1]  # the last week always labelled
    ax.set_xticks(shown, [_dm(ends[i]) for i in shown])
    ax.set_xlim(-0.3, max(len(ends) - 0.7, 0.7))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#dee2e6", linewidth=0.6)


def burn_up(data: BurnUp, texts: dict[str, str], fmt: str = "svg", small: bool = False) -> bytes:
    """Congresses held against the plan by week: planned (dashed), held (solid), the units' total (dotted)."""
    with matplotlib.rc_context(RC):
        fig = _figure(4.2 if small else 3.4, small)
        ax = fig.axes[0]
        xs = range(len(data.ends))
        ax.plot(xs, data.planned, color=BLUE, linestyle="--", marker="o", markersize=3, label=texts["planned"])
        ax.plot(range(len(data.held)), data.held, color=GREEN, linewidth=2.2, marker="s", markersize=3,
                label=texts["held"])
        ax.axhline(data.units, color=GREY, linestyle=":", linewidth=1, label=texts["units"])
        if data.held:
            ax.axvline(len(data.held) - 1, color=DARK, linewidth=0.8, alpha=0.5)
            ax.annotate(texts["today"], (len(data.held) - 1, data.units), xytext=(3, -10),
                        textcoords="offset points", fontsize=8, color=DARK)
        _date_axis(ax, data.ends, small)
        ax.set_ylim(0, max(data.units, 1) * 1.08)
        ax.set_ylabel(texts["y"])
        ax.set_xlabel(texts["x"])
        _legend(ax, small)
        return _save(fig, fmt)


def stage_progress(data: StageProgress, stage_names: dict[str, str], texts: dict[str, str],
                   fmt: str = "svg", small: bool = False) -> bytes:
    """Units that finished each stage, cumulative by week: one line per stage."""
    with matplotlib.rc_context(RC):
        fig = _figure(4.8 if small else 3.4, small)
        ax = fig.axes[0]
        xs = range(len(data.ends))
        for (stage, counts), (colour, marker, style) in zip(data.done.items(), STAGE_STYLES, strict=False):
            ax.plot(xs, counts, color=colour, marker=marker, markersize=3, linestyle=style,
                    label=stage_names[stage])
        ax.axhline(data.units, color=GREY, linestyle=":", linewidth=1, label=texts["units"])
        _date_axis(ax, data.ends, small)
        ax.set_ylim(0, max(data.units, 1) * 1.08)
        ax.set_ylabel(texts["y"])
        ax.set_xlabel(texts["x"])
        _legend(ax, small, ncols=2)
        return _save(fig, fmt)


def composition(data: Composition, row_names: dict[str, str], share_names: dict[str, str],
                texts: dict[str, str], percent: Callable[[float], str], fmt: str = "svg",
                small: bool = False) -> bytes:
    """Women, young and ethnic-minority shares of the committees per kind, with the targets as lines."""
    with matplotlib.rc_context(RC):
        fig = _figure(1.6 + 0.9 * len(data.rows), small)
        ax = fig.axes[0]
        height = 0.26
        rows = list(reversed(data.rows))  # the first kind on top, the overall row last
        for i, share in enumerate(COMPOSITION_SHARES):
            ys = [y + (1 - i) * height for y in range(len(rows))]
            values = [shares[share] for _kind, shares, _elected in rows]
            bars = ax.barh(ys, values, height=height * 0.92, color=SHARE_COLOURS[share], label=share_names[share])
            ax.bar_label(bars, labels=[percent(float(v)) for v in values], padding=2, fontsize=7)
        for value, share, key in ((data.women_min, "women", "women_target"), (data.young_min, "young", "young_target")):
            ax.axvline(value, color=SHARE_COLOURS[share], linestyle="--", linewidth=1,
                       label=texts[key].replace("%s", percent(value)))
        ax.set_yticks(range(len(rows)), [row_names[kind] for kind, _s, _e in rows])
        top = max([data.women_min, data.young_min] + [v for _k, s, _e in rows for v in s.values()])
        ax.set_xlim(0, min(100.0, top * 1.25 + 2))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
        ax.set_xlabel(texts["x"])
        ax.grid(axis="x", color="#dee2e6", linewidth=0.6)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 if small else -0.18), frameon=False, fontsize=8,
                  ncols=2 if small else 3)
        return _save(fig, fmt)
