"""Sign-in throttling counted in the database: per (account, address) and per address, 429 with Retry-After."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from tests.conftest import NOW, PASSWORD, csrf_of
from tests.signin.helpers import client_at, try_sign_in
from tracker.extensions import db
from tracker.models import User
from tracker.signin import service
from tracker.signin.models import SignInEvent


def test_thirty_wrong_passwords_are_refused_after_ten_until_the_window_passes(app, make_user):
    make_user("owner@example.org", "viewer")
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_at(app)
        answers = [try_sign_in(client, "owner@example.org", "wrong-password") for _ in range(30)]
        assert [r.status_code for r in answers[:10]] == [401] * 10
        assert {r.status_code for r in answers[10:]} == {429}
        assert answers[10].headers["Retry-After"] == "900"  # the oldest of the ten leaves the window in 15 min
        assert "Bạn đã đăng nhập sai quá nhiều lần" in answers[10].get_data(as_text=True)
        # the right password is refused too while the window lasts
        right = try_sign_in(client, "owner@example.org", PASSWORD)
        assert right.status_code == 429
        clock.shift(timedelta(minutes=14))
        right = try_sign_in(client, "owner@example.org", PASSWORD)
        assert right.status_code == 429 and right.headers["Retry-After"] == "60"
        clock.shift(timedelta(minutes=1, seconds=1))
        assert try_sign_in(client, "owner@example.org", PASSWORD).status_code == 302


def test_the_owner_at_another_address_is_not_locked_out(app, make_user):
    make_user("owner@example.org", "viewer")
    with time_machine.travel(NOW, tick=False):
        guesser = client_at(app, "198.51.100.7")
        for _ in range(12):
            try_sign_in(guesser, "owner@example.org", "wrong-password")
        assert try_sign_in(guesser, "owner@example.org", PASSWORD).status_code == 429
        assert try_sign_in(client_at(app, "10.1.2.3"), "owner@example.org", PASSWORD).status_code == 302


def test_an_address_that_guesses_many_accounts_is_stopped(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_PER_ADDRESS", 5)
    make_user("owner@example.org", "viewer")
    with time_machine.travel(NOW, tick=False):
        guesser = client_at(app, "198.51.100.7")
        for n in range(5):
            assert try_sign_in(guesser, f"nobody{n}@example.org", "x-password").status_code == 401
        refused = try_sign_in(guesser, "owner@example.org", PASSWORD)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
        assert try_sign_in(client_at(app, "10.1.2.3"), "owner@example.org", PASSWORD).status_code == 302


def test_a_phone_number_in_any_spelling_is_one_account(app, make_user):
    from tracker.services.accounts import create_user
    create_user(None, "Chị Lan", "viewer", PASSWORD, phone="0912 345 678", actor=None)
    db.session.commit()
    spellings = ["0912345678", "0912 345 678", "+84 912 345 678", "84912345678", "0912.345.678"]
    with time_machine.travel(NOW, tick=False):
        client = client_at(app)
        for n in range(10):
            assert try_sign_in(client, spellings[n % 5], "wrong-password").status_code == 401
        assert try_sign_in(client, "(0912) 345-678", PASSWORD).status_code == 429
    user_id = db.session.scalar(select(User.id).where(User.phone == "0912345678"))
    logins = set(db.session.scalars(select(SignInEvent.login).where(SignInEvent.user_id == user_id)))
    assert logins == {"0912345678"}


def test_a_forwarded_for_header_is_ignored_without_trusted_proxies(app, make_user):
    make_user("owner@example.org", "viewer")
    with time_machine.travel(NOW, tick=False):
        client = client_at(app, "198.51.100.7")
        for n in range(10):
            client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{n}"
            try_sign_in(client, "owner@example.org", "wrong-password")
        assert try_sign_in(client, "owner@example.org", PASSWORD).status_code == 429
    assert set(db.session.scalars(select(SignInEvent.address))) == {"198.51.100.7"}


def test_trusted_proxies_give_the_client_address(app, make_user):
    from config import TestConfig
    from tracker import create_app

    class Proxied(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        TRUSTED_PROXIES = 1

    make_user("owner@example.org", "viewer")
    proxied = create_app(Proxied)
    with proxied.app_context():
        client = client_at(proxied, "127.0.0.1")
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "1.2.3.4, 203.0.113.9"  # the proxy added the last hop
        assert try_sign_in(client, "owner@example.org", "wrong-password").status_code == 401
        db.session.remove()
        proxied.extensions["sqlalchemy"].engine.dispose()
    assert db.session.scalar(select(SignInEvent.address)) == "203.0.113.9"


def _count_hash_checks(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = service.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)
    import tracker.models.people as people
    monkeypatch.setattr(service, "check_password_hash", counting)
    monkeypatch.setattr(people, "check_password_hash", counting)
    return calls


def test_unknown_deactivated_and_passwordless_accounts_cost_a_hash_check(app, make_user, monkeypatch):
    from werkzeug.security import generate_password_hash

    from tracker.imports.first_passwords import INITIAL_HASH

    make_user("known@example.org", "viewer")
    gone = make_user("gone@example.org", "viewer")
    gone.active = False
    make_user("nopassword@example.org", "viewer", password=None)
    initial = make_user("initial@example.org", "viewer", password=None)
    initial.password_hash = generate_password_hash("abcd-efgh-jkmn", method=INITIAL_HASH)
    db.session.commit()
    default_method = service.dummy_hash().split("$", 1)[0]
    calls = _count_hash_checks(monkeypatch)
    with time_machine.travel(NOW, tick=False):
        for login in ("known@example.org", "nobody@example.org", "gone@example.org", "nopassword@example.org",
                      "0999999999", "initial@example.org"):
            calls.clear()
            resp = try_sign_in(client_at(app), login, "wrong-password")
            assert resp.status_code == 401, login
            # one check with the default (slow) method each time, whatever the account
            assert calls.count(default_method) == 1, (login, calls)


def test_a_burst_of_concurrent_attempts_gets_at_most_the_limits_password_checks(app, make_user, monkeypatch):
    import threading

    import tracker.models.people as people

    owner_hash = make_user("owner@example.org", "viewer").password_hash
    db.session.commit()
    db.session.remove()  # hold no connection or lock while the burst runs
    checked: list[str] = []
    real = service.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)
    monkeypatch.setattr(service, "check_password_hash", counting)
    monkeypatch.setattr(people, "check_password_hash", counting)
    burst, limit = 40, app.config["LOGIN_MAX_PER_ACCOUNT"]
    start = threading.Barrier(burst)
    answers: list[int] = []

    def attempt():
        client = client_at(app, "198.51.100.7")
        token = csrf_of(client.get("/login").get_data(as_text=True))
        start.wait()
        resp = client.post("/login", data={"email": "owner@example.org", "password": "wrong-password",
                                           "csrf_token": token})
        answers.append(resp.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(burst)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == burst and set(answers) <= {401, 429}, answers
    assert checked.count(owner_hash) <= limit, (checked.count(owner_hash), answers.count(401))
    assert answers.count(401) <= limit and answers.count(429) >= burst - limit
    failures = db.session.scalar(select(func.count()).select_from(SignInEvent)
                                 .where(SignInEvent.outcome == "bad_password"))
    assert failures == answers.count(401)
