"""News that matters: who hears about a blocker or a stage review, the inbox's share of it and the digest's.

A piece of news is one `NewsItem` row per recipient, written in the same transaction as the change it
reports (one INSERT … SELECT for all recipients), shown in the inbox at once and carried by the
recipient's next daily digest exactly once: the reminder sweep sets `digested_on` to the digest's day
(`mark_digested`, one UPDATE) and queues that day's digest for the recipient in the same transaction;
the words are rendered from these rows when the digest is sent or shown (tracker/reminders/digest.py),
never stored. The actor never hears about their own act.
Recipients: a blocker raised → the unit's working-group members (and a sub-cell's committee
secretaries); a blocker answered or resolved, a stage verified or returned → the unit's secretaries.
Services flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import Integer, Text, exists, func, literal, select, tuple_, union, update
from sqlalchemy.orm import Session, aliased

from ..extensions import db
from ..labels import stage_label
from ..models import Blocker, NewsItem, Notification, Unit, User, group_members
from ..models._types import UTCDateTime
from ..permissions import COMMITTEE_KINDS, SUB_CELL, working_group_id

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
    """Tell the unit's working-group members (and, for a sub-cell, its committee's secretaries, who answer
    it too) that a difficulty was raised; how many were told."""
    group_id = working_group_id(unit)
    superior = unit.parent_id if unit.kind == SUB_CELL and unit.parent is not None \
        and unit.parent.kind in COMMITTEE_KINDS else None
    if group_id is None and superior is None:
        return 0
    ids = [q for q in (_group_members(group_id) if group_id else None,
                       _secretaries(superior) if superior else None) if q is not None]
    recipients = select(User.id).where(User.id.in_(ids[0] if len(ids) == 1 else union(*ids)))
    return _insert(recipients, unit.id, RAISED, blocker.stage, blocker.text, actor, now)


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


# ---- the inbox (tracker/reminders/inbox.py pages them together with the digests) -----------------

@dataclass
class NewsView:
    """One news item as the inbox shows it: the whole text, personnel included (the app is the place for it)."""

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


def news_views(ids: list[int]) -> dict[int, NewsView]:
    """{id: NewsView} of these news items, one query."""
    if not ids:
        return {}
    actor = aliased(User)
    rows = db.session.execute(
        select(NewsItem.id, NewsItem.kind, NewsItem.stage, NewsItem.text, Unit.code, Unit.name, actor.name,
               NewsItem.created_at, NewsItem.read_at)
        .join(Unit, Unit.id == NewsItem.unit_id).outerjoin(actor, actor.id == NewsItem.actor_id)
        .where(NewsItem.id.in_(ids))).all()
    return {row[0]: NewsView(*row) for row in rows}


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


# ---- the daily digest (the reminder sweep marks, tracker/reminders/digest.py renders) -------------

def mark_digested(session: Session, today: date, before: datetime) -> int:
    """Give today's digest the news it carries: one UPDATE, set-based; return how many items.

    The news not yet carried by any digest, created before `before` (today's send hour), of active
    users who have no digest today. The sweep calls this under its lock and, in the same transaction,
    queues a digest for every user whose news it marked; news that comes after a user's digest of the
    day waits for the next day's (never a second mail the same day).
    """
    no_digest_today = ~exists().where(Notification.user_id == NewsItem.user_id, Notification.ref_date == today)
    active = exists().where(User.id == NewsItem.user_id, User.active.is_(True))
    stmt = (update(NewsItem)
            .where(NewsItem.digested_on.is_(None), NewsItem.created_at < before, active, no_digest_today)
            .values(digested_on=today).execution_options(synchronize_session=False, preserve_rowcount=True))
    return max(0, session.execute(stmt).rowcount or 0)


@dataclass
class DigestNews:
    """One news item of a digest, as the mail and the inbox's digest card show it."""

    user_id: int
    digested_on: date
    kind: str
    stage: str
    text: str
    unit_code: str
    unit_name: str
    created_at: datetime

    @property
    def headline(self) -> str:
        """What happened, in the reader's language."""
        return headline(self.kind, self.stage)

    @property
    def text_label(self) -> str:
        """What the text is."""
        return text_label(self.kind)

    @property
    def mail_text(self) -> str:
        """The text as a mail may carry it: none for the personnel stage (DESIGN.md)."""
        return "" if self.stage in NO_TEXT_BY_MAIL else self.text


def digest_news(session: Session, keys: list[tuple[int, date]]) -> dict[tuple[int, date], tuple[list[DigestNews], int]]:
    """{(recipient, day): (the newest DIGEST_NEWS_LINES news items the digest carries, oldest first; how many
    it carries)} for these digests, one query; digests without news are left out."""
    if not keys:
        return {}
    part = (NewsItem.user_id, NewsItem.digested_on)
    ranked = (select(NewsItem.user_id, NewsItem.digested_on, NewsItem.kind, NewsItem.stage, NewsItem.text,
                     Unit.code, Unit.name, NewsItem.created_at,
                     func.row_number().over(partition_by=part, order_by=(NewsItem.created_at.desc(),
                                                                         NewsItem.id.desc())).label("rn"),
                     func.count().over(partition_by=part).label("total"))
              .join(Unit, Unit.id == NewsItem.unit_id)
              .where(NewsItem.digested_on.in_(sorted({d for _u, d in keys})),
                     NewsItem.user_id.in_(sorted({u for u, _d in keys})),
                     tuple_(NewsItem.user_id, NewsItem.digested_on).in_(keys))
              .subquery())
    out: dict[tuple[int, date], tuple[list[DigestNews], int]] = {}
    for r in session.execute(select(ranked).where(ranked.c.rn <= DIGEST_NEWS_LINES)
                             .order_by(ranked.c.user_id, ranked.c.digested_on, ranked.c.rn.desc())):
        lines, _total = out.setdefault((r.user_id, r.digested_on), ([], int(r.total)))
        lines.append(DigestNews(r.user_id, r.digested_on, r.kind, r.stage, r.text, r.code, r.name, r.created_at))
    return out
