"""Forget a person: anonymise the account in place, so the journal keeps every line and its order.

What is removed or replaced is listed in docs/personal-data.md ("Xóa, ẩn danh một người"); the record
stays a row (id kept) because items, reviews, blockers and journal lines point at it.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from ..extensions import db
from ..imports.models import ImportRun, ImportUpload
from ..models import (
    ApiToken,
    JournalEntry,
    NewsItem,
    Notification,
    OutboxMessage,
    PasswordResetToken,
    User,
    group_members,
)
from ..permissions import require_admin
from ..services.errors import Invalid
from ..signin.models import SignInEvent

log = logging.getLogger(__name__)


def pseudonym(user_id: int) -> str:
    """What the app shows instead of a forgotten person's name and address."""
    return f"#{user_id}"


def forget_user(user: User, now: datetime, *, actor: Optional[User] = None) -> dict[str, int]:
    """Anonymise the user: name, email, phone, password, language, unit and groups gone, the account
    deactivated; their tokens, reset links, inbox, queued mail and pending uploads deleted; their address in
    journal values and import lines replaced by the pseudonym. Counts of what was touched."""
    require_admin(actor)
    if user.role == "admin" and user.active and db.session.scalar(
            select(func.count(User.id)).where(User.role == "admin", User.active.is_(True), User.id != user.id)) == 0:
        raise Invalid(_("The last active admin cannot be forgotten."), {"email": _("The last active admin.")})
    tag = pseudonym(user.id)
    identifiers = [v for v in (user.email, user.phone) if v]
    counts = {}

    def run(name, statement):
        counts[name] = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount

    if user.email:
        run("outbox", delete(OutboxMessage).where(func.lower(OutboxMessage.to) == user.email.lower()))
    run("notifications", delete(Notification).where(Notification.user_id == user.id))
    run("news", delete(NewsItem).where(NewsItem.user_id == user.id))
    run("tokens", delete(ApiToken).where(ApiToken.user_id == user.id))
    run("reset_links", delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    run("uploads", delete(ImportUpload).where(ImportUpload.user_id == user.id))
    run("groups", delete(group_members).where(group_members.c.user_id == user.id))
    # the sign-in log: the person's own lines, and failed attempts that typed their address
    run("sign_ins", delete(SignInEvent).where(or_(SignInEvent.user_id == user.id,
                                                  SignInEvent.login.in_([v.lower() for v in identifiers]))))
    if identifiers:
        # the journal is append-only for the app's own changes (an ORM guard); this one statement replaces a
        # forgotten person's address where a line recorded it as a value (e.g. a secretary assigned), and
        # leaves who, when, what and the order of every line as they were
        run("journal", update(JournalEntry).where(JournalEntry.before.in_(identifiers)).values(before=tag))
        counts["journal"] += db.session.execute(
            update(JournalEntry).where(JournalEntry.after.in_(identifiers)).values(after=tag)
            .execution_options(synchronize_session=False)).rowcount
        run("imports", update(ImportRun).where(or_(ImportRun.user_id == user.id, ImportRun.actor.in_(identifiers)))
            .values(actor=tag))
    user.name = f"Người dùng đã xóa {tag}"
    user.email = None
    user.phone = None
    user.password_hash = ""
    user.must_change_password = False
    user.active = False
    user.locale = None
    user.unit_id = None
    db.session.flush()
    db.session.expire(user, ["groups"])
    log.info("user %s forgotten at %s", user.id, now.isoformat())  # the id only: nothing personal in the log
    return counts
