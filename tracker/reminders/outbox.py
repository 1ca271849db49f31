"""The outbox: claim, send after commit, retry with backoff; SMTP lives only here, the webhook in webhook.py.

Each row is one digest (or one mail) for one channel (`channel`: email or webhook, see channels.py);
every channel goes through the same claim, lease, retries and failed marking, so what holds for mail
holds for the webhook: never doubled, never lost. A channel is an object with `name`, `configured`,
`lease`, `prepare(rows, digests)` (the payload of each row), `send(payload)` and `close()`; `send` raises
`Unreachable` when the next message would fail the same way (the run of that channel stops, the rest
waits untouched) and `Refused` when only this message was refused (it is retried later).

A message moves pending -> sending (a conditional UPDATE that only one process can win, with a lease)
-> sent, or back to pending with a later next_attempt_at when SMTP fails, or failed after the last
try. A process that dies while sending leaves the row in "sending"; once its lease ends the row
returns to pending. Rows are never deleted: the delivery page shows them all.
"""
from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, make_msgid
from typing import Optional

from flask import current_app
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..models import Notification, OutboxMessage, User
from .digest import Digest, load_digests, render_many
from .webhook import Refused, Unreachable, WebhookSettings, encode, payload, post

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
_WIRE = compat32.clone(linesep="\r\n")  # SMTP wants CRLF; sendmail() sends bytes as they are
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable source, as the mail clients of the offices expect
BATCH = 200  # messages claimed, rendered and held in memory at once
RECORD_EVERY = 25  # sent messages recorded per commit: a crash in between re-sends at most these


@dataclass
class DeliveryResult:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0  # tries that did not go out in this run (retried later, or failed for good)
    waiting: int = 0  # messages still pending or being sent afterwards
    note: str = ""

    def summary(self) -> str:
        """One line for logs and the CLI."""
        line = f"sent {self.sent}, failed {self.failed}, waiting {self.waiting}"
        return f"{line}; {self.note}" if self.note else line


@dataclass(frozen=True)
class MailSettings:
    """The SMTP settings (Flask-Mail's names), read from the app config; strings from the env accepted."""

    server: Optional[str]
    port: int
    use_tls: bool
    use_ssl: bool
    username: Optional[str]
    password: Optional[str]
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config) -> MailSettings:
        """Settings from a Flask config; `from_prefixed_env` gives bools and ints, or strings it could not parse."""
        server = config.get("MAIL_SERVER")
        server = str(server).strip() if server not in (None, False, "") else None
        use_ssl = _flag(config.get("MAIL_USE_SSL"))
        return cls(server=server or None,
                   port=_number(config.get("MAIL_PORT"), 465 if use_ssl else 25, int),
                   use_tls=_flag(config.get("MAIL_USE_TLS")), use_ssl=use_ssl,
                   username=str(config["MAIL_USERNAME"]) if config.get("MAIL_USERNAME") else None,
                   password=str(config["MAIL_PASSWORD"]) if config.get("MAIL_PASSWORD") else None,
                   sender=_sender(config.get("MAIL_DEFAULT_SENDER")),
                   timeout=_number(config.get("MAIL_TIMEOUT"), 15, float))


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _number(value, default, kind):
    try:
        number = kind(str(value).strip()) if value not in (None, "") else default
        return number if number > 0 else default
    except (TypeError, ValueError):
        return default


def _sender(value) -> str:
    if isinstance(value, (list, tuple)) and len(value) == 2:  # Flask-Mail's (name, address)
        from email.utils import formataddr
        return formataddr((str(value[0]), str(value[1])))
    return str(value or "tracker@localhost")


def lease_seconds(settings: MailSettings) -> int:
    """How long a claimed message may stay in "sending" before another process may take it over."""
    return int(max(120, settings.timeout * 6))


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed tries."""
    return timedelta(seconds=BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1])


def build_message(message_id: int, to: str, subject: str, text_: str, html: str, sender: str) -> Message:
    """The MIME message: plain text, plus HTML as the alternative (compat32 classes: a tenth of the cost)."""
    body = MIMEText(text_, "plain", _UTF8)
    if html:
        msg: Message = MIMEMultipart("alternative")
        msg.attach(body)
        msg.attach(MIMEText(html, "html", _UTF8))
    else:
        msg = body
    msg["Subject"] = Header(subject, "utf-8", header_name="Subject")
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(utcnow())
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    msg["Message-ID"] = make_msgid(idstring=f"outbox{message_id}", domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def connect(settings: MailSettings) -> smtplib.SMTP:
    """An SMTP connection with a timeout; TLS (STARTTLS or SSL) verifies the server's certificate."""
    context = ssl.create_default_context()
    if settings.use_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.server, settings.port, timeout=settings.timeout,
                                              context=context)
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
        if settings.use_tls:
            smtp.starttls(context=context)
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


# errors after which the next message would fail the same way: stop the run, the rest waits untouched
CONNECTION_ERRORS = (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected,
                     smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError,
                     ssl.SSLError, socket.timeout)


def release_stale(session: Session, now: datetime) -> int:
    """Return messages stuck in "sending" past their lease to pending; commit."""
    n = session.execute(update(OutboxMessage)
                        .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now)
                        .values(status="pending", next_attempt_at=now, lease_until=None)
                        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    if n:
        log.warning("%d outbox messages were stuck in sending; returned to pending", n)
    return n


def _due(now: datetime, force: bool):
    cond = OutboxMessage.status == "pending"
    return cond if force else and_(cond, OutboxMessage.next_attempt_at <= now)


def claim(session: Session, message_id: int, now: datetime, lease: int, force: bool) -> bool:
    """Take one given message for sending (pending -> sending) with a lease; True when this process won; commit."""
    won = session.execute(update(OutboxMessage)
                          .where(OutboxMessage.id == message_id, _due(now, force))
                          .values(status="sending", attempts=OutboxMessage.attempts + 1,
                                  lease_until=now + timedelta(seconds=lease))
                          .execution_options(synchronize_session=False)).rowcount == 1
    session.commit()
    return won


def _record(session: Session, message_id: int, attempt: int, values: dict) -> None:
    # only the holder of the claim records the outcome: a claim taken over after the lease ran out has
    # counted another attempt, so the first holder's outcome no longer matches and is dropped
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == "sending",
                                                OutboxMessage.attempts == attempt)
                    .values(lease_until=None, **values).execution_options(synchronize_session=False))
    session.commit()


def waiting_count(session: Session, channel: Optional[str] = None) -> int:
    """Messages pending or being sent (of one channel, or all)."""
    stmt = select(func.count(OutboxMessage.id)).where(OutboxMessage.status.in_(("pending", "sending")))
    if channel is not None:
        stmt = stmt.where(OutboxMessage.channel == channel)
    return session.scalar(stmt) or 0


def claim_batch(session: Session, now: datetime, lease: int, force: bool, after_id: int, size: int,
                channel: Optional[str] = None) -> list[tuple[int, int]]:
    """Take up to `size` due messages with ids above `after_id` for sending, in one conditional UPDATE.

    Returns (id, attempts) of the rows this process won, in id order; commits. On PostgreSQL rows
    another deliverer is claiming are skipped (SKIP LOCKED); anywhere, the UPDATE re-checks that a
    row is still due, so no row is ever won twice.
    """
    pick = select(OutboxMessage.id).where(_due(now, force), OutboxMessage.id > after_id) \
        .order_by(OutboxMessage.id).limit(size)
    if channel is not None:
        pick = pick.where(OutboxMessage.channel == channel)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    won = session.execute(update(OutboxMessage)
                          .where(OutboxMessage.id.in_(pick.scalar_subquery()), _due(now, force))
                          .values(status="sending", attempts=OutboxMessage.attempts + 1,
                                  lease_until=now + timedelta(seconds=lease))
                          .returning(OutboxMessage.id, OutboxMessage.attempts)
                          .execution_options(synchronize_session=False)).all()
    session.commit()
    return sorted((int(i), int(a)) for i, a in won)


def release(session: Session, claimed: list[tuple[int, int]]) -> None:
    """Give back claimed messages that were not tried (sending -> pending, the claim's try not counted); commit."""
    table = OutboxMessage.__table__
    if claimed:
        session.execute(table.update().where(table.c.id == bindparam("b_id"), table.c.status == "sending",
                                             table.c.attempts == bindparam("b_att"))
                        .values(status="pending", attempts=table.c.attempts - 1, lease_until=None),
                        [{"b_id": i, "b_att": a} for i, a in claimed])
    session.commit()


def _record_sent(session: Session, sent: list[tuple[int, int, str]], at: datetime) -> None:
    """Record a run of sent messages at once (id, attempt, subject as sent); commit."""
    table = OutboxMessage.__table__
    if sent:
        session.execute(table.update().where(table.c.id == bindparam("b_id"), table.c.status == "sending",
                                             table.c.attempts == bindparam("b_att"))
                        .values(status="sent", sent_at=at, last_error="", lease_until=None,
                                subject=bindparam("b_subject")),
                        [{"b_id": i, "b_att": a, "b_subject": subj[:300]} for i, a, subj in sent])
    session.commit()


class EmailChannel:
    """Digests and mails by SMTP: one connection per run, opened at the first message."""

    name = "email"
    unreachable = "SMTP unreachable"

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.configured = bool(settings.server)
        self.missing = "no SMTP server configured (TRACKER_MAIL_SERVER); mail stays in the outbox"
        self.lease = lease_seconds(settings)
        self._smtp: Optional[smtplib.SMTP] = None

    def prepare(self, rows, digests: dict) -> Iterator[tuple[object, str, Message]]:
        """(row, subject, MIME message) for each row; digests rendered in a batch, in each reader's language."""
        rendered = render_many(digests.values()) if digests else {}
        for r in rows:
            subject, text_, html = r.subject, r.text, r.html
            if (r.user_id, r.ref_date) in rendered and not r.text:
                subject, text_, html = rendered[(r.user_id, r.ref_date)]
            yield r, subject, build_message(r.id, r.to, subject, text_, html, self.settings.sender)

    def send(self, msg: Message) -> None:
        """Send one message over the run's connection."""
        try:
            if self._smtp is None:
                self._smtp = connect(self.settings)
            self._smtp.sendmail(self.settings.sender, [msg["To"]], msg.as_bytes(policy=_WIRE))
        except CONNECTION_ERRORS as exc:
            raise Unreachable(_describe(exc)) from exc
        except smtplib.SMTPException as exc:  # this message refused; the next may go
            raise Refused(_describe(exc)) from exc

    def close(self) -> None:
        """End the run's connection."""
        self._smtp = _close(self._smtp)


class WebhookChannel:
    """Digests as signed JSON POSTs (webhook.py), one request per digest with the configured timeout."""

    name = "webhook"
    unreachable = "webhook unreachable"

    def __init__(self, settings: WebhookSettings):
        self.settings = settings
        self.configured = settings.url is not None
        self.missing = "no webhook configured (TRACKER_WEBHOOK_URL); webhook digests stay in the outbox"
        self.lease = int(max(120, settings.timeout * 6))

    def prepare(self, rows, digests: dict[tuple, Digest]) -> Iterator[tuple[object, str, bytes]]:
        """(row, subject, the exact body bytes) for each row."""
        for r in rows:
            d = digests.get((r.user_id, r.ref_date))
            if d is None:  # its digest is gone (the user was deleted): say only what the row holds
                body = {"recipient": {"email": None, "phone": None, "name": ""}, "day": None,
                        "subject": r.subject, "lines": [], "url": None}
                yield r, r.subject, encode(body)
                continue
            body = payload(d, r.phone)
            yield r, body["subject"], encode(body)

    def send(self, body: bytes) -> None:
        """POST one body; a 2xx answer is delivered."""
        post(self.settings, body)

    def close(self) -> None:
        """Nothing held between requests."""


def _messages(session: Session, claimed: list[tuple[int, int]], channel) -> Iterator[tuple[int, int, str, object]]:
    """(id, attempt, subject, payload) for each claimed row; digests are read from the ledger here."""
    attempt_of = dict(claimed)
    rows = session.execute(select(OutboxMessage.id, OutboxMessage.to, OutboxMessage.subject, OutboxMessage.text,
                                  OutboxMessage.html, OutboxMessage.notification_id,
                                  Notification.user_id, Notification.ref_date, User.phone)
                           .outerjoin(Notification, Notification.id == OutboxMessage.notification_id)
                           .outerjoin(User, User.id == Notification.user_id)
                           .where(OutboxMessage.id.in_(list(attempt_of))).order_by(OutboxMessage.id)).all()
    keys = [(r.user_id, r.ref_date) for r in rows if r.notification_id is not None and not r.text]
    digests = load_digests(session, keys) if keys else {}
    prepared = list(channel.prepare(rows, digests))  # rendered inside the read (templates may not query)
    session.rollback()  # end the read: SQLite must not hold a snapshot while others write
    for r, subject, body in prepared:
        yield r.id, attempt_of[r.id], subject, body


def deliver(session: Session, *, force: bool = False, settings: Optional[MailSettings] = None,
            webhook: Optional[WebhookSettings] = None, clock=utcnow, limit: Optional[int] = None) -> DeliveryResult:
    """Send what the outbox holds that is due, channel by channel (with force: also what waits for a retry);
    commits per step.

    Streams: claims BATCH rows of a channel at a time, renders their digests, sends them (over one SMTP
    connection for mail) and records the outcomes every RECORD_EVERY messages, so memory stays bounded by
    a batch whatever the outbox holds. A batch never outlives half its lease: what is left is given back
    untried. A channel that is not configured leaves its rows waiting.
    """
    settings = settings or MailSettings.from_config(current_app.config)
    webhook = webhook or WebhookSettings.from_config(current_app.config)
    result = DeliveryResult()
    release_stale(session, clock())
    notes = []
    try:
        for channel in (EmailChannel(settings), WebhookChannel(webhook)):
            if not channel.configured:
                waiting = waiting_count(session, channel.name)
                session.rollback()
                if channel.name == "email" or waiting:
                    notes.append(channel.missing)
                if waiting:
                    log.warning("%s: %d messages stay queued", channel.missing, waiting)
                continue
            try:
                note = _deliver_channel(session, channel, force, clock, limit, result)
            finally:
                channel.close()
            if note:
                notes.append(note)
    finally:
        result.note = "; ".join(notes)
        result.waiting = waiting_count(session)
        session.rollback()
    return result


def _deliver_channel(session: Session, channel, force: bool, clock, limit: Optional[int],
                     result: DeliveryResult) -> str:
    """One channel's run through its due rows in id order; returns a note when the channel was unreachable."""
    lease = channel.lease
    after_id = 0  # each run goes through the outbox once, in id order: a failed try waits for the next run
    while limit is None or result.sent + result.failed < limit:
        size = BATCH if limit is None else min(BATCH, limit - result.sent - result.failed)
        claimed_at = clock()
        claimed = claim_batch(session, claimed_at, lease, force, after_id, size, channel.name)
        if not claimed:
            break
        after_id = claimed[-1][0]
        left = dict(claimed)
        sent: list[tuple[int, int, str]] = []
        try:
            for message_id, attempt, subject, body in _messages(session, claimed, channel):
                if (clock() - claimed_at).total_seconds() > lease / 2:
                    break  # give the rest back before another process may take it over
                left.pop(message_id)
                try:
                    channel.send(body)
                except Unreachable as exc:
                    _record_sent(session, sent, clock())
                    result.sent += len(sent)
                    sent = []
                    _failed(session, message_id, attempt, exc, clock(), result)
                    return f"{channel.unreachable}: {exc}"
                except Refused as exc:  # this message refused; the next may go
                    _failed(session, message_id, attempt, exc, clock(), result)
                    continue
                sent.append((message_id, attempt, subject))
                if len(sent) >= RECORD_EVERY:
                    _record_sent(session, sent, clock())
                    result.sent += len(sent)
                    sent = []
        finally:
            _record_sent(session, sent, clock())
            result.sent += len(sent)
            release(session, sorted(left.items()))
    return ""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (Unreachable, Refused)):  # already described by the channel
        return str(exc)[:500] or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__


def _failed(session: Session, message_id: int, attempts: int, exc: BaseException, now: datetime,
            result: DeliveryResult) -> None:
    """Back to pending with a later try, or failed after the last one."""
    error = _describe(exc)
    result.failed += 1
    if attempts >= MAX_ATTEMPTS:
        _record(session, message_id, attempts, {"status": "failed", "last_error": error})
        log.error("outbox message %s failed for good after %d tries: %s", message_id, attempts, error)
    else:
        _record(session, message_id, attempts, {"status": "pending", "last_error": error,
                                      "next_attempt_at": now + retry_delay(attempts)})
        log.warning("outbox message %s not sent (try %d): %s", message_id, attempts, error)


def _close(smtp: Optional[smtplib.SMTP]) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except Exception:  # the connection may already be gone; nothing to keep
            with contextlib.suppress(Exception):
                smtp.close()
    return None


def retry_now(session: Session, message_id: int, now: datetime) -> bool:
    """Put a failed or waiting message back in line for the next delivery run (flush only)."""
    n = session.execute(update(OutboxMessage)
                        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(("failed", "pending")))
                        .values(status="pending", next_attempt_at=now)
                        .execution_options(synchronize_session=False)).rowcount
    session.flush()
    return n == 1


def status_counts(session: Session) -> dict[str, int]:
    """How many messages are in each status."""
    rows = session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                           .group_by(OutboxMessage.status)).all()
    counts = {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
    counts.update({s: n for s, n in rows})
    return counts
