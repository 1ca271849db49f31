"""The inbox, the unread badge, the delivery page, the reminder settings, the heartbeat and the API."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_of
from tests.factories import leave_open
from tracker.extensions import db
from tracker.models import Campaign, Heartbeat, Notification, OutboxMessage
from tracker.reminders.sweep import sweep

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SWEPT = datetime(2030, 5, 10, 8, 0, tzinfo=HCM)


@pytest.fixture
def reminded(make_group, make_unit, make_user):
    """U1 (group G1) with one item overdue; its secretary, a group member and an admin; the sweep has run."""
    make_group("G1")
    unit = make_unit("U1", group="G1", name="Đảng bộ xã An Phú")
    leave_open(unit, ("plan_issued",), date(2030, 5, 5))
    sec = make_user("sec@d.test", "secretary", unit="U1")
    member = make_user("g1@d.test", "group", group="G1")
    admin = make_user("admin@d.test", "admin")
    viewer = make_user("viewer@d.test", "viewer")
    sweep(db.session, SWEPT)
    db.session.commit()
    return {"sec": sec, "member": member, "admin": admin, "viewer": viewer, "unit": unit}


def test_inbox_lists_the_digest_with_links_and_marks_it_read(reminded, login):
    client = login(reminded["member"])
    page = client.get("/inbox").get_data(as_text=True)
    assert "Hộp thư" in page or "Nhắc việc" in page
    assert "U1 — Đảng bộ xã An Phú" in page and 'href="/units/U1"' in page
    assert "Ban hành kế hoạch tổ chức đại hội" in page and "05/05/2030" in page
    assert "unread-count\" aria-hidden=\"true\">1<" in page
    n = db.session.scalar(select(Notification).join(Notification.user).where(Notification.user_id == reminded["member"].id))
    resp = client.post(f"/inbox/{n.id}/read", data={"csrf_token": csrf_of(page)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, n.id).read_at is not None
    page = client.get("/inbox").get_data(as_text=True)
    assert "unread-count" not in page


def test_mark_read_needs_csrf_and_only_ones_own(reminded, login):
    other = db.session.scalar(select(Notification).where(Notification.user_id == reminded["sec"].id))
    client = login(reminded["member"])
    page = client.get("/inbox").get_data(as_text=True)
    assert client.post(f"/inbox/{other.id}/read").status_code == 400
    assert client.post(f"/inbox/{other.id}/read", data={"csrf_token": csrf_of(page)}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, other.id).read_at is None
    assert client.post("/inbox/read-all", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.read_at.is_(None))) == 1  # the secretary's


def test_unread_badge_is_one_query(reminded, login, count_queries):
    client = login(reminded["member"])
    client.get("/inbox")
    with count_queries() as counter:
        client.get("/inbox")
    assert sum("count(notifications.id)" in s for s in counter.statements) <= 3  # page total, unread, badge


def test_inbox_requires_sign_in(app):
    resp = app.test_client().get("/inbox")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("path", ["/inbox/delivery", "/inbox/settings"])
def test_admin_pages_are_admin_only(reminded, login, path):
    for who in ("sec", "member", "viewer"):
        assert login(reminded[who]).get(path).status_code == 403
    assert login(reminded["admin"]).get(path).status_code == 200


def test_delivery_page_shows_status_and_retry_now_requeues(reminded, login):
    msg = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == "g1@d.test"))
    msg.status, msg.attempts, msg.last_error = "failed", 8, "ConnectionRefusedError: [Errno 111]"
    msg.next_attempt_at = datetime(2099, 1, 1, tzinfo=UTC)
    db.session.commit()
    client = login(reminded["admin"])
    page = client.get("/inbox/delivery?status=failed").get_data(as_text=True)
    assert "g1@d.test" in page and "ConnectionRefusedError" in page and "8/8" in page
    sec = login(reminded["sec"])
    assert sec.post(f"/inbox/delivery/{msg.id}/retry", data={"csrf_token": csrf_of(page)}).status_code in (400, 403)
    assert client.post(f"/inbox/delivery/{msg.id}/retry").status_code == 400  # no CSRF token
    resp = client.post(f"/inbox/delivery/{msg.id}/retry", data={"csrf_token": csrf_of(page)})
    assert resp.status_code == 302
    db.session.expire_all()
    again = db.session.get(OutboxMessage, msg.id)
    assert again.status == "pending" and again.next_attempt_at.year < 2099
    assert client.post("/inbox/delivery/999999/retry", data={"csrf_token": csrf_of(page)}).status_code == 404


def test_settings_page_saves_the_policy_and_refuses_bad_input(reminded, login):
    client = login(reminded["admin"])
    page = client.get("/inbox/settings").get_data(as_text=True)
    assert 'value="3,1"' in page
    good = {"csrf_token": csrf_of(page), "due_soon_days": "5, 2,1", "overdue_repeat_days": "2",
            "escalation_days": "10", "send_hour": "8", "working_days_only": "y"}
    assert client.post("/inbox/settings", data=good).status_code == 302
    db.session.expire_all()
    c = db.session.scalar(select(Campaign))
    assert (c.due_soon_days, c.overdue_repeat_days, c.escalation_days, c.send_hour, c.working_days_only) == \
        ("5,2,1", 2, 10, 8, True)
    for field, value in (("due_soon_days", "tomorrow"), ("due_soon_days", "-1"), ("overdue_repeat_days", "0"),
                         ("escalation_days", "x"), ("send_hour", "24")):
        resp = client.post("/inbox/settings", data={**good, "due_soon_days": "3", field: value})
        assert resp.status_code == 422, field
        db.session.expire_all()
        assert db.session.scalar(select(Campaign.due_soon_days)) == "5,2,1"
    assert client.post("/inbox/settings", data={**good, "csrf_token": ""}).status_code == 400
    blank = client.post("/inbox/settings", data={**good, "send_hour": ""})
    assert blank.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Campaign.send_hour)) is None


def test_heartbeat_panel_warns_when_the_sweep_has_not_run(reminded, login, frozen):
    client = login(reminded["admin"])
    page = client.get("/inbox/settings").get_data(as_text=True)
    assert "alert-warning" in page  # never ran
    now = datetime(2030, 5, 10, 1, 0, tzinfo=UTC)
    db.session.add(Heartbeat(name="reminders", at=now, detail="queued 3"))
    db.session.commit()
    with frozen(now + timedelta(minutes=5)):  # sign in at the frozen moment: session cookies carry a date
        page = login(reminded["admin"]).get("/inbox/delivery").get_data(as_text=True)
        assert "alert-warning" not in page and "10/05/2030 08:00" in page
    with frozen(now + timedelta(hours=2)):
        assert "alert-warning" in login(reminded["admin"]).get("/inbox/delivery").get_data(as_text=True)


def test_api_lists_the_callers_notifications(reminded, client_for_api):
    headers = client_for_api(reminded["member"])
    resp = headers.get("/api/v1/notifications")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["total"] == 1 and body["unread"] == 1
    item = body["items"][0]
    assert item["ref_date"] == "2030-05-10" and "U1" in item["body"] and item["read"] is False
    assert headers.post(f"/api/v1/notifications/{item['id']}/read").get_json()["read"] is True
    assert headers.get("/api/v1/notifications?unread=true").get_json()["total"] == 0
    other = db.session.scalar(select(Notification.id).where(Notification.user_id == reminded["sec"].id))
    assert headers.post(f"/api/v1/notifications/{other}/read").status_code == 404
    assert headers.get("/api/v1/notifications?per_page=0").status_code == 422
    assert headers.get("/api/v1/notifications?unread=maybe").status_code == 422


def test_api_needs_a_token(app):
    resp = app.test_client().get("/api/v1/notifications")
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


@pytest.fixture
def client_for_api(app, token_for):
    """client_for_api(user) → a test client that sends the user's bearer token."""
    class Client:
        def __init__(self, headers):
            self.c, self.h = app.test_client(), headers

        def get(self, path):
            return self.c.get(path, headers=self.h)

        def post(self, path, **kw):
            return self.c.post(path, headers=self.h, **kw)
    return lambda user: Client(token_for(user))
