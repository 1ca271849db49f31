"""Sessions that end: sign-out, password changes, admin resets, set-password, deactivation, timeouts."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.conftest import NOW, PASSWORD, csrf_of
from tests.signin.helpers import client_at, signed_in, try_sign_in

NEW = "A-brand-new-pass-7"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def home(client):
    """The status of the home page: 200 signed in, 302 (to /login) when the session is dead."""
    return client.get("/").status_code


def token(client, path="/account/password"):
    return csrf_of(client.get(path).get_data(as_text=True))


def test_sign_out_is_a_post_with_csrf(app, make_user, clock):
    make_user("v@example.org", "viewer")
    client = signed_in(app, "v@example.org", PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert home(client) == 200
    page = client.get("/").get_data(as_text=True)
    assert 'action="/logout"' in page and 'href="/logout"' not in page  # the menu's sign-out is a form
    assert client.post("/logout", data={"csrf_token": token(client)}).status_code == 302
    assert home(client) == 302


def test_sign_out_ends_the_old_cookie_and_every_other_session(app, make_user, clock):
    make_user("v@example.org", "viewer")
    phone = signed_in(app, "v@example.org", PASSWORD, "10.0.0.5")
    desktop = signed_in(app, "v@example.org", PASSWORD, "10.0.0.6")
    kept = desktop.get_cookie("session").value
    desktop.post("/logout", data={"csrf_token": token(desktop)})
    replay = client_at(app)
    replay.set_cookie("session", kept)
    assert home(replay) == 302  # the copied cookie does not work any more
    assert home(phone) == 302  # sign-out ends every session of the user (README: Sessions)


def test_a_new_session_at_sign_in(app, make_user, clock):
    make_user("v@example.org", "viewer")
    client = client_at(app)
    before_token = csrf_of(client.get("/login").get_data(as_text=True))
    before = client.get_cookie("session").value
    resp = client.post("/login", data={"email": "v@example.org", "password": PASSWORD, "csrf_token": before_token})
    assert resp.status_code == 302
    assert client.get_cookie("session").value != before
    # the pre-sign-in CSRF secret did not survive: a token from the sign-in page is refused now
    assert client.post("/language/en", data={"csrf_token": before_token, "next": "/"}).status_code == 400


def test_own_password_change_ends_other_sessions_and_renews_this_one(app, make_user, clock):
    make_user("v@example.org", "viewer")
    mine = signed_in(app, "v@example.org", PASSWORD, "10.0.0.5")
    other = signed_in(app, "v@example.org", PASSWORD, "10.0.0.6")
    old_cookie = mine.get_cookie("session").value
    resp = mine.post("/account/password", data={"csrf_token": token(mine), "current": PASSWORD, "new": NEW,
                                                "confirm": NEW})
    assert resp.status_code == 302
    assert home(mine) == 200  # this session goes on …
    assert mine.get_cookie("session").value != old_cookie  # … renewed
    assert home(other) == 302
    replay = client_at(app)
    replay.set_cookie("session", old_cookie)
    assert home(replay) == 302


def test_admin_reset_and_deactivation_end_the_users_sessions(app, make_user, clock):
    make_user("admin@example.org", "admin")
    user = make_user("v@example.org", "viewer")
    admin = signed_in(app, "admin@example.org", PASSWORD, "10.0.0.1")
    victim = signed_in(app, "v@example.org", PASSWORD, "10.0.0.2")
    page = f"/admin/users/{user.id}"
    resp = admin.post(f"{page}/password", data={"csrf_token": token(admin, page), "password": NEW,
                                                         "confirm": NEW})
    assert resp.status_code == 302
    assert home(victim) == 302
    victim = signed_in(app, "v@example.org", NEW, "10.0.0.2")
    assert home(victim) == 200
    admin.post(f"{page}/active", data={"csrf_token": token(admin, page), "active": "0"})
    assert home(victim) == 302
    assert home(admin) == 200  # the admin's own session is untouched


def test_bulk_deactivation_ends_sessions(app, make_user, clock):
    from tracker.extensions import db
    from tracker.imports.bulk import set_users_active

    admin = make_user("admin@example.org", "admin")
    user = make_user("v@example.org", "viewer")
    victim = signed_in(app, "v@example.org", PASSWORD)
    set_users_active([user.id], False, admin)
    db.session.commit()
    assert home(victim) == 302


def test_set_password_at_the_command_line_ends_every_session(app, make_user, clock):
    make_user("v@example.org", "viewer")
    victim = signed_in(app, "v@example.org", PASSWORD)
    result = app.test_cli_runner().invoke(args=["users", "set-password", "v@example.org", "--password", NEW])
    assert result.exit_code == 0, result.output
    assert home(victim) == 302
    assert try_sign_in(client_at(app), "v@example.org", NEW).status_code == 302
    bad = app.test_cli_runner().invoke(args=["users", "set-password", "v@example.org", "--password", "short"])
    assert bad.exit_code != 0
    missing = app.test_cli_runner().invoke(args=["users", "set-password", "nobody@example.org", "--password", NEW])
    assert missing.exit_code != 0


def test_a_reset_link_ends_sessions_and_starts_afresh(app, make_user, clock):
    from tracker.extensions import db
    from tracker.services import accounts

    make_user("v@example.org", "viewer")
    victim = signed_in(app, "v@example.org", PASSWORD)
    accounts.request_password_reset("v@example.org", NOW, "vi", "http://x")
    db.session.commit()
    from sqlalchemy import update

    from tracker.models import PasswordResetToken
    db.session.execute(update(PasswordResetToken).values(token_hash=accounts._token_digest("known-token")))
    db.session.commit()
    browser = signed_in(app, "v@example.org", PASSWORD, "10.0.0.9")
    form = csrf_of(browser.get("/password/reset/known-token").get_data(as_text=True))
    resp = browser.post("/password/reset/known-token", data={"csrf_token": form, "new": NEW, "confirm": NEW})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    assert home(victim) == 302 and home(browser) == 302


def test_idle_timeout(app, make_user, clock):
    make_user("v@example.org", "viewer")
    client = signed_in(app, "v@example.org", PASSWORD)
    clock.shift(timedelta(minutes=119))
    assert home(client) == 200  # used: the idle clock starts again
    clock.shift(timedelta(minutes=119))
    assert home(client) == 200
    clock.shift(timedelta(minutes=121))
    assert home(client) == 302


def test_absolute_lifetime(app, make_user, clock):
    make_user("v@example.org", "viewer")
    client = signed_in(app, "v@example.org", PASSWORD)
    for _ in range(11):
        clock.shift(timedelta(hours=1))
        assert home(client) == 200
    clock.shift(timedelta(minutes=61))
    assert home(client) == 302  # in use all day, still ended 12 hours after sign-in


def test_csrf_tokens_expire(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 120 * 60
