"""Checklist templates, per-unit items, stage reviews, blockers and the journal."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow
from .people import User
from .units import Campaign, Unit


class ItemTemplate(db.Model):
    """A checklist item of a stage in the campaign's template."""

    __tablename__ = "item_templates"
    __table_args__ = (UniqueConstraint("campaign_id", "stage", "key", name="uq_item_templates_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(default=True)
    kinds: Mapped[str] = mapped_column(String(200), default="")  # comma-separated; empty = all kinds
    offset_days: Mapped[int] = mapped_column(default=0)  # negative = before the anchor
    working_days: Mapped[bool] = mapped_column(default=False)
    anchor: Mapped[str] = mapped_column(String(20), default="congress")  # congress | deadline
    superior_only: Mapped[bool] = mapped_column(default=False)

    campaign: Mapped[Campaign] = relationship()

    def applies_to(self, kind: str) -> bool:
        """True when this item is part of the checklist of a unit of that kind."""
        kinds = [k.strip() for k in self.kinds.split(",") if k.strip()]
        return not kinds or kind in kinds


class Item(db.Model):
    """One checklist item of one unit: done or not, its due date and a version for concurrent edits."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("unit_id", "stage", "key", name="uq_items_unit_stage_key"),
        Index("ix_items_open_due", "done", "due_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[Optional[int]] = mapped_column(ForeignKey("item_templates.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(default=True)
    superior_only: Mapped[bool] = mapped_column(default=False)
    offset_days: Mapped[int] = mapped_column(default=0)
    working_days: Mapped[bool] = mapped_column(default=False)
    anchor: Mapped[str] = mapped_column(String(20), default="congress")
    due_on: Mapped[Optional[date]]
    due_manual: Mapped[bool] = mapped_column(default=False)
    due_reason: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    done_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit] = relationship(back_populates="items")
    done_by: Mapped[Optional[User]] = relationship()

    def title(self, locale: str) -> str:
        """The title in the reader's language."""
        return self.title_en if locale == "en" else self.title_vi


class StageReview(db.Model):
    """The working group's verdict on a unit's stage: verified, or returned with a comment."""

    __tablename__ = "stage_reviews"
    __table_args__ = (UniqueConstraint("unit_id", "stage", name="uq_stage_reviews_unit_stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    state: Mapped[Optional[str]] = mapped_column(String(20))  # None | verified | returned
    comment: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    by: Mapped[Optional[User]] = relationship()


class Blocker(db.Model):
    """A difficulty (khó khăn, vướng mắc) a unit raises on a stage, and the working group's answer."""

    __tablename__ = "blockers"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()
    raised_by: Mapped[Optional[User]] = relationship(foreign_keys=[raised_by_id])
    answered_by: Mapped[Optional[User]] = relationship(foreign_keys=[answered_by_id])


class JournalEntry(db.Model):
    """One line of a unit's journal: who did what, when, before and after. Append-only."""

    __tablename__ = "journal"
    __table_args__ = (Index("ix_journal_unit_at", "unit_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # empty for a campaign-wide change (the reminder policy), which belongs to no unit
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    stage: Mapped[Optional[str]] = mapped_column(String(20))
    item_key: Mapped[Optional[str]] = mapped_column(String(50))
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[Optional[User]] = relationship()


@event.listens_for(JournalEntry, "before_update")
def _journal_is_append_only(mapper, connection, target):  # pragma: no cover - guard
    raise RuntimeError("the journal is append-only")
