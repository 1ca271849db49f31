"""Four real processes sweeping and delivering at once (`flask reminders sweep --at … && flask reminders
deliver`) against the test database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL) and a real SMTP
server: each digest is delivered exactly once, none is lost."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.factories import leave_open
from tests.reminders.smtp_sink import Sink
from tracker.extensions import db
from tracker.models import NewsItem, Notification, OutboxMessage, ReminderLedger
from tracker.services import stages as stage_service

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4


@pytest.fixture
def district(make_group, make_unit, make_user):
    """Two groups, six units with one overdue and one due-soon item each, their secretaries, members, admins;
    a third group whose member has news only (a difficulty raised before the send hour of the 10th)."""
    make_group("G1")
    make_group("G2")
    people = set()
    for i in range(6):
        unit = make_unit(f"U{i}", group="G1" if i < 3 else "G2")
        leave_open(unit, ("plan_issued", "briefing_held"), date(2030, 5, 11), {"plan_issued": date(2030, 5, 1)})
        make_user(f"sec{i}@d.test", "secretary", unit=f"U{i}")
        people.add(f"sec{i}@d.test")
    for g in ("G1", "G2"):
        for j in range(2):
            make_user(f"{g.lower()}-{j}@d.test", "group", group=g)
            people.add(f"{g.lower()}-{j}@d.test")
    for j in range(2):
        make_user(f"admin{j}@d.test", "admin")
        people.add(f"admin{j}@d.test")
    make_group("G3")
    quiet = make_unit("U6", group="G3", congress_date=date(2031, 3, 1))  # nothing due: no reminder
    make_user("g3-0@d.test", "group", group="G3")
    people.add("g3-0@d.test")
    raiser = make_user("sec6@d.test", "secretary", unit="U6")
    stage_service.raise_blocker(quiet, "documents", "Thiếu hội trường", raiser,
                                datetime(2030, 5, 10, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    db.session.commit()
    return people


def race(app, sink_port: int, at: str) -> list[subprocess.CompletedProcess]:
    """Start PROCESSES shells at once, each sweeping as if at `at` and then delivering; wait for all."""
    env = dict(os.environ)
    env.update({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "FLASK_APP": "wsgi",
                "SECRET_KEY": "concurrency-test", "TRACKER_SCHEDULER": "off",
                "TRACKER_MAIL_SERVER": "127.0.0.1", "TRACKER_MAIL_PORT": str(sink_port),
                "TRACKER_MAIL_USE_TLS": "false", "TRACKER_MAIL_TIMEOUT": "5",
                "TRACKER_MAIL_DEFAULT_SENDER": "tracker@district.test"})
    env.pop("FLASK_DEBUG", None)
    flask = f"{sys.executable} -m flask"
    command = f"{flask} reminders sweep --at {at} && {flask} reminders deliver"
    procs = [subprocess.Popen(["sh", "-c", command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


@pytest.mark.slow  # starts four sweeper processes and an SMTP server
def test_four_concurrent_sweepers_deliver_each_digest_exactly_once(app, district):
    db.session.remove()  # hold no connection or lock while the processes run
    sink = Sink().start()
    try:
        days = (("2030-05-10T08:00:00+07:00", date(2030, 5, 10)), ("2030-05-13T08:30:00+07:00", date(2030, 5, 13)))
        expected_total = 0
        for at, day in days:
            before = len(sink.messages)
            runs = race(app, sink.port, at)
            assert all(r.returncode == 0 for r in runs), [r.stderr[-500:] for r in runs]
            queued = sum(int(r.stdout.split("queued ")[1].split(",")[0]) for r in runs)
            new = sink.messages[before:]
            got = {}
            for m in new:
                for r in m["to"]:
                    got[r] = got.get(r, 0) + 1
            # on the 13th the admins have nothing new: the escalation of the 10th is sent once
            # and the news of the 10th rides once, in the 10th's digest
            recipients = district if day == date(2030, 5, 10) else \
                {p for p in district if not p.startswith(("admin", "g3-"))}
            assert set(got) == recipients, f"missing {recipients - set(got)}"  # nobody lost
            assert max(got.values()) == 1, {r: n for r, n in got.items() if n > 1}  # nobody doubled
            assert queued == len(recipients)  # the four processes together queued each digest once
            expected_total += len(recipients)
            print(f"\n{db.engine.dialect.name}: {PROCESSES} processes at {at}: {len(new)} digests to "
                  f"{len(got)} recipients, duplicates {sum(got.values()) - len(got)}, lost {len(recipients - set(got))}")
        assert len(sink.messages) == expected_total
        db.session.expire_all()
        assert db.session.scalar(select(func.count(Notification.id))) == expected_total
        statuses = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        assert statuses == {"sent": expected_total}
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.attempts != 1)) == 0
        # the ledger holds each reminder once per recipient and day, nothing for a digest that was not queued
        orphan = db.session.scalar(select(func.count(ReminderLedger.id)).where(~select(Notification.id).where(
            Notification.user_id == ReminderLedger.user_id, Notification.ref_date == ReminderLedger.ref_date).exists()))
        assert orphan == 0
        assert db.session.scalars(select(NewsItem.digested_on)).all() == [date(2030, 5, 10)]
    finally:
        sink.stop()
