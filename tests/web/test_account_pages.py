"""Changing one's password, and the forgotten-password link: single use, limited time, revealing nothing."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, PASSWORD, csrf_of, sign_in_with
from tracker.extensions import db
from tracker.models import OutboxMessage, PasswordResetToken, User

NEW = "Mat-khau-moi-2030"
SAME_ANSWER = "Nếu địa chỉ này có tài khoản, chúng tôi đã gửi thư hướng dẫn đặt lại mật khẩu."


def password_of(user_id: int, password: str) -> bool:
    db.session.expire_all()
    return db.session.get(User, user_id).check_password(password)


# ---- change password ------------------------------------------------------------------------------

def test_change_password_from_the_user_menu(app, make_user, login, frozen):
    user = make_user("sec@d.test", "viewer")
    with frozen(NOW):
        client = login(user)
        home = client.get("/").get_data(as_text=True)
        assert 'href="/account/password">Đổi mật khẩu</a>' in home
        page = client.get("/account/password").get_data(as_text=True)
        assert "Mật khẩu hiện tại" in page and "Nhập lại mật khẩu mới" in page and "Ít nhất 8 ký tự" in page
        resp = client.post("/account/password", data={"csrf_token": csrf_of(page), "current": PASSWORD,
                                                      "new": NEW, "confirm": NEW})
        assert resp.status_code == 302
    assert password_of(user.id, NEW) and not password_of(user.id, PASSWORD)
    assert sign_in_with(app, "sec@d.test", NEW)[1].status_code == 302


@pytest.mark.parametrize("current, new, confirm, field_message", [
    ("sai-mat-khau", NEW, NEW, "Sai mật khẩu."),
    (PASSWORD, "ngan", "ngan", "Ít nhất 8 ký tự."),
    (PASSWORD, NEW, NEW + "x", "Hai mật khẩu không khớp."),
    (PASSWORD, "x" * 201, "x" * 201, "Tối đa 200 ký tự."),
])
def test_a_refused_change_says_why_and_changes_nothing(make_user, login, frozen, current, new, confirm,
                                                        field_message):
    user = make_user("a@d.test", "admin")
    with frozen(NOW):
        client = login(user)
        page = client.get("/account/password").get_data(as_text=True)
        resp = client.post("/account/password", data={"csrf_token": csrf_of(page), "current": current,
                                                      "new": new, "confirm": confirm})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and field_message in html
    assert "Chưa đổi được mật khẩu. Vui lòng kiểm tra các ô báo lỗi." in html
    assert password_of(user.id, PASSWORD)


def test_change_password_needs_csrf_and_a_session(app, make_user, login):
    user = make_user("a@d.test", "admin")
    client = login(user)
    resp = client.post("/account/password", data={"current": PASSWORD, "new": NEW, "confirm": NEW})
    assert resp.status_code == 400 and password_of(user.id, PASSWORD)
    anonymous = app.test_client().get("/account/password")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# ---- forgot password ------------------------------------------------------------------------------

def ask_link(app, email):
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot">Quên mật khẩu?</a>' in login_page
    page = client.get("/password/forgot").get_data(as_text=True)
    resp = client.post("/password/forgot", data={"csrf_token": csrf_of(page), "email": email})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    return client.get("/login").get_data(as_text=True)


def link_in(message: OutboxMessage) -> str:
    return re.search(r"http://localhost:5000(/password/reset/\S+)", message.text).group(1)


def set_new(app, path, new=NEW, confirm=None):
    client = app.test_client()
    page = client.get(path)
    token = csrf_of(page.get_data(as_text=True)) if page.status_code == 200 else \
        csrf_of(client.get("/password/forgot").get_data(as_text=True))
    return page, client.post(path, data={"csrf_token": token, "new": new, "confirm": confirm or new})


def test_the_link_sets_a_new_password_once(app, make_user, frozen):
    user = make_user("sec@d.test", "admin")
    with frozen(NOW):
        answer = ask_link(app, "SEC@d.test")
        assert SAME_ANSWER in answer
        [mail] = db.session.scalars(select(OutboxMessage)).all()
        assert mail.to == "sec@d.test" and mail.status == "pending" and mail.subject == "Đặt lại mật khẩu"
        assert "trong vòng 60 phút" in mail.text and "chỉ sử dụng được một lần" in mail.text
        path = link_in(mail)
        token = path.rsplit("/", 1)[1]
        stored = db.session.scalar(select(PasswordResetToken))
        assert stored.token_hash != token and len(stored.token_hash) == 64 and token not in stored.token_hash
        assert stored.expires_at == NOW + timedelta(hours=1) and stored.used_at is None
        page, resp = set_new(app, path)
        assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
        assert password_of(user.id, NEW)
        assert sign_in_with(app, "sec@d.test", NEW)[1].status_code == 302
        again, resp = set_new(app, path, new="Mot-mat-khau-khac")
        assert again.status_code == 404 and resp.status_code == 404
        assert "Liên kết này không còn hiệu lực" in again.get_data(as_text=True)
    assert password_of(user.id, NEW)


def test_the_link_expires(app, make_user, frozen):
    user = make_user("sec@d.test", "admin")
    with frozen(NOW):
        ask_link(app, "sec@d.test")
    path = link_in(db.session.scalar(select(OutboxMessage)))
    with frozen(NOW + timedelta(minutes=59)):
        assert app.test_client().get(path).status_code == 200
    with frozen(NOW + timedelta(minutes=61)):
        page, resp = set_new(app, path)
        assert page.status_code == 404 and resp.status_code == 404
    assert password_of(user.id, PASSWORD)


def test_a_wrong_token_is_refused(app, make_user, frozen):
    user = make_user("sec@d.test", "admin")
    with frozen(NOW):
        ask_link(app, "sec@d.test")
        path = link_in(db.session.scalar(select(OutboxMessage)))
        page, resp = set_new(app, path[:-2] + ("AA" if not path.endswith("AA") else "BB"))
        assert page.status_code == 404 and resp.status_code == 404
        assert app.test_client().get("/password/reset/").status_code == 404
    assert password_of(user.id, PASSWORD)


def test_a_refused_new_password_keeps_the_link(app, make_user, frozen):
    user = make_user("sec@d.test", "admin")
    with frozen(NOW):
        ask_link(app, "sec@d.test")
        path = link_in(db.session.scalar(select(OutboxMessage)))
        _, resp = set_new(app, path, new="ngan")
        assert resp.status_code == 422 and "Ít nhất 8 ký tự." in resp.get_data(as_text=True)
        _, resp = set_new(app, path, new=NEW, confirm=NEW + "!")
        assert resp.status_code == 422 and "Hai mật khẩu không khớp." in resp.get_data(as_text=True)
        _, resp = set_new(app, path)
        assert resp.status_code == 302
    assert password_of(user.id, NEW)


def test_unknown_or_deactivated_addresses_get_the_same_answer_and_nothing_is_queued(app, make_user, frozen):
    gone = make_user("gone@d.test", "admin")
    gone.active = False
    db.session.commit()
    make_user("known@d.test", "admin")
    with frozen(NOW):
        unknown = ask_link(app, "nobody@d.test")
        deactivated = ask_link(app, "gone@d.test")
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
        assert db.session.scalar(select(func.count(PasswordResetToken.id))) == 0
        known = ask_link(app, "known@d.test")

    def flashed(html):
        return re.search(r'<div class="alert[^>]*>(.*?)</div>', html, re.S).group(1).strip()

    assert flashed(unknown) == flashed(deactivated) == flashed(known)
    assert SAME_ANSWER in flashed(known)


def test_the_same_database_work_for_known_and_unknown_addresses(app, make_user, frozen, count_queries):
    make_user("known@d.test", "admin")

    def statements(email):
        client = app.test_client()
        token = csrf_of(client.get("/password/forgot").get_data(as_text=True))
        with count_queries() as counter:
            resp = client.post("/password/forgot", data={"csrf_token": token, "email": email})
        assert resp.status_code == 302
        found = [re.sub(r"\s+", " ", s.split(" WHERE")[0])[:40] for s in counter.statements]
        assert any(s.startswith("INSERT INTO outbox") for s in found), found
        return found

    with frozen(NOW):
        assert statements("known@d.test") == statements("nobody@d.test")
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_at_most_three_links_an_hour_per_address(app, make_user, frozen):
    make_user("sec@d.test", "admin")
    with frozen(NOW):
        for _ in range(5):
            ask_link(app, "sec@d.test")
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3
    assert db.session.scalar(select(func.count(PasswordResetToken.id))) == 3
    with frozen(NOW + timedelta(minutes=61)):
        ask_link(app, "sec@d.test")
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 4


def test_using_one_link_or_changing_the_password_ends_the_others(app, make_user, frozen):
    user = make_user("sec@d.test", "admin")
    with frozen(NOW):
        ask_link(app, "sec@d.test")
        ask_link(app, "sec@d.test")
        first, second = (link_in(m) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        assert set_new(app, second)[1].status_code == 302
        assert app.test_client().get(first).status_code == 404
        ask_link(app, "sec@d.test")
        third = link_in(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first())
        client, _ = sign_in_with(app, "sec@d.test", NEW)
        page = client.get("/account/password").get_data(as_text=True)
        client.post("/account/password", data={"csrf_token": csrf_of(page), "current": NEW,
                                               "new": "Lan-thu-ba-2030", "confirm": "Lan-thu-ba-2030"})
        assert app.test_client().get(third).status_code == 404
    assert password_of(user.id, "Lan-thu-ba-2030")


def test_forgot_and_reset_forms_need_csrf(app, make_user, frozen):
    make_user("sec@d.test", "admin")
    with frozen(NOW):
        client = app.test_client()
        assert client.post("/password/forgot", data={"email": "sec@d.test"}).status_code == 400
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
        ask_link(app, "sec@d.test")
        path = link_in(db.session.scalar(select(OutboxMessage)))
        assert client.post(path, data={"new": NEW, "confirm": NEW}).status_code == 400
        assert app.test_client().get(path).status_code == 200  # the link still works


def test_a_malformed_address_is_refused_without_a_word_about_accounts(app):
    client = app.test_client()
    page = client.get("/password/forgot").get_data(as_text=True)
    resp = client.post("/password/forgot", data={"csrf_token": csrf_of(page), "email": "khong-phai-email"})
    assert resp.status_code == 422 and SAME_ANSWER not in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_reset_mail_is_delivered_with_its_stored_words_and_the_configured_address(app, make_user, frozen,
                                                                                      monkeypatch):
    """The outbox renders digests from the ledger; a message with no digest behind it goes out as stored."""
    import email
    import email.policy

    from tracker.reminders import outbox

    sent = []

    class Server:
        def sendmail(self, sender, to, data):
            sent.append(email.message_from_bytes(data, policy=email.policy.default))

        def quit(self):
            pass

    make_user("sec@d.test", "admin")
    before = {k: app.config.get(k) for k in ("BASE_URL", "MAIL_SERVER", "MAIL_DEFAULT_SENDER")}
    app.config.update(BASE_URL="https://dai-hoi.example.vn/", MAIL_SERVER="smtp.d.test",
                      MAIL_DEFAULT_SENDER="tracker@d.test")
    monkeypatch.setattr(outbox, "connect", lambda settings: Server())
    try:
        with frozen(NOW):
            ask_link(app, "sec@d.test")
        result = outbox.deliver(db.session, force=True)  # queued at the frozen moment, sent now
    finally:
        app.config.update(before)
    assert (result.sent, result.failed) == (1, 0)
    [msg] = sent
    assert msg["To"] == "sec@d.test" and str(msg["Subject"]) == "Đặt lại mật khẩu"
    text = msg.get_body(("plain",)).get_content()
    assert re.search(r"https://dai-hoi\.example\.vn/password/reset/\S+", text) and "trong vòng 60 phút" in text
    assert "https://dai-hoi.example.vn/password/reset/" in msg.get_body(("html",)).get_content()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "sent" and row.notification_id is None and row.subject == "Đặt lại mật khẩu"
