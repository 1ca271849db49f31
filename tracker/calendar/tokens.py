"""The users' secret feed keys: created on first need, renewed (a new key, the old one dead) or revoked.

Services flush, never commit: the page or API edge commits.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from ..extensions import db
from ..models import User
from .models import CalendarToken


def _new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits: the key to the feed


def token_of(user: User) -> Optional[CalendarToken]:
    """The user's feed key row (None when the user never had one)."""
    return db.session.scalar(select(CalendarToken).where(CalendarToken.user_id == user.id))


def ensure(user: User) -> Optional[str]:
    """The user's feed secret, created on first need; None when the user revoked it (until they renew)."""
    row = token_of(user)
    if row is None:
        row = CalendarToken(user_id=user.id, secret=_new_secret())
        db.session.add(row)
        db.session.flush()
    return row.secret


def renew(user: User, now: datetime) -> str:
    """A new secret for the user's feeds: the old address stops working at once."""
    row = token_of(user) or CalendarToken(user_id=user.id)
    row.secret, row.created_at = _new_secret(), now
    db.session.add(row)
    db.session.flush()
    return row.secret


def revoke(user: User) -> None:
    """No feed for the user any more (every address answers 404) until they renew it."""
    row = token_of(user) or CalendarToken(user_id=user.id)
    row.secret = None
    db.session.add(row)
    db.session.flush()


def user_of(secret: str) -> Optional[User]:
    """The active user whose feed this secret opens, else None."""
    if not secret or len(secret) > 64:
        return None
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.secret == secret))
    if row is None or not row.user.active:
        return None
    return row.user


def calendar_url(user: User) -> str:
    """The absolute address of the user's own iCalendar feed ("" when they revoked it); may create the key
    (the caller commits)."""
    secret = ensure(user)
    if not secret:
        return ""
    if has_request_context():
        return url_for("calendar.feed", secret=secret, _external=True)
    from ..reminders.digest import base_url
    with current_app.test_request_context(base_url=base_url()):  # a command or job: the configured address
        return url_for("calendar.feed", secret=secret, _external=True)
