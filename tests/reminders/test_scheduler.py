"""The scheduler: a run at start (which catches up after a missed send hour), explicit time zones, a
heartbeat, started by `flask run` (once under the reloader) and `python wsgi.py` only, never by the
factory, another flask command or gunicorn; the CLI's sweep and deliver commands."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import free_port
from tracker.extensions import db
from tracker.models import Heartbeat, Item, Notification, OutboxMessage
from tracker.reminders import scheduler as sched_module
from tracker.reminders.scheduler import build_scheduler, run_reminders, start_in_web_process

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[2]
STARTED = "reminder scheduler started"


@pytest.fixture
def due(make_group, make_unit, make_user):
    """One overdue item of U1; its secretary and a group member."""
    make_group("G1")
    unit = make_unit("U1", group="G1")
    for item in db.session.scalars(select(Item).where(Item.unit_id == unit.id)):
        item.done = item.key != "plan_issued"
        item.due_on = date(2030, 5, 5)
    make_user("sec@d.test", "secretary", unit="U1")
    make_user("g1@d.test", "group", group="G1")
    db.session.commit()
    return unit


def _wait(predicate, seconds=15.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_every_trigger_has_an_explicit_time_zone_and_the_first_run_is_at_start(app):
    scheduler = build_scheduler(app)
    job = scheduler.get_job("reminders")
    assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
    assert str(scheduler.timezone) == "Asia/Ho_Chi_Minh"
    assert job.trigger.interval.total_seconds() == 5 * 60
    assert job.next_run_time is not None and job.next_run_time.tzinfo is not None


def test_the_start_up_run_calls_the_sweep(app, monkeypatch):
    called = threading.Event()
    monkeypatch.setattr(sched_module, "run_reminders", lambda a, now=None: called.set())
    scheduler = build_scheduler(app)
    scheduler.start()
    try:
        assert called.wait(10), "the scheduler did not run the sweep at start"
    finally:
        scheduler.shutdown(wait=False)


def test_a_restart_after_a_missed_send_hour_catches_up_at_start(app, due, frozen):
    early = datetime(2030, 5, 10, 6, 30, tzinfo=HCM)
    with frozen(early):
        run_reminders(app)  # before 07:00: nothing yet
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    # the process was down from 06:30 to 09:40: the run at the next start queues the day's digests
    with frozen(datetime(2030, 5, 10, 9, 40, tzinfo=HCM)):
        scheduler = build_scheduler(app)
        scheduler.start()
        try:
            assert _wait(lambda: db.session.scalar(select(func.count(Notification.id))) == 2)
            assert _wait(lambda: db.session.get(Heartbeat, "reminders", populate_existing=True) is not None)
        finally:
            scheduler.shutdown(wait=True)
    db.session.expire_all()
    beat = db.session.get(Heartbeat, "reminders")
    assert json.loads(beat.detail)["queued"] == 2  # counts, said in each page's language (describe_beat)
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")) == 2
    with frozen(datetime(2030, 5, 10, 9, 45, tzinfo=HCM)):
        run_reminders(app)  # the next run the same day: nothing twice
    assert db.session.scalar(select(func.count(Notification.id))) == 2


def test_a_failing_run_does_not_kill_the_scheduler(app, monkeypatch):
    def boom(session, now):
        raise RuntimeError("database gone")
    monkeypatch.setattr("tracker.reminders.sweep.sweep", boom)
    assert run_reminders(app) == "failed"


def test_start_in_web_process_respects_the_setting_and_the_reloader(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER", "off")
    assert start_in_web_process(app) is None
    monkeypatch.setitem(app.config, "SCHEDULER", False)  # from_prefixed_env parses "false" as JSON
    assert start_in_web_process(app) is None
    monkeypatch.setitem(app.config, "SCHEDULER", "on")
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert start_in_web_process(app, reloader=True) is None  # the reloader's watcher process
    monkeypatch.setattr(sched_module, "run_reminders", lambda a, now=None: None)
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    first = start_in_web_process(app, reloader=True)
    try:
        assert first is not None and first.running
        assert start_in_web_process(app, reloader=True) is first  # never twice in one process
    finally:
        first.shutdown(wait=False)
        sched_module._started.pop(id(app), None)


def test_the_app_factory_never_starts_a_scheduler():
    from config import TestConfig
    from tracker import create_app

    before = {t.name for t in threading.enumerate()}
    create_app(TestConfig)
    assert not {t.name for t in threading.enumerate()} - before


# ---- real processes ---------------------------------------------------------------------------------

def _env(app, **extra):
    env = dict(os.environ)
    env.update({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "FLASK_APP": "wsgi",
                "SECRET_KEY": "scheduler-test", "TRACKER_SCHEDULER": "on"})
    env.pop("FLASK_DEBUG", None)
    env.pop("WERKZEUG_RUN_MAIN", None)
    env.update(extra)
    return env


def _run_for(args, env, seconds, alive=None):
    """Start a process in its own group, let it run, stop the whole group; return its output.

    `alive`, a list, receives the pids that logged a scheduler start and are still running at the end."""
    import re
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "out.log")
        with open(path, "a") as log:  # O_APPEND: our reads never move the child's writing position
            p = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
                                 start_new_session=True)
        time.sleep(seconds)
        if alive is not None:
            for pid in map(int, re.findall(r"started in the web process \(pid (\d+)\)", open(path).read())):
                try:
                    os.kill(pid, 0)
                    alive.append(pid)
                except ProcessLookupError:
                    pass
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        return open(path).read()


@pytest.mark.slow  # starts real processes
def test_flask_run_with_the_debug_reloader_starts_one_scheduler(app):
    db.session.remove()
    alive: list[int] = []
    out = _run_for([sys.executable, "-m", "flask", "run", "--port", str(free_port())],
                   _env(app, FLASK_DEBUG="1"), 12, alive)
    assert "Debugger is active" in out or "Restarting with" in out, out[-800:]
    # the watcher never starts one; the serving child does (a new child after a reload: the old one is gone)
    assert STARTED in out and len(alive) == 1, out[-1500:]


@pytest.mark.slow  # starts real processes
def test_flask_run_without_reloader_starts_it_and_the_setting_switches_it_off(app):
    db.session.remove()
    out = _run_for([sys.executable, "-m", "flask", "run", "--no-reload", "--port", str(free_port())], _env(app), 8)
    assert out.count(STARTED) == 1, out[-1500:]
    out = _run_for([sys.executable, "-m", "flask", "run", "--no-reload", "--port", str(free_port())],
                   _env(app, TRACKER_SCHEDULER="off"), 8)
    assert STARTED not in out


@pytest.mark.slow  # starts real processes
def test_python_wsgi_py_starts_it(app):
    db.session.remove()
    out = _run_for([sys.executable, "wsgi.py"], _env(app), 8)
    assert out.count(STARTED) == 1, out[-1500:]


@pytest.mark.slow  # starts real processes
def test_other_commands_and_gunicorn_do_not_start_it(app):
    db.session.remove()
    routes = subprocess.run([sys.executable, "-m", "flask", "routes"], cwd=ROOT, env=_env(app), capture_output=True,
                            text=True, timeout=120)
    assert routes.returncode == 0 and "inbox.index" in routes.stdout
    assert STARTED not in routes.stdout + routes.stderr
    gunicorn = Path(sys.executable).parent / "gunicorn"
    out = _run_for([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{free_port()}", "wsgi:app"], _env(app), 10)
    assert "Booting worker" in out, out[-800:]
    assert STARTED not in out


@pytest.mark.slow  # starts real processes
def test_flask_scheduler_runs_in_the_foreground_and_sweeps_at_start(app, due):
    db.session.remove()
    out = _run_for([sys.executable, "-m", "flask", "scheduler"], _env(app), 10)
    assert "running in the foreground" in out and "reminders:" in out, out[-1500:]
    db.session.expire_all()
    assert db.session.get(Heartbeat, "reminders") is not None


def test_cli_sweep_dry_run_changes_nothing_and_bad_input_fails_in_one_line(app, due):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "sweep", "--at", "2030-05-10T08:00:00+07:00", "--dry-run"])
    assert result.exit_code == 0 and "queued 2" in result.output and "dry run" in result.output
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert db.session.get(Heartbeat, "reminders") is None
    bad = runner.invoke(args=["reminders", "sweep", "--at", "10/05/2030"])
    assert bad.exit_code != 0 and len(bad.output.strip().splitlines()) == 1 and "ISO 8601" in bad.output
    result = runner.invoke(args=["reminders", "sweep", "--at", "2030-05-10T08:00:00"])  # local time
    assert result.exit_code == 0 and "queued 2, skipped 0" in result.output
    again = runner.invoke(args=["reminders", "sweep", "--at", "2030-05-10T01:30:00Z"])  # 08:30 local
    assert again.exit_code == 0 and "queued 0, skipped 2" in again.output
    out = runner.invoke(args=["reminders", "deliver"])
    assert out.exit_code == 0 and "sent 0, failed 0, waiting 2" in out.output  # no SMTP server in tests
