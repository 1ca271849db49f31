"""Measurements: wrk against gunicorn, timed single requests, worker peak RSS, the sweep and delivery."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from . import build

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ["-w", "2", "--timeout", "900"]  # the same settings for the app and the trivial page
SECRET = "bench-secret-key"


def env_for(size: str | None, **extra) -> dict:
    env = {**os.environ, "SECRET_KEY": SECRET, "TRACKER_SCHEDULER": "off", **extra}
    if size:
        env["DATABASE_URL"] = build.db_url(size)
    return env


@contextmanager
def gunicorn(app: str, port: int, size: str | None = None):
    """A gunicorn with the benchmark's settings serving app on 127.0.0.1:port, until the block ends."""
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", *GUNICORN, "-b", f"127.0.0.1:{port}", app],
                            cwd=ROOT, env=env_for(size), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(base + "/", timeout=30, allow_redirects=False)
                break
            except (requests.ConnectionError, requests.Timeout):  # a worker still importing the app
                time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def workers(master: int) -> list[int]:
    """The gunicorn worker processes of a master."""
    kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(k) for k in kids]


def reset_peak(pids: list[int]) -> None:
    for pid in pids:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def peak_mb(pids: list[int]) -> float:
    """The largest peak RSS (VmHWM) of these processes, in MB."""
    best = 0
    for pid in pids:
        match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        best = max(best, int(match.group(1)))
    return best / 1024


def wrk(url: str, seconds: int, headers: dict | None = None) -> dict:
    """Requests per second from `wrk -t2 -c8 -d<seconds>s`, and the count of non-2xx/3xx answers."""
    args = ["/usr/bin/wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "60s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "bad": int(bad.group(1)) if bad else 0, "errors": errors.group(0) if errors else ""}


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1)


def login(base: str, email: str) -> requests.Session:
    """A signed-in session: GET the form for its CSRF token, POST it."""
    s = requests.Session()
    token = csrf(s.get(base + "/login").text)
    r = s.post(base + "/login", data={"email": email, "password": build.PASSWORD, "csrf_token": token},
               allow_redirects=False)
    assert r.status_code == 302, f"sign-in of {email} answered {r.status_code}"
    return s


def cookie_header(s: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


def single(session: requests.Session, url: str, master: int, headers: dict | None = None,
           limit: float = 900) -> dict:
    """One timed request, with the serving worker's peak RSS and the size of the answer (None: gave up)."""
    pids = workers(master)
    reset_peak(pids)
    started = time.perf_counter()
    try:
        r = session.get(url, headers=headers, timeout=limit, allow_redirects=False)
        status, size = r.status_code, len(r.content)
    except requests.Timeout:
        status = size = None
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "status": status, "bytes": size, "peak_rss_mb": peak_mb(pids)}


def throughput(session, url, master, seconds, headers=None, slow=2.0, limit=900) -> dict:
    """wrk when one request is fast enough, else the time of a single request (req/s = 1/t)."""
    first = single(session, url, master, headers, limit)  # also the warm-up
    if first["status"] is None or first["seconds"] > slow:
        return {**first, "how": "single", "rps": 1 / first["seconds"]}
    headers = {**(headers or {}), "Cookie": cookie_header(session)} if session.cookies else headers
    return {**first, "how": "wrk", **wrk(url, seconds, headers)}


def python_loop(fn, seconds: float, threads: int = 8) -> dict:
    """Calls per second of fn(thread_no) run by `threads` threads for `seconds` (fn: True when it worked)."""
    counts, failures, stop = [0] * threads, [0] * threads, time.perf_counter() + seconds

    def run(n):
        while time.perf_counter() < stop:
            if fn(n):
                counts[n] += 1
            else:
                failures[n] += 1

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"rps": sum(counts) / (time.perf_counter() - started), "bad": sum(failures)}


def tick_loop(base: str, size: str, seconds: float, threads: int = 8) -> dict:
    """POST a tick (answered by a redirect, not followed) in a loop: each thread toggles its own item.

    wrk cannot follow the item's version, so this is a Python loop with requests (8 threads);
    its ratio is taken against the trivial page fetched by the same loop.
    """
    with build.connect(size) as conn:
        rows = conn.execute(
            "SELECT u.code, i.id FROM units u JOIN items i ON i.unit_id = u.id AND i.stage = 'dissemination' "
            "AND i.key = 'plan_issued' AND NOT i.done ORDER BY u.congress_date DESC, u.code LIMIT %s",
            (threads,)).fetchall()
    state = []
    for code, item_id in rows:
        s = login(base, build.ADMIN)
        state.append({"s": s, "code": code, "id": item_id, "token": csrf(s.get(f"{base}/units/{code}").text),
                      "done": False})

    def version(item_id):
        with build.connect(size) as conn:
            return conn.execute("SELECT version FROM items WHERE id = %s", (item_id,)).fetchone()[0]

    for st in state:
        st["version"] = version(st["id"])

    def tick(n):
        st = state[n]
        r = st["s"].post(f"{base}/units/{st['code']}/items/dissemination/plan_issued", allow_redirects=False,
                         data={"done": "0" if st["done"] else "1", "version": st["version"],
                               "csrf_token": st["token"]})
        if r.status_code == 302:
            st["done"], st["version"] = not st["done"], st["version"] + 1
            return True
        st["version"] = version(st["id"])
        return False

    result = python_loop(tick, seconds, len(state))
    for n, st in enumerate(state):  # leave the items open, as they were
        if st["done"]:
            tick(n)
    return result


def trivial_loop(base: str, seconds: float) -> dict:
    sessions = [requests.Session() for _ in range(8)]
    return python_loop(lambda n: sessions[n].get(base + "/").status_code == 200, seconds)


def child(size: str, *args: str, **extra_env) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.child", *args], cwd=ROOT, env=env_for(size, **extra_env),
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def raw_pairs_seconds(size: str, today) -> tuple[float, int]:
    """The single raw SQL query that selects the (recipient, item) pairs the first sweep of the day records."""
    sql = """
        WITH open AS (
            SELECT i.id, i.unit_id, i.due_on, i.required, u.group_id FROM items i JOIN units u ON u.id = i.unit_id
            WHERE NOT i.done AND i.due_on IS NOT NULL),
        unit_side AS (
            SELECT * FROM open WHERE due_on BETWEEN %(today)s AND %(today)s::date + 3
                                  OR (due_on < %(today)s AND required))
        SELECT s.id, o.id FROM unit_side o JOIN users s ON s.unit_id = o.unit_id AND s.role = 'secretary' AND s.active
        UNION ALL
        SELECT g.id, o.id FROM unit_side o JOIN group_members m ON m.group_id = o.group_id
            JOIN users g ON g.id = m.user_id AND g.role = 'group' AND g.active
        UNION ALL
        SELECT a.id, o.id FROM open o JOIN users a ON a.role = 'admin' AND a.active
        WHERE o.required AND o.due_on <= %(today)s::date - 7
    """
    with build.connect(size) as conn:
        conn.execute(sql, {"today": today}).fetchall()  # warm the cache, as the sweep's first SELECTs do
        started = time.perf_counter()
        rows = conn.execute(sql, {"today": today}).fetchall()
        return time.perf_counter() - started, len(rows)


def reset_reminders(size: str) -> None:
    """Forget earlier sweeps, so each run's first sweep of the day has the same work."""
    with build.connect(size) as conn:
        conn.execute("TRUNCATE reminder_ledger, outbox, notifications")
        conn.execute("DELETE FROM journal WHERE action = 'reminded'")


def count(size: str, sql: str) -> int:
    with build.connect(size) as conn:
        return conn.execute(sql).fetchone()[0]


@contextmanager
def smtp_sink(port: int):
    """aiosmtpd on loopback, accepting and dropping every message."""
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def deliver(size: str, smtp_port: int, limit_seconds: float) -> dict:
    """`flask reminders deliver` to the sink, timed in a child; messages sent per second.

    Stopped after limit_seconds; the rate is then what the outbox shows as sent by that moment.
    """
    env = env_for(size, TRACKER_MAIL_SERVER="127.0.0.1", TRACKER_MAIL_PORT=str(smtp_port))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.child", "cli", "reminders", "deliver"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        out, _ = proc.communicate(timeout=limit_seconds)
        result = json.loads(out.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        result = {"seconds": time.perf_counter() - started, "peak_rss_mb": None, "output": "stopped"}
    sent = count(size, "SELECT count(*) FROM outbox WHERE status = 'sent'")
    return {**result, "sent": sent, "rate": sent / result["seconds"] if result["seconds"] else 0}
