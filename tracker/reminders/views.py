"""Pages: the in-app inbox for everyone; for admins the delivery log, the reminder policy and the heartbeat."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired

from ..campaigns.scope import campaign_in_view
from ..clock import utcnow
from ..edge import EmptyForm, Form, admin_page, commit_or_refuse, refuse
from ..extensions import db
from ..models import JournalEntry, Notification, OutboxMessage, User
from ..paging import paginate
from ..parsing import page_number
from ..services import news
from .beat import heartbeat_state
from .digest import load_digests, subjects
from .inbox import digests_of, inbox_page, mark_all_read, mark_read
from .outbox import MAX_ATTEMPTS, retry_now, status_counts
from .policy import POLICY_FIELDS, save_policy, send_hour

log = logging.getLogger(__name__)
bp = Blueprint("inbox", __name__)
PER_PAGE = 20
DELIVERY_PER_PAGE = 50
STATUSES = ("pending", "sending", "sent", "failed")


class PolicyForm(Form):
    """The campaign's reminder policy; the checks are the service's (policy.validate_policy)."""

    due_soon_days = StringField(_l("Remind this many days before the due date"), validators=[InputRequired()])
    overdue_repeat_days = StringField(_l("Repeat overdue reminders every (days)"), validators=[InputRequired()])
    escalation_days = StringField(_l("Escalate to the organisation office after (days overdue)"),
                                  validators=[InputRequired()])
    send_hour = StringField(_l("Send hour (local time, 0–23; empty: the server's default)"))
    working_days_only = BooleanField(_l("Send on working days only"))


# ---- the inbox -----------------------------------------------------------------------------------

@bp.route("/inbox")
@login_required
def index():
    """The signed-in user's daily reminder digests and news that matters (services/news.py), newest first."""
    page = page_number(request.args.get("page"))
    unread_only = request.args.get("unread") == "1"
    entries, window, unread = inbox_page(current_user, page, PER_PAGE, unread_only)
    if page > window.pages:
        return redirect(url_for("inbox.index", page=window.pages, unread="1" if unread_only else None))
    locale = str(get_locale() or "vi")
    notifications = [e.digest for e in entries if e.digest is not None]
    digests = digests_of(notifications)
    return render_template("reminders/index.html", entries=entries, digests=digests,
                           subjects=subjects(digests.values(), locale), total=window.total, unread=unread,
                           page=window.page, pages=window.pages, unread_only=unread_only, form=EmptyForm(),
                           locale=locale)


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


@bp.route("/inbox/news/<int:news_id>/read", methods=["POST"])
@login_required
def read_news(news_id: int):
    """Mark one piece of news read."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not news.mark_read(current_user, news_id, utcnow()):
        abort(404)
    db.session.commit()
    return redirect(url_for("inbox.index", page=page_number(request.args.get("page", "1")),
                            unread="1" if request.args.get("unread") == "1" else None))


@bp.route("/inbox/read-all", methods=["POST"])
@login_required
def read_all():
    """Mark every digest and every piece of news read."""
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

@bp.route("/inbox/delivery")
@login_required
def delivery():
    """The delivery log: every message with its status, tries and last error (admins)."""
    admin_page()
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    cond = [OutboxMessage.status == status] if status else []
    window = paginate(select(OutboxMessage).where(*cond), page_number(request.args.get("page")), DELIVERY_PER_PAGE,
                      last_page=True, order_by=(OutboxMessage.id.desc(),))
    rows, page, pages, total = window.items, window.page, window.pages, window.total
    return render_template("reminders/delivery.html", rows=rows, subjects=_pending_subjects(rows),
                           counts=status_counts(db.session), status=status,
                           page=page, pages=pages, total=total, beat=heartbeat_state(), form=EmptyForm(),
                           max_attempts=MAX_ATTEMPTS, mail_server=current_app.config.get("MAIL_SERVER"))


@bp.route("/inbox/delivery/<int:message_id>/retry", methods=["POST"])
@login_required
def retry(message_id: int):
    """Put a failed or waiting message back in line for the next delivery run (admins)."""
    admin_page()
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


def _pending_subjects(rows: list[OutboxMessage]) -> dict[int, str]:
    """Subjects of digests not sent yet (the sweep stores no words): rendered from the ledger, page's language."""
    waiting = [m for m in rows if not m.subject and m.notification_id is not None]
    if not waiting:
        return {}
    keys = {nid: (uid, day) for nid, uid, day in db.session.execute(
        select(Notification.id, Notification.user_id, Notification.ref_date)
        .where(Notification.id.in_([m.notification_id for m in waiting])))}
    words = subjects(load_digests(db.session, keys.values()).values(), str(get_locale() or "vi"))
    return {m.id: words[keys[m.notification_id]] for m in waiting if m.notification_id in keys}


@bp.route("/inbox/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The campaign's reminder policy (admins): the service checks and journals, the view commits."""
    admin_page()
    campaign = campaign_in_view()
    if campaign is None:
        abort(404)
    form = PolicyForm(obj=None if request.method == "POST" else campaign)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            # the service refuses bad values (Invalid) and an archived campaign (read only): a page, never a 500
            _changed, refusal = commit_or_refuse(lambda: save_policy(
                campaign, {name: getattr(form, name).data for name in POLICY_FIELDS}, current_user, utcnow()))
            if refusal is not None:
                return _settings_page(form, campaign), refuse(refusal, form)
            flash(_("Reminder settings saved."), "success")
            return redirect(url_for("inbox.settings"))
        db.session.rollback()
        status = 400 if "csrf_token" in form.errors else 422
        flash(_("The settings were not saved: check the marked fields."), "danger")
    return _settings_page(form, campaign), status


def _settings_page(form: PolicyForm, campaign):
    changes = db.session.execute(
        select(JournalEntry, User.name).outerjoin(User, User.id == JournalEntry.user_id)
        .where(JournalEntry.unit_id.is_(None), JournalEntry.action == "reminder_policy",
               JournalEntry.note == f"campaign {campaign.id}")
        .order_by(JournalEntry.id.desc()).limit(10)).all()
    return render_template("reminders/settings.html", form=form, campaign=campaign, beat=heartbeat_state(),
                           effective_hour=send_hour(campaign), changes=changes)
