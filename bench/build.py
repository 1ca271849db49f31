"""Build a benchmark database (district, province or nation) on PostgreSQL, set-based.

The schema and the default campaign come from `flask init-db`; one "prototype" unit per
(kind, congress date) is created through the app's own API (`POST /api/v1/units`, in-process), so
its checklist and due dates are exactly what the app makes from its built-in template. Every other
unit, item, user and progress row is then copied or derived with INSERT … SELECT.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql://postgres@127.0.0.1:5432/"
SIZES = {"district": 45, "province": 1000, "nation": 52000}
GROUP_SIZE = 15
PASSWORD = "bench-pass-1"
ADMIN = "admin@bench.vn"
MEMBER = "to.g00001@bench.vn"  # the member of the first working group
OFFSETS = range(-45, 61)  # congress dates from 45 days ago to 60 days ahead
KIND_CYCLE = ["commune_committee"] * 33 + ["sector_committee"] * 9 + ["grassroots_cell"] * 58
LAGS = "ARRAY[0,0,0,1,2,4,7,12,20,35]"  # days a unit is behind its due dates (some are overdue)


def db_name(size: str) -> str:
    return f"bench_{size}"


def db_url(size: str) -> str:
    """The app's DATABASE_URL for this size."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{db_name(size)}"


def local_today() -> date:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def flask(size: str, *args: str, env: dict | None = None) -> str:
    """Run a `flask` command against the size's database; its standard output."""
    full_env = {**os.environ, "DATABASE_URL": db_url(size), "TRACKER_SCHEDULER": "off", **(env or {})}
    out = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=full_env, check=True,
                         capture_output=True, text=True)
    return out.stdout


def connect(size: str, autocommit: bool = False) -> psycopg.Connection:
    return psycopg.connect(PG + db_name(size), autocommit=autocommit)


def existing_units(size: str) -> int | None:
    """Units in an already built database, or None when there is none."""
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name(size),)).fetchone() is None:
            return None
    try:
        with connect(size) as conn:
            return conn.execute("SELECT count(*) FROM units").fetchone()[0]
    except psycopg.Error:
        return None


def plan(n: int) -> list[dict]:
    """The units: code, name, kind, members, group, pilot, congress offset, and their prototype."""
    rng = random.Random(n)
    units, protos = [], {}
    for i in range(n):
        kind = KIND_CYCLE[i % len(KIND_CYCLE)]
        members = {"commune_committee": (140, 260), "sector_committee": (60, 130)}.get(kind, (8, 35))
        offset = rng.choice(OFFSETS)
        code = f"U{i + 1:05d}"
        proto = protos.setdefault((kind, offset), code)
        units.append({"code": code, "name": f"Đảng bộ / Chi bộ số {i + 1}", "kind": kind,
                      "party_members": rng.randint(*members), "group": f"G{i // GROUP_SIZE + 1:05d}",
                      "pilot": i % 25 == 0, "offset": offset, "proto": proto})
    return units


def columns(conn, table: str) -> list[str]:
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                        "AND column_name <> 'id' ORDER BY ordinal_position", (table,)).fetchall()
    return [r[0] for r in rows]


def clone(conn, table: str, overrides: dict[str, str], source: str) -> int:
    """INSERT INTO table SELECT every column of `t` (a row of table in `source`) but the overridden ones."""
    cols = columns(conn, table)
    exprs = [overrides.get(c, f"t.{c}") for c in cols]
    sql = f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {source}"
    return conn.execute(sql).rowcount


def create_database(size: str) -> None:
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {db_name(size)} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {db_name(size)}")


def create_prototypes(size: str, units: list[dict], today: date, token: str) -> None:
    """One unit per (kind, congress date) through the app's API, in-process (the real checklist)."""
    code = (
        "import json, sys\n"
        "from tracker import create_app\n"
        "app = create_app()\n"
        "client = app.test_client()\n"
        "auth = {'Authorization': 'Bearer ' + sys.argv[1]}\n"
        "for line in sys.stdin:\n"
        "    r = client.post('/api/v1/units', json=json.loads(line), headers=auth)\n"
        "    assert r.status_code == 201, (r.status_code, r.get_data(as_text=True))\n"
    )
    lines = [
        {"code": u["code"], "name": u["name"], "kind": u["kind"], "party_members": u["party_members"],
         "pilot": u["pilot"], "group": u["group"],
         "congress_date": (today + timedelta(days=u["offset"])).isoformat()}
        for u in units if u["code"] == u["proto"]]
    env = {**os.environ, "DATABASE_URL": db_url(size), "TRACKER_SCHEDULER": "off"}
    subprocess.run([sys.executable, "-c", code, token], cwd=ROOT, env=env, check=True, text=True,
                   input="\n".join(json.dumps(x) for x in lines) + "\n")


def build(size: str, log=print) -> dict:
    """Create the database for this size from scratch; return timings."""
    n = SIZES[size]
    today = local_today()
    started = time.perf_counter()
    timings = {}
    create_database(size)
    flask(size, "init-db")
    flask(size, "users", "create", ADMIN, "--name", "Ban Tổ chức (bench)", "--role", "admin",
          "--password", PASSWORD)
    token = flask(size, "tokens", "create", ADMIN).strip().splitlines()[-1]
    units = plan(n)
    groups = -(-n // GROUP_SIZE)
    with connect(size) as conn:
        conn.execute("UPDATE campaigns SET organiser = 'Ban Tổ chức (bench)', name = 'Đại hội (bench)'")
        conn.execute("INSERT INTO working_groups (campaign_id, code, name) SELECT (SELECT min(id) FROM campaigns), "
                     "'G' || lpad(g::text, 5, '0'), 'Tổ công tác số ' || g FROM generate_series(1, %s) AS g",
                     (groups,))
    timings["schema"] = time.perf_counter() - started
    create_prototypes(size, units, today, token)
    timings["prototypes"] = time.perf_counter() - started
    log(f"  {size}: schema and {sum(u['code'] == u['proto'] for u in units)} prototype units "
        f"via the API in {timings['prototypes']:.0f} s")
    with connect(size) as conn:
        conn.execute("CREATE TEMP TABLE bench_plan (code text PRIMARY KEY, name text, party_members int, "
                     "grp text, pilot bool, proto text)")
        with conn.cursor().copy("COPY bench_plan FROM STDIN") as copy:
            for u in units:
                copy.write_row((u["code"], u["name"], u["party_members"], u["group"], u["pilot"], u["proto"]))
        clone(conn, "units", {"code": "p.code", "name": "p.name", "party_members": "p.party_members",
                              "group_id": "g.id", "pilot": "p.pilot", "created_at": "now()"},
              "bench_plan p JOIN units t ON t.code = p.proto JOIN working_groups g ON g.code = p.grp "
              "WHERE p.code <> p.proto")
        items = clone(conn, "items", {"unit_id": "u.id"},
                      "bench_plan p JOIN units u ON u.code = p.code JOIN units pu ON pu.code = p.proto "
                      "JOIN items t ON t.unit_id = pu.id WHERE p.code <> p.proto")
        conn.execute("INSERT INTO journal (unit_id, at, user_id, action, before, after, note) "
                     "SELECT u.id, now(), NULL, 'unit_created', '', u.code, '' FROM units u "
                     "WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.unit_id = u.id)")
        conn.commit()
        timings["units"] = time.perf_counter() - started
        log(f"  {size}: {n} units, {items} cloned items in {timings['units']:.0f} s")
        _people(conn)
        _progress(conn, today)
        conn.commit()
    with connect(size, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["total"] = time.perf_counter() - started
    log(f"  {size}: people, progress, results, VACUUM ANALYZE; total {timings['total']:.0f} s")
    return timings


def _people(conn) -> None:
    """A secretary per unit, a member per working group, two more admins: copies of the admin row."""
    admin = f"(SELECT * FROM users WHERE email = '{ADMIN}') t"
    clone(conn, "users", {"email": "'bt.' || lower(u.code) || '@bench.vn'", "name": "'Bí thư ' || u.code",
                          "role": "'secretary'", "unit_id": "u.id"}, f"{admin} CROSS JOIN units u")
    clone(conn, "users", {"email": "'to.' || lower(g.code) || '@bench.vn'", "name": "'Tổ viên ' || g.code",
                          "role": "'group'"}, f"{admin} CROSS JOIN working_groups g")
    conn.execute("INSERT INTO group_members (group_id, user_id) SELECT g.id, u.id FROM working_groups g "
                 "JOIN users u ON u.email = 'to.' || lower(g.code) || '@bench.vn'")
    clone(conn, "users", {"email": "'admin' || s || '@bench.vn'"}, f"{admin} CROSS JOIN generate_series(2, 3) s")


def _progress(conn, today: date) -> None:
    """Tick items up to a per-unit lag (gates hold: stages are due in order), review, enter results."""
    conn.execute(f"""
        UPDATE items i SET done = true, version = i.version + 1,
               done_at = LEAST(now(), (i.due_on + time '10:00') AT TIME ZONE 'Asia/Ho_Chi_Minh'),
               done_by_id = s.id
        FROM units u JOIN users s ON s.unit_id = u.id AND s.role = 'secretary'
        WHERE u.id = i.unit_id AND i.due_on <= %(today)s::date
              - ({LAGS})[1 + (u.id * 7919) %% 10] + CASE WHEN u.id %% 7 = 0 THEN 2 ELSE 0 END
    """, {"today": today})
    conn.execute("INSERT INTO journal (unit_id, at, user_id, action, stage, item_key, before, after, note) "
                 "SELECT unit_id, done_at, done_by_id, 'tick', stage, key, '0', '1', '' FROM items WHERE done")
    conn.execute("""
        INSERT INTO stage_reviews (unit_id, stage, state, comment, at)
        SELECT unit_id, stage, CASE WHEN unit_id % 20 = 1 THEN 'returned' ELSE 'verified' END,
               CASE WHEN unit_id % 20 = 1 THEN 'Bổ sung biên bản hội nghị' ELSE '' END, now()
        FROM items GROUP BY unit_id, stage
        HAVING bool_and(done) AND (unit_id % 2 = 0 OR unit_id % 20 = 1)
    """)
    done_stage = ("SELECT unit_id FROM items WHERE stage = '{}' GROUP BY unit_id HAVING bool_and(done)")
    conn.execute(f"""
        INSERT INTO dissemination_results (unit_id, sessions, attendees, members_reached, updated_at)
        SELECT u.id, 1 + u.id % 3, u.party_members * (1 + u.id % 3), u.party_members - u.id % 3 / 2, now()
        FROM units u WHERE u.id IN ({done_stage.format('dissemination')})
    """)
    conn.execute(f"""
        INSERT INTO congress_results (unit_id, held_on, seats, candidates, committee_elected, re_elected,
            first_time, women, young, ethnic_minority, delegates_official, delegates_alternate, updated_at)
        SELECT u.id, u.congress_date, e, e + (e + 4) / 5, e, e * 2 / 3, e - e * 2 / 3, e / 4, e / 7,
               u.id % 3, 3 + u.id % 8, 1 + u.id % 2, now()
        FROM units u CROSS JOIN LATERAL (SELECT CASE WHEN u.kind = 'grassroots_cell' THEN 3 + u.id % 3
                                                     ELSE 9 + u.id % 7 END AS e) c
        WHERE u.id IN ({done_stage.format('congress')})
    """)
    conn.execute(f"""
        INSERT INTO first_session_results (unit_id, standing_committee, secretary_elected, deputy_secretaries,
            inspection_committee, inspection_chair_elected, updated_at)
        SELECT u.id, CASE WHEN u.kind = 'grassroots_cell' THEN 0 ELSE 3 + u.id % 3 END, true, 1 + u.id % 2,
               CASE WHEN u.kind = 'grassroots_cell' THEN 0 ELSE 3 + u.id % 2 END, u.kind <> 'grassroots_cell', now()
        FROM units u WHERE u.id IN ({done_stage.format('first_session')})
    """)


def ensure(size: str, rebuild: bool, log=print) -> None:
    """Reuse an already built database of the right size, unless asked to rebuild."""
    have = existing_units(size)
    if not rebuild and have == SIZES[size]:
        log(f"  {size}: reusing {db_name(size)} ({have} units)")
        return
    log(f"  {size}: building {db_name(size)} …")
    build(size, log)
