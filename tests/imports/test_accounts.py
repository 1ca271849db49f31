"""Accounts for people not at a desk: phone numbers, sign-in by phone, the initial-password sheet and its
forced change, and the first admin's one-time set-up page."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_of, sign_in_with
from tracker.extensions import db
from tracker.imports.setup import announce, setup_token
from tracker.models import User
from tracker.services import accounts
from tracker.services.accounts import find_user, normalise_phone
from tracker.services.errors import Conflict, Forbidden


@pytest.mark.parametrize("raw", ["0912 345 678", "+84 912 345 678", "84912345678", "0912.345.678", "(0912) 345-678"])
def test_phone_spellings_are_one_number(raw):
    assert normalise_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["", "12345", "+1 212 555 0100", "0912 345 67a", "091234567890", "٠٩١٢٣٤٥٦٧٨"])
def test_not_phone_numbers(raw):
    assert normalise_phone(raw) is None


def test_a_user_with_a_phone_and_no_email_signs_in_with_the_phone(app, campaign, make_unit):
    make_unit("K1")
    user = accounts.create_user(None, "Bí thư ấp", "secretary", PASSWORD, "K1", phone="+84 912 345 678", actor=None)
    db.session.commit()
    assert (user.email, user.phone, user.login) == (None, "0912345678", "0912345678")
    for typed in ("0912 345 678", "84912345678"):
        client, resp = sign_in_with(app, typed, PASSWORD)
        assert resp.status_code == 302, typed
        assert client.get("/").status_code in (200, 302)
    assert sign_in_with(app, "0912345678", "wrong-password")[1].status_code == 401
    with pytest.raises(Conflict):
        accounts.create_user(None, "Trùng", "viewer", PASSWORD, phone="0912345678", actor=None)


def test_initial_password_sheet_and_the_forced_change(app, campaign, make_user, login):
    admin = make_user("admin@district.test", "admin")
    db.session.add_all([User(email="a@district.test", name="An", role="viewer"),
                        User(email=None, phone="0912000111", name="Bình", role="viewer"),
                        User(email="c@district.test", name="Cường", role="viewer", active=False)])
    db.session.commit()
    client = login(admin)
    page = client.get("/admin/users/select").get_data(as_text=True)
    resp = client.post("/admin/users/select", data={"csrf_token": csrf_of(page), "action": "passwords_missing"})
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert resp.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    rows = {r[1]: r[4] for r in sheet.iter_rows(min_row=2, values_only=True) if r[1]}
    assert set(rows) == {"a@district.test", "0912000111"}  # the deactivated user and the admin get none
    db.session.expire_all()
    bình = find_user("0912000111")
    assert bình.must_change_password and rows["0912000111"] not in bình.password_hash
    assert bình.check_password(rows["0912000111"])
    # first sign-in: every page leads to the change-password page until a new password is chosen
    user_client, resp = sign_in_with(app, "0912 000 111", rows["0912000111"])
    assert resp.status_code == 302
    assert "/account/password" in user_client.get("/").headers["Location"]
    form = user_client.get("/account/password").get_data(as_text=True)
    resp = user_client.post("/account/password", data={"csrf_token": csrf_of(form), "current": rows["0912000111"],
                                                        "new": "Mine-own-pass-1", "confirm": "Mine-own-pass-1"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert not find_user("0912000111").must_change_password
    assert "/account/password" not in user_client.get("/").headers.get("Location", "")
    # a second download gives nobody a password: all active users have one
    resp = client.post("/admin/users/select", data={"csrf_token": csrf_of(page), "action": "passwords_missing"})
    assert resp.status_code == 302


def test_the_set_up_page_exists_only_while_there_is_no_admin(app, campaign, capsys):
    client = app.test_client()
    assert client.get("/setup", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    token = setup_token(app.config["SECRET_KEY"])
    remote = {"X-Forwarded-For": "203.0.113.9"}
    page = client.get(f"/setup?token={token}", headers=remote)
    assert page.status_code == 200
    announce(app)
    said = capsys.readouterr().err
    assert token in said and "/setup" in said
    html = client.get("/setup").get_data(as_text=True)  # from this machine: no token needed
    resp = client.post("/setup", data={"csrf_token": csrf_of(html), "name": "Ban Tổ chức",
                                       "email": "office@district.test", "password": "First-admin-9",
                                       "confirm": "First-admin-9"})
    assert resp.status_code == 302
    assert db.session.scalar(select(User.role).where(User.email == "office@district.test")) == "admin"
    assert client.get("/setup").status_code == 404
    assert app.test_client().get(f"/setup?token={token}", headers=remote).status_code == 404
    announce(app)
    assert token not in capsys.readouterr().err


def test_the_set_up_page_refuses_a_wrong_token_and_posts_without_csrf(app, campaign):
    client = app.test_client()
    remote = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/setup?token=wrong", headers=remote).status_code == 404
    resp = client.post("/setup", data={"name": "X", "email": "x@district.test", "password": "First-admin-9",
                                       "confirm": "First-admin-9"})
    assert resp.status_code == 400
    assert db.session.scalar(select(User.id)) is None


def test_a_phone_only_secretary_is_reminded_in_the_inbox_and_gets_no_email(campaign, make_unit):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tracker.models import Notification, OutboxMessage
    from tracker.reminders.sweep import sweep

    make_unit("K1")
    accounts.create_user(None, "Bí thư ấp", "secretary", PASSWORD, "K1", phone="0912345678", actor=None)
    accounts.create_user("k1@district.test", "Phó bí thư", "secretary", PASSWORD, "K1", actor=None)
    db.session.commit()
    result = sweep(db.session, datetime(2030, 5, 25, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    db.session.commit()
    assert result.queued == 2  # both are reminded: the phone-only one in the inbox alone
    assert db.session.scalar(select(func.count(Notification.id))) == 2
    assert db.session.scalars(select(OutboxMessage.to)).all() == ["k1@district.test"]


def test_the_office_emails_imported_users_a_single_use_sign_in_link(app, campaign, make_unit, make_user, login,
                                                                      frozen):
    """The sign-in link of issue 9: one mail per chosen user with an email, valid 3 days, usable once."""
    import re
    from datetime import timedelta

    from tests.conftest import NOW
    from tracker.models import OutboxMessage

    make_unit("K1")
    admin = make_user("office@district.test", "admin")
    invited = accounts.create_user("bithu.k1@district.test", "Nguyễn Văn An", "secretary", None, "K1", actor=None)
    phone_only = accounts.create_user(None, "Bí thư ấp", "secretary", None, "K1", phone="0912345678", actor=None)
    db.session.commit()
    with frozen(NOW):
        client = login(admin)
        page = client.get("/admin/users/select").get_data(as_text=True)
        resp = client.post("/admin/users/select", data={"csrf_token": csrf_of(page), "action": "links",
                                                        "ids": [str(invited.id), str(phone_only.id)]})
    assert resp.status_code == 302
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert [m.to for m in mails] == ["bithu.k1@district.test"]  # the phone-only user has no mailbox
    assert "trong vòng 3 ngày" in mails[0].text and "Ban Tổ chức đã tạo tài khoản" in mails[0].text
    path = re.search(r"http://localhost:5000(/password/reset/\S+)", mails[0].text).group(1)
    new = "Mat-khau-rieng-9"
    with frozen(NOW + timedelta(days=2)):
        browser = app.test_client()
        form = browser.get(path)
        done = browser.post(path, data={"csrf_token": csrf_of(form.get_data(as_text=True)), "new": new,
                                        "confirm": new})
        assert done.status_code == 302 and "/login" in done.headers["Location"]
        again = app.test_client().get(path)
    assert again.status_code == 404  # used once: gone
    db.session.expire_all()
    assert db.session.get(User, invited.id).check_password(new)


def test_sign_in_links_expire_after_three_days(app, campaign, make_unit, frozen):
    import re
    from datetime import timedelta

    from tests.conftest import NOW
    from tracker.models import OutboxMessage

    make_unit("K1")
    user = accounts.create_user("k1@district.test", "Phó bí thư", "secretary", None, "K1", actor=None)
    assert accounts.send_sign_in_links([user.id], NOW, "http://localhost:5000", actor=None) == 1
    db.session.commit()
    path = re.search(r"(/password/reset/\S+)", db.session.scalar(select(OutboxMessage.text))).group(1)
    with frozen(NOW + timedelta(days=2, hours=23)):
        assert app.test_client().get(path).status_code == 200
    with frozen(NOW + timedelta(days=3, minutes=1)):
        assert app.test_client().get(path).status_code == 404
    secretary = accounts.create_user("x@district.test", "X", "secretary", PASSWORD, "K1", actor=None)
    with pytest.raises(Forbidden):
        accounts.send_sign_in_links([user.id], NOW, "http://localhost:5000", actor=secretary)
