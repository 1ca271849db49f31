"""The in-app inbox: a user's daily digests, what they were about, and marking them read (flush only)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Notification, User
from .digest import Digest, load_digests


def unread_count(user_id: int) -> int:
    """How many of the user's notifications are unread (one cheap indexed count)."""
    return db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def notifications_page(user: User, page: int, per_page: int, unread_only: bool = False
                       ) -> tuple[list[Notification], int, int]:
    """A page of the user's notifications, newest first, with the total and the unread count."""
    cond = [Notification.user_id == user.id]
    if unread_only:
        cond.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count(Notification.id)).where(*cond)) or 0
    rows = list(db.session.scalars(select(Notification).where(*cond)
                                   .order_by(Notification.ref_date.desc(), Notification.id.desc())
                                   .offset((page - 1) * per_page).limit(per_page)))
    return rows, total, unread_count(user.id)


def mark_read(user: User, notification_id: int, now: datetime) -> Optional[Notification]:
    """Mark one of the user's notifications read; None when it is not theirs or does not exist."""
    n = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                     Notification.user_id == user.id))
    if n is not None and n.read_at is None:
        n.read_at = now
        db.session.flush()
    return n


def mark_all_read(user: User, now: datetime) -> int:
    """Mark every unread notification of the user read; return how many."""
    n = db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                      Notification.read_at.is_(None))
                           .values(read_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return n


def digests_of(notifications: list[Notification]) -> dict[int, Digest]:
    """{notification id: Digest} read from the ledger for a page of notifications: a fixed number of queries."""
    digests = load_digests(db.session, [(n.user_id, n.ref_date) for n in notifications])
    return {n.id: digests[(n.user_id, n.ref_date)] for n in notifications}
