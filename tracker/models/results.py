"""Congress results: counts and dates only, never percentages."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class DisseminationResult(db.Model):
    """A unit's dissemination numbers: sessions, attendances (lượt) and members reached."""

    __tablename__ = "dissemination_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    sessions: Mapped[int] = mapped_column(default=0)
    attendees: Mapped[int] = mapped_column(default=0)
    members_reached: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CongressResult(db.Model):
    """What a unit's congress elected."""

    __tablename__ = "congress_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    held_on: Mapped[date]
    seats: Mapped[Optional[int]]
    candidates: Mapped[Optional[int]]
    committee_elected: Mapped[int] = mapped_column(default=0)
    re_elected: Mapped[int] = mapped_column(default=0)
    first_time: Mapped[int] = mapped_column(default=0)
    women: Mapped[int] = mapped_column(default=0)
    young: Mapped[int] = mapped_column(default=0)
    ethnic_minority: Mapped[int] = mapped_column(default=0)
    delegates_official: Mapped[int] = mapped_column(default=0)
    delegates_alternate: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FirstSessionResult(db.Model):
    """What the new committee's first session elected."""

    __tablename__ = "first_session_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    standing_committee: Mapped[int] = mapped_column(default=0)
    secretary_elected: Mapped[bool] = mapped_column(default=False)
    deputy_secretaries: Mapped[int] = mapped_column(default=0)
    inspection_committee: Mapped[int] = mapped_column(default=0)
    inspection_chair_elected: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CustomField(db.Model):
    """A campaign-defined whole-number result field, entered with a stage's results."""

    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("campaign_id", "key", name="uq_custom_fields_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(50))
    stage: Mapped[str] = mapped_column(String(20), default="congress")
    label_vi: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)


class CustomValue(db.Model):
    """A unit's count for a campaign-defined field."""

    __tablename__ = "custom_values"
    __table_args__ = (UniqueConstraint("unit_id", "field_id", name="uq_custom_values_unit_field"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("custom_fields.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(default=0)
