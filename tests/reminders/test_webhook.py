"""The webhook channel against a real HTTP receiver on loopback (ThreadingHTTPServer): the signature verifies,
one POST per recipient and day, nothing lost while the receiver is down, nothing sent twice after a restart,
users without email, the channels people chose; the start-up checks of its settings."""
from __future__ import annotations

import collections
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from config import TestConfig
from tests.factories import leave_open
from tests.reminders.smtp_sink import Sink
from tracker import create_app
from tracker.extensions import db
from tracker.models import Notification, OutboxMessage, User
from tracker.reminders import channels as ch
from tracker.reminders.outbox import deliver
from tracker.reminders.sweep import sweep
from tracker.reminders.webhook import check_config, sign
from tracker.services import accounts

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "s3cret-for-tests"
ROOT = Path(__file__).resolve().parents[2]
NOTE = "Nguyễn Văn A: nội dung đơn XYZ-42"


class Receiver:
    """A real HTTP server in a thread: records each POST (headers, exact body); answers `status`."""

    def __init__(self, port: int = 0):
        self.posts: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append({"headers": dict(self.headers), "body": body, "path": self.path,
                                       "status": receiver.status})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, accepted_only=True) -> list[dict]:
        return [json.loads(p["body"]) for p in self.posts if not accepted_only or 200 <= p["status"] < 300]

    def by_recipient(self) -> collections.Counter:
        """How many digests each recipient got (answered 2xx)."""
        return collections.Counter((b["recipient"]["phone"] or b["recipient"]["email"]) for b in self.bodies())


@pytest.fixture
def hook(app):
    """hook(url) points the app at a webhook receiver (settings restored afterwards)."""
    keys = ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_TIMEOUT")
    saved = {k: app.config.get(k) for k in keys}

    def configure(url):
        app.config.update(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_TIMEOUT=5)
    yield configure
    app.config.update(saved)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def people(make_group, make_unit, make_user):
    """U1 (group G1) with an overdue and a due-soon item; its secretary (webhook only, with a phone), a group
    member by email only, one by email and webhook, one with no email at all (phone only, default channels)."""
    make_group("G1")
    unit = make_unit("U1", group="G1", name="Đảng bộ xã An Phú")
    leave_open(unit, ("plan_issued", "complaints_settled"), date(2030, 5, 11), {"plan_issued": date(2030, 5, 5)},
               note=NOTE)  # notes never go out
    who = {"sec": make_user("sec@d.test", "secretary", unit="U1", name="Nguyễn Văn Bí Thư"),
           "mail": make_user("mail@d.test", "group", group="G1"),
           "both": make_user("both@d.test", "group", group="G1"),
           "phone": accounts.create_user("", "Lê Thị Không Thư", "group", None, None, "G1", "0912 345 678",
                                         actor=None)}
    who["sec"].phone, who["sec"].channels = "0987654321", "inbox,webhook"
    who["both"].channels = "inbox,email,webhook"
    db.session.commit()
    return who


def run_sweep(day=10, hour=8):
    result = sweep(db.session, datetime(2030, 5, day, hour, 0, tzinfo=HCM))
    db.session.commit()
    return result


def outbox_rows():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_signed_json_once_per_recipient_and_day_and_channels_respected(app, people, hook, receiver, mail):
    hook(receiver.url)
    sink = Sink().start()
    try:
        mail(sink.port)
        run_sweep()
        run_sweep(hour=9)  # a second sweep of the day queues nothing
        first, second = deliver(db.session), deliver(db.session, force=True)
        assert (first.sent, first.failed, first.waiting) == (5, 0, 0) and second.sent == 0
        # webhook: the secretary (webhook only), "both", and the member without email (by phone)
        assert receiver.by_recipient() == {"0987654321": 1, "both@d.test": 1, "0912345678": 1}
        # mail: the email-only member and "both"; the webhook-only secretary gets no mail
        assert sink.recipients() == {"mail@d.test": 1, "both@d.test": 1}
        run_sweep(hour=20)
        assert deliver(db.session, force=True).sent == 0 and len(receiver.posts) == 3
    finally:
        sink.stop()
    for post in receiver.posts:
        expected = "sha256=" + hmac.new(SECRET.encode(), post["body"], hashlib.sha256).hexdigest()
        assert post["headers"]["X-Tracker-Signature"] == expected == sign(SECRET, post["body"])
        assert post["headers"]["Content-Type"].startswith("application/json")
        assert post["path"] == "/hook"
        assert NOTE.encode() not in post["body"] and b"XYZ-42" not in post["body"]  # no personnel content
        wrong = "sha256=" + hmac.new(b"another secret", post["body"], hashlib.sha256).hexdigest()
        assert post["headers"]["X-Tracker-Signature"] != wrong
    body = next(b for b in receiver.bodies() if b["recipient"]["phone"] == "0987654321")
    assert body["recipient"] == {"email": "sec@d.test", "phone": "0987654321", "name": "Nguyễn Văn Bí Thư"}
    assert body["day"] == "2030-05-10" and body["subject"].startswith("Nhắc việc ngày 10/05/2030")
    assert body["counts"] == {"overdue": 1, "due_soon": 1, "news": 0, "not_listed": 0}
    assert len(body["lines"]) == 2 and all(line.startswith("U1 — Đảng bộ xã An Phú") for line in body["lines"])
    assert body["url"].endswith("/inbox")
    nomail = next(b for b in receiver.bodies() if b["recipient"]["phone"] == "0912345678")
    assert nomail["recipient"]["email"] is None
    assert {(r.channel, r.status) for r in outbox_rows()} == {("email", "sent"), ("webhook", "sent")}


def test_nothing_lost_while_the_receiver_answers_500_or_is_down(app, people, hook, receiver):
    hook(receiver.url)
    run_sweep()
    receiver.status = 500
    failing = deliver(db.session)
    assert (failing.sent, failing.failed) == (0, 3)  # refused one by one: each waits for its retry
    assert {r.status for r in outbox_rows() if r.channel == "webhook"} == {"pending"}
    assert all(r.attempts == 1 and "500" in r.last_error for r in outbox_rows() if r.channel == "webhook")
    receiver.status = 200
    assert deliver(db.session).sent == 0  # not due yet: the backoff holds
    out = app.test_cli_runner().invoke(args=["reminders", "deliver", "--force"])
    assert out.exit_code == 0 and "sent 3, failed 0" in out.output
    assert receiver.by_recipient() == {"0987654321": 1, "both@d.test": 1, "0912345678": 1}
    assert len(receiver.posts) == 6  # three refused tries, then each once

    # not listening at all: the run stops at the first message, the rest waits untouched
    run_sweep(day=13)
    port = receiver.port
    receiver.stop()
    down = deliver(db.session)
    assert down.sent == 0 and down.failed == 1 and "webhook unreachable" in down.note
    waiting = [r for r in outbox_rows() if r.status == "pending" and r.channel == "webhook"]
    assert len(waiting) == 3 and sorted(r.attempts for r in waiting) == [0, 0, 1]
    back = Receiver(port)
    try:
        assert deliver(db.session, force=True).sent == 3
        assert deliver(db.session, force=True).sent == 0
        assert back.by_recipient() == {"0987654321": 1, "both@d.test": 1, "0912345678": 1}
        assert {b["day"] for b in back.bodies()} == {"2030-05-13"}
    finally:
        back.server.shutdown()
        back.server.server_close()


def test_a_receiver_that_keeps_refusing_ends_failed_and_a_redirect_is_not_delivery(app, people, hook, receiver):
    hook(receiver.url)
    run_sweep()
    receiver.status = 302  # a redirect would drop the POST body: not delivered
    for _ in range(20):
        deliver(db.session, force=True)
    rows = [r for r in outbox_rows() if r.channel == "webhook"]
    assert {r.status for r in rows} == {"failed"} and all("302" in r.last_error for r in rows)


@pytest.mark.slow  # a new process over the same database
def test_nothing_sent_twice_after_a_restart(app, people, hook, receiver):
    hook(receiver.url)
    run_sweep()
    assert deliver(db.session).sent == 5 - 2  # no SMTP server: mail waits, the webhook goes
    db.session.remove()
    env = dict(os.environ)
    env.update({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "FLASK_APP": "wsgi",
                "SECRET_KEY": "restart-test", "TRACKER_SCHEDULER": "off",
                "TRACKER_WEBHOOK_URL": receiver.url, "TRACKER_WEBHOOK_SECRET": SECRET})
    env.pop("FLASK_DEBUG", None)
    for args in (["reminders", "sweep", "--at", "2030-05-10T10:00:00+07:00"], ["reminders", "deliver", "--force"]):
        done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-800:]
    assert "sent 0, failed 0, waiting 2" in done.stdout  # the two mails wait for an SMTP server
    assert len(receiver.posts) == 3


def test_without_a_webhook_a_user_without_email_has_the_inbox_only(app, people, receiver):
    assert not app.config.get("WEBHOOK_URL")
    run_sweep()
    phone_user = people["phone"]
    assert db.session.scalar(select(Notification).where(Notification.user_id == phone_user.id)) is not None
    rows = outbox_rows()
    assert {r.channel for r in rows} == {"email"} and {r.to for r in rows} == {"mail@d.test", "both@d.test"}
    assert receiver.posts == []


def test_the_sql_rule_matches_the_python_rule(app, make_user):
    combos = []
    for i, (email, phone, chosen) in enumerate(
            (e, p, c) for e in ("x", None) for p in ("09", None) for c in
            ("inbox", "inbox,email", "inbox,webhook", "inbox,email,webhook")):
        if email is None and phone is None:
            continue
        user = User(email=f"u{i}@d.test" if email else None, phone=f"09000000{i:02d}" if phone else None,
                    name=f"u{i}", role="viewer", channels=chosen)
        db.session.add(user)
        combos.append(user)
    db.session.flush()
    for on in (True, False):
        for channel in ch.OUTBOX_CHANNELS:
            in_sql = set(db.session.scalars(select(User.id).where(ch.delivers_sql(channel, User, on))))
            in_python = {u.id for u in combos if ch.delivers(channel, u.channels, u.email, u.phone, on)}
            assert in_sql == in_python, (channel, on)
    db.session.rollback()


def test_channel_lists_are_validated_and_the_inbox_always_stays():
    assert ch.parse_channels("email") == ("inbox", "email")
    assert ch.parse_channels(" Webhook , email ") == ("inbox", "email", "webhook")
    assert ch.parse_channels("") == ("inbox", "email")
    with pytest.raises(ValueError, match="sms"):
        ch.parse_channels("email,sms")


@pytest.mark.parametrize(("settings", "message"), [
    ({"ENV": "production", "WEBHOOK_URL": "http://gw.example/hook", "WEBHOOK_SECRET": "x"}, "must use https"),
    ({"WEBHOOK_URL": "https://gw.example/hook"}, "TRACKER_WEBHOOK_SECRET must be set"),
    ({"WEBHOOK_URL": "ftp://gw.example/hook", "WEBHOOK_SECRET": "x"}, "http(s) URL"),
])
def test_bad_webhook_settings_refuse_to_start(settings, message):
    class Config(TestConfig):
        pass
    for key, value in settings.items():
        setattr(Config, key, value)
    with pytest.raises(RuntimeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_app(Config)


def test_good_webhook_settings_pass():
    check_config({"ENV": "production", "WEBHOOK_URL": "https://gw.example/hook", "WEBHOOK_SECRET": "x"})
    check_config({"ENV": "development", "WEBHOOK_URL": "http://127.0.0.1:9/hook", "WEBHOOK_SECRET": "x"})
    check_config({"ENV": "production"})  # no webhook at all


def test_production_refusal_from_the_environment(tmp_path):
    env = dict(os.environ, TRACKER_ENV="production", SECRET_KEY="k", DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
               TRACKER_WEBHOOK_URL="http://gw.example/hook", TRACKER_WEBHOOK_SECRET="x", FLASK_APP="wsgi",
               TRACKER_SCHEDULER="off")
    done = subprocess.run([sys.executable, "-m", "flask", "reminders", "deliver"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "TRACKER_WEBHOOK_URL must use https" in done.stderr


def test_the_delivery_page_marks_webhook_rows(app, people, hook, receiver, make_user, login):
    hook(receiver.url)
    run_sweep()
    client = login(make_user("office@d.test", "admin"))
    page = client.get("/inbox/delivery").get_data(as_text=True)
    assert page.count("tin nhắn SMS hoặc Zalo</span>") == 3 and "0987654321" in page
