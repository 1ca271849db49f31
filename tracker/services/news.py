"""News that matters: who hears about a blocker or a stage review, the inbox's share of it and the digest's.

A piece of news is one `NewsItem` row per recipient, written in the same transaction as the change it
reports (one INSERT … SELECT for all recipients), shown in the inbox at once and carried by the
recipient's next daily digest exactly once (`digested_on`). The actor never hears about their own act.
Recipients: a blocker raised → the unit's working-group members; a blocker answered or resolved, a
stage verified or returned → the unit's secretaries. Services flush; the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import Integer, Text, and_, exists, func, literal, select, union_all, update
from sqlalchemy.orm import Session, aliased

from ..extensions import db
from ..labels import stage_label
from ..models import Blocker, NewsItem, Notification, Unit, User, group_members
from ..models._types import UTCDateTime

RAISED, ANSWERED, RESOLVED, VERIFIED, RETURNED = (
    "blocker_raised", "blocker_answered", "blocker_resolved", "stage_verified", "stage_returned")
# a digest is a mail: it carries at most this many pieces of news, the inbox keeps them all
DIGEST_NEWS_LINES = 20
# personnel matters stay out of email (DESIGN.md: reminders carry no personnel detail): the mail
# names the news and links to the unit, the text is read in the app
NO_TEXT_BY_MAIL = ("personnel",)
_COLUMNS = ["user_id", "unit_id", "kind", "stage", "text", "actor_id", "created_at"]


# ---- recording (called by services/stages.py, inside its transaction) ----------------------------

def _insert(recipients, unit_id: int, kind: str, stage: str, text: str, actor: User, now: datetime) -> int:
    """One news item per recipient the query selects (User is in its FROM), in one statement."""
    query = recipients.with_only_columns(
        User.id, literal(unit_id, Integer), literal(kind), literal(stage), literal(text or "", Text),
        literal(actor.id, Integer), literal(now, UTCDateTime())
    ).where(User.active.is_(True), User.id != actor.id)
    return db.session.execute(db.insert(NewsItem).from_select(_COLUMNS, query)).rowcount


def _secretaries(unit_id: int):
    return select(User.id).where(User.unit_id == unit_id, User.role == "secretary")


def _group_members(group_id: int):
    return select(User.id).join(group_members, group_members.c.user_id == User.id) \
        .where(group_members.c.group_id == group_id, User.role == "group")


def record_blocker_raised(blocker: Blocker, unit: Unit, actor: User, now: datetime) -> int:
    """Tell the unit's working-group members that a difficulty was raised; how many were told."""
    if unit.group_id is None:
        return 0
    return _insert(_group_members(unit.group_id), unit.id, RAISED, blocker.stage, blocker.text, actor, now)


def record_blocker_answered(blocker: Blocker, answer: str, resolved: bool, actor: User, now: datetime) -> int:
    """Tell the unit's secretaries that their difficulty was answered (or resolved), with the answer."""
    return _insert(_secretaries(blocker.unit_id), blocker.unit_id, RESOLVED if resolved else ANSWERED,
                   blocker.stage, answer, actor, now)


def record_stage_verified(unit: Unit, stage: str, actor: User, now: datetime) -> int:
    """Tell the unit's secretaries that a stage was verified."""
    return _insert(_secretaries(unit.id), unit.id, VERIFIED, stage, "", actor, now)


def record_stage_returned(unit: Unit, stage: str, comment: str, actor: User, now: datetime) -> int:
    """Tell the unit's secretaries that a stage was returned, with the comment."""
    return _insert(_secretaries(unit.id), unit.id, RETURNED, stage, comment, actor, now)


def headline(kind: str, stage: str) -> str:
    """What happened, in the reader's language (the unit and the text are shown beside it)."""
    label = stage_label(stage)
    return {
        RAISED: _("New difficulty — %(stage)s stage", stage=label),
        ANSWERED: _("Difficulty answered — %(stage)s stage", stage=label),
        RESOLVED: _("Difficulty resolved — %(stage)s stage", stage=label),
        VERIFIED: _("Stage verified — %(stage)s", stage=label),
        RETURNED: _("Stage returned for completion — %(stage)s", stage=label),
    }.get(kind, kind)


def text_label(kind: str) -> str:
    """What the news item's text is: the difficulty, the answer or the return comment."""
    return {RAISED: _("Difficulty"), RETURNED: _("Comment")}.get(kind, _("Answer"))


# ---- the inbox ----------------------------------------------------------------------------------

@dataclass
class NewsView:
    """One news item as the inbox shows it."""

    id: int
    kind: str
    stage: str
    text: str
    unit_code: str
    unit_name: str
    actor_name: Optional[str]
    created_at: datetime
    read_at: Optional[datetime]

    @property
    def headline(self) -> str:
        """What happened, in the reader's language."""
        return headline(self.kind, self.stage)

    @property
    def text_label(self) -> str:
        """What the text is."""
        return text_label(self.kind)


@dataclass
class InboxEntry:
    """A row of the inbox: a daily digest or a piece of news."""

    digest: Optional[Notification] = None
    news: Optional[NewsView] = None


def unread_total(user_id: int) -> int:
    """Unread digests and unread news of the user: one statement, two indexed counts."""
    digests = select(func.count(Notification.id)).where(Notification.user_id == user_id,
                                                         Notification.read_at.is_(None)).scalar_subquery()
    news = select(func.count(NewsItem.id)).where(NewsItem.user_id == user_id,
                                                 NewsItem.read_at.is_(None)).scalar_subquery()
    return db.session.scalar(select(digests + news)) or 0


def inbox_page(user: User, page: int, per_page: int, unread_only: bool = False
               ) -> tuple[list[InboxEntry], int, int]:
    """A page of the user's digests and news together, newest first, with the total and the unread count."""
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
    total = db.session.scalar(select(func.count()).select_from(both)) or 0
    keys = db.session.execute(select(both.c.src, both.c.id).order_by(both.c.at.desc(), both.c.src, both.c.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).all()
    digest_ids = [i for src, i in keys if src == "d"]
    news_ids = [i for src, i in keys if src == "n"]
    digests = {n.id: n for n in db.session.scalars(select(Notification).where(Notification.id.in_(digest_ids)))} \
        if digest_ids else {}
    news = {v.id: v for v in _news_views(news_ids)} if news_ids else {}
    entries = [InboxEntry(digest=digests[i]) if src == "d" else InboxEntry(news=news[i])
               for src, i in keys if (digests if src == "d" else news).get(i) is not None]
    return entries, total, unread_total(user.id)


def _news_views(ids: list[int]) -> list[NewsView]:
    actor = aliased(User)
    rows = db.session.execute(
        select(NewsItem.id, NewsItem.kind, NewsItem.stage, NewsItem.text, Unit.code, Unit.name, actor.name,
               NewsItem.created_at, NewsItem.read_at)
        .join(Unit, Unit.id == NewsItem.unit_id).outerjoin(actor, actor.id == NewsItem.actor_id)
        .where(NewsItem.id.in_(ids))).all()
    return [NewsView(*row) for row in rows]


def mark_read(user: User, news_id: int, now: datetime) -> bool:
    """Mark one of the user's news items read; False when it is not theirs or does not exist."""
    found = db.session.scalar(select(NewsItem.id).where(NewsItem.id == news_id, NewsItem.user_id == user.id))
    if found is None:
        return False
    db.session.execute(update(NewsItem).where(NewsItem.id == news_id, NewsItem.read_at.is_(None))
                       .values(read_at=now).execution_options(synchronize_session=False))
    db.session.flush()
    return True


def mark_all_read(user: User, now: datetime) -> int:
    """Mark every unread news item of the user read; return how many."""
    n = db.session.execute(update(NewsItem).where(NewsItem.user_id == user.id, NewsItem.read_at.is_(None))
                           .values(read_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return n


# ---- the daily digest (called by the reminder sweep) ---------------------------------------------

@dataclass
class DigestNews:
    """One undigested news item with what a digest needs about it and its recipient."""

    id: int
    user_id: int
    kind: str
    stage: str
    text: str
    unit_code: str
    unit_name: str
    created_at: datetime
    email: str
    name: str
    locale: Optional[str]

    @property
    def person(self) -> tuple[str, str, Optional[str]]:
        """(email, name, locale) of the recipient, as the sweep keeps people."""
        return self.email, self.name, self.locale


def undigested(session: Session, user_ids: Optional[Iterable[int]], today: date, before: datetime
               ) -> dict[int, list[DigestNews]]:
    """News not yet carried by a digest, created before `before`, of active users with no digest on `today`
    (all such users when user_ids is None): {user_id: [news, oldest first]}, one query."""
    no_digest_today = ~exists().where(Notification.user_id == NewsItem.user_id, Notification.ref_date == today)
    query = (select(NewsItem.id, NewsItem.user_id, NewsItem.kind, NewsItem.stage, NewsItem.text, Unit.code,
                    Unit.name, NewsItem.created_at, User.email, User.name, User.locale)
             .join(Unit, Unit.id == NewsItem.unit_id).join(User, User.id == NewsItem.user_id)
             .where(NewsItem.digested_on.is_(None), NewsItem.created_at < before, User.active.is_(True),
                    no_digest_today)
             .order_by(NewsItem.user_id, NewsItem.created_at, NewsItem.id))
    if user_ids is not None:
        query = query.where(NewsItem.user_id.in_(list(user_ids)))
    out: dict[int, list[DigestNews]] = {}
    for row in session.execute(query):
        out.setdefault(row[1], []).append(DigestNews(*row))
    return out


def mark_digested(session: Session, news_ids: Iterable[int], today: date) -> int:
    """Record that the digest of `today` carried these news items (set-based); return how many."""
    ids, n = list(news_ids), 0
    for i in range(0, len(ids), 500):
        n += session.execute(update(NewsItem).where(and_(NewsItem.id.in_(ids[i:i + 500]),
                                                         NewsItem.digested_on.is_(None)))
                             .values(digested_on=today).execution_options(synchronize_session=False)).rowcount
    return n


def digest_part(news: list[DigestNews], today: date, base_url: str) -> Optional[dict]:
    """The news section of one digest in the current locale (None without news): lines, overflow, subject."""
    if not news:
        return None
    lines = [{"headline": headline(n.kind, n.stage), "unit": f"{n.unit_code} — {n.unit_name}",
              "url": f"{base_url}/units/{n.unit_code}",
              "label": text_label(n.kind), "text": "" if n.stage in NO_TEXT_BY_MAIL else n.text}
             for n in news[-DIGEST_NEWS_LINES:]]
    return {"lines": lines, "more": max(0, len(news) - DIGEST_NEWS_LINES), "count": len(news),
            "subject": _("News for %(date)s: %(n)s items", date=today.strftime("%d/%m/%Y"), n=len(news))}
