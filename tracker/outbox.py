"""The mail outbox: claim, send after commit with stdlib smtplib, retry with backoff; SMTP lives only here.

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Optional

from flask import current_app
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from .clock import utcnow
from .models import OutboxMessage

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
BATCH = 100


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


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message: plain text, plus HTML as the alternative."""
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = sender
    msg["To"] = row.to
    msg["Date"] = format_datetime(utcnow())
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    msg["Message-ID"] = make_msgid(idstring=f"outbox{row.id}", domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.text, cte="quoted-printable")
    if row.html:
        msg.add_alternative(row.html, subtype="html", cte="quoted-printable")
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
    """Take one message for sending (pending -> sending) with a lease; True when this process won; commit."""
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


def waiting_count(session: Session) -> int:
    """Messages pending or being sent."""
    return session.scalar(select(func.count(OutboxMessage.id))
                          .where(OutboxMessage.status.in_(("pending", "sending")))) or 0


def deliver(session: Session, *, force: bool = False, settings: Optional[MailSettings] = None,
            clock=utcnow, limit: Optional[int] = None) -> DeliveryResult:
    """Send what the outbox holds that is due (with force: also what waits for a retry); commits per step."""
    settings = settings or MailSettings.from_config(current_app.config)
    result = DeliveryResult()
    release_stale(session, clock())
    if not settings.server:
        result.waiting = waiting_count(session)
        result.note = "no SMTP server configured (TRACKER_MAIL_SERVER); mail stays in the outbox"
        if result.waiting:
            log.warning("no SMTP server configured: %d messages stay queued", result.waiting)
        session.rollback()
        return result
    lease = lease_seconds(settings)
    smtp: Optional[smtplib.SMTP] = None
    tried: set[int] = set()
    try:
        while limit is None or result.sent + result.failed < limit:
            now = clock()
            ids = [i for i in session.scalars(select(OutboxMessage.id).where(_due(now, force))
                                             .order_by(OutboxMessage.id).limit(BATCH)).all() if i not in tried]
            session.rollback()  # end the read: SQLite must not hold a snapshot while others write
            if not ids:
                break
            for message_id in ids:
                tried.add(message_id)
                if not claim(session, message_id, clock(), lease, force):
                    continue  # another process took it
                row = session.get(OutboxMessage, message_id)
                msg, attempt = build_message(row, settings.sender), row.attempts
                session.rollback()
                try:
                    if smtp is None:
                        smtp = connect(settings)
                    smtp.send_message(msg)
                except CONNECTION_ERRORS as exc:
                    _failed(session, message_id, attempt, exc, clock(), result)
                    result.note = f"SMTP unreachable: {_describe(exc)}"
                    smtp = _close(smtp)
                    return result
                except smtplib.SMTPException as exc:  # this message refused; the next may go
                    _failed(session, message_id, attempt, exc, clock(), result)
                    continue
                _record(session, message_id, attempt, {"status": "sent", "sent_at": clock(), "last_error": ""})
                result.sent += 1
                if limit is not None and result.sent + result.failed >= limit:
                    break
    finally:
        _close(smtp)
        result.waiting = waiting_count(session)
        session.rollback()
    return result


def _describe(exc: BaseException) -> str:
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
