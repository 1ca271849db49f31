"""The list of open blockers across units, oldest first (the district side and leadership)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..campaigns.scope import campaign_in_view
from ..clock import local_today, utcnow
from ..paging import page_number
from ..permissions import can_list_blockers
from ..services.blockers import open_blockers_page

bp = Blueprint("news", __name__)
PER_PAGE = 50


@bp.route("/blockers")
@login_required
def blockers():
    """Open blockers, oldest first: a group member's own units (or all with ?all=1); everyone's for the others."""
    if not can_list_blockers(current_user):
        abort(403)
    mine_only = current_user.role == "group" and request.args.get("all") != "1"
    campaign = campaign_in_view()
    page = page_number(request.args.get("page", "1"))
    window = open_blockers_page(campaign.id if campaign else None,
                                current_user.group_ids if mine_only else None, page, PER_PAGE,
                                local_today(utcnow()))
    if page > window.pages:
        return redirect(url_for("news.blockers", page=window.pages, all=None if mine_only else request.args.get("all")))
    return render_template("news/blockers.html", rows=window.items, total=window.total, page=window.page,
                           pages=window.pages, mine_only=mine_only, can_toggle=current_user.role == "group")

