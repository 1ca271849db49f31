"""Reminder ledger, in-app notifications, the mail outbox and the scheduler heartbeat."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow
from .people import User


class ReminderLedger(db.Model):
    """A reminder decided for (recipient, item, kind, reference date): written before anything is sent."""

    __tablename__ = "reminder_ledger"
    __table_args__ = (
        UniqueConstraint("user_id", "item_id", "kind", "ref_date", name="uq_reminder_ledger_key"),
        Index("ix_reminder_ledger_item", "item_id", "user_id", "kind"),
        # a digest is read back from the ledger by (recipient, day) when it is sent or shown
        Index("ix_reminder_ledger_day", "ref_date", "user_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # due_soon:N | overdue | escalation
    ref_date: Mapped[date]
    due_on: Mapped[date]  # the due date reminded about: a moved due date re-arms
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(db.Model):
    """An in-app digest: one per recipient and local day."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "ref_date", name="uq_notifications_user_day"),
                      Index("ix_notifications_day", "ref_date", "user_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ref_date: Mapped[date]
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class OutboxMessage(db.Model):
    """A message (a digest by email or by webhook) waiting to be sent, being sent, sent or failed; nothing
    queued is ever deleted. One row per digest and channel: the unique key is what keeps "once per
    recipient per day" per channel."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),
                      UniqueConstraint("notification_id", "channel", name="uq_outbox_notification_channel"))
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[Optional[int]] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")  # email|webhook
    to: Mapped[str] = mapped_column(String(254))  # the address (email), or the recipient's phone/email (webhook)
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class Heartbeat(db.Model):
    """When a named job (the reminder sweep) last ran, for the admins' warning."""

    __tablename__ = "heartbeats"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")
