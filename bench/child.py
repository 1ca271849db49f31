"""Run inside a child process against one database (DATABASE_URL): statement counts or one CLI command.

    python -m bench.child statements ADMIN MEMBER PASSWORD TOKEN UNIT TICK_UNIT STAGE KEY [SKIP]
    python -m bench.child cli reminders sweep --at …

Only the app factory, its HTTP routes (Flask test client) and its `flask` commands are used, so the
benchmark survives moves inside tracker/.
"""
from __future__ import annotations

import json
import re
import resource
import sys
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker import create_app

COUNT = [0]


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany):
    COUNT[0] += 1


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1)


def login(client, email: str, password: str) -> None:
    token = csrf(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert r.status_code == 302, r.status_code


def counted(call) -> tuple[int, int]:
    """(statements, HTTP status) of one request, after a warm-up request."""
    call()
    COUNT[0] = 0
    r = call()
    return COUNT[0], r.status_code


def statements(admin, member, password, token, unit, tick_unit, stage, key, skip="") -> dict:
    app = create_app()
    admin_c, member_c = app.test_client(), app.test_client()
    login(admin_c, admin, password)
    login(member_c, member, password)
    bearer = {"Authorization": f"Bearer {token}"}
    out = {
        "dashboard_all": counted(lambda: admin_c.get("/")),
        "dashboard_group": counted(lambda: member_c.get("/")),
        "unit": counted(lambda: admin_c.get(f"/units/{unit}")),
        "api_units": counted(lambda: admin_c.get("/api/v1/units?per_page=100", headers=bearer)),
        "report": counted(lambda: admin_c.get("/reports")),
    }
    if "export_xlsx" not in skip.split(","):  # at national size it does not finish in useful time
        out["export_xlsx"] = counted(lambda: admin_c.get("/reports/export.xlsx"))
    page = admin_c.get(f"/units/{tick_unit}").get_data(as_text=True)
    version = int(re.search(rf'action="/units/{tick_unit}/items/{stage}/{key}".*?name="version" value="(\d+)"',
                            page, re.S).group(1))
    results = []
    for done in ("1", "0"):  # tick, then untick: the database is left as it was
        COUNT[0] = 0
        r = admin_c.post(f"/units/{tick_unit}/items/{stage}/{key}",
                         data={"done": done, "version": str(version), "csrf_token": csrf(page)})
        results.append((COUNT[0], r.status_code))
        version += 1
    out["tick"] = results[0]
    return out


def cli(args: list[str]) -> dict:
    app = create_app()
    runner = app.test_cli_runner()
    runner.invoke(args=["reminders", "--help"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    result = runner.invoke(args=args)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "exit": result.exit_code, "output": result.output.strip()[-500:],
            "rss_before_mb": before, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    what, rest = sys.argv[1], sys.argv[2:]
    print(json.dumps(statements(*rest) if what == "statements" else cli(rest)))
