"""The reminder commands: `flask reminders sweep|deliver` and `flask scheduler` (cli.py does not import this)."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..cli import fail
from ..clock import local_zone, utcnow
from ..extensions import db
from ..workflow.deadlines import plausible


def parse_moment(value: str) -> datetime:
    """An ISO 8601 moment; without an offset it is local time (TRACKER_TIMEZONE). ValueError when bad."""
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    if not plausible(moment.date()):
        raise ValueError("a moment between the years 2000 and 2100")
    return moment


def _db_error(exc: Exception) -> str:
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
    return f"database error: {reason} (is the schema there? `flask init-db` creates it)"


def register(app: Flask) -> None:
    """Attach the reminder commands."""
    reminders = AppGroup("reminders", help="Reminder sweep and mail delivery.")

    @reminders.command("sweep")
    @click.option("--at", "at", default=None, metavar="ISO-DATETIME",
                  help="sweep as if it were this moment (default: now); without an offset, local time")
    @click.option("--dry-run", is_flag=True, help="show what would be queued, change nothing")
    def sweep_command(at, dry_run):
        """Queue the digests due at that moment (at most one per recipient and local day)."""
        from .sweep import beat, sweep

        if at is not None:
            try:
                now = parse_moment(at)
            except ValueError:
                fail(f"--at: {at!r} is not an ISO 8601 date and time, e.g. 2030-05-10T08:00:00+07:00")
        else:
            now = utcnow()
        try:
            result = sweep(db.session, now)
        except SQLAlchemyError as exc:
            fail(_db_error(exc))
        if dry_run:
            db.session.rollback()
        else:
            beat(db.session, utcnow(), result.as_json(at=now.isoformat() if at else None))
            db.session.commit()
        prefix = "dry run, nothing saved: would have " if dry_run else ""
        click.echo(f"Reminder sweep for {result.today.strftime('%d/%m/%Y')}: {prefix}{result.summary()}")

    @reminders.command("deliver")
    @click.option("--force", is_flag=True, help="also send what waits for its next retry")
    def deliver_command(force):
        """Send the outbox's due mail; print sent, failed, waiting."""
        from .outbox import deliver

        try:
            result = deliver(db.session, force=force)
        except SQLAlchemyError as exc:
            fail(_db_error(exc))
        click.echo(f"Delivery: {result.summary()}")

    app.cli.add_command(reminders)

    @app.cli.command("scheduler")
    @with_appcontext
    def scheduler_command():
        """Run the reminder scheduler alone, in the foreground, until stopped."""
        from .scheduler import run_foreground

        run_foreground(current_app._get_current_object())
