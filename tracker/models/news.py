"""News that matters: a blocker raised or answered, a stage verified or returned, told to the people concerned."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow

NEWS_KINDS = ("blocker_raised", "blocker_answered", "blocker_resolved", "stage_verified", "stage_returned")


class NewsItem(db.Model):
    """One piece of news for one recipient: shown in the inbox at once, mailed in the next daily digest."""

    __tablename__ = "news_items"
    __table_args__ = (
        Index("ix_news_items_user_created", "user_id", "created_at"),
        Index("ix_news_items_user_read", "user_id", "read_at"),
        Index("ix_news_items_digest", "digested_on", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # one of NEWS_KINDS
    stage: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")  # the blocker, the answer or the return comment
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    digested_on: Mapped[Optional[date]]  # the local day of the digest that carried it
