"""Users and working groups (API tokens live in tracker/tokens)."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Optional

from email_validator import EmailNotValidError, validate_email
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Integer, Text, func, literal, select, update

from ..codes import code_problem
from ..extensions import db
from ..models import Campaign, OutboxMessage, PasswordResetToken, User, WorkingGroup
from ..models._types import UTCDateTime
from ..permissions import require_admin
from ..workflow.stages import ROLES
from . import sessions
from .campaigns import active_or, find_group, find_unit
from .errors import Conflict, Invalid, NotFound
from .live import refuse_if_archived, require_live, require_live_group

MIN_PASSWORD = 8
MAX_PASSWORD = 200
RESET_VALID = timedelta(hours=1)  # how long a "forgot password" link works
INVITE_VALID = timedelta(days=3)  # a first sign-in link sent by the office: time to read it on a slow week
RESET_PER_HOUR = 3  # links mailed to one address per hour at most: the form cannot be used to flood a mailbox


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
    """Invalid unless the password is long enough, and not absurdly long."""
    if not password or len(password) < MIN_PASSWORD:
        raise Invalid(_("The password is too short."),
                      {"password": _("At least %(n)s characters.", n=MIN_PASSWORD)})
    if len(password) > MAX_PASSWORD:
        raise Invalid(_("The password is too long."), {"password": _("At most %(n)s characters.", n=MAX_PASSWORD)})


def _new_password(new: str, confirm: str, errors: dict[str, str]) -> None:
    """Add to errors what is wrong with a new password and its confirmation (field names new, confirm)."""
    try:
        check_password_rules(new)
    except Invalid as exc:
        errors["new"] = exc.fields["password"]
    if (new or "") != (confirm or ""):
        errors["confirm"] = _("The two passwords differ.")


def change_password(user: User, current: str, new: str, confirm: str, now: datetime) -> None:
    """The signed-in user replaces their password, giving the current one; unused reset links end."""
    errors: dict[str, str] = {}
    if not user.check_password(current or ""):
        errors["current"] = _("Wrong password.")
    _new_password(new, confirm, errors)
    if errors:
        raise Invalid(_("The password was not changed: check the marked fields."), errors)
    user.set_password(new)
    _end_reset_links(user.id, now)
    # every session ends, this one too: the page starts a new one for the user (signin.sessions.start)
    sessions.end_sessions([user.id], sessions.PASSWORD_CHANGED, now)
    db.session.flush()


def set_password(user: User, password: str, now: datetime, actor: Optional[User]) -> None:
    """An admin (or the operator: actor None) sets a user's password: every session and sign-in link ends."""
    require_admin(actor)
    check_password_rules(password)
    user.set_password(password)
    _end_reset_links(user.id, now)
    sessions.end_sessions([user.id], sessions.PASSWORD_RESET, now, actor)
    db.session.flush()


# ---- "forgot password": a single-use link by email ------------------------------------------------

def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _end_reset_links(user_id: int, now: datetime) -> None:
    db.session.execute(update(PasswordResetToken)
                       .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))


def request_password_reset(email: str, now: datetime, locale: str, base_url: str) -> None:
    """Queue a single-use link for the active user with this address; answer nothing about the address.

    Whatever the address, the same work is done: one lookup, a token made and a mail rendered, then two
    INSERT … SELECT statements whose SELECT finds the user, or nobody (unknown or deactivated address,
    or already RESET_PER_HOUR links this hour). Nothing is queued for an unknown address.
    """
    address = (email or "").strip().lower()
    user = find_user(address)
    token = secrets.token_urlsafe(32)
    with force_locale(user.locale if user is not None and user.locale in ("vi", "en") else locale):
        context = {"name": user.name if user is not None else "", "link": f"{base_url}/password/reset/{token}",
                   "minutes": int(RESET_VALID.total_seconds() // 60)}
        subject = _("Resetting your password")
        text = render_template("email/password_reset.txt", subject=subject, **context)
        html = render_template("email/password_reset.html", subject=subject, **context)
    recent = select(func.count(PasswordResetToken.id)).where(
        PasswordResetToken.user_id == User.id,
        PasswordResetToken.created_at > now - timedelta(hours=1)).scalar_subquery()
    who = [func.lower(User.email) == address, User.active.is_(True), recent < RESET_PER_HOUR]
    # the mail first: the link row written second would count towards its own limit
    db.session.execute(db.insert(OutboxMessage).from_select(
        ["to", "subject", "text", "html", "status", "attempts", "next_attempt_at", "last_error", "created_at"],
        select(User.email, literal(subject), literal(text, Text), literal(html, Text), literal("pending"),
               literal(0, Integer), literal(now, UTCDateTime()), literal(""), literal(now, UTCDateTime()))
        .where(*who)))
    db.session.execute(db.insert(PasswordResetToken).from_select(
        ["user_id", "token_hash", "created_at", "expires_at"],
        select(User.id, literal(_token_digest(token)), literal(now, UTCDateTime()),
               literal(now + RESET_VALID, UTCDateTime())).where(*who)))
    db.session.flush()


def send_sign_in_links(user_ids: list[int], now: datetime, base_url: str, *, actor: Optional[User]) -> int:
    """Queue a single-use link to choose a password for each chosen active user with an email; how many.

    The office sends these to people it imported (no password yet) or who lost theirs; the link is the
    forgot-password link, valid INVITE_VALID. Only the tokens' hashes are kept; nothing is logged.
    """
    require_admin(actor)
    people = db.session.scalars(select(User).where(User.id.in_(list(user_ids) or [-1]), User.active.is_(True),
                                                   func.coalesce(User.email, "") != "")).all()
    tokens, mails = [], []
    for user in people:  # one token and one mail each: the per-person work is a render, no query
        token = secrets.token_urlsafe(32)
        with force_locale(user.locale if user.locale in ("vi", "en") else "vi"):
            context = {"name": user.name, "link": f"{base_url}/password/reset/{token}",
                       "days": INVITE_VALID.days, "email": user.email}
            subject = _("Your account on the congress preparation tracker")
            mails.append({"to": user.email, "subject": subject, "status": "pending", "attempts": 0,
                          "next_attempt_at": now, "last_error": "", "created_at": now,
                          "text": render_template("email/sign_in_link.txt", subject=subject, **context),
                          "html": render_template("email/sign_in_link.html", subject=subject, **context)})
        tokens.append({"user_id": user.id, "token_hash": _token_digest(token), "created_at": now,
                       "expires_at": now + INVITE_VALID})
    if people:
        db.session.execute(db.insert(PasswordResetToken), tokens)
        db.session.execute(db.insert(OutboxMessage), mails)
    db.session.flush()
    return len(people)


def reset_link_user(token: str, now: datetime) -> Optional[User]:
    """The active user a reset link belongs to while it is unused and unexpired; None otherwise."""
    row = db.session.scalar(select(PasswordResetToken).where(
        PasswordResetToken.token_hash == _token_digest(token or ""), PasswordResetToken.used_at.is_(None),
        PasswordResetToken.expires_at > now))
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.active else None


def reset_password(token: str, new: str, confirm: str, now: datetime) -> User:
    """Set a new password through a reset link, which is then used up (with every other link of the user).

    NotFound when the link is unknown, used or expired; Invalid (the link kept) when the password is refused.
    """
    user = reset_link_user(token, now)
    if user is None:
        raise NotFound(_("This link is not valid any more: it was used, it expired, or it is wrong."))
    errors: dict[str, str] = {}
    _new_password(new, confirm, errors)
    if errors:
        raise Invalid(_("The password was not changed: check the marked fields."), errors)
    # a conditional UPDATE: of two requests with the same link, only one uses it
    claimed = db.session.execute(update(PasswordResetToken).where(
        PasswordResetToken.token_hash == _token_digest(token), PasswordResetToken.used_at.is_(None),
        PasswordResetToken.expires_at > now).values(used_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise NotFound(_("This link is not valid any more: it was used, it expired, or it is wrong."))
    user.set_password(new)
    _end_reset_links(user.id, now)
    sessions.end_sessions([user.id], sessions.PASSWORD_RESET, now)
    db.session.flush()
    return user


def create_user(email: Optional[str], name: str, role: str, password: Optional[str],
                unit_code: Optional[str] = None, group_code: Optional[str] = None,
                phone: Optional[str] = None, *, actor: Optional[User], campaign: Optional[Campaign] = None) -> User:
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
    campaign = active_or(campaign)
    if unit_code:
        unit = find_unit(unit_code, campaign.id) if campaign is not None else None
        if unit is None:
            errors["unit"] = _("No unit with code %(code)s.", code=unit_code)
    elif role == "secretary":
        errors["unit"] = _("A secretary needs the unit's code.")
    if group_code:
        group = find_group(group_code, campaign.id) if campaign is not None else None
        if group is None:
            errors["group"] = _("No working group with code %(code)s.", code=group_code)
    if password is not None:
        try:
            check_password_rules(password)
        except Invalid as exc:
            errors.update(exc.fields)
    if errors:
        raise Invalid(_("The user was not saved: check the marked fields."), errors)
    # as assign_unit and add_member: an archived unit takes no secretary, an archived group no member
    if unit is not None and role == "secretary":
        require_live(unit)
    require_live_group(group)
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


def create_group(code: str, name: str, member_emails: list[str], *, actor: Optional[User],
                 campaign: Optional[Campaign] = None) -> WorkingGroup:
    """A new working group with the given members (group-role users); admins, or the operator (actor None)."""
    require_admin(actor, _("Only the organisation office adds working groups."))
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if code_problem(code):
        errors["code"] = code_problem(code)
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
    campaign = active_or(campaign)
    if campaign is None:
        raise NotFound(_("There is no campaign yet: the operator runs `flask init-db`."))
    refuse_if_archived(campaign)
    if find_group(code, campaign.id) is not None:
        raise Conflict(_("A working group with code %(code)s already exists.", code=code),
                       {"code": _("Already in use.")}, code="duplicate")
    group = WorkingGroup(campaign_id=campaign.id, code=code, name=name.strip(), members=members)
    db.session.add(group)
    db.session.flush()
    return group
