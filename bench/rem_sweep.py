"""Reminder sweep and delivery at scale on PostgreSQL, against the raw SQL that selects the same pairs.

    python bench/rem_sweep.py postgresql+psycopg://postgres@127.0.0.1:5432/rem_bench 1000 [--deliver N]

Builds (set-based, INSERT … SELECT) N units of 25 checklist items in groups of 15, one secretary per
unit, two members per group and three admins, congress dates spread over four months around the
sweep day; then times the raw SQL, a first sweep (with its peak RSS), a second sweep the same day,
and optionally delivery of N digests to a local SMTP sink (aiosmtpd). Never point it at a database
you keep: it drops and recreates the schema.
"""
from __future__ import annotations

import resource
import sys
import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

DAY = date(2030, 5, 10)
MOMENT = datetime(2030, 5, 10, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

RAW = """
WITH c AS (
  SELECT i.id, i.unit_id, u.group_id, i.due_on,
         (i.required AND i.due_on < :today AND NOT EXISTS (SELECT 1 FROM stage_reviews r WHERE r.unit_id = i.unit_id
            AND r.stage = i.stage AND r.state = 'returned')) AS late
  FROM items i JOIN units u ON u.id = i.unit_id
  WHERE NOT i.done AND i.due_on IS NOT NULL AND i.due_on <= :today + 3)
SELECT count(*) FROM (
  SELECT s.id, c.id FROM c JOIN users s ON s.unit_id = c.unit_id AND s.role = 'secretary'
  WHERE c.late OR c.due_on >= :today
  UNION ALL
  SELECT m.user_id, c.id FROM c JOIN group_members m ON m.group_id = c.group_id WHERE c.late OR c.due_on >= :today
  UNION ALL
  SELECT a.id, c.id FROM c JOIN users a ON a.role = 'admin' WHERE c.late AND c.due_on <= :today - 7) pairs
"""


def build(conn, units: int) -> None:
    """The world, set-based: groups, units, items from the campaign's template, users."""
    groups = -(-units // 15)
    conn.execute(text("INSERT INTO working_groups (code, name) SELECT 'G' || g, 'Tổ công tác ' || g "
                      "FROM generate_series(1, :n) g"), {"n": groups})
    conn.execute(text("""
        INSERT INTO units (campaign_id, code, name, kind, party_members, group_id, pilot, congress_date, notes,
                           created_at)
        SELECT c.id, 'U' || n, 'Chi bộ ' || n, 'grassroots_cell', 30,
               (SELECT id FROM working_groups WHERE code = 'G' || ((n - 1) / 15 + 1)),
               false, :day + ((n * 7919) % 120 - 60), '', now()
        FROM generate_series(1, :n) n, (SELECT id FROM campaigns WHERE active LIMIT 1) c"""), {"n": units, "day": DAY})
    conn.execute(text("""
        INSERT INTO items (unit_id, template_id, stage, key, position, title_vi, title_en, required, superior_only,
                           offset_days, working_days, anchor, due_on, due_manual, due_reason, done, note, version)
        SELECT u.id, t.id, t.stage, t.key, t.position, t.title_vi, t.title_en, t.required, t.superior_only,
               t.offset_days, false, t.anchor, u.congress_date + t.offset_days, false, '',
               (u.congress_date + t.offset_days < :day - 2) AND ((u.id * 31 + t.id * 17) % 10 < 8), '', 1
        FROM units u JOIN item_templates t ON t.campaign_id = u.campaign_id"""), {"day": DAY})
    conn.execute(text("""
        INSERT INTO users (email, name, role, password_hash, active, unit_id, created_at)
        SELECT 'sec' || u.id || '@x.vn', 'Bí thư ' || u.code, 'secretary', '', true, u.id, now() FROM units u"""))
    conn.execute(text("""
        INSERT INTO users (email, name, role, password_hash, active, created_at)
        SELECT 'g' || g.id || '-' || k || '@x.vn', 'Thành viên ' || g.code || '-' || k, 'group', '', true, now()
        FROM working_groups g, generate_series(1, 2) k"""))
    conn.execute(text("""INSERT INTO group_members (group_id, user_id)
        SELECT g.id, u.id FROM working_groups g JOIN users u ON u.email LIKE 'g' || g.id || '-%@x.vn'"""))
    conn.execute(text("""INSERT INTO users (email, name, role, password_hash, active, created_at)
        SELECT 'admin' || k || '@x.vn', 'Ban Tổ chức ' || k, 'admin', '', true, now() FROM generate_series(1, 3) k"""))
    conn.execute(text("ANALYZE"))


def rss_mb() -> float:
    """Peak resident set size of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    url, units = sys.argv[1], int(sys.argv[2])
    deliver_n = int(sys.argv[sys.argv.index("--deliver") + 1]) if "--deliver" in sys.argv else 0
    import os
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")
    from tracker import create_app
    from tracker.extensions import db

    app = create_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        from tracker.cli import init_schema
        init_schema()
        t = time.perf_counter()
        with db.engine.begin() as conn:
            build(conn, units)
        built = time.perf_counter() - t
        counts = {name: db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                  for name in ("units", "items", "users")}
        db.session.rollback()
        print(f"built {counts} in {built:.1f} s; RSS before sweeping {rss_mb():.0f} MB")

        def raw() -> tuple[float, int]:
            started = time.perf_counter()
            n = db.session.execute(text(RAW), {"today": DAY}).scalar()
            db.session.rollback()
            return time.perf_counter() - started, n

        raw_runs = [raw() for _ in range(3)]
        raw_time, pairs = min(r[0] for r in raw_runs), raw_runs[0][1]
        print(f"raw SQL: {pairs} (recipient, item) pairs in {raw_time:.3f} s (best of 3)")

        from tracker.reminders.sweep import sweep
        before = rss_mb()
        started = time.perf_counter()
        first = sweep(db.session, MOMENT)
        db.session.commit()
        t1 = time.perf_counter() - started
        print(f"first sweep: {first.summary()} in {t1:.3f} s = {t1 / raw_time:.2f}x raw; "
              f"peak RSS {rss_mb():.0f} MB (was {before:.0f} MB)")
        seconds = []
        for k in range(3):
            started = time.perf_counter()
            again = sweep(db.session, MOMENT.replace(hour=9 + k))
            db.session.commit()
            seconds.append(time.perf_counter() - started)
        t2 = min(seconds)
        print(f"second sweep: {again.summary()} in {t2:.3f} s (best of 3) = {t2 / raw_time:.2f}x raw")
        # the same day again from scratch, now that the planner has statistics of a filled ledger (as on any
        # day after the first): the first sweep's time without the empty-table plan
        for table in ("journal WHERE action = 'reminded'", "outbox", "notifications", "reminder_ledger"):
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        started = time.perf_counter()
        first = sweep(db.session, MOMENT)
        db.session.commit()
        t1 = time.perf_counter() - started
        print(f"first sweep, tables analysed: {first.summary()} in {t1:.3f} s = {t1 / raw_time:.2f}x raw; "
              f"peak RSS {rss_mb():.0f} MB")
        if deliver_n:
            deliver(app, db, deliver_n)


SINK = """
import asyncio, sys
from aiosmtpd.controller import Controller
class Count:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
c = Controller(Count(), hostname="127.0.0.1", port=8025)
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"""


def deliver(app, db, n: int) -> None:
    """Send n digests to a local aiosmtpd sink, in its own process, that only accepts them."""
    import subprocess

    from tracker.reminders.outbox import deliver as run

    sink = subprocess.Popen([sys.executable, "-c", SINK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        sink.stdout.readline()
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=8025, MAIL_DEFAULT_SENDER="t@x.vn")
        before = rss_mb()
        started = time.perf_counter()
        result = run(db.session, limit=n)
        took = time.perf_counter() - started
        print(f"delivery: {result.summary()} in {took:.2f} s = {result.sent / took:.0f} msg/s; "
              f"peak RSS {rss_mb():.0f} MB (was {before:.0f} MB)")
    finally:
        sink.stdin.close()
        sink.wait(timeout=10)


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
