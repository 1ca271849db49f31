"""The calendar's pages (month, week, clashes, the feed addresses) and its feeds (no sign-in: the secret is the key)."""
from __future__ import annotations

import logging
from datetime import date
from typing import Optional

from babel.dates import get_day_names
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..campaigns.scope import active_campaign, campaign_in_view, group_by_code, groups_in_view
from ..clock import local_today, utcnow
from ..edge import EmptyForm, commit_or_refuse
from ..extensions import db
from ..models import Campaign, WorkingGroup
from ..parsing import day_help, parse_day
from ..permissions import (
    calendar_scope,
    can_filter_calendar_by_group,
    can_read_campaign_feed,
    can_read_group_feed,
    readable_units,
)
from . import feeds, grid, query, tokens

log = logging.getLogger(__name__)
bp = Blueprint("calendar", __name__)


def _groups(camp: Optional[Campaign]) -> list[WorkingGroup]:
    """The campaign's working groups, by code."""
    if camp is None:
        return []
    return list(db.session.scalars(select(WorkingGroup).where(groups_in_view(camp.id)).order_by(WorkingGroup.code)))


def _anchor(today: date) -> date:
    raw = request.args.get("date", "")
    day = parse_day(raw) if raw else today
    if day is None:  # a typo or a day far off (9999-12-31): today's month, and say why
        flash(day_help(), "warning")
        return today
    return day


def _group(groups: list[WorkingGroup]) -> Optional[WorkingGroup]:
    code = request.args.get("group", "")
    return next((g for g in groups if g.code == code), None)


@bp.get("/calendar")
@login_required
def index():
    """The month (default) or week of congresses and rehearsals, with clashes flagged."""
    today = local_today()
    view = request.args.get("view") if request.args.get("view") in grid.VIEWS else "month"
    page = grid.period(view, _anchor(today))
    camp = campaign_in_view()
    may_filter = can_filter_calendar_by_group(current_user)
    groups = _groups(camp) if may_filter else []
    group = _group(groups)
    items, found = [], []
    if camp is not None:
        scope = readable_units(current_user)
        items = query.entries(query.unit_ids(camp, scope, group.id if group else None), page.first, page.last, today)
        found = query.clashes(camp, page.first, page.last)
    day_over, group_days = query.flags(found)
    keep = {k: v for k, v in (("group", group.code if group else None),
                              ("campaign", request.args.get("campaign"))) if v}  # carried by the links
    names = get_day_names("abbreviated", locale=str(get_locale() or "vi"))
    return render_template(
        "calendar/index.html", page=page, days=query.by_day(items), today=today, groups=groups, group=group,
        may_filter=may_filter, campaign=camp, day_over=day_over, group_days=group_days,
        weekdays=[names[i] for i in range(7)], n_clashes=len(found), args=keep,
        limit=camp.congresses_per_day if camp else 0)


@bp.get("/calendar/clashes")
@login_required
def clashes():
    """Every clash of the campaign: days of one group with two congresses, days over the campaign's limit."""
    camp = campaign_in_view()
    found = query.clashes(camp) if camp is not None else []
    if not can_filter_calendar_by_group(current_user):
        # a secretary sees the clashes that concern a unit they read, and only those units
        scope = {u.id for c in found for u in c.units if _reads(u)}
        found = [c for c in found if any(u.id in scope for u in c.units)]
        for c in found:
            c.units = [u for u in c.units if u.id in scope]
    return render_template("calendar/clashes.html", clashes=found, campaign=camp,
                           limit=camp.congresses_per_day if camp else 0)


def _reads(unit) -> bool:
    from ..permissions import can_read_unit
    return can_read_unit(current_user, unit)


def feed_addresses(user) -> dict:
    """What the feed addresses block shows (calendar and account pages): the user's address, the group and
    campaign feeds they may read, the form for renew/revoke. May create the user's key: the page commits."""
    url = tokens.calendar_url(user)
    group_urls, campaign_url = [], None
    if url:
        secret = tokens.token_of(user).secret
        if can_read_group_feed(user):
            group_urls = [(g, url_for("calendar.group_feed", secret=secret, code=g.code, _external=True))
                          for g in _groups(active_campaign())]
        if can_read_campaign_feed(user):
            campaign_url = url_for("calendar.campaign_feed", secret=secret, _external=True)
    return {"url": url, "group_urls": group_urls, "campaign_url": campaign_url, "form": EmptyForm()}


@bp.get("/calendar/subscribe")
@login_required
def subscribe():
    """The user's feed addresses (own, per group, whole campaign), with renew and revoke."""
    shown = feed_addresses(current_user)
    db.session.commit()  # the key may just have been created
    return private(make_response(render_template("calendar/subscribe.html", **shown)))


@bp.post("/calendar/subscribe/renew")
@login_required
def renew():
    """A new secret address; the old one stops working."""
    return _change(lambda: tokens.renew(current_user, utcnow()),
                   _("Your calendar has a new address. Put it in your calendar app: the old one no longer works."))


@bp.post("/calendar/subscribe/revoke")
@login_required
def revoke():
    """No feed any more, until renewed."""
    return _change(lambda: tokens.revoke(current_user),
                   _("Your calendar address was revoked: calendar apps can no longer read it."))


def _change(change, done: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    commit_or_refuse(change)
    flash(done, "success")
    back = "account.account" if request.form.get("back") == "account" else "calendar.subscribe"
    return redirect(url_for(back))


def private(response):
    """no-store and no Referer: for pages and feeds whose URL or body holds a feed secret."""
    # the secret is in the URL: no cache keeps it, no Referer carries it away
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _feed(secret: str, allowed, scope_of, name_of):
    user = tokens.user_of(secret)
    camp = active_campaign()  # a calendar app has no session: the feeds follow the active campaign
    if user is None or camp is None or not allowed(user):
        abort(404)  # unknown, revoked, or not this user's to read: the same answer
    now = utcnow()
    body = feeds.build(query.unit_ids(camp, *scope_of(user)), name_of(camp), now, local_today(now),
                       request.host.split(":")[0])
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="lich-dai-hoi.ics"'
    response.headers["X-Robots-Tag"] = "noindex"
    return private(response)


@bp.get("/calendar/feed/<secret>.ics")
def feed(secret: str):
    """The user's own feed: their unit's (secretary) or their groups' (group member) dates; all for others."""
    return _feed(secret, lambda u: True, lambda u: (calendar_scope(u), None), lambda c: c.name)


@bp.get("/calendar/feed/<secret>/group/<code>.ics")
def group_feed(secret: str, code: str):
    """One working group's feed (admins, group members, viewers)."""
    camp = active_campaign()
    group = group_by_code(code, camp.id) if camp is not None else None
    if group is None:
        abort(404)
    return _feed(secret, can_read_group_feed, lambda u: (None, group.id), lambda c: f"{c.name} · {group.name}")


@bp.get("/calendar/feed/<secret>/campaign.ics")
def campaign_feed(secret: str):
    """The whole campaign's feed (admins and viewers)."""
    return _feed(secret, can_read_campaign_feed, lambda u: (None, None), lambda c: c.name)
