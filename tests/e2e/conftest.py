"""Fixtures of the browser tests: the app served on loopback, a headless Chromium, the demo district."""
from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.e2e.helpers import ARGS, CHROMIUM, browser_or_skip
from tracker.clock import local_today, utcnow
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.models import Notification, Unit, User
from tracker.services import stages


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port in a thread, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def chromium():
    """A headless Chromium (Debian's) for the test; skipped where there is none, except in CI."""
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser(chromium):
    """The headless Chromium, for the tests that run axe-core too (required in CI)."""
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI must run axe-core: pip install -r requirements-dev.txt")
        pytest.skip("axe-playwright-python is not installed (requirements-dev.txt)")
    return chromium


@pytest.fixture
def demo(app):
    """The demo district around today (the live server reads the real clock), a blocker, an unread digest."""
    logins = {role: (email, password) for role, email, password in load_demo(utcnow())}
    admin = db.session.scalar(select(User).where(User.email == logins["admin"][0]))
    unit = db.session.scalar(select(Unit).where(Unit.code == "X03"))
    stages.raise_blocker(unit, "personnel", "Chưa đủ nguồn nhân sự nữ", admin, utcnow())
    secretary = db.session.scalar(select(User).where(User.email == logins["secretary"][0]))
    db.session.add(Notification(user_id=secretary.id, ref_date=local_today(), subject="Nhắc việc",
                                body="2 việc sắp đến hạn"))
    db.session.commit()
    db.session.remove()
    return logins
