"""The sign-in log: write one line, a line for each user whose sessions ended, prune old lines."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from flask import current_app, has_request_context, request
from sqlalchemy import Integer, delete, func, insert, literal, select

from ..extensions import db
from ..models import User
from ..models._types import UTCDateTime
from ..services.sessions import DEACTIVATED, PASSWORD_CHANGED, PASSWORD_RESET, SIGNED_OUT
from .models import SignInEvent

# What a line says happened; the first four are sign-in answers, FAILURES of them count towards the throttle.
OK, BAD_PASSWORD, UNKNOWN, INACTIVE, THROTTLED = "ok", "bad_password", "unknown", "inactive", "throttled"
# an attempt whose password is being checked: logged (and committed) before the throttle counts, so that
# concurrent attempts count each other; it counts as a failure until its outcome replaces it
CHECKING = "checking"
OUTCOMES = (OK, BAD_PASSWORD, UNKNOWN, INACTIVE, THROTTLED, CHECKING, SIGNED_OUT, PASSWORD_CHANGED, PASSWORD_RESET,
            DEACTIVATED)
FAILURES = (BAD_PASSWORD, UNKNOWN, INACTIVE)
COUNTED = (*FAILURES, CHECKING)


def client_address() -> str:
    """The client's address: request.remote_addr (ProxyFix sets it from trusted proxies only); "" outside a request."""
    return (request.remote_addr or "") if has_request_context() else ""


def record(outcome: str, now: datetime, *, user: Optional[User] = None, login: str = "",
           address: Optional[str] = None, actor: Optional[User] = None) -> SignInEvent:
    """Add one line to the sign-in log (address: the current request's client by default); flush."""
    line = SignInEvent(at=now, outcome=outcome, user_id=user.id if user is not None else None,
                               login=(login or (user.login if user is not None else ""))[:254],
                               address=(client_address() if address is None else address)[:64],
                               actor_id=actor.id if actor is not None else None)
    db.session.add(line)
    prune(now)
    db.session.flush()
    return line


def log_ended(_sender, user_ids: list[int], outcome: str, now: datetime, actor: Optional[User] = None,
              **_extra) -> None:
    """One line per user whose sessions ended (hooks.sessions_ended, connected in init_app): one INSERT … SELECT."""
    db.session.execute(insert(SignInEvent).from_select(
        ["at", "outcome", "user_id", "login", "address", "actor_id"],
        select(literal(now, UTCDateTime()), literal(outcome), User.id,
               func.substr(func.coalesce(User.email, User.phone, ""), 1, 254), literal(client_address()[:64]),
               literal(actor.id if actor is not None else None, Integer)).where(User.id.in_(user_ids))))
    prune(now)


def prune(now: datetime) -> None:
    """Drop lines older than TRACKER_SIGNIN_LOG_DAYS: one indexed DELETE, usually of nothing."""
    days = max(int(current_app.config["SIGNIN_LOG_DAYS"]), 1)
    db.session.execute(delete(SignInEvent).where(SignInEvent.at < now - timedelta(days=days))
                       .execution_options(synchronize_session=False))
