"""Fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), clean tables per test,
the factories of tests/factories.py (one world), signed-in clients, a frozen clock, a query counter,
and the folders the browser tests write pictures to (temporary unless SCREENSHOTS / ARTIFACTS are set)."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from config import TestConfig
from tests import factories
from tests.factories import NOW, PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.services.campaigns import require_campaign

__all__ = ["NOW", "PASSWORD", "app_on", "csrf_from", "csrf_of", "free_port", "start_gunicorn", "items_of", "pure_statuses", "sign_in_with", "tick_all"]


def free_port() -> int:
    """A loopback TCP port free right now, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ROOT = Path(__file__).resolve().parents[1]


def start_gunicorn(app, port: int, args: list[str], secret_key: str, ready_path: str, tries: int,
                   **popen) -> subprocess.Popen:
    """gunicorn (`args`: workers, threads, limits) serving wsgi:app on the test database at 127.0.0.1:port, in a
    session of its own (stop it with os.killpg), returned once `ready_path` answers; `popen`: where its output
    goes."""
    import requests

    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": secret_key,
           "TRACKER_SCHEDULER": "off"}
    env.pop("FLASK_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", *args, "-b", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=ROOT, env=env, start_new_session=True, **popen)
    for _ in range(tries):
        try:
            requests.get(f"http://127.0.0.1:{port}{ready_path}", timeout=10)
            return proc
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)  # the master and its workers
    raise AssertionError("gunicorn did not start")


@contextmanager
def scratch_database(suffix: str):
    """The URL of a fresh, empty database of the kind under test, dropped afterwards: on PostgreSQL
    (TEST_DATABASE_URL) the test database's name plus `suffix`, else a new SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        name = make_url(url).database + suffix
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        path = tempfile.mktemp(suffix=".db")
        try:
            yield f"sqlite:///{path}"
        finally:
            if os.path.exists(path):
                os.remove(path)


@pytest.fixture
def scratch_url():
    """A fresh, empty database of the same kind as the one under test (scratch_database)."""
    with scratch_database("_migrations") as url:
        yield url


def app_on(url: str):
    """A new app (TestConfig) on that database."""
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    fd, path = tempfile.mkstemp(prefix="tracker-test-", suffix=".db")
    os.close(fd)
    return f"sqlite:///{path}"


class FreshUserClient(FlaskClient):
    """A test client whose requests start with an empty `g`, as they do in production.

    Requests run inside the test's app context and so share its `g`, where Flask-Login caches the
    user and Flask-WTF the CSRF token: without this, a second client (or an anonymous one) would act
    as the first signed-in user, with the first one's token.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name, None)
        return super().open(*args, **kwargs)


def pytest_collection_modifyitems(items):
    """A test that serves the app to a browser (the live_server fixture) is slow, marked or not."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()) and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


def _out_dir(variable: str, name: str, tmp_path_factory) -> Path:
    where = os.environ.get(variable)
    if not where:
        return tmp_path_factory.mktemp(name)
    path = Path(where)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the browser tests write the screenshots the README shows: a temporary folder, so that a test
    run leaves the git tree as it was, unless SCREENSHOTS names one (`SCREENSHOTS=docs/screenshots pytest
    tests/e2e` rewrites the README's pictures)."""
    return _out_dir("SCREENSHOTS", "screenshots", tmp_path_factory)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """Where tests write what is only looked at, never committed (other screenshots, printed PDFs): a
    temporary folder unless ARTIFACTS names one (`ARTIFACTS=test-artifacts`, ignored by git)."""
    return _out_dir("ARTIFACTS", "artifacts", tmp_path_factory)


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Path:
    """Where the Word report samples are written: a temporary folder unless SAMPLES names one
    (`SAMPLES=docs/samples` rewrites the README's samples)."""
    return _out_dir("SAMPLES", "samples", tmp_path_factory)


@pytest.fixture(scope="session")
def app():
    """One app for the session; its schema created once."""
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url()

    os.environ.pop("DATABASE_URL", None)
    application = create_app(Config)
    application.test_client_class = FreshUserClient
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(app):
    """Every test starts with empty tables and an app context."""
    with app.app_context():
        _truncate()
        yield
        db.session.remove()


def _truncate() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def campaign(app):
    """The default campaign with the built-in template."""
    c = require_campaign()
    db.session.commit()
    return c


@pytest.fixture
def make_group(campaign):
    """make_group(code) → a working group (factories.make_group)."""
    return factories.make_group


@pytest.fixture
def make_unit(campaign):
    """make_unit(code, kind=…, group=…, congress_date=…) → a unit with its checklist (factories.make_unit)."""
    return factories.make_unit


@pytest.fixture
def make_user(campaign):
    """make_user(email, role, unit=code, group=code) → a user with the test password (factories.make_user)."""
    return factories.make_user


@pytest.fixture
def world(campaign):
    """The standard world (factories.World): world["u1"], world["admin"], world["secretary"] …"""
    return factories.build_world()


@pytest.fixture
def api_world(app, campaign, frozen):
    """The standard world seen through bearer tokens (factories.ApiWorld), the clock frozen at NOW (1 April
    2030, 08:00 local): `world` in tests/api, `api` in tests/edits."""
    with frozen():
        yield factories.build_api_world(app)


@pytest.fixture
def login(app):
    """login(user) → a test client signed in as that user (through the real form, CSRF included)."""
    def do(user):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = csrf_of(page)
        resp = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return client
    return do


def sign_in_with(app, email: str, password: str):
    """(client, response) of a sign-in through the real form with these credentials, right or wrong."""
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client, client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def token_for(app):
    """token_for(user) → headers with a fresh bearer token."""
    return factories.bearer


def csrf_of(page: str) -> str:
    """The csrf_token value in a rendered page."""
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert m, "no csrf_token in the page"
    return m.group(1)


def csrf_from(client, path: str = "/account/password") -> str:
    """The CSRF token of the client's session, read from a page it may open."""
    return csrf_of(client.get(path).get_data(as_text=True))


@pytest.fixture
def frozen():
    """frozen(moment) freezes the clock (time-machine) for the block: `with frozen(NOW): ...`."""
    import time_machine

    @contextmanager
    def freeze(moment=NOW):
        with time_machine.travel(moment, tick=False):
            yield moment
    return freeze


@pytest.fixture
def at_now(frozen):
    """The whole test at NOW (sessions signed in at NOW stay valid, 'today' is fixed); a module asks for it
    with `pytestmark = pytest.mark.usefixtures("at_now")`."""
    with frozen(NOW):
        yield


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ... → counter.n is the number of SQL statements run."""
    @contextmanager
    def counting():
        class Counter:
            n = 0
            statements: list[str] = []

        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            counter.n += 1
            counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
    return counting


def items_of(unit, stage):
    """The unit's (a Unit or its id) items of one stage, in checklist order."""
    from sqlalchemy import select

    from tracker.models import Item

    return db.session.scalars(select(Item).where(Item.unit_id == getattr(unit, "id", unit), Item.stage == stage)
                              .order_by(Item.position)).all()


def tick_all(unit, stage, user, today=date(2030, 4, 1), commit=False):
    """Tick every open item of a stage through the service (gates and permissions apply); committed if asked."""
    from tracker.services import stages

    for item in items_of(unit, stage):
        if not item.done:
            stages.set_item_done(unit, item, True, item.version, user, NOW, today)
    if commit:
        db.session.commit()


def pure_statuses(unit_ids, today):
    """{unit_id: {stage: status}} by the pure rule (workflow.status), the reference for SQL results."""
    from collections import defaultdict

    from sqlalchemy import select

    from tracker.models import Item, StageReview
    from tracker.workflow import STAGES, ItemFacts, stage_status

    facts, reviews = defaultdict(list), {}
    for item in db.session.scalars(select(Item).where(Item.unit_id.in_(unit_ids))):
        facts[(item.unit_id, item.stage)].append(ItemFacts(item.required, item.done, item.due_on))
    for review in db.session.scalars(select(StageReview).where(StageReview.unit_id.in_(unit_ids))):
        reviews[(review.unit_id, review.stage)] = review.state
    return {uid: {s: stage_status(facts[(uid, s)], reviews.get((uid, s)), today) for s in STAGES}
            for uid in unit_ids}
