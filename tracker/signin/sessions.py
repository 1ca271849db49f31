"""Sessions that can end: the user's session generation, an idle timeout and an absolute lifetime.

The session cookie carries Flask-Login's id, "user id:generation" (User.get_id). Loading the user is the
one indexed read every signed-in request makes anyway; a generation that moved on (sign-out, password
reset, deactivation), an idle session or one older than its lifetime loads nobody, so the cookie is dead
in every worker and on every server at once. A remember-me cookie (the app issues none) would carry the
same id and fail the same way, and it would never pass the lifetime check, which needs the sign-in time.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from flask import current_app, session
from flask_login import login_user

from ..clock import utcnow
from ..extensions import db
from ..models import User
from ..parsing import record_id, whole_number

SIGNED_IN_AT, SEEN_AT = "signed_in_at", "seen_at"  # POSIX seconds, in the signed session cookie
SEEN_STEP = 60  # seconds: refresh the last-seen mark at most once a minute, not rewrite the cookie every request


def start(user: User, now: datetime) -> None:
    """A new session for the user: nothing of the pre-sign-in session survives (its CSRF secret included)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    session[SIGNED_IN_AT] = session[SEEN_AT] = int(now.timestamp())


def end() -> None:
    """Forget the session entirely (the cookie is emptied)."""
    session.clear()


def _limits() -> tuple[timedelta, timedelta]:
    cfg = current_app.config
    return timedelta(minutes=float(cfg["SESSION_IDLE_MINUTES"])), timedelta(hours=float(cfg["SESSION_MAX_HOURS"]))


def expired(now: datetime) -> bool:
    """True when the session was idle too long or is older than its absolute lifetime (or has no times)."""
    idle, lifetime = _limits()
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return True
    t = now.timestamp()
    return t - seen > idle.total_seconds() or t - signed_in > lifetime.total_seconds()


def load_user(session_id: str) -> Optional[User]:
    """Flask-Login's user_loader: the user of a live session, else None (and the session is emptied)."""
    raw_id, _sep, raw_generation = session_id.partition(":")
    user_id, generation = record_id(raw_id), whole_number(raw_generation, 0, 2**63 - 1)
    if user_id is None or generation is None:
        return None
    now = utcnow()
    user = db.session.get(User, user_id)
    if user is None or user.session_generation != generation or expired(now):
        end()
        return None
    if now.timestamp() - session[SEEN_AT] >= SEEN_STEP:
        session[SEEN_AT] = int(now.timestamp())
    return user
