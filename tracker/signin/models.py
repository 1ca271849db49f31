"""The sign-in log: every sign-in, failure, sign-out and password change; it also feeds the throttle."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models._types import UTCDateTime, utcnow


class SignInEvent(db.Model):
    """One line of the sign-in log: who (resolved user and what was typed), from where, when, what happened."""

    __tablename__ = "sign_in_events"
    __table_args__ = (
        # the throttle's two counts: failures of one address (and of one account from it) in a window
        Index("ix_sign_in_events_address", "address", "outcome", "at"),
        Index("ix_sign_in_events_at", "at"),  # the admin page, newest first, and pruning
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    login: Mapped[str] = mapped_column(String(254), default="")  # as typed, normalised; "" when not a login
    address: Mapped[str] = mapped_column(String(64), default="")  # the client's address; "" from the command line
    outcome: Mapped[str] = mapped_column(String(20))  # signin.events.OUTCOMES
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who reset it
