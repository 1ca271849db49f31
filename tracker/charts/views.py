"""The charts as image/svg+xml from their own URLs, for <img> on the dashboard and the report.

Same permission as the report and the dashboard (admins, working-group members, viewers); the
campaign in view (tracker.campaigns.scope, `?campaign=ID` included) and `?group=CODE` as on the report.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from flask import Blueprint, Response, jsonify, request, url_for
from flask_login import login_required

from ..clock import local_today, utcnow
from ..models import Campaign, WorkingGroup
from ..reports.query import build_report
from ..reports.scope import report_scope
from ..services import result_fields
from . import images

bp = Blueprint("charts", __name__)
SVG = "image/svg+xml"


chart_scope = report_scope  # the charts are the report's pictures: the same scope and permission


def chart_url(name: str, group: Optional[WorkingGroup] = None, small: bool = False) -> str:
    """The chart's address with the page's filters passed through (the group, the campaign asked for)."""
    args: dict[str, str] = {"group": group.code} if group is not None else {}
    if small:
        args["size"] = "small"
    if request.args.get("campaign"):
        args["campaign"] = request.args["campaign"]
    return url_for(f"charts.{name}", **args)


def _small() -> bool:
    """?size=small: the chart drawn for a phone's width (larger text, fewer date labels, the legend below)."""
    return request.args.get("size") == "small"


def _json() -> bool:
    """?format=json: the chart's numbers and caption instead of its image (for scripts and the tests that
    compare every output's numbers)."""
    return request.args.get("format") == "json"


def _fmt() -> Optional[str]:
    return None if _json() else "svg"  # nothing drawn for the JSON answer


def _svg(chart: images.Chart) -> Response:
    if _json():
        response = jsonify({"name": chart.name, "title": chart.title, "caption": chart.caption, "data": chart.data})
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    response = Response(chart.image, mimetype=SVG)
    response.headers["Cache-Control"] = "private, no-cache"  # the numbers change with every tick
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/charts/burn-up.svg")
@login_required
def burn_up():
    """Congresses held against the plan, by week."""
    campaign, group = chart_scope()
    return _svg(images.burn_up(campaign, local_today(utcnow()), group, _fmt(), small=_small()))


@bp.route("/charts/stages.svg")
@login_required
def stages():
    """Units that finished each stage, by week."""
    campaign, group = chart_scope()
    return _svg(images.stages(campaign, local_today(utcnow()), group, _fmt(), small=_small()))


@bp.route("/charts/composition.svg")
@login_required
def composition():
    """The committees' composition per kind against the campaign's targets."""
    campaign, group = chart_scope()
    report = build_report(campaign, local_today(utcnow()), group, details=False)
    return _svg(images.composition(report, result_fields.targets_of(campaign), _fmt(), small=_small()))


@dataclass(frozen=True)
class Figure:
    """A chart as a page shows it: its address, its title (the image's alt) and its caption (the key numbers)."""

    name: str
    url: str
    small_url: str  # the same chart drawn for a phone (<picture><source media=…>)
    title: str
    caption: str


def figures(names: tuple[str, ...], campaign: Campaign, today, group: Optional[WorkingGroup] = None,
            report: Any = None) -> list[Figure]:
    """The page's charts (captions read the same numbers as the images; two queries a chart, the composition
    none: it reads the page's own report)."""
    out = []
    for name in names:
        if name == "composition":
            chart = images.composition(report, result_fields.targets_of(campaign), fmt=None)
        else:
            chart = getattr(images, name)(campaign, today, group, fmt=None)
        out.append(Figure(name, chart_url(name, group), chart_url(name, group, small=True),
                          chart.title, chart.caption))
    return out
