"""`GET /healthz` (no sign-in, JSON), and 503 with Retry-After instead of a 500 while the database is away."""
from datetime import timedelta

import pytest

from config import TestConfig
from tests.conftest import NOW
from tests.factories import bearer
from tracker import create_app
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.reminders.sweep import beat
from tracker.signin.sessions import SEEN_AT, SIGNED_IN_AT


def test_healthz_without_a_heartbeat(app, campaign):
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 200 and resp.is_json
    assert resp.get_json() == {"database": "ok", "scheduler": {"last_run": None, "stale": True}}


def test_healthz_with_a_recent_and_an_old_heartbeat(app, campaign, frozen):
    with frozen(NOW):
        beat(db.session, NOW - timedelta(minutes=4), "{}")
        db.session.commit()
        body = app.test_client().get("/healthz").get_json()
        assert body["scheduler"] == {"last_run": (NOW - timedelta(minutes=4)).isoformat(), "stale": False}
        assert body["scheduler"]["last_run"].endswith("+00:00")
        beat(db.session, NOW - timedelta(hours=2), "{}")
        db.session.commit()
        assert app.test_client().get("/healthz").get_json()["scheduler"]["stale"] is True


def test_healthz_needs_no_sign_in_and_tells_no_secrets(app, campaign):
    resp = app.test_client().get("/healthz", follow_redirects=False)
    assert resp.status_code == 200 and "Location" not in resp.headers
    assert set(resp.get_json()) == {"database", "scheduler"}


@pytest.fixture
def away(app, world, tmp_path):
    """The same app's code on a database that cannot be reached, with a signed-in session and a token."""
    class Away(TestConfig):
        SQLALCHEMY_DATABASE_URI = (f"sqlite:///{tmp_path}/missing/dir/x.db" if app.config[
            "SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql+psycopg://postgres@127.0.0.1:1/none")

    headers = bearer(world["admin"])
    session_id = world["admin"].get_id()  # "id:generation", as the sign-in stores it
    broken = create_app(Away)
    client = broken.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id  # what Flask-Login keeps after sign-in: the page must load the user
        session[SIGNED_IN_AT] = session[SEEN_AT] = int(utcnow().timestamp())
        session["_fresh"] = True
    yield broken, client, headers
    with broken.app_context():
        db.engine.dispose()


def test_healthz_is_503_when_the_database_is_unreachable(away):
    _app, client, _headers = away
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json() == {"database": "unreachable", "scheduler": {"last_run": None, "stale": True}}


def test_pages_and_api_answer_503_with_retry_after_not_a_traceback(away):
    _app, client, headers = away
    for path in ("/", "/units/U1", "/admin/users"):
        resp = client.get(path)
        text = resp.get_data(as_text=True)
        assert resp.status_code == 503, (path, resp.status_code, text[:300])
        assert resp.headers["Retry-After"].isdigit()
        assert "Hiện không kết nối được cơ sở dữ liệu" in text and "Traceback" not in text
    for method, path in (("GET", "/api/v1/units"), ("GET", "/api/v1/units/U1"),
                         ("PATCH", "/api/v1/units/U1/stages/dissemination/items/plan_issued")):
        resp = client.open(f"{path}", method=method, headers=headers, json={"done": True, "version": 1})
        assert resp.status_code == 503, (path, resp.status_code)
        assert resp.headers["Retry-After"].isdigit()
        error = resp.get_json()["error"]
        assert error["code"] == "unavailable" and "Traceback" not in error["message"]
