"""Each chart as bytes (SVG for the pages, PNG for the Word report) with its caption: the key numbers in words.

The pages, the chart URLs and the .docx export all come here, so a chart and its caption always read
the same numbers. Texts are translated in the reader's language (Vietnamese first), dates as dd/mm.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from flask_babel import gettext as _

from ..formatting import fmt_percent
from ..labels import stage_label
from ..models import Campaign, WorkingGroup
from ..reports import text as report_text
from ..reports.partydoc import Figure
from ..workflow import STAGES
from . import data, draw

CHARTS = ("burn_up", "stages", "composition")


@dataclass(frozen=True)
class Chart:
    """One chart for a page or a document: its name, title, caption (alt text) and, when drawn, its bytes."""

    name: str
    title: str
    caption: str
    image: bytes = b""
    data: dict = field(default_factory=dict)  # the numbers drawn, as JSON beside the image (?format=json)


def _dm(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _time_texts() -> dict[str, str]:
    return {"y": _("Units"), "x": _("Week ending (dd/mm)"), "units": _("Units in all")}


def burn_up(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None, fmt: Optional[str] = "svg",
            small: bool = False) -> Chart:
    """The burn-up of congresses held against the plan (fmt=None: the caption only, no drawing)."""
    numbers = data.burn_up(campaign, today, group)
    texts = {**_time_texts(), "planned": _("Planned congress dates"), "held": _("Congresses held"),
             "today": _("today")}
    caption = _("Congresses held against the plan, by week. By %(date)s: %(held)s of %(units)s units have held "
                "their congress; %(planned)s were planned by then.", date=_dm(today), held=numbers.held_now,
                units=numbers.units, planned=numbers.planned_by_today)
    image = draw.burn_up(numbers, texts, fmt, small) if fmt else b""
    weeks = [{"week_end": end.isoformat(), "planned": planned, "held": numbers.held[i] if i < len(numbers.held)
              else None} for i, (end, planned) in enumerate(zip(numbers.ends, numbers.planned, strict=True))]
    return Chart("burn_up", _("Congresses held against the plan"), caption, image,
                 {"units": numbers.units, "held": numbers.held_now, "planned": numbers.planned_by_today,
                  "weeks": weeks})


def stages(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None, fmt: Optional[str] = "svg",
           small: bool = False) -> Chart:
    """Units that finished each stage, by week, from the journal."""
    numbers = data.stage_progress(campaign, today, group)
    names = {s: stage_label(s) for s in STAGES}
    done = "; ".join(f"{names[s]} {numbers.now(s)}" for s in STAGES)
    caption = _("Units that finished each stage, by week. By %(date)s, of %(units)s units: %(done)s.",
                date=_dm(today), units=numbers.units, done=done)
    image = draw.stage_progress(numbers, names, _time_texts(), fmt, small) if fmt else b""
    return Chart("stages", _("Stages finished over time"), caption, image,
                 {"units": numbers.units, "finished": {s: numbers.now(s) for s in STAGES},
                  "weeks": [end.isoformat() for end in numbers.ends], "by_week": numbers.done})


def composition(report: Any, targets: Any, fmt: Optional[str] = "svg", small: bool = False) -> Chart:
    """The committees' composition per kind against the targets, from a built report's own percentages."""
    numbers = data.composition(report, targets)
    share_names = {"women": _("Women"), "young": _("Young"), "ethnic_minority": _("Ethnic minority")}
    row_names = {kind: report_text.kind_label(kind) for kind, _s, _e in numbers.rows}
    row_names["all"] = _("All units")
    overall = numbers.rows[-1][1]
    caption = _("Composition of the elected committees against the targets. All units: women %(women)s "
                "(target %(women_min)s), young %(young)s (target %(young_min)s), ethnic minority %(ethnic)s.",
                women=fmt_percent(overall["women"]), women_min=fmt_percent(numbers.women_min),
                young=fmt_percent(overall["young"]), young_min=fmt_percent(numbers.young_min),
                ethnic=fmt_percent(overall["ethnic_minority"]))
    texts = {"x": _("Share of the committee members elected"), "women_target": _("Target for women: %s"),
             "young_target": _("Target for the young: %s")}
    image = draw.composition(numbers, row_names, share_names, texts, fmt_percent, fmt, small) if fmt else b""
    return Chart("composition", _("Committee composition against the targets"), caption, image,
                 {"rows": [{"kind": kind, "elected": elected, "shares": shares}
                           for kind, shares, elected in numbers.rows],
                  "targets": {"women": numbers.women_min, "young": numbers.young_min}})


def results_figures(report: Any, targets: Any) -> list[Figure]:
    """The results report's charts as PNG for the .docx: the composition after the results by kind,
    the burn-up after the units not done yet."""
    comp = composition(report, targets, fmt="png")
    burn = burn_up(report.campaign, report.today, report.group, fmt="png")
    return [Figure(comp.image, comp.caption, after="by_kind"),
            Figure(burn.image, burn.caption, after="not_done")]


def progress_figures(campaign: Campaign, on: date, group: Optional[WorkingGroup] = None) -> list[Figure]:
    """The progress report's charts as PNG, as of its day: stages by week after the units by stage, the burn-up
    after the coming congresses."""
    steps = stages(campaign, on, group, fmt="png")
    burn = burn_up(campaign, on, group, fmt="png")
    return [Figure(steps.image, steps.caption, after="by_stage"),
            Figure(burn.image, burn.caption, after="coming")]
