"""The sheet of initial passwords: generated at the moment of the download, only their hashes kept,
each to be changed at the first sign-in. Nothing here logs a password."""
from __future__ import annotations

import io
import secrets
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import generate_password_hash

from ..clock import utcnow
from ..extensions import db
from ..labels import role_label
from ..models import User
from ..services import sessions

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper and typed on a phone
LENGTH = 12  # about 59 bits: out of reach of guessing even with the fast hash below
# A random, single-use password of this strength needs no slow hash to resist guessing; a fast salted
# PBKDF2 lets one download cover 2,000 people in seconds. The user's own password (set_password)
# gets the default, slow hash.
INITIAL_HASH = "pbkdf2:sha256:1000"


def new_password() -> str:
    """A random initial password, grouped in fours for reading aloud (the dashes are part of it)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def issue(user_ids: Optional[list[int]], actor: Optional[User] = None) -> list[tuple[User, str]]:
    """New initial passwords for these active users (None: every active user who has no password yet);
    their sessions end, as after any password reset."""
    query = select(User).options(joinedload(User.unit)).where(User.active.is_(True))
    if user_ids is None:
        query = query.where(User.password_hash == "")
    else:
        query = query.where(User.id.in_(user_ids))
    users = db.session.scalars(query.order_by(User.role, User.name, User.id)).all()
    issued = [(user, new_password()) for user in users]
    if issued:
        db.session.execute(update(User), [
            {"id": user.id, "password_hash": generate_password_hash(password, method=INITIAL_HASH),
             "must_change_password": True} for user, password in issued])
        sessions.end_sessions([user.id for user, _pw in issued], sessions.PASSWORD_RESET, utcnow(), actor)
        db.session.flush()
    return issued


def sheet(issued: list[tuple[User, str]]) -> bytes:
    """The .xlsx an admin prints or hands out: who, how they sign in, the initial password."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = _("Initial passwords")[:31]
    ws.append([_("Full name"), _("Sign in with"), _("Role"), _("Unit"), _("Initial password")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for user, password in issued:
        ws.append([user.name, user.login, role_label(user.role), user.unit.code if user.unit else "", password])
    ws.append([])
    ws.append([_("Each password works until its owner signs in and chooses their own; the page asks for it "
                 "at once. Hand each line only to its owner, then destroy this sheet.")])
    for column, width in zip("ABCDE", (30, 30, 24, 12, 18), strict=True):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
