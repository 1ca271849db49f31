"""The reminder sweep: a function of (session, now) that decides, records and queues the day's digests.

Correctness lives in the database, not in the scheduler:
- every reminder is a ledger row with a unique key (recipient, item, kind, reference date), inserted
  with ON CONFLICT DO NOTHING before anything is queued, so a second sweep, a second scheduler or a
  restart decides nothing twice; the row keeps the due date it was about, so a moved due date re-arms;
- a recipient's digest is a Notification, unique per (recipient, local day), queued in the outbox in
  the same transaction, one row per channel the recipient gets (channels.py: email, webhook), unique
  per (digest, channel);
- sweeps take a write lock first (BEGIN IMMEDIATE on SQLite, a transaction advisory lock on
  PostgreSQL) so concurrent sweepers queue one after the other instead of deadlocking.

Policy (CONTRACT.md): due-soon at N days before the due date for N in the campaign's list. A sweep that
did not run on the exact day still fires the nearest remaining threshold once: an item d days before
its due date is in the window of the smallest threshold N >= d, and each (threshold, due date) fires
once per recipient. Overdue at the first sweep that finds the item overdue, then again at the first
sweep `overdue_repeat_days` or more local calendar days after the last overdue reminder. Escalation to
admins once, when an item is `escalation_days` overdue. Nothing is queued before the send hour, nor
on a non-working day when the campaign sends on working days only (what was missed then fires on the
next working day, because every rule above catches up instead of matching one exact day).

News that matters (services/news.py) rides in the same digest: news created before today's send hour
and not yet carried by a digest goes into today's digest of its recipient, once. A person with news
and no reminder gets a digest too (queued read: the news items themselves are what stays unread in the
inbox); news that comes after a person's digest of the day waits for the next day's.

Set-based end to end, so a national roll-out (52,000 units, 1.3 M items) costs a few statements:
one INSERT … SELECT writes every reminder of the sweep into the ledger (one pass over the open items,
fanned out to secretaries, their committees' secretaries for a sub-cell's overdue items,
working-group members and admins), one UPDATE gives today's digest the
news it carries (`digested_on`), one INSERT … SELECT queues the digests of those with reminders (a
Notification per recipient who got a reminder and has no digest today), one those with news only,
one the outbox rows per channel, one the journal lines. No row comes back to Python. A digest's words are not
written here: `digest.py` renders them from the ledger and the news rows when the mail is sent or the
inbox is shown, so a sweep holds no text in memory and an admin's escalation digest is never a list of
75,945 lines. A sweep that inserts no reminder and marks no news (the second of the day) stops after
those two statements.

Why it is safe under the lock: a sweeper that waited for the lock reads, statement by statement,
what the first one committed, so it decides reminders, and marks news, only for recipients with no
digest today; the ledger rows of today whose recipient has no digest yet are exactly the ones this
sweep inserted, the news marked with today's date whose recipient has no digest yet are exactly the
ones this sweep marked, and each of those recipients gets a Notification in the same transaction
(nothing is left in the ledger, nor marked as carried, without its digest). News written by a
request that commits after the sweep is not marked (the UPDATE did not see it) and rides tomorrow.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

from sqlalchemy import Date, String, and_, case, exists, func, literal, or_, select, text, union_all
from sqlalchemy.orm import Session, aliased

from ..clock import local_zone, utcnow
from ..models import (
    Campaign,
    Heartbeat,
    Item,
    JournalEntry,
    NewsItem,
    Notification,
    OutboxMessage,
    ReminderLedger,
    Unit,
    User,
    group_members,
)
from ..models._types import UTCDateTime
from ..permissions import COMMITTEE_KINDS, SUB_CELL, working_group_sql
from ..readmodel import overdue_item
from ..scope import Scope, may_be_late
from ..services import news as news_service
from ..services.calendar import load_calendar
from ..services.campaigns import active_campaign
from .channels import OUTBOX_CHANNELS, delivers_sql
from .policy import due_soon_thresholds, send_hour
from .webhook import webhook_configured

log = logging.getLogger(__name__)

HEARTBEAT = "reminders"
SWEEP_LOCK_KEY = 0x7EC0_0003  # the PostgreSQL advisory lock key of the sweep (any constant)


@dataclass
class SweepResult:
    """What one sweep did: digests queued, digests skipped because already sent that day, new reminders,
    news items given to today's digests.

    `note` is a machine word (no_campaign, before_hour, not_working_day) so that each page and the CLI
    can say it in its own language; `hour` goes with before_hour.
    """

    today: date
    queued: int = 0
    skipped: int = 0
    reminders: int = 0
    news: int = 0
    note: str = ""
    hour: Optional[int] = None

    def summary(self) -> str:
        """One line for logs and the CLI (English, as the command line is)."""
        text_ = f"queued {self.queued}, skipped {self.skipped} (already sent), {self.reminders} new reminders"
        if self.news:
            text_ += f", {self.news} news items"
        note = {"no_campaign": "no active campaign",
                "before_hour": f"before the send hour ({self.hour or 0:02d}:00 local)",
                "not_working_day": "not a working day"}.get(self.note, self.note)
        return f"{text_}; {note}" if note else text_

    def as_json(self, **extra) -> str:
        """The heartbeat's detail: the counts, shown by `describe_beat` in the reader's language."""
        return json.dumps({"today": self.today.isoformat(), "queued": self.queued, "skipped": self.skipped,
                           "reminders": self.reminders, "news": self.news, "note": self.note, "hour": self.hour,
                           **extra})


def dialect_insert(session: Session, model):
    """An INSERT for the session's dialect, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def lock_for_sweep(session: Session) -> None:
    """Serialise sweepers: take the write lock now rather than fail to upgrade a read later."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SWEEP_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        # pysqlite only opens a transaction before DML, so a sweep that read first and wrote later could
        # see another process commit in between and fail with SQLITE_BUSY; BEGIN IMMEDIATE waits instead.
        raw = conn.connection.dbapi_connection
        if not raw.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC moments at which a local day starts and the next one starts."""
    zone = local_zone()
    start = datetime.combine(day, time(0), zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone)


def sweep(session: Session, now: datetime) -> SweepResult:
    """Decide the reminders due at `now`, record them in the ledger and queue the day's digests (flush only)."""
    local_now = now.astimezone(local_zone())
    today = local_now.date()
    result = SweepResult(today=today)
    campaign = active_campaign()  # archived campaigns get no reminders
    if campaign is None:
        result.note = "no_campaign"
        return result
    hour = send_hour(campaign)
    if local_now.hour < hour:
        result.note, result.hour = "before_hour", hour
        return result
    if campaign.working_days_only and not load_calendar().is_working_day(today):
        result.note = "not_working_day"
        return result
    lock_for_sweep(session)
    result.skipped = session.scalar(select(func.count()).select_from(Notification)
                                    .where(Notification.ref_date == today)) or 0
    result.reminders = _insert_ledger(session, campaign, today, now)
    # news of the day before the send hour rides in today's digest; later news waits for tomorrow's
    result.news = news_service.mark_digested(session, today, datetime.combine(today, time(hour), local_zone()))
    if result.reminders or result.news:  # the second sweep of a day usually stops here
        result.queued = _queue_digests(session, today, now, result.reminders > 0, result.news > 0)
        if result.reminders:
            _journal(session, today, now)
    session.flush()
    log.info("reminder sweep for %s: %s", today.isoformat(), result.summary())
    return result


def reminder_candidates(campaign: Campaign, today: date):
    """CTE: each open item of the campaign that a reminder may be about today, with the kind it is due for.

    One pass over the open items: overdue is readmodel's one rule (a required step left undone, its
    stage not returned), as on the dashboard; an item d days before its due date (0 <= d <= the
    largest threshold) is due for the smallest threshold N >= d. Optional steps only get due-soon notes.
    """
    thresholds = sorted(due_soon_thresholds(campaign))
    soon = case(*[(Item.due_on <= today + timedelta(days=n), literal(f"due_soon:{n}", String))
                  for n in thresholds])
    overdue = overdue_item(today)
    # a sub-cell: its committee (whose secretaries hear of its overdue items) and, when it has no group
    # of its own, its committee's working group (permissions.working_group_id, as SQL)
    parent = aliased(Unit)
    superior = case((and_(Unit.kind == SUB_CELL, parent.kind.in_(COMMITTEE_KINDS)), Unit.parent_id), else_=None)
    group_id = working_group_sql(parent)
    return (select(Item.id.label("item_id"), Item.unit_id.label("unit_id"), group_id.label("group_id"),
                   superior.label("superior_id"), Item.due_on.label("due_on"),
                   case((overdue, literal("overdue", String)), else_=soon).label("kind"))
            .join(Unit, Unit.id == Item.unit_id)
            .outerjoin(parent, parent.id == Unit.parent_id)
            # the units that count (tracker.scope): direct units and cells, but for exempted cells (never late)
            .where(*Scope.of(campaign).both().where(), may_be_late(), Item.done.is_(False), Item.due_on.is_not(None),
                   Item.due_on <= today + timedelta(days=thresholds[-1]),
                   or_(Item.due_on >= today, overdue))
            .cte("candidates", nesting=True))  # WITH after INSERT: sqlite3 then reports the rowcount


def _insert_ledger(session: Session, campaign: Campaign, today: date, now: datetime) -> int:
    """Insert every reminder due today into the ledger with one INSERT … SELECT; return how many."""
    cand = reminder_candidates(campaign, today)
    repeat = max(1, int(campaign.overdue_repeat_days or 1))
    escalation = max(0, int(campaign.escalation_days or 0))

    def fresh(kind, repeats: bool):
        # not reminded yet about this due date with this kind (overdue: not in the last `repeat` days)
        cond = [ReminderLedger.user_id == User.id, ReminderLedger.item_id == cand.c.item_id,
                ReminderLedger.kind == kind, ReminderLedger.due_on == cand.c.due_on]
        if repeats:
            cond.append(or_(cand.c.kind != "overdue", ReminderLedger.ref_date > today - timedelta(days=repeat)))
        return ~exists().where(*cond)

    reachable = and_(User.active.is_(True),
                     ~exists().where(Notification.user_id == User.id, Notification.ref_date == today))

    def row(kind):
        return (User.id, cand.c.item_id, kind, literal(today, Date), cand.c.due_on, literal(now, UTCDateTime()))

    secretaries = (select(*row(cand.c.kind)).select_from(cand)
                   .join(User, and_(User.unit_id == cand.c.unit_id, User.role == "secretary"))
                   .where(reachable, fresh(cand.c.kind, True)))
    members = (select(*row(cand.c.kind)).select_from(cand)
               .join(group_members, group_members.c.group_id == cand.c.group_id)
               .join(User, and_(User.id == group_members.c.user_id, User.role == "group"))
               .where(reachable, fresh(cand.c.kind, True)))
    # a committee's secretaries hear of their sub-cells' overdue items (not of their due-soon notes)
    superiors = (select(*row(cand.c.kind)).select_from(cand)
                 .join(User, and_(User.unit_id == cand.c.superior_id, User.role == "secretary"))
                 .where(cand.c.kind == "overdue", reachable, fresh(cand.c.kind, True)))
    admins = (select(*row(literal("escalation", String))).select_from(cand)
              .join(User, User.role == "admin")
              .where(cand.c.kind == "overdue", cand.c.due_on <= today - timedelta(days=escalation),
                     reachable, fresh("escalation", False)))
    stmt = dialect_insert(session, ReminderLedger).from_select(
        ["user_id", "item_id", "kind", "ref_date", "due_on", "created_at"],
        union_all(secretaries, members, superiors, admins)) \
        .on_conflict_do_nothing(index_elements=["user_id", "item_id", "kind", "ref_date"])
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # measured (bench/rem_sweep.py): when the ledger's statistics say it is empty (the first day) the
        # planner scans it once per candidate while the INSERT fills it — 10 s instead of 1 s at 1,000 units;
        # the indexed lookups are right at every size, so prefer them for this one statement
        session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        return _inserted(session, stmt)
    finally:
        if postgres:
            session.execute(text("SET LOCAL enable_seqscan = on"))


def _inserted(session: Session, stmt) -> int:
    """Run an INSERT … SELECT and say how many rows it wrote (SQLAlchemy keeps that only when asked)."""
    return max(0, session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount or 0)


def _queue_digests(session: Session, today: date, now: datetime, reminders: bool, news: bool) -> int:
    """One Notification and one outbox message per recipient with reminders or news today and no digest yet."""
    # the words are rendered from the ledger and the news rows when shown or sent (digest.py); the
    # unique key (recipient, day) decides who queues a digest when two sweepers race
    queued = 0
    columns = ["user_id", "ref_date", "subject", "body", "created_at"]
    if reminders:
        waiting = (select(ReminderLedger.user_id, literal(today, Date), literal(""), literal(""),
                          literal(now, UTCDateTime()))
                   .where(ReminderLedger.ref_date == today,
                          ~exists().where(Notification.user_id == ReminderLedger.user_id,
                                          Notification.ref_date == today))
                   .distinct())
        queued += _inserted(session, dialect_insert(session, Notification).from_select(columns, waiting)
                            .on_conflict_do_nothing(index_elements=["user_id", "ref_date"]))
    if news:
        # news only: the digest starts read, as each piece of news is already unread in the inbox
        only_news = (select(NewsItem.user_id, literal(today, Date), literal(""), literal(""),
                            literal(now, UTCDateTime()), literal(now, UTCDateTime()))
                     .where(NewsItem.digested_on == today,
                            ~exists().where(Notification.user_id == NewsItem.user_id, Notification.ref_date == today))
                     .distinct())
        queued += _inserted(session, dialect_insert(session, Notification).from_select([*columns, "read_at"], only_news)
                            .on_conflict_do_nothing(index_elements=["user_id", "ref_date"]))
    # a digest is deliverable as soon as it is queued, whatever moment the sweep was told it is
    ready_at = min(now, utcnow())
    webhook_on = webhook_configured()
    for channel in OUTBOX_CHANNELS:  # one outbox row per digest and channel (channels.py decides who)
        address = User.email if channel == "email" else func.coalesce(User.phone, User.email, "")
        rows = (select(Notification.id, literal(channel), address, literal(""), literal(""), literal(""),
                       literal("pending"), literal(0), literal(ready_at, UTCDateTime()), literal(""),
                       literal(now, UTCDateTime()))
                .join(User, User.id == Notification.user_id)
                .where(Notification.ref_date == today, delivers_sql(channel, User, webhook_on),
                       ~exists().where(OutboxMessage.notification_id == Notification.id,
                                       OutboxMessage.channel == channel)))
        session.execute(dialect_insert(session, OutboxMessage).from_select(
            ["notification_id", "channel", "to", "subject", "text", "html", "status", "attempts", "next_attempt_at",
             "last_error", "created_at"], rows))
    return queued


def _journal(session: Session, today: date, now: datetime) -> None:
    """One journal line per unit and local day naming who was reminded about it (one INSERT … SELECT)."""
    start, end = local_day_bounds(today)
    pairs = (select(Item.unit_id.label("unit_id"), ReminderLedger.user_id.label("user_id"))
             .join(Item, Item.id == ReminderLedger.item_id)
             .where(ReminderLedger.ref_date == today,
                    ~exists().where(JournalEntry.unit_id == Item.unit_id, JournalEntry.action == "reminded",
                                    JournalEntry.at >= start, JournalEntry.at < end))
             .distinct().subquery("pairs"))
    people = (select(pairs.c.unit_id, User.name).join(User, User.id == pairs.c.user_id)
              .order_by(pairs.c.unit_id, User.name).subquery("people"))
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by
        names = func.string_agg(people.c.name, aggregate_order_by(literal(", "), people.c.name))
    else:  # SQLite's group_concat keeps the order of the ordered subquery
        names = func.group_concat(people.c.name, ", ")
    lines = select(people.c.unit_id, literal("reminded"), literal(now, UTCDateTime()), literal(""), literal(""),
                   func.substr(names, 1, 2000)).group_by(people.c.unit_id)
    session.execute(JournalEntry.__table__.insert().from_select(
        ["unit_id", "action", "at", "before", "after", "note"], lines))


def beat(session: Session, at: datetime, detail: str, name: str = HEARTBEAT) -> None:
    """Record that the sweep ran at `at` (an upsert, safe when two runners beat at once)."""
    stmt = dialect_insert(session, Heartbeat).values(name=name, at=at, detail=detail[:2000])
    session.execute(stmt.on_conflict_do_update(index_elements=["name"],
                                               set_={"at": stmt.excluded.at, "detail": stmt.excluded.detail}))


def last_beat(session: Session, name: str = HEARTBEAT) -> Optional[Heartbeat]:
    """The heartbeat row of the sweep, or None when it never ran."""
    return session.get(Heartbeat, name)
