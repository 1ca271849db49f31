"""The campaign, its units, working groups and calendar."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow
from .people import User, group_members

if TYPE_CHECKING:
    from .workflow import Item


class Campaign(db.Model):
    """One congress round of a term, with its settings (reminder policy, composition targets)."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200), default="")
    term: Mapped[str] = mapped_column(String(50), default="")
    starts_on: Mapped[Optional[date]]  # the round's start, as the admin gave it when copying
    final_deadline: Mapped[Optional[date]]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # reminder policy
    due_soon_days: Mapped[str] = mapped_column(String(50), default="3,1")
    overdue_repeat_days: Mapped[int] = mapped_column(default=3)
    escalation_days: Mapped[int] = mapped_column(default=7)
    send_hour: Mapped[Optional[int]]
    working_days_only: Mapped[bool] = mapped_column(default=False)
    # composition targets and report settings
    women_min_pct: Mapped[float] = mapped_column(Numeric(5, 2), default=15)
    young_min_pct: Mapped[float] = mapped_column(Numeric(5, 2), default=10)
    youth_age: Mapped[int] = mapped_column(default=35)
    surplus_min_pct: Mapped[float] = mapped_column(Numeric(5, 2), default=10)
    surplus_max_pct: Mapped[float] = mapped_column(Numeric(5, 2), default=30)
    rounding: Mapped[str] = mapped_column(String(10), default="half_up")
    # the ethnic group the report names ("Khmer" → "dân tộc Khmer"); empty → "dân tộc thiểu số"
    ethnic_group: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # the sub-cell gate (CONTRACT.md): a committee's congress waits for its sub-cells' congresses
    sub_cell_gate: Mapped[bool] = mapped_column(default=True, server_default=true())
    # the congress calendar flags a day with more congresses than this across the campaign
    congresses_per_day: Mapped[int] = mapped_column(default=3, server_default="3")
    # the campaign this one was copied from (a new term or round); its results are the report's comparison
    copied_from_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))

    documents: Mapped[list[ReferenceDocument]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="ReferenceDocument.issued_on")

    @property
    def archived(self) -> bool:
        """An archived campaign (no longer active) is read, never changed, and sends no reminders."""
        return not self.active


class ReferenceDocument(db.Model):
    """A directive, plan or guidance the campaign follows: a number *and* a date."""

    __tablename__ = "reference_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(50))
    issued_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(300), default="")

    campaign: Mapped[Campaign] = relationship(back_populates="documents")


class CalendarDay(db.Model):
    """A day off or make-up working day an admin adds on top of the holidays package."""

    __tablename__ = "calendar_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    working: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(200), default="")


class WorkingGroup(db.Model):
    """A working group (tổ công tác) that follows a share of the units."""

    __tablename__ = "working_groups"
    __table_args__ = (UniqueConstraint("campaign_id", "code", name="uq_working_groups_campaign_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    # archived: kept with its history, no longer offered in forms and filters (tracker/edits)
    archived_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    archived_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True, name="fk_working_groups_archived_by"))

    members: Mapped[list[User]] = relationship(secondary=group_members, back_populates="groups",
                                               order_by="User.email")

    @property
    def archived(self) -> bool:
        """The group has been archived (readmodel.live_group is the SQL twin)."""
        return self.archived_at is not None


class Unit(db.Model):
    """A grassroots Party organisation whose congress is being prepared."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("campaign_id", "code", name="uq_units_campaign_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    party_members: Mapped[int] = mapped_column(default=0)
    group_id: Mapped[Optional[int]] = mapped_column(ForeignKey("working_groups.id", ondelete="SET NULL"),
                                                    index=True)
    pilot: Mapped[bool] = mapped_column(default=False)
    congress_date: Mapped[Optional[date]]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # archived: readable, left out of the dashboard, lists, report and reminders, not editable
    # (the SQL condition is readmodel.live_unit; tracker/edits archives and restores)
    archived_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    archived_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True, name="fk_units_archived_by"))

    campaign: Mapped[Campaign] = relationship()
    group: Mapped[Optional[WorkingGroup]] = relationship()
    parent: Mapped[Optional[Unit]] = relationship(remote_side=[id])
    items: Mapped[list[Item]] = relationship(back_populates="unit", cascade="all, delete-orphan",
                                               order_by="Item.position")
    secretaries: Mapped[list[User]] = relationship(foreign_keys="User.unit_id", viewonly=True,
                                                   order_by="User.email")

    @property
    def archived(self) -> bool:
        """The Python twin of readmodel.live_unit (negated): the unit has been archived."""
        return self.archived_at is not None
