"""One sign-in attempt: resolve the login, log it, check the throttle, check the password, log the outcome.

Unknown, deactivated and password-less accounts cost the same work as a wrong password: a hash check
runs against a dummy hash of the default method, so the answer's timing does not tell which accounts exist."""
from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from email_validator import EmailNotValidError, validate_email
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import User
from ..services.accounts import find_user, normalise_phone
from . import events
from .throttle import Limits, retry_after


@dataclass(frozen=True)
class Attempt:
    """What a sign-in attempt came to: the outcome, the user when it succeeded, seconds to wait when throttled."""

    outcome: str
    user: Optional[User] = None
    retry_after: int = 0


@functools.cache
def dummy_hash() -> str:
    """A hash of a random password with werkzeug's default method (made once per process)."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _method(pwhash: str) -> str:
    return pwhash.split("$", 1)[0]


def verify(user: Optional[User], password: str) -> bool:
    """True when the user may sign in with this password; the same hashing work whatever the account."""
    usable = user is not None and user.active and bool(user.password_hash)
    if not usable:
        check_password_hash(dummy_hash(), password)
        return False
    if _method(user.password_hash) != _method(dummy_hash()):
        # a faster hash (an initial password, an older default): add the default's cost so the timing matches
        check_password_hash(dummy_hash(), password)
    return check_password_hash(user.password_hash, password)


def normalise_login(typed: str) -> str:
    """The typed login as logged and counted: a phone number in its stored form, a valid-looking email
    address in lower case; anything else (often a password typed in the wrong field, "@" or not) is not
    kept: ""."""
    text = (typed or "").strip()
    phone = normalise_phone(text)
    if phone:
        return phone
    if "@" not in text or len(text) > 254:
        return ""
    try:
        # the syntax only (no DNS); the reserved .test domain (RFC 2606) of demos and checks is an address too
        return validate_email(text, check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError:
        return ""


def sign_in(typed_login: str, password: str, address: str, now: datetime, limits: Limits) -> Attempt:
    """Try to sign in; the outcome is logged and returned (flushed: the caller commits it).

    The attempt's line is committed first, as CHECKING, and only then are the others counted
    (throttle.py): concurrent attempts see each other, so a burst gets at most the limit's checks."""
    user = find_user(typed_login)
    login = user.login if user is not None else normalise_login(typed_login)
    line = events.record(events.CHECKING, now, user=user, login=login, address=address)
    db.session.commit()
    wait = retry_after(user.id if user is not None else None, login, address, now, limits, own_line=line.id)
    if wait:
        line.outcome = events.THROTTLED
        db.session.flush()
        return Attempt(events.THROTTLED, retry_after=wait)
    if verify(user, password):
        line.outcome = events.OK
        db.session.flush()
        return Attempt(events.OK, user=user)
    line.outcome = events.UNKNOWN if user is None else events.BAD_PASSWORD if user.active else events.INACTIVE
    db.session.flush()
    return Attempt(line.outcome)
