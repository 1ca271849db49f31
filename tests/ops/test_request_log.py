"""One JSON line per request on `tracker.requests`, with the id also sent back as X-Request-Id."""
import json
import logging

import pytest

from tests.factories import bearer


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="tracker.requests")

    def read():
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "tracker.requests"]
    return read


def test_one_line_per_request_with_id_status_duration_and_no_query(app, campaign, lines):
    resp = app.test_client().get("/healthz?token=s3cret&x=1")
    (line,) = lines()
    assert set(line) == {"request_id", "method", "path", "status", "duration_ms", "user_id", "remote_addr"}
    assert line["path"] == "/healthz" and "s3cret" not in json.dumps(line)
    assert (line["method"], line["status"], line["user_id"]) == ("GET", 200, None)
    assert line["request_id"] == resp.headers["X-Request-Id"] and len(line["request_id"]) == 32
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["remote_addr"] == "127.0.0.1"


def test_the_signed_in_user_and_the_api_caller_are_named(world, login, app, lines):
    client = login(world["admin"])
    lines()  # the sign-in's own requests
    client.get("/")
    app.test_client().get("/api/v1/units/U1", headers=bearer(world["secretary"]))
    page, api = lines()[-2:]
    assert (page["path"], page["status"], page["user_id"]) == ("/", 200, world["admin"].id)
    assert (api["path"], api["status"], api["user_id"]) == ("/api/v1/units/U1", 200, world["secretary"].id)


def test_static_files_are_not_logged_but_refusals_are(app, campaign, lines):
    app.test_client().get("/static/app.css")
    app.test_client().get("/bootstrap/static/css/bootstrap.min.css")
    app.test_client().post("/login", data={})  # no CSRF token: 400 before any view
    app.test_client().get("/api/v1/notifications/99999999999999999999/read")
    logged = lines()
    assert [(x["path"], x["status"]) for x in logged] == [
        ("/login", 400), ("/api/v1/notifications/99999999999999999999/read", 404)]
    assert all(x["duration_ms"] is not None for x in logged)


def test_a_secret_in_the_path_is_masked(app, campaign, lines):
    app.test_client().get("/password/reset/abcdefSECRET")
    (line,) = lines()
    assert line["path"] == "/password/reset/…"


def test_a_client_request_id_is_ignored_unless_a_trusted_proxy_sets_it(app, campaign, lines, monkeypatch):
    assert app.test_client().get("/healthz", headers={"X-Request-Id": "mine-1"}).headers["X-Request-Id"] != "mine-1"
    monkeypatch.setitem(app.config, "TRUST_REQUEST_ID", True)
    assert app.test_client().get("/healthz", headers={"X-Request-Id": "mine-1"}).headers["X-Request-Id"] == "mine-1"
    bad = app.test_client().get("/healthz", headers={"X-Request-Id": '", "user_id": 1, "forged": "' + "x" * 80})
    assert "forged" not in bad.headers["X-Request-Id"]
    assert [x["request_id"] for x in lines()][1] == "mine-1"
