"""Users, working groups and API tokens (tokens are made at the command line only, by the operator)."""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Optional

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import ApiToken, Unit, User, WorkingGroup
from ..permissions import require_admin
from ..workflow.stages import ROLES
from .errors import Conflict, Invalid

MIN_PASSWORD = 8


def normalise_email(email: str) -> str:
    """The address in the form it is stored and looked up (lower case), or Invalid."""
    try:
        # test_environment: accept the reserved .test domain (RFC 2606) that demos and acceptance checks use
        return validate_email((email or "").strip(), check_deliverability=False,
                              test_environment=True).normalized.lower()
    except EmailNotValidError:
        raise Invalid(_("That is not an email address."), {"email": _("Not a valid email address.")}) from None


_PHONE_PUNCTUATION = re.compile(r"[\s.\-()\u00a0]")


def normalise_phone(raw: str) -> Optional[str]:
    """A Vietnamese phone number in its one stored form (0912345678), or None when it is not one.

    `0912 345 678`, `+84 912 345 678`, `84912345678` and `0912.345.678` are the same number."""
    text = _PHONE_PUNCTUATION.sub("", str(raw or ""))
    if text.startswith("+"):
        text = text[1:]
        if not text.startswith("84"):
            return None  # a foreign number: not one the office's people use
    if not text.isascii() or not text.isdigit():
        return None
    if text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    return text if text.startswith("0") and len(text) in (10, 11) else None


def find_user(login: str) -> Optional[User]:
    """The user who signs in with that email (whatever its case) or that phone number (any spelling)."""
    login = (login or "").strip()
    if "@" not in login:
        phone = normalise_phone(login)
        return db.session.scalar(select(User).where(User.phone == phone)) if phone else None
    return db.session.scalar(select(User).where(func.lower(User.email) == login.lower()))


def check_password_rules(password: str) -> None:
    """Invalid unless the password is long enough."""
    if not password or len(password) < MIN_PASSWORD:
        raise Invalid(_("The password is too short."),
                      {"password": _("At least %(n)s characters.", n=MIN_PASSWORD)})


def create_user(email: Optional[str], name: str, role: str, password: Optional[str],
                unit_code: Optional[str] = None, group_code: Optional[str] = None,
                phone: Optional[str] = None, *, actor: Optional[User]) -> User:
    """A new user with an email, a phone number or both; a secretary needs a unit, a group member may
    name a group (admins, or the operator: actor None)."""
    require_admin(actor)
    errors: dict[str, str] = {}
    if (email or "").strip() or not (phone or "").strip():
        try:
            email = normalise_email(email or "")
        except Invalid as exc:
            errors.update(exc.fields)
    else:
        email = None
    if (phone or "").strip():
        phone = normalise_phone(phone)
        if phone is None:
            errors["phone"] = _("Not a Vietnamese phone number (e.g. 0912 345 678).")
    else:
        phone = None
    if not (name or "").strip():
        errors["name"] = _("This field is required.")
    if role not in ROLES:
        errors["role"] = _("Unknown role; one of: %(roles)s.", roles=", ".join(ROLES))
    unit = group = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            errors["unit"] = _("No unit with code %(code)s.", code=unit_code)
    elif role == "secretary":
        errors["unit"] = _("A secretary needs the unit's code.")
    if group_code:
        group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == group_code))
        if group is None:
            errors["group"] = _("No working group with code %(code)s.", code=group_code)
    if password is not None:
        try:
            check_password_rules(password)
        except Invalid as exc:
            errors.update(exc.fields)
    if errors:
        raise Invalid(_("The user was not saved: check the marked fields."), errors)
    if email and find_user(email):
        raise Conflict(_("A user with this email already exists."), {"email": _("Already in use.")},
                       code="duplicate")
    if phone and find_user(phone):
        raise Conflict(_("A user with this phone number already exists."), {"phone": _("Already in use.")},
                       code="duplicate")
    user = User(email=email, phone=phone, name=name.strip(), role=role, unit=unit if role == "secretary" else None)
    if password:
        user.set_password(password)
    if group is not None:
        user.groups.append(group)
    db.session.add(user)
    db.session.flush()
    return user


def create_token(user: User, now: datetime) -> str:
    """A new API token for the user; only its hash is kept, so this is the one time it is seen."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=ApiToken.digest(token), created_at=now))
    db.session.flush()
    return token


def user_for_token(token: str, now: datetime) -> Optional[User]:
    """The active user a bearer token belongs to, or None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.digest(token)))
    if row is None or not row.user.active:
        return None
    return row.user


def create_group(code: str, name: str, member_emails: list[str], *, actor: Optional[User]) -> WorkingGroup:
    """A new working group with the given members (group-role users); admins, or the operator (actor None)."""
    require_admin(actor, _("Only the organisation office adds working groups."))
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if not code or len(code) > 30 or any(c.isspace() for c in code):
        errors["code"] = _("A code is 1 to 30 characters without spaces.")
    if not (name or "").strip():
        errors["name"] = _("This field is required.")
    members: list[User] = []
    for email in member_emails or []:
        user = find_user(email)
        if user is None:
            errors["members"] = _("No user with email %(email)s.", email=email)
        elif user.role != "group":
            errors["members"] = _("%(email)s is not a working-group member (role: group).", email=email)
        elif user not in members:
            members.append(user)
    if errors:
        raise Invalid(_("The working group was not saved: check the marked fields."), errors)
    if db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.code == code)) is not None:
        raise Conflict(_("A working group with code %(code)s already exists.", code=code),
                       {"code": _("Already in use.")}, code="duplicate")
    group = WorkingGroup(code=code, name=name.strip(), members=members)
    db.session.add(group)
    db.session.flush()
    return group
