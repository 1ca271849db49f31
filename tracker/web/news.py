"""Pages of the news that matters: marking a piece of news read, and the list of open blockers."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..clock import local_today, utcnow
from ..extensions import db
from ..parsing import page_number
from ..permissions import can_list_blockers
from ..services import news
from ..services.blockers import open_blockers_page
from ..services.campaigns import current_campaign

bp = Blueprint("news", __name__)
PER_PAGE = 50


class EmptyForm(FlaskForm):
    """Only the CSRF token, for buttons that post."""


@bp.route("/inbox/news/<int:news_id>/read", methods=["POST"])
@login_required
def read(news_id: int):
    """Mark one piece of news read."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not news.mark_read(current_user, news_id, utcnow()):
        abort(404)
    db.session.commit()
    return redirect(url_for("inbox.index", page=page_number(request.args.get("page", "1")),
                            unread="1" if request.args.get("unread") == "1" else None))


@bp.route("/blockers")
@login_required
def blockers():
    """Open blockers, oldest first: a group member's own units (or all with ?all=1); everyone's for the others."""
    if not can_list_blockers(current_user):
        abort(403)
    mine_only = current_user.role == "group" and request.args.get("all") != "1"
    campaign = current_campaign()
    page = page_number(request.args.get("page", "1"))
    rows, total = open_blockers_page(campaign.id if campaign else None,
                                     current_user.group_ids if mine_only else None, page, PER_PAGE,
                                     local_today(utcnow()))
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        return redirect(url_for("news.blockers", page=pages, all=None if mine_only else request.args.get("all")))
    return render_template("news/blockers.html", rows=rows, total=total, page=page, pages=pages,
                           mine_only=mine_only, can_toggle=current_user.role == "group")


@bp.app_context_processor
def _news_helpers():
    return {"may_list_blockers": lambda: current_user.is_authenticated and can_list_blockers(current_user)}
