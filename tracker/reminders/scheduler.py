"""APScheduler wiring: wake the reminder sweep and the outbox every few minutes, once at start, and beat.

APScheduler 3.11 used directly (not Flask-APScheduler): a memory job store, an explicit time zone on
every trigger, one job that calls the same code as `flask reminders sweep` + `deliver`. The scheduler
holds no state that matters: the ledger, the notifications and the outbox in the database decide what
is sent, so a second scheduler or a restart sends nothing twice, and the run at start catches up on
whatever was missed while it was down.

Who starts it: `flask scheduler` (production, beside gunicorn), and `flask run` / `python wsgi.py`
through `start_in_web_process` unless TRACKER_SCHEDULER=off. Never the app factory.
"""
from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

log = logging.getLogger(__name__)

JOB_ID = "reminders"
DEFAULT_INTERVAL_MINUTES = 5
_started: dict[int, BaseScheduler] = {}
_lock = threading.Lock()


def interval_minutes(app: Flask) -> int:
    """Minutes between two sweeps (TRACKER_SCHEDULER_INTERVAL, default 5)."""
    try:
        minutes = int(str(app.config.get("SCHEDULER_INTERVAL", DEFAULT_INTERVAL_MINUTES)).strip())
    except (TypeError, ValueError):
        minutes = DEFAULT_INTERVAL_MINUTES
    return max(1, minutes)


def scheduler_enabled(app: Flask) -> bool:
    """TRACKER_SCHEDULER: on unless off/false/0/no (from_prefixed_env may hand over a bool)."""
    value = app.config.get("SCHEDULER", "on")
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("off", "false", "0", "no")


def run_reminders(app: Flask, now: Optional[datetime] = None) -> str:
    """One wake-up: sweep and commit, beat, then deliver the outbox; the job and the tests call this."""
    from ..clock import utcnow
    from ..extensions import db
    from .outbox import deliver
    from .sweep import beat, sweep

    with app.app_context():
        try:
            moment = now or utcnow()
            result = sweep(db.session, moment)
            beat(db.session, utcnow(), result.as_json())
            db.session.commit()
            sent = deliver(db.session)
            detail = f"{result.summary()} | {sent.summary()}"
            log.info("reminders: %s", detail)
            return detail
        except Exception:  # a failed run must not kill the scheduler; the next run catches up
            db.session.rollback()
            log.exception("reminder run failed")
            return "failed"
        finally:
            db.session.remove()


def build_scheduler(app: Flask, blocking: bool = False) -> BaseScheduler:
    """A scheduler with the reminder job: every few minutes, the first run at once."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=zone, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
    scheduler.add_job(_job, IntervalTrigger(minutes=interval_minutes(app), timezone=zone), args=[app],
                      id=JOB_ID, name="reminder sweep and delivery", replace_existing=True,
                      next_run_time=datetime.now(zone))  # the run at start catches up on missed sends
    return scheduler


def _job(app: Flask) -> None:
    # looked up at call time so tests can watch the job run
    run_reminders(app)


def start_in_web_process(app: Flask, reloader: Optional[bool] = None) -> Optional[BaseScheduler]:
    """Start the scheduler in a background thread of this web process, at most once, unless switched off."""
    if not scheduler_enabled(app):
        log.info("reminder scheduler off (TRACKER_SCHEDULER=off)")
        return None
    if reloader is None:
        reloader = bool(app.debug)
    if reloader and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None  # the reloader's watcher process: only the child it spawns serves and schedules
    with _lock:
        if id(app) in _started:
            return _started[id(app)]
        scheduler = build_scheduler(app)
        scheduler.start()
        _started[id(app)] = scheduler
    atexit.register(_stop, scheduler)
    log.warning("reminder scheduler started in the web process (pid %s), every %s min",
                os.getpid(), interval_minutes(app))
    return scheduler


def _stop(scheduler: BaseScheduler) -> None:
    if scheduler.running:
        scheduler.shutdown(wait=False)


def run_foreground(app: Flask) -> None:
    """`flask scheduler`: run the scheduler alone until stopped (Ctrl-C or SIGTERM)."""
    import signal

    if not logging.getLogger().handlers:  # a foreground service logs its runs to stderr (journald)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = build_scheduler(app, blocking=True)

    def stop(signum, frame):
        log.info("scheduler stopping (signal %s)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.warning("reminder scheduler running in the foreground (pid %s), every %s min",
                os.getpid(), interval_minutes(app))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
