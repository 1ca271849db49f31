"""The benchmark's one command: build (or reuse) the databases, measure, print one markdown table.

    python -m bench [--sizes district,province,nation] [--rebuild] [--seconds 10]
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from datetime import datetime, timedelta

from . import build, measure

APP_PORT, TRIVIAL_PORT, SMTP_PORT = 8731, 8732, 8725
DELIVERY_LIMIT = 180  # seconds; the rate is then what was sent by that moment


def targets(size: str) -> dict:
    """The unit shown (congress nearest today: every stage has work) and the unit ticked."""
    with build.connect(size) as conn:
        unit = conn.execute("SELECT code FROM units ORDER BY abs(congress_date - current_date), code "
                            "LIMIT 1").fetchone()[0]
        tick_unit = conn.execute("SELECT u.code FROM units u JOIN items i ON i.unit_id = u.id "
                                 "AND i.key = 'plan_issued' AND NOT i.done ORDER BY u.congress_date, u.code "
                                 "LIMIT 1").fetchone()[0]
    return {"unit": unit, "tick_unit": tick_unit}


def measure_size(size: str, seconds: int, log) -> list[dict]:
    """Every row of the table for one size."""
    rows = []
    t = targets(size)
    token = build.flask(size, "tokens", "create", build.ADMIN).strip().splitlines()[-1]
    log(f"  {size}: counting SQL statements per request (in-process, Flask test client)")
    nation = size == "nation"
    stmts = measure.child(size, "statements", build.ADMIN, build.MEMBER, build.PASSWORD, token, t["unit"],
                          t["tick_unit"], "dissemination", "plan_issued", "export_xlsx" if nation else "")
    bearer = {"Authorization": f"Bearer {token}"}
    with measure.gunicorn("bench.trivial:app", TRIVIAL_PORT) as (trivial, trivial_master), \
            measure.gunicorn("wsgi:app", APP_PORT, size) as (base, master):
        log(f"  {size}: wrk on the trivial page")
        yard = measure.wrk(trivial + "/", seconds)["rps"]
        admin, member = measure.login(base, build.ADMIN), measure.login(base, build.MEMBER)
        pages = [("dashboard, all units (admin)", "dashboard_all", admin, "/", None),
                 ("dashboard, one group's 15 units", "dashboard_group", member, "/", None),
                 (f"unit page /units/{t['unit']}", "unit", admin, f"/units/{t['unit']}", None),
                 ("API GET /api/v1/units?per_page=100", "api_units", measure.requests.Session(),
                  "/api/v1/units?per_page=100", bearer),
                 ("report /reports", "report", admin, "/reports", None),
                 ("XLSX /reports/export.xlsx", "export_xlsx", admin, "/reports/export.xlsx", None)]
        for label, key, session, path, headers in pages:
            if key == "report":  # the tick first: a heavy request left running would slow it down
                log(f"  {size}: tick loop and the trivial page by the same loop")
                loop_yard = measure.trivial_loop(trivial, seconds)["rps"]
                tick = measure.tick_loop(base, size, seconds)
                rows.append({"size": size, "what": "tick (POST → 302), 8 Python threads", "how": "python",
                             "rps": tick["rps"], "trivial": loop_yard, "statements": stmts["tick"][0],
                             "status": stmts["tick"][1], "bad": tick["bad"], "rss": None})
            log(f"  {size}: {label}")
            limit = 150 if nation and key == "export_xlsx" else 900
            r = measure.throughput(session, base + path, master, seconds, headers, limit=limit)
            rows.append({"size": size, "what": label, "how": r["how"], "rps": r["rps"], "trivial": yard,
                         "statements": stmts.get(key, ["not counted"])[0], "status": r["status"],
                         "bad": r.get("bad", 0), "rss": r["peak_rss_mb"] if key in ("report", "export_xlsx") else None,
                         "seconds": r["seconds"], "bytes": r["bytes"], "limit": limit})
    rows += reminders(size, log)
    return rows


def reminders(size: str, log) -> list[dict]:
    """The first and second sweep of a day and the delivery, against the raw SQL of the same pairs."""
    at = datetime.now(build.ZoneInfo("Asia/Ho_Chi_Minh")).replace(hour=8, minute=0, second=0, microsecond=0)
    measure.reset_reminders(size)
    log(f"  {size}: raw SQL of the sweep's (recipient, item) pairs")
    raw, pairs = measure.raw_pairs_seconds(size, at.date())
    log(f"  {size}: flask reminders sweep --at {at.isoformat()}")
    first = measure.child(size, "cli", "reminders", "sweep", "--at", at.isoformat())
    ledger = measure.count(size, f"SELECT count(*) FROM reminder_ledger WHERE ref_date = '{at.date()}'")
    digests = measure.count(size, "SELECT count(*) FROM outbox")
    log(f"  {size}: {first['output']}")
    with measure.smtp_sink(SMTP_PORT):
        log(f"  {size}: flask reminders deliver → aiosmtpd sink ({digests} messages)")
        sent = measure.deliver(size, SMTP_PORT, limit_seconds=DELIVERY_LIMIT)
    second = measure.child(size, "cli", "reminders", "sweep", "--at", (at + timedelta(minutes=5)).isoformat())
    note = f"{pairs} raw pairs, {ledger} ledger rows, {digests} digests"
    return [
        {"size": size, "what": f"first sweep of the day ({note})", "how": "cli", "sweep": first["seconds"],
         "raw": raw, "rss": first["peak_rss_mb"]},
        {"size": size, "what": "second sweep the same day", "how": "cli", "sweep": second["seconds"], "raw": raw,
         "rss": second["peak_rss_mb"]},
        {"size": size, "what": f"delivery to the SMTP sink ({sent['sent']} sent"
                               f"{'' if sent['output'] != 'stopped' else f', stopped at {DELIVERY_LIMIT} s'})",
         "how": "cli", "rate": sent["rate"], "seconds": sent["seconds"], "rss": sent["peak_rss_mb"]},
    ]


def table(rows: list[dict]) -> str:
    lines = ["| size | what | how | req/s | trivial req/s | ratio | SQL statements | peak RSS MB |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        rss = f"{r['rss']:.0f}" if r.get("rss") else ""
        if "sweep" in r:
            lines.append(f"| {r['size']} | {r['what']} | {r['sweep']:.3f} s vs raw SQL {r['raw']:.3f} s | | | "
                         f"{r['sweep'] / r['raw']:.1f}× raw | | {rss} |")
        elif "rate" in r:
            lines.append(f"| {r['size']} | {r['what']} | {r['seconds']:.1f} s | {r['rate']:.0f} msg/s | | | | {rss} |")
        else:
            how = r["how"] if r["how"] != "single" else f"single request, {r['seconds']:.1f} s"
            if r["status"] is None:
                how = f"single request, unfinished after {r['limit']} s"
            ok = r["status"] in (200, 302, None) and not r["bad"]
            flags = "" if ok else f" (status {r['status']}, {r['bad']} bad)"
            rps = f"{r['rps']:.3g}" if r["status"] else f"< {1 / r['limit']:.3g}"
            ratio = ("< " if r["status"] is None else "") + f"{r['rps'] / r['trivial']:.2g}"
            lines.append(f"| {r['size']} | {r['what']}{flags} | {how} | {rps} | {r['trivial']:.0f} | {ratio} | "
                         f"{r['statements']} | {rss} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="district,province,nation",
                        help="comma-separated, from: " + ", ".join(build.SIZES))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the databases even when present")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        if size not in build.SIZES:
            parser.error(f"unknown size {size!r}")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    rows = []
    for size in sizes:
        build.ensure(size, args.rebuild, log)
        rows += measure_size(size, args.seconds, log)
    pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
                        capture_output=True, text=True).stdout.split()[0]
    print(f"Measured {datetime.now():%Y-%m-%d %H:%M}, Python {platform.python_version()}, PostgreSQL {pg}, "
          f"{measure.os.cpu_count()} cores; gunicorn {' '.join(measure.GUNICORN)}, wrk -t2 -c8 -d{args.seconds}s\n")
    print(table(rows))
    return 0
