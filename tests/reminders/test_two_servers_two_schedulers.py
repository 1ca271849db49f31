"""Proof under fire: production's shape twice over — two gunicorn servers taking ticks and two `flask
scheduler` processes on one PostgreSQL — while reminders are due on the real clock. Every digest goes
out exactly once, through a real SMTP server; the schedulers race on the ledger and the outbox, not on
luck."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import free_port
from tests.factories import API, bearer, make_group, make_unit, make_user
from tests.reminders.smtp_sink import Sink
from tracker.clock import local_today
from tracker.extensions import db
from tracker.models import Item, Notification, OutboxMessage
from tracker.services.campaigns import require_campaign

ROOT = Path(__file__).resolve().parents[2]


def _env(app, sink_port: int) -> dict:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "FLASK_APP": "wsgi",
           "SECRET_KEY": "proof-two-schedulers", "TRACKER_SCHEDULER": "off", "TRACKER_SCHEDULER_INTERVAL": "1",
           "TRACKER_MAIL_SERVER": "127.0.0.1", "TRACKER_MAIL_PORT": str(sink_port), "TRACKER_MAIL_USE_TLS": "false",
           "TRACKER_MAIL_TIMEOUT": "5", "TRACKER_MAIL_DEFAULT_SENDER": "tracker@district.test"}
    env.pop("FLASK_DEBUG", None)
    return env


def _start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _ready(base: str) -> None:
    for _ in range(300):
        try:
            requests.get(base + "/login", timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise AssertionError(f"{base} did not start")


def _ticker(base: str, headers: dict, stop: threading.Event, answers: list) -> None:
    """Tick and untick the quiet unit's first item while the schedulers run."""
    s = requests.Session()
    s.headers.update(headers)
    url = f"{base}{API}/units/Q1/stages"
    while not stop.is_set():
        item = next(st for st in s.get(url, timeout=30).json() if st["key"] == "dissemination")["items"][0]
        r = s.patch(f"{url}/dissemination/items/{item['key']}", json={"done": not item["done"],
                                                                       "version": item["version"]}, timeout=30)
        answers.append(r.status_code)


@pytest.mark.slow  # two gunicorn servers, two schedulers, an SMTP server
def test_two_servers_and_two_schedulers_send_each_digest_once(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the production path: PostgreSQL under several processes")
    today = local_today()
    campaign = require_campaign()
    campaign.send_hour = 0  # due now, whatever the hour the test runs at
    expected = set()
    for g in ("G1", "G2"):
        make_group(g)
        for j in range(2):
            expected.add(make_user(f"{g.lower()}-{j}@d.test", "group", group=g, password=None).email)
    for i in range(6):
        unit = make_unit(f"U{i}", group="G1" if i < 3 else "G2", congress_date=today + timedelta(days=30))
        for item in db.session.scalars(select(Item).where(Item.unit_id == unit.id)):
            item.due_on = today - timedelta(days=2) if item.stage == "dissemination" else today + timedelta(days=20)
        expected.add(make_user(f"sec{i}@d.test", "secretary", unit=f"U{i}", password=None).email)
    make_unit("Q1", congress_date=today + timedelta(days=60))  # the servers' traffic: nothing due there
    admin = make_user("admin@d.test", "admin", password=None)
    headers = bearer(admin)
    db.session.commit()
    db.session.remove()

    sink = Sink().start()
    env = _env(app, sink.port)
    ports = [free_port(), free_port()]
    servers = [_start([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{p}", "wsgi:app"], env)
               for p in ports]
    schedulers = []
    stop, answers = threading.Event(), []
    try:
        for p in ports:
            _ready(f"http://127.0.0.1:{p}")
        tickers = [threading.Thread(target=_ticker, args=(f"http://127.0.0.1:{p}", headers, stop, answers))
                   for p in ports]
        for t in tickers:
            t.start()
        schedulers = [_start([sys.executable, "-m", "flask", "scheduler"], env) for _ in range(2)]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and set(sink.recipients()) < expected:
            time.sleep(0.5)
        time.sleep(5)  # let any second delivery that would double a digest arrive
    finally:
        stop.set()
        for p in servers + schedulers:
            os.killpg(p.pid, signal.SIGTERM)
        for p in servers + schedulers:
            p.wait(timeout=60)
        sink.stop()

    got = sink.recipients()
    print(f"\n2 servers ({len(answers)} ticks: {sorted(set(answers))}), 2 schedulers: {sum(got.values())} digests "
          f"to {len(got)} recipients, duplicates {sum(got.values()) - len(got)}, lost {len(expected - set(got))}")
    assert set(got) == expected, f"lost {expected - set(got)}, unexpected {set(got) - expected}"
    assert max(got.values()) == 1, {r: n for r, n in got.items() if n > 1}
    assert answers and set(answers) <= {200, 409}, set(answers)
    assert db.session.scalar(select(func.count(Notification.id))) == len(expected)
    statuses = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert statuses == {"sent": len(expected)}
