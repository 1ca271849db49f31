"""Delivery through a real SMTP server on loopback (aiosmtpd): digests arrive once; SMTP down, silent or
refusing TLS leaves everything queued and later delivered; leases, retries, the last try, no server."""
from __future__ import annotations

import collections
import socket
import ssl
import subprocess
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import free_port
from tests.factories import leave_open
from tests.reminders.smtp_sink import Sink
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.reminders.outbox import MAX_ATTEMPTS, MailSettings, deliver, retry_now
from tracker.reminders.sweep import sweep

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


class Silent:
    """A server that accepts connections and never says a word (a hung SMTP server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                return

    def stop(self):
        self.stopped = True
        for c in self.held:
            c.close()
        self.sock.close()


@pytest.fixture
def queued(make_group, make_unit, make_user):
    """Digests queued for U1's secretary and the group member (one overdue item, one due soon)."""
    make_group("G1")
    unit = make_unit("U1", group="G1", name="Đảng bộ xã An Phú")
    leave_open(unit, ("plan_issued", "complaints_settled"), date(2030, 5, 11), {"plan_issued": date(2030, 5, 5)},
               note="Nguyễn Văn A: nội dung đơn XYZ-42")  # notes never go into a reminder
    make_user("sec@d.test", "secretary", unit="U1")
    make_user("g1@d.test", "group", group="G1")
    make_user("g1b@d.test", "group", group="G1")
    sweep(db.session, datetime(2030, 5, 10, 8, 0, tzinfo=HCM))
    db.session.commit()
    return 3


def statuses():
    db.session.expire_all()
    return collections.Counter(m.status for m in db.session.scalars(select(OutboxMessage)))


def test_digests_arrive_once_as_text_and_html_in_vietnamese(queued, mail):
    sink = Sink().start()
    try:
        mail(sink.port)
        result = deliver(db.session)
        assert (result.sent, result.failed, result.waiting) == (3, 0, 0)
        assert deliver(db.session, force=True).sent == 0
        assert sink.recipients() == {"sec@d.test": 1, "g1@d.test": 1, "g1b@d.test": 1}
        msg = sink.parsed("g1@d.test")
        assert msg["Subject"].startswith("Nhắc việc") and msg["From"] == "tracker@district.test"
        plain = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert "U1 — Đảng bộ xã An Phú" in plain and "05/05/2030" in plain and "quá hạn" in plain
        assert 'href="http://localhost:5000/units/U1"' in html
        assert "XYZ-42" not in plain and "XYZ-42" not in html and "Nguyễn Văn A" not in plain
        assert statuses() == {"sent": 3}
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == "sec@d.test"))
        assert row.attempts == 1 and row.sent_at is not None and row.last_error == ""
    finally:
        sink.stop()


def test_smtp_down_keeps_everything_queued_then_delivers_each_once(queued, mail):
    port = free_port()  # nothing listens there
    mail(port)
    down = deliver(db.session)
    assert down.sent == 0 and down.failed == 1 and down.waiting == 3 and "unreachable" in down.note
    assert statuses() == {"pending": 3}
    tried = db.session.scalar(select(OutboxMessage).where(OutboxMessage.attempts == 1))
    assert "ConnectionRefused" in tried.last_error and tried.next_attempt_at > datetime.now(UTC)
    # the failed one waits for its retry; the others were not touched and go at the next run
    sink = Sink(port).start()
    try:
        assert deliver(db.session).sent == 2
        assert deliver(db.session, force=True).sent == 1
        assert sink.recipients() == {"sec@d.test": 1, "g1@d.test": 1, "g1b@d.test": 1}
        assert statuses() == {"sent": 3}
    finally:
        sink.stop()


def test_smtp_silent_times_out_keeps_everything_queued_then_delivers(queued, mail):
    silent = Silent()
    try:
        mail(silent.port, MAIL_TIMEOUT="1")  # a string, as from the environment
        started = time.monotonic()
        result = deliver(db.session)
        assert time.monotonic() - started < 10
        assert result.sent == 0 and result.failed == 1 and statuses() == {"pending": 3}
        assert "timed out" in db.session.scalar(select(OutboxMessage.last_error).where(OutboxMessage.attempts == 1))
    finally:
        silent.stop()
    sink = Sink().start()
    try:
        mail(sink.port)
        assert deliver(db.session, force=True).sent == 3
        assert sink.recipients() == {"sec@d.test": 1, "g1@d.test": 1, "g1b@d.test": 1}
    finally:
        sink.stop()


def test_without_an_smtp_server_mail_stays_queued_and_is_logged(queued, app, caplog):
    app.config["MAIL_SERVER"] = None
    result = deliver(db.session)
    assert (result.sent, result.failed, result.waiting) == (0, 0, 3)
    assert "no SMTP server configured" in caplog.text
    assert statuses() == {"pending": 3}
    assert all(m.attempts == 0 for m in db.session.scalars(select(OutboxMessage)))


def test_a_stuck_sending_message_returns_after_its_lease_and_a_live_lease_is_respected(queued, mail):
    now = datetime.now(UTC)
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    rows[0].status, rows[0].attempts, rows[0].lease_until = "sending", 1, now - timedelta(minutes=1)
    rows[1].status, rows[1].attempts, rows[1].lease_until = "sending", 1, now + timedelta(minutes=10)
    db.session.commit()
    sink = Sink().start()
    try:
        mail(sink.port)
        result = deliver(db.session)
        assert result.sent == 2 and result.waiting == 1  # the live lease belongs to another process
        assert statuses() == {"sent": 2, "sending": 1}
    finally:
        sink.stop()


def test_the_last_failed_try_marks_failed_and_retry_now_sends_it(queued, mail):
    db.session.execute(OutboxMessage.__table__.update().values(attempts=MAX_ATTEMPTS - 1))
    db.session.commit()
    mail(free_port())
    deliver(db.session, force=True)
    assert statuses() == {"failed": 1, "pending": 2}
    failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
    assert failed.last_error and failed.attempts == MAX_ATTEMPTS
    sink = Sink().start()
    try:
        mail(sink.port)
        assert deliver(db.session, force=True).sent == 2  # a failed message is not retried by itself…
        assert statuses() == {"sent": 2, "failed": 1}
        assert retry_now(db.session, failed.id, datetime.now(UTC))  # … an admin puts it back
        db.session.commit()
        assert deliver(db.session).sent == 1
        assert sum(sink.recipients().values()) == 3 and statuses() == {"sent": 3}
    finally:
        sink.stop()


def test_backoff_grows_between_tries(queued, mail):
    mail(free_port())
    waits = []
    for _ in range(3):
        before = datetime.now(UTC)
        deliver(db.session, force=True)
        row = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.attempts.desc()).limit(1))
        waits.append((row.next_attempt_at - before).total_seconds())
    assert waits[0] >= 50 and waits[1] > waits[0] and waits[2] > waits[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for localhost (key, cert paths), made with the openssl command."""
    import shutil
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    key, cert = d / "key.pem", d / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return str(key), str(cert)


def _server_context(certificate):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(certificate[1], certificate[0])
    return ctx


def test_starttls_verifies_the_certificate(queued, mail, certificate, monkeypatch):
    sink = Sink(hostname="localhost", tls_context=_server_context(certificate), require_starttls=True).start()
    try:
        mail(sink.port, server="localhost", MAIL_USE_TLS="true")
        result = deliver(db.session)  # self-signed, not trusted: refused, nothing lost
        assert result.sent == 0 and statuses() == {"pending": 3}
        assert "CERTIFICATE_VERIFY_FAILED" in db.session.scalar(
            select(OutboxMessage.last_error).where(OutboxMessage.attempts == 1))
        monkeypatch.setenv("SSL_CERT_FILE", certificate[1])  # now the system trusts it
        assert deliver(db.session, force=True).sent == 3
        assert sink.recipients() == {"sec@d.test": 1, "g1@d.test": 1, "g1b@d.test": 1}
    finally:
        sink.stop()


def test_ssl_verifies_the_certificate(queued, mail, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[1])  # the controller's own readiness check needs it
    sink = Sink(hostname="localhost", ssl_context=_server_context(certificate)).start()
    try:
        monkeypatch.delenv("SSL_CERT_FILE")
        mail(sink.port, server="localhost", MAIL_USE_SSL=True)
        assert deliver(db.session).sent == 0 and statuses() == {"pending": 3}
        monkeypatch.setenv("SSL_CERT_FILE", certificate[1])
        assert deliver(db.session, force=True).sent == 3
    finally:
        sink.stop()


@pytest.mark.parametrize("raw, expected", [
    ({"MAIL_SERVER": "smtp.x", "MAIL_PORT": "587", "MAIL_USE_TLS": "true", "MAIL_TIMEOUT": "5"},
     ("smtp.x", 587, True, False, 5.0)),
    ({"MAIL_SERVER": "smtp.x", "MAIL_PORT": 465, "MAIL_USE_TLS": False, "MAIL_USE_SSL": True, "MAIL_TIMEOUT": 5},
     ("smtp.x", 465, False, True, 5.0)),
    ({"MAIL_SERVER": "smtp.x", "MAIL_USE_TLS": "false", "MAIL_USE_SSL": "no", "MAIL_PORT": "x"},
     ("smtp.x", 25, False, False, 15.0)),
    ({"MAIL_SERVER": "", "MAIL_USE_SSL": "1"}, (None, 465, False, True, 15.0)),
])
def test_mail_settings_accept_what_the_environment_gives(raw, expected):
    s = MailSettings.from_config(raw)
    assert (s.server, s.port, s.use_tls, s.use_ssl, s.timeout) == expected


def test_a_claim_taken_over_after_its_lease_keeps_the_new_holders_outcome(app):
    from datetime import timedelta

    from tests.conftest import NOW
    from tracker.extensions import db
    from tracker.models import OutboxMessage
    from tracker.reminders import outbox

    msg = OutboxMessage(to="a@x.vn", subject="s", text="t", next_attempt_at=NOW)
    db.session.add(msg)
    db.session.commit()
    assert outbox.claim(db.session, msg.id, NOW, 60, False)            # process A, attempt 1
    later = NOW + timedelta(minutes=5)
    assert outbox.release_stale(db.session, later) == 1                # A's lease ran out
    assert outbox.claim(db.session, msg.id, later, 60, False)          # process B, attempt 2
    outbox._record(db.session, msg.id, 1, {"status": "sent"})          # A finally answers: too late
    assert db.session.get(OutboxMessage, msg.id).status == "sending"
    outbox._record(db.session, msg.id, 2, {"status": "sent"})
    assert db.session.get(OutboxMessage, msg.id).status == "sent"
