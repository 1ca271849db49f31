"""The home page: the units × stages dashboard (secretaries go to their unit), and the page labels."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..campaigns.scope import campaign_in_view
from ..charts.views import figures as chart_figures
from ..clock import local_today, utcnow
from ..extensions import db
from ..labels import stage_label, stage_short_label, status_label
from ..models import WorkingGroup
from ..parsing import page_number
from ..readmodel import stage_cells
from ..subcells import query as subcell_query
from ..workflow import STAGES, STATUSES
from ..workflow.rounding import percent
from . import dashboard_data as data

bp = Blueprint("dashboard", __name__)
PER_PAGE = 100


def _words() -> dict[str, str]:
    """The row texts with a number, translated once per page (the template fills in the number)."""
    return {"late_one": _("1 day late (due %(date)s)"), "late_many": _("%(n)s days late (due %(date)s)"),
            "blockers": _("Open difficulties: %(n)s"), "late_stages": _("Overdue stages: %(n)s"),
            "rollup": _("%(held)s/%(total)s cells under it have held their congress"),
            "rollup_short": _("cells %(held)s/%(total)s")}


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own: send them to the icon in static/."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/")
@login_required
def home():
    """The signed-in user's home: the dashboard, or the secretary's own unit."""
    if current_user.role == "secretary":
        if current_user.unit_id is not None:
            return redirect(url_for("units.show", code=current_user.unit.code))
        return render_template("dashboard/no_unit.html")
    now = utcnow()
    today = local_today(now)
    is_member = current_user.role == "group"
    group_ids = current_user.group_ids if is_member else set()
    groups = [] if is_member else data.working_groups()
    filters = data.parse_filters(request.args, current_user.role, group_ids, groups)
    campaign = campaign_in_view()
    if filters.parent:
        filters.parent_id = data.committee_id(filters.parent, campaign.id if campaign else None)
    scope = data.conditions(filters, campaign.id if campaign else None, today)
    total = data.count_units(scope)
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_number(request.args.get("page")), pages)
    units = data.page_of_units(scope, page, PER_PAGE, filters.sort)
    # labels once per request: the template never translates per cell
    labels = {st: status_label(st) for st in STATUSES}
    stages = [(s, stage_label(s), stage_short_label(s)) for s in STAGES]
    ids = [u.id for u in units]
    rows = data.rows_for(units, stage_cells(ids, today), labels, {key: name for key, name, _short in stages},
                         today, url_for("units.show", code="0"), subcell_query.rollups(ids, today))
    totals = data.stage_totals(scope)
    finished, all_stages = data.completion(totals)
    rounding = campaign.rounding if campaign else "half_up"
    charts = chart_figures(("burn_up", "stages"), campaign, today, _chart_group(filters)) if campaign else []
    return render_template("dashboard/home.html", campaign=campaign, rows=rows, totals=totals, total=total,
                           page=page, pages=pages, filters=filters, groups=groups, labels=labels,
                           stages=stages, words=_words(),
                           completion=percent(finished, all_stages, rounding), finished=finished,
                           all_stages=all_stages, today=today, charts=charts)


def _chart_group(filters):
    """The working group the charts follow: the one picked (admins, viewers), or a member's only group."""
    if filters.group_id is not None:
        return db.session.get(WorkingGroup, filters.group_id)
    if filters.scope == "mine" and len(filters.group_ids) == 1:
        return db.session.get(WorkingGroup, next(iter(filters.group_ids)))
    return None
