"""The congress calendar's secret feed addresses: one per user, revocable and renewable."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import User
from ..models._types import UTCDateTime, utcnow


class CalendarToken(db.Model):
    """A user's iCalendar feed key: a random secret (256 bits), None once the user revoked it.

    The secret is kept as it is (not hashed) because the account page and GET /api/v1/me show the
    feed's address again at any time; its entropy, not its secrecy at rest, is what protects it.
    """

    __tablename__ = "calendar_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
