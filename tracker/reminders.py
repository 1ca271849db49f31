"""The reminder sweep: a function of (session, now) that decides, records and queues the day's digests.

Correctness lives in the database, not in the scheduler:
- every reminder is a ledger row with a unique key (recipient, item, kind, reference date), inserted
  with ON CONFLICT DO NOTHING before anything is queued, so a second sweep, a second scheduler or a
  restart decides nothing twice; the row keeps the due date it was about, so a moved due date re-arms;
- a recipient's digest is a Notification, unique per (recipient, local day), queued in the outbox in
  the same transaction;
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
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Optional

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import Date, and_, delete, exists, func, literal, select, text
from sqlalchemy.orm import Session

from .clock import local_zone, utcnow
from .models import (
    Campaign,
    Heartbeat,
    Item,
    JournalEntry,
    Notification,
    OutboxMessage,
    ReminderLedger,
    Unit,
    User,
    group_members,
)
from .models._types import UTCDateTime
from .readmodel import overdue_item
from .services import journal
from .services import news as news_service
from .services.calendar import load_calendar
from .services.campaigns import current_campaign
from .workflow import STAGES

log = logging.getLogger(__name__)

HEARTBEAT = "reminders"
SWEEP_LOCK_KEY = 0x7EC0_0003  # the PostgreSQL advisory lock key of the sweep (any constant)


@dataclass
class SweepResult:
    """What one sweep did: digests queued, digests skipped because already sent that day, new reminders."""

    today: date
    queued: int = 0
    skipped: int = 0
    reminders: int = 0
    note: str = ""
    recipients: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs, the CLI and the heartbeat."""
        text_ = f"queued {self.queued}, skipped {self.skipped} (already sent), {self.reminders} new reminders"
        return f"{text_}; {self.note}" if self.note else text_


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


def parse_due_soon_days(value: str) -> list[int]:
    """"3,1" -> [3, 1]: distinct whole days from 0 to 90, largest first, at most five; ValueError when bad."""
    parts = [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]
    days = sorted({int(p) for p in parts}, reverse=True)  # int() raises ValueError on anything else
    if not days or len(days) > 5 or any(d < 0 or d > 90 for d in days):
        raise ValueError(value)
    return days


def due_soon_thresholds(campaign: Campaign) -> list[int]:
    """The campaign's due-soon days; the default 3 and 1 when the stored text cannot be read."""
    try:
        return parse_due_soon_days(campaign.due_soon_days or "")
    except ValueError:
        log.warning("campaign %s: unreadable due-soon days %r; using 3,1", campaign.id, campaign.due_soon_days)
        return [3, 1]


def send_hour(campaign: Campaign) -> int:
    """The local hour from which digests go out: the campaign's, else TRACKER_REMINDER_HOUR."""
    if campaign.send_hour is not None:
        return int(campaign.send_hour)
    return _int_setting("REMINDER_HOUR", 7)


def _int_setting(name: str, default: int) -> int:
    # from_prefixed_env parses "7" as JSON (int) but keeps "07" or " 7" as strings
    try:
        return int(str(current_app.config.get(name, default)).strip())
    except (TypeError, ValueError):
        return default


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
    campaign = current_campaign()
    if campaign is None:
        result.note = "no active campaign"
        return result
    hour = send_hour(campaign)
    if local_now.hour < hour:
        result.note = f"before the send hour ({hour:02d}:00 local)"
        return result
    if campaign.working_days_only and not load_calendar().is_working_day(today):
        result.note = "not a working day"
        return result
    lock_for_sweep(session)
    result.skipped = session.scalar(select(func.count(Notification.id)).where(Notification.ref_date == today)) or 0
    inserted = _insert_ledger(session, campaign, today, now)
    result.reminders = len(inserted)
    # news (services/news.py): what happened before today's send hour rides in today's digest, once
    news = news_service.undigested(session, None, today, datetime.combine(today, time(hour), local_zone()))
    created = _queue_digests(session, today, now, result, news)
    # a reminder decided here for someone whose digest of the day another sweeper queued first would
    # never be sent: drop it so that it fires tomorrow (at most one digest a day)
    orphans = [lid for lid, uid in inserted if uid not in created]
    for i in range(0, len(orphans), 500):
        session.execute(delete(ReminderLedger).where(ReminderLedger.id.in_(orphans[i:i + 500])))
    result.reminders -= len(orphans)
    session.flush()
    log.info("reminder sweep for %s: %s", today.isoformat(), result.summary())
    return result


def _insert_ledger(session: Session, campaign: Campaign, today: date, now: datetime) -> list[tuple[int, int]]:
    """Insert every reminder due today into the ledger, set-based; return (ledger id, user id) inserted."""
    no_digest_today = ~exists().where(Notification.user_id == User.id, Notification.ref_date == today)
    open_item = and_(Item.done.is_(False), Item.due_on.is_not(None), Unit.campaign_id == campaign.id)

    def already(kind, *extra):
        return exists().where(ReminderLedger.user_id == User.id, ReminderLedger.item_id == Item.id,
                              ReminderLedger.kind == kind, ReminderLedger.due_on == Item.due_on, *extra)

    rules: list[tuple[str, object, tuple[str, ...]]] = []
    lower = -1
    for n in sorted(due_soon_thresholds(campaign)):
        kind = f"due_soon:{n}"
        window = and_(Item.due_on >= today + timedelta(days=lower + 1), Item.due_on <= today + timedelta(days=n))
        rules.append((kind, and_(window, ~already(kind)), ("secretary", "group")))
        lower = n
    repeat = max(1, int(campaign.overdue_repeat_days or 1))
    # overdue is readmodel's one rule (a required step left undone, its stage not returned), as on the
    # dashboard; optional steps only get due-soon notes
    rules.append(("overdue", and_(overdue_item(today),
                                  ~already("overdue", ReminderLedger.ref_date > today - timedelta(days=repeat))),
                  ("secretary", "group")))
    escalation = max(0, int(campaign.escalation_days or 0))
    rules.append(("escalation", and_(overdue_item(today),
                                     Item.due_on <= today - timedelta(days=escalation),
                                     ~already("escalation")),
                  ("admin",)))

    inserted: list[tuple[int, int]] = []
    for kind, condition, audiences in rules:
        for audience in audiences:
            query = select(User.id, Item.id, literal(kind), literal(today, Date), Item.due_on,
                           literal(now, UTCDateTime())).select_from(Item).join(Unit, Unit.id == Item.unit_id)
            if audience == "secretary":
                query = query.join(User, and_(User.unit_id == Unit.id, User.role == "secretary"))
            elif audience == "group":
                query = query.join(group_members, group_members.c.group_id == Unit.group_id) \
                    .join(User, and_(User.id == group_members.c.user_id, User.role == "group"))
            else:
                query = query.join(User, User.role == "admin")
            query = query.where(open_item, condition, User.active.is_(True), no_digest_today).distinct()
            stmt = dialect_insert(session, ReminderLedger).from_select(
                ["user_id", "item_id", "kind", "ref_date", "due_on", "created_at"], query) \
                .on_conflict_do_nothing(index_elements=["user_id", "item_id", "kind", "ref_date"]) \
                .returning(ReminderLedger.id, ReminderLedger.user_id)
            inserted.extend((row[0], row[1]) for row in session.execute(stmt))
    return inserted


@dataclass
class Line:
    """One item in a digest."""

    kind: str
    title: str
    due_on: date
    position: int


def _queue_digests(session: Session, today: date, now: datetime, result: SweepResult,
                   news: Optional[dict] = None) -> set[int]:
    """One Notification and one outbox message per recipient with reminders today and no digest yet."""
    rows = session.execute(
        select(ReminderLedger.user_id, ReminderLedger.kind, Item.stage, Item.position, Item.title_vi,
               Item.title_en, Item.due_on, Unit.id, Unit.code, Unit.name, User.email, User.name, User.locale)
        .join(Item, Item.id == ReminderLedger.item_id).join(Unit, Unit.id == Item.unit_id)
        .join(User, User.id == ReminderLedger.user_id)
        .where(ReminderLedger.ref_date == today,
               ~exists().where(Notification.user_id == ReminderLedger.user_id, Notification.ref_date == today))
        .order_by(ReminderLedger.user_id, Unit.code, Item.position)).all()
    news = news or {}
    if not rows and not news:
        return set()
    people: dict[int, tuple[str, str, Optional[str]]] = {}
    lines: dict[int, dict[tuple[int, str, str], dict[str, list]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    units_for: dict[int, set[int]] = defaultdict(set)
    for (uid, kind, stage, position, title_vi, title_en, due_on, unit_id, code, name, email, uname, locale) in rows:
        people[uid] = (email, uname, locale)
        lines[uid][(unit_id, code, name)][stage].append((kind, title_vi, title_en, due_on, position))
        units_for[unit_id].add(uid)
    for uid, items in news.items():  # someone with news and no reminder gets a digest too
        people.setdefault(uid, items[0].person)
        lines.setdefault(uid, {})

    default_locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")
    digests = []
    for uid, by_unit in lines.items():
        email, uname, locale = people[uid]
        locale = locale if locale in ("vi", "en") else default_locale
        subject, body, html = render_digest(by_unit, today, locale, uname, news.get(uid))
        # a digest of news only starts read: each piece of news is already unread in the inbox
        digests.append({"user_id": uid, "ref_date": today, "subject": subject[:300], "body": body,
                        "created_at": now, "read_at": None if by_unit else now, "_email": email, "_html": html})
    stmt = dialect_insert(session, Notification).on_conflict_do_nothing(index_elements=["user_id", "ref_date"]) \
        .returning(Notification.id, Notification.user_id)
    # the unique key (recipient, day) decides who queues a digest when two sweepers race
    params = [{k: v for k, v in d.items() if not k.startswith("_")} for d in digests]
    created = {uid: nid for nid, uid in session.execute(stmt, params).all()}
    # a digest is deliverable as soon as it is queued, whatever moment the sweep was told it is
    ready_at = min(now, utcnow())
    outbox = [{"notification_id": created[d["user_id"]], "to": d["_email"], "subject": d["subject"],
               "text": d["body"], "html": d["_html"], "status": "pending", "attempts": 0,
               "next_attempt_at": ready_at, "last_error": "", "created_at": now}
              for d in digests if d["user_id"] in created]
    if outbox:
        session.execute(dialect_insert(session, OutboxMessage), outbox)
    news_service.mark_digested(session, [n.id for uid in created for n in news.get(uid, ())], today)
    result.queued = len(created)
    result.recipients = sorted(people[uid][0] for uid in created)
    _journal(session, today, now, units_for, created, people)
    return set(created)


def _journal(session: Session, today: date, now: datetime, units_for: dict[int, set[int]],
             created: dict[int, int], people: dict[int, tuple]) -> None:
    """One journal line per unit and local day naming who was reminded about it."""
    start, end = local_day_bounds(today)
    done = set(session.scalars(select(JournalEntry.unit_id).where(
        JournalEntry.action == "reminded", JournalEntry.at >= start, JournalEntry.at < end)).all())
    for unit_id, uids in sorted(units_for.items()):
        reminded = sorted(people[u][1] for u in uids if u in created)
        if not reminded or unit_id in done:
            continue
        journal.record(unit_id, None, "reminded", now, note=", ".join(reminded)[:2000])


def kind_text(kind: str, due_on: date, today: date) -> str:
    """What a digest line says about an item: due in N days, due today, overdue by N days."""
    days = (due_on - today).days
    if kind.startswith("due_soon"):
        if days <= 0:
            return _("due today")
        return ngettext("due in %(num)s day", "due in %(num)s days", days)
    late = -days
    if kind == "escalation":
        return ngettext("overdue by %(num)s day, escalated", "overdue by %(num)s days, escalated", late)
    return ngettext("overdue by %(num)s day", "overdue by %(num)s days", late)


def base_url() -> str:
    """The address links in emails start with (TRACKER_BASE_URL)."""
    return str(current_app.config.get("BASE_URL") or "http://localhost:5000").rstrip("/")


def render_digest(by_unit, today: date, locale: str, name: str, news=None) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one digest in the recipient's language."""
    from .labels import stage_label

    with force_locale(locale):
        units = []
        overdue = soon = 0
        for (_unit_id, code, uname), stages in by_unit.items():
            stage_rows = []
            for stage in sorted(stages, key=lambda s: STAGES.index(s) if s in STAGES else 99):
                items = []
                for kind, title_vi, title_en, due_on, _position in sorted(stages[stage], key=lambda r: (r[4], r[0])):
                    items.append({"title": title_en if locale == "en" else title_vi, "due_on": due_on,
                                  "kind": kind.split(":")[0], "text": kind_text(kind, due_on, today)})
                    if kind.startswith("due_soon"):
                        soon += 1
                    else:
                        overdue += 1
                stage_rows.append({"key": stage, "label": stage_label(stage), "lines": items})
            units.append({"code": code, "name": uname, "url": f"{base_url()}/units/{code}", "stages": stage_rows})
        subject = _("Reminders for %(date)s: %(overdue)s overdue, %(soon)s due soon",
                    date=today.strftime("%d/%m/%Y"), overdue=overdue, soon=soon)
        news_part = news_service.digest_part(news or [], today, base_url())
        subject = news_part["subject"] if news_part and not units else subject
        context = {"units": units, "today": today, "name": name, "subject": subject, "news": news_part,
                   "inbox_url": f"{base_url()}/inbox", "overdue": overdue, "soon": soon}
        return subject, render_template("email/digest.txt", **context), render_template("email/digest.html", **context)


def beat(session: Session, at: datetime, detail: str, name: str = HEARTBEAT) -> None:
    """Record that the sweep ran at `at` (an upsert, safe when two runners beat at once)."""
    stmt = dialect_insert(session, Heartbeat).values(name=name, at=at, detail=detail[:2000])
    session.execute(stmt.on_conflict_do_update(index_elements=["name"],
                                               set_={"at": stmt.excluded.at, "detail": stmt.excluded.detail}))


def last_beat(session: Session, name: str = HEARTBEAT) -> Optional[Heartbeat]:
    """The heartbeat row of the sweep, or None when it never ran."""
    return session.get(Heartbeat, name)
