"""API tokens: make (with an expiry), list, revoke; the bearer lookup and its last-use stamp.

Services flush, never commit; the command, the admin page and the API edge commit.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import ApiToken, User
from ..permissions import require_admin
from ..services.errors import Invalid, NotFound
from ..services.sessions import DEACTIVATED

DEFAULT_DAYS = 90
MAX_DAYS = 3650
TOUCH_EVERY = timedelta(seconds=60)  # last_used_at is written at most this often: one UPDATE a minute, not a request
STATES = ("active", "expired", "revoked")


def token_state(token: ApiToken, now: datetime) -> str:
    """`revoked`, `expired` or `active`: the same rule as find_token's WHERE clause."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "active"


def check_days(days) -> int:
    """The token's life in whole days, 1 to MAX_DAYS, or Invalid."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise Invalid(_("A token lives 1 to %(n)s days.", n=MAX_DAYS),
                      {"days": _("A whole number from 1 to %(n)s.", n=MAX_DAYS)})
    return days


def create_token(user: User, now: datetime, days: int = DEFAULT_DAYS, *, actor: Optional[User] = None) -> str:
    """A new API token for an active user, valid `days`; only its hash is kept, so this is the one time it is seen."""
    require_admin(actor)
    days = check_days(days)
    if not user.active:
        raise Invalid(_("The account is deactivated: it cannot have API tokens."), {"email": _("Deactivated.")})
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=ApiToken.digest(token), created_at=now,
                            expires_at=now + timedelta(days=days)))
    db.session.flush()
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, for the record)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(token_id: int, now: datetime, *, actor: Optional[User] = None,
                 user: Optional[User] = None) -> ApiToken:
    """Revoke one token (of `user` when given); a revoked token stays revoked at its first moment."""
    require_admin(actor)
    token = db.session.get(ApiToken, token_id)
    if token is None or (user is not None and token.user_id != user.id):
        raise NotFound(_("No API token with id %(id)s.", id=token_id))
    if token.revoked_at is None:
        token.revoked_at = now
    db.session.flush()
    return token


def revoke_all(user_ids: Iterable[int], now: datetime, *, actor: Optional[User] = None) -> int:
    """Revoke every token of these users not yet revoked; how many. Deactivating an account calls it, so a
    reactivated account does not get its old tokens back."""
    require_admin(actor)
    ids = list(user_ids)
    result = db.session.execute(update(ApiToken).where(ApiToken.user_id.in_(ids), ApiToken.revoked_at.is_(None))
                                .values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount


def revoke_on_deactivation(_sender, user_ids: list[int], outcome: str, now: datetime,
                           actor: Optional[User] = None, **_extra) -> None:
    """A deactivated account loses its tokens for good (hooks.sessions_ended, connected in register)."""
    if outcome == DEACTIVATED:
        revoke_all(user_ids, now, actor=actor)


def find_token(token: str, now: datetime) -> Optional[ApiToken]:
    """The unrevoked, unexpired token of an active user (with its user loaded), in one query; else None."""
    return db.session.scalar(
        select(ApiToken).join(ApiToken.user).options(contains_eager(ApiToken.user))
        .where(ApiToken.token_hash == ApiToken.digest(token), ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > now, User.active.is_(True)))


def user_for_token(token: str, now: datetime) -> Optional[User]:
    """The active user a working bearer token belongs to, or None."""
    row = find_token(token, now)
    return row.user if row is not None else None


def touch(token: ApiToken, now: datetime) -> bool:
    """Stamp last_used_at when the stamp is older than TOUCH_EVERY; True when a row was written.

    A fresh stamp costs no statement; a stale one a conditional UPDATE, so of concurrent requests only one
    writes it.
    """
    limit = now - TOUCH_EVERY
    if token.last_used_at is not None and token.last_used_at >= limit:
        return False
    result = db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id,
                               or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < limit))
        .values(last_used_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1
