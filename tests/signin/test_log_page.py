"""The sign-in log: every outcome written, shown to admins only, local times, paginated."""
from __future__ import annotations

import time_machine
from sqlalchemy import select

from tests.conftest import NOW, PASSWORD, csrf_of
from tests.signin.helpers import client_at, signed_in, try_sign_in
from tracker.extensions import db
from tracker.signin.models import SignInEvent


def test_every_outcome_is_logged_and_shown_to_admins_only(app, make_user):
    make_user("admin@example.org", "admin")
    make_user("sec@example.org", "viewer")
    gone = make_user("gone@example.org", "viewer")
    gone.active = False
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        guesser = client_at(app, "198.51.100.7")
        try_sign_in(guesser, "sec@example.org", "wrong-password")
        try_sign_in(guesser, "nobody@example.org", "wrong-password")
        try_sign_in(guesser, "gone@example.org", PASSWORD)
        try_sign_in(guesser, "my secret password", "wrong-password")  # a password typed as the login: not kept
        viewer = signed_in(app, "sec@example.org", PASSWORD, "10.0.0.2")
        viewer.post("/logout", data={"csrf_token": csrf_of(viewer.get("/").get_data(as_text=True))})
        admin = signed_in(app, "admin@example.org", PASSWORD, "10.0.0.1")
        rows = db.session.execute(select(SignInEvent.login, SignInEvent.address, SignInEvent.outcome)
                                  .order_by(SignInEvent.id)).all()
        assert [tuple(r) for r in rows] == [
            ("sec@example.org", "198.51.100.7", "bad_password"),
            ("nobody@example.org", "198.51.100.7", "unknown"),
            ("gone@example.org", "198.51.100.7", "inactive"),
            ("", "198.51.100.7", "unknown"),
            ("sec@example.org", "10.0.0.2", "ok"),
            ("sec@example.org", "10.0.0.2", "signed_out"),
            ("admin@example.org", "10.0.0.1", "ok"),
        ]
        page = admin.get("/admin/sign-ins")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        for text in ("Nhật ký đăng nhập", "nobody@example.org", "198.51.100.7", "Sai mật khẩu",
                     "Tài khoản không tồn tại", "Tài khoản đã bị khóa", "Đăng xuất", "01/04/2030 08:00"):
            assert text in html, text
        assert "my secret password" not in html
        assert 'href="/admin/sign-ins"' in admin.get("/admin/").get_data(as_text=True)  # linked from the office
        viewer = signed_in(app, "sec@example.org", PASSWORD, "10.0.0.2")
        assert viewer.get("/admin/sign-ins").status_code == 403
        assert client_at(app).get("/admin/sign-ins").status_code == 302


def test_the_log_is_paginated_with_a_constant_number_of_statements(app, make_user, count_queries):
    make_user("admin@example.org", "admin")
    with time_machine.travel(NOW, tick=False):
        admin = signed_in(app, "admin@example.org", PASSWORD)
        db.session.add_all([SignInEvent(at=NOW, login=f"x{n}@example.org", address="10.9.9.9", outcome="unknown")
                            for n in range(120)])
        db.session.commit()
        with count_queries() as few:
            assert admin.get("/admin/sign-ins").status_code == 200
        page3 = admin.get("/admin/sign-ins?page=3").get_data(as_text=True)
        assert "x0@example.org" in page3 and "x119@example.org" not in page3
        db.session.add_all([SignInEvent(at=NOW, login=f"y{n}@example.org", address="10.9.9.9", outcome="unknown")
                            for n in range(100)])
        db.session.commit()
        with count_queries() as more:
            admin.get("/admin/sign-ins")
        assert more.n == few.n


def test_old_lines_are_pruned(app, make_user):
    from datetime import timedelta
    make_user("v@example.org", "viewer")
    db.session.add(SignInEvent(at=NOW - timedelta(days=91), login="old@example.org", address="1.1.1.1",
                               outcome="unknown"))
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        try_sign_in(client_at(app), "v@example.org", "wrong-password")
    assert db.session.scalars(select(SignInEvent.login)).all() == ["v@example.org"]


def test_a_typed_login_is_kept_only_when_it_looks_like_an_email_or_a_phone_number(app, make_user):
    with time_machine.travel(NOW, tick=False):
        guesser = client_at(app, "198.51.100.7")
        for typed in ("p@ssw0rd!", "Tr@ngAn2025", "@@@", "secret@", "Nobody@Example.ORG", "0912 000 111"):
            try_sign_in(guesser, typed, "wrong-password")
    logins = list(db.session.scalars(select(SignInEvent.login).order_by(SignInEvent.id)))
    assert logins == ["", "", "", "", "nobody@example.org", "0912000111"]
