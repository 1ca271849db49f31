"""Users, their roles and API tokens."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ._types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .units import Unit, WorkingGroup

ROLES = ("admin", "group", "secretary", "viewer")

group_members = Table(
    "group_members",
    db.metadata,
    Column("group_id", ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A person who signs in: admin, working-group member, unit secretary or viewer."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[Optional[str]] = mapped_column(String(254), unique=True)  # None: signs in by phone
    phone: Mapped[Optional[str]] = mapped_column(String(20), unique=True)  # normalised, e.g. 0912345678
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(256), default="")  # "": no password yet
    must_change_password: Mapped[bool] = mapped_column(default=False)  # set by the initial-password sheet
    active: Mapped[bool] = mapped_column(default=True)
    # bumped to end every session of the user (sign-out, password reset, deactivation); part of get_id()
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    locale: Mapped[Optional[str]] = mapped_column(String(5))
    # the digest channels the user chose, comma-separated (reminders/channels.py); the inbox is always on
    channels: Mapped[str] = mapped_column(String(40), default="inbox,email", server_default="inbox,email")
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Optional[Unit]] = relationship(foreign_keys=[unit_id])
    groups: Mapped[list[WorkingGroup]] = relationship(secondary=group_members, back_populates="members")

    def get_id(self) -> str:
        """Flask-Login's session key: id and session generation, so a bumped generation ends old sessions."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of deactivated accounts
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password; a password one chose needs no change."""
        self.password_hash = generate_password_hash(password)
        self.must_change_password = False

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def login(self) -> str:
        """What the user types in the sign-in form's email field: the email, else the phone number."""
        return self.email or self.phone or ""

    @property
    def group_ids(self) -> set[int]:
        """Ids of the working groups this user belongs to."""
        return {g.id for g in self.groups}


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored. It works until it expires or is revoked."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # written at most once a minute

    user: Mapped[User] = relationship()

    @staticmethod
    def digest(token: str) -> str:
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()


class PasswordResetToken(db.Model):
    """A single-use "forgot password" link: only its SHA-256 is stored, with its expiry and when it was used."""

    __tablename__ = "password_reset_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
