"""The in-app inbox: a user's daily digests and news that matters, what they were about, and marking them
read (flush only). The API lists the digests alone (`notifications_page`); the pages show both."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func, literal, select, union_all, update

from ..extensions import db
from ..models import NewsItem, Notification, User
from ..paging import Page, paginate
from ..services.news import NewsView, news_views
from .digest import Digest, load_digests


def unread_count(user_id: int) -> int:
    """How many of the user's notifications are unread (one cheap indexed count)."""
    return db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def unread_total(user_id: int) -> int:
    """Unread digests and unread news of the user, for the badge: one statement, two indexed counts."""
    digests = select(func.count(Notification.id)).where(Notification.user_id == user_id,
                                                         Notification.read_at.is_(None)).scalar_subquery()
    news = select(func.count(NewsItem.id)).where(NewsItem.user_id == user_id,
                                                 NewsItem.read_at.is_(None)).scalar_subquery()
    return db.session.scalar(select(digests + news)) or 0


@dataclass
class InboxEntry:
    """A row of the inbox: a daily digest or a piece of news."""

    digest: Optional[Notification] = None
    news: Optional[NewsView] = None


def inbox_page(user: User, page: int, per_page: int, unread_only: bool = False) -> tuple[list[InboxEntry], Page, int]:
    """A page of the user's digests and news together, newest first (a page past the end: the last), and
    the unread count (digests and news); a fixed number of queries whatever the page holds."""
    d_cond = [Notification.user_id == user.id]
    n_cond = [NewsItem.user_id == user.id]
    if unread_only:
        d_cond.append(Notification.read_at.is_(None))
        n_cond.append(NewsItem.read_at.is_(None))
    both = union_all(
        select(literal("d").label("src"), Notification.id.label("id"), Notification.created_at.label("at"))
        .where(*d_cond),
        select(literal("n").label("src"), NewsItem.id.label("id"), NewsItem.created_at.label("at")).where(*n_cond),
    ).subquery()
    window = paginate(select(both.c.src, both.c.id), page, per_page, rows=True, last_page=True,
                      order_by=(both.c.at.desc(), both.c.src, both.c.id.desc()))
    keys = [(src, i) for src, i in window.items]
    digest_ids = [i for src, i in keys if src == "d"]
    digests = {n.id: n for n in db.session.scalars(select(Notification).where(Notification.id.in_(digest_ids)))} \
        if digest_ids else {}
    news = news_views([i for src, i in keys if src == "n"])
    entries = [InboxEntry(digest=digests[i]) if src == "d" else InboxEntry(news=news[i])
               for src, i in keys if (digests if src == "d" else news).get(i) is not None]
    return entries, window, unread_total(user.id)


def notifications_page(user: User, page: int, per_page: int, unread_only: bool = False
                       ) -> tuple[list[Notification], int, int]:
    """A page of the user's notifications, newest first, with the total and the unread count."""
    cond = [Notification.user_id == user.id]
    if unread_only:
        cond.append(Notification.read_at.is_(None))
    window = paginate(select(Notification).where(*cond), page, per_page,
                      order_by=(Notification.ref_date.desc(), Notification.id.desc()))
    return window.items, window.total, unread_count(user.id)


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
