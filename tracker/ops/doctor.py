"""`flask doctor`: what an operator checks before and after an upgrade; each finding is one line."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..codes import code_problem
from ..extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


@dataclass
class Report:
    """The doctor's findings: `ok` lines, `warning` lines (exit 0) and `problem` lines (exit 1)."""

    lines: list[tuple[str, str]] = field(default_factory=list)

    def add(self, level: str, text_: str) -> None:
        """Record one finding."""
        self.lines.append((level, text_))

    @property
    def problems(self) -> int:
        """How many findings make the command fail."""
        return sum(1 for level, _t in self.lines if level == "problem")


def examine() -> Report:
    """Run every check against the app's database."""
    report = Report()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        report.add("problem", f"database unreachable: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}")
        return report
    report.add("ok", f"database reachable ({db.engine.dialect.name})")
    _migrations(report)
    _codes(report)
    _scheduler(report)
    _outbox(report)
    db.session.rollback()
    return report


def _migrations(report: Report) -> None:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    if current == heads:
        report.add("ok", f"migrations at head ({', '.join(sorted(heads))})")
    elif not current:
        report.add("problem", "the database has no migration stamp: run `flask init-db`")
    else:
        report.add("problem", f"migrations not at head: database {', '.join(sorted(current))}, code "
                              f"{', '.join(sorted(heads))}: run `flask init-db`")


def _codes(report: Report) -> None:
    from ..models import Unit, WorkingGroup

    for model, what in ((Unit, "unit"), (WorkingGroup, "working group")):
        bad = [(id_, code) for id_, code in db.session.execute(select(model.id, model.code).order_by(model.id))
               if code_problem(code)]
        if not bad:
            report.add("ok", f"every {what} code uses only A-Z, a-z, 0-9, '.', '-', '_'")
            continue
        shown = ", ".join(f"{code!r} (id {id_})" for id_, code in bad[:20])
        more = f" and {len(bad) - 20} more" if len(bad) > 20 else ""
        report.add("problem", f"{len(bad)} {what} code(s) with characters other than A-Z, a-z, 0-9, '.', '-', '_' "
                              f"(their pages and links break; rename them in the database): {shown}{more}")


def _scheduler(report: Report) -> None:
    from ..reminders.beat import heartbeat_state

    beat = heartbeat_state()
    if beat["at"] is None:
        report.add("problem", "the reminder sweep has never run: start `flask scheduler` (or `flask run`)")
    elif beat["late"]:
        report.add("problem", f"the reminder sweep last ran at {beat['at'].isoformat()}, more than "
                              f"{beat['allowed_minutes']} minutes ago: is `flask scheduler` running?")
    else:
        report.add("ok", f"the reminder sweep last ran at {beat['at'].isoformat()}")


def _outbox(report: Report) -> None:
    from ..models import OutboxMessage

    failed = db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")) or 0
    if failed:
        report.add("warning", f"{failed} message(s) in the outbox failed for good: see Inbox → Mail delivery")
    else:
        report.add("ok", "no failed messages in the outbox")
