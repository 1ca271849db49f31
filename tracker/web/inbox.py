"""Pages: the in-app inbox for everyone; for admins the delivery log, the reminder policy and the heartbeat."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.validators import Optional as Blank

from ..clock import utcnow
from ..extensions import db
from ..models import OutboxMessage
from ..outbox import MAX_ATTEMPTS, retry_now, status_counts
from ..parsing import page_number
from ..permissions import can_admin
from ..reminders import last_beat, parse_due_soon_days, send_hour
from ..scheduler import interval_minutes
from ..services import news
from ..services.campaigns import current_campaign
from ..services.notifications import digest_lines, mark_all_read, mark_read

log = logging.getLogger(__name__)
bp = Blueprint("inbox", __name__)
PER_PAGE = 20
DELIVERY_PER_PAGE = 50
STATUSES = ("pending", "sending", "sent", "failed")


class EmptyForm(FlaskForm):
    """Only the CSRF token, for buttons that post."""


def _due_soon_list(form, field):
    try:
        parse_due_soon_days(field.data or "")
    except ValueError:
        raise ValidationError(_("Whole numbers of days from 0 to 90, separated by commas (e.g. 3,1).")) from None


class PolicyForm(FlaskForm):
    """The campaign's reminder policy."""

    due_soon_days = StringField(_l("Remind this many days before the due date"),
                                validators=[InputRequired(), _due_soon_list])
    overdue_repeat_days = IntegerField(_l("Repeat overdue reminders every (days)"),
                                       validators=[InputRequired(), NumberRange(1, 60)])
    escalation_days = IntegerField(_l("Escalate to the organisation office after (days overdue)"),
                                   validators=[InputRequired(), NumberRange(0, 365)])
    send_hour = IntegerField(_l("Send hour (local time, 0–23; empty: the server's default)"),
                             validators=[Blank(), NumberRange(0, 23)])
    working_days_only = BooleanField(_l("Send on working days only"))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return page_number(raw)


def _require_admin() -> None:
    if not can_admin(current_user):
        abort(403)


@bp.app_context_processor
def _inbox_helpers():
    def unread_notifications() -> int:
        return news.unread_total(current_user.id) if current_user.is_authenticated else 0
    return {"unread_notifications": unread_notifications}


# ---- the inbox -----------------------------------------------------------------------------------

@bp.route("/inbox")
@login_required
def index():
    """The signed-in user's daily reminder digests and news (services/news.py), newest first."""
    page = _page_number()
    unread_only = request.args.get("unread") == "1"
    entries, total, unread = news.inbox_page(current_user, page, PER_PAGE, unread_only)
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        return redirect(url_for("inbox.index", page=pages, unread="1" if unread_only else None))
    lines = digest_lines(current_user.id, [e.digest.ref_date for e in entries if e.digest])
    return render_template("inbox/index.html", entries=entries, lines=lines, total=total, unread=unread,
                           page=page, pages=pages, unread_only=unread_only, form=EmptyForm(),
                           locale=str(get_locale() or "vi"))


@bp.route("/inbox/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    """Mark one digest read."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if mark_read(current_user, notification_id, utcnow()) is None:
        abort(404)
    db.session.commit()
    return redirect(request.referrer if _same_site(request.referrer) else url_for("inbox.index"))


@bp.route("/inbox/read-all", methods=["POST"])
@login_required
def read_all():
    """Mark every digest read."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    n = mark_all_read(current_user, utcnow()) + news.mark_all_read(current_user, utcnow())
    db.session.commit()
    flash(_("%(n)s reminders marked read.", n=n), "success")
    return redirect(url_for("inbox.index"))


def _same_site(target: str | None) -> bool:
    from urllib.parse import urlsplit
    if not target:
        return False
    parts = urlsplit(target)
    return parts.netloc == request.host and parts.path.startswith("/inbox")


# ---- admins: delivery, policy, heartbeat -----------------------------------------------------------

def heartbeat_state() -> dict:
    """When the sweep last ran, and whether that is longer ago than the scheduler's rhythm allows."""
    row = last_beat(db.session)
    expected = interval_minutes(current_app)
    allowed = timedelta(minutes=max(15, 3 * expected))
    now = utcnow()
    late = row is None or now - row.at > allowed
    return {"at": row.at if row else None, "detail": row.detail if row else "", "late": late,
            "expected": expected, "allowed_minutes": int(allowed.total_seconds() // 60)}


@bp.route("/inbox/delivery")
@login_required
def delivery():
    """The delivery log: every message with its status, tries and last error (admins)."""
    _require_admin()
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    cond = [OutboxMessage.status == status] if status else []
    total = db.session.scalar(select(func.count(OutboxMessage.id)).where(*cond)) or 0
    pages = max(1, -(-total // DELIVERY_PER_PAGE))
    page = min(_page_number(), pages)
    rows = db.session.scalars(select(OutboxMessage).where(*cond).order_by(OutboxMessage.id.desc())
                              .offset((page - 1) * DELIVERY_PER_PAGE).limit(DELIVERY_PER_PAGE)).all()
    return render_template("inbox/delivery.html", rows=rows, counts=status_counts(db.session), status=status,
                           page=page, pages=pages, total=total, beat=heartbeat_state(), form=EmptyForm(),
                           max_attempts=MAX_ATTEMPTS, mail_server=current_app.config.get("MAIL_SERVER"))


@bp.route("/inbox/delivery/<int:message_id>/retry", methods=["POST"])
@login_required
def retry(message_id: int):
    """Put a failed or waiting message back in line for the next delivery run (admins)."""
    _require_admin()
    if not EmptyForm().validate_on_submit():
        abort(400)
    if db.session.get(OutboxMessage, message_id) is None:
        abort(404)
    if retry_now(db.session, message_id, utcnow()):
        db.session.commit()
        log.info("outbox message %s put back in line by user %s", message_id, current_user.id)
        flash(_("The message will be sent on the next delivery run."), "success")
    else:
        db.session.rollback()
        flash(_("Only a failed or waiting message can be retried."), "warning")
    return redirect(url_for("inbox.delivery", status=request.args.get("status")))


@bp.route("/inbox/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The campaign's reminder policy (admins)."""
    _require_admin()
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    form = PolicyForm(obj=None if request.method == "POST" else campaign)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            campaign.due_soon_days = ",".join(str(n) for n in parse_due_soon_days(form.due_soon_days.data))
            campaign.overdue_repeat_days = form.overdue_repeat_days.data
            campaign.escalation_days = form.escalation_days.data
            campaign.send_hour = form.send_hour.data
            campaign.working_days_only = bool(form.working_days_only.data)
            db.session.commit()
            log.info("reminder policy changed by user %s", current_user.id)
            flash(_("Reminder settings saved."), "success")
            return redirect(url_for("inbox.settings"))
        db.session.rollback()
        status = 400 if "csrf_token" in form.errors else 422
        flash(_("The settings were not saved: check the marked fields."), "danger")
    return render_template("inbox/settings.html", form=form, campaign=campaign, beat=heartbeat_state(),
                           effective_hour=send_hour(campaign)), status
