"""The iCalendar feeds: content, scope per user, group and campaign, the secret address, /me's calendar_url."""
from datetime import date
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from tests.conftest import NOW, csrf_of
from tests.factories import make_unit
from tracker.calendar import calendar_url, tokens
from tracker.calendar.models import CalendarToken
from tracker.extensions import db
from tracker.readmodel import stage_cells
from tracker.workflow import STAGES


def secret_of(user) -> str:
    secret = tokens.ensure(user)
    db.session.commit()
    return secret


def fetch(app, path, status=200):
    """A feed read by a calendar app: no session, no cookie."""
    resp = app.test_client().get(path)
    assert resp.status_code == status, resp.status_code
    return resp


def parse(resp) -> Calendar:
    cal = Calendar.from_ical(resp.data)
    for prop in ("VERSION", "PRODID"):
        assert prop in cal
    for event in cal.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "URL"):
            assert prop in event, prop
    return cal


def uids(cal) -> set[str]:
    return {str(e["UID"]) for e in cal.walk("VEVENT")}


def units_in(cal) -> set[str]:
    """The unit codes the events link to."""
    return {str(e["URL"]).rsplit("/", 1)[-1] for e in cal.walk("VEVENT")}


def test_secretary_feed_content(app, world):
    make_unit("S1", "sub_cell", parent="U1", congress_date=date(2030, 5, 10))
    resp = fetch(app, f"/calendar/feed/{secret_of(world['secretary'])}.ics")
    assert resp.mimetype == "text/calendar"
    assert "no-store" in resp.headers["Cache-Control"]
    cal = parse(resp)
    assert units_in(cal) == {"U1", "S1"}  # their unit and the cell under it, not U2
    u1 = world["u1"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    congress = events[f"unit-{u1.id}-congress-day@localhost"]
    assert congress["DTSTART"].dt == date(2030, 5, 20)
    assert str(congress["SUMMARY"]) == "Đại hội: Đơn vị U1"
    assert str(congress["URL"]) == "http://localhost/units/U1" and "http://localhost/units/U1" in str(
        congress["DESCRIPTION"])
    due = stage_cells([u1.id], date(2030, 4, 1))[u1.id]
    for stage in STAGES:
        event = events[f"unit-{u1.id}-{stage}@localhost"]
        assert event["DTSTART"].dt == due[stage].due_on  # the read model's due date, not re-derived
        assert str(event["SUMMARY"]).startswith("Hạn ")
    rehearsal = events[f"unit-{u1.id}-rehearsal@localhost"]
    assert "Đơn vị U1" in str(rehearsal["SUMMARY"])


def test_uids_are_stable_when_a_date_moves(app, world):
    path = f"/calendar/feed/{secret_of(world['secretary'])}.ics"
    before = parse(fetch(app, path))
    from tracker.services import units as unit_service
    unit_service.update_unit(world["u1"], {"congress_date": date(2030, 6, 3)}, None, NOW)
    db.session.commit()
    after = parse(fetch(app, path))
    assert uids(before) == uids(after)
    moved = {str(e["UID"]): e["DTSTART"].dt for e in after.walk("VEVENT")}
    assert moved[f"unit-{world['u1'].id}-congress-day@localhost"] == date(2030, 6, 3)


def test_no_personnel_or_complaint_content(app, world):
    text = fetch(app, f"/calendar/feed/{secret_of(world['admin'])}/campaign.ics").get_data(as_text=True)
    for word in ("Nguyễn Văn Bí Thư", "@example.org", "đơn thư", "khiếu nại", "ứng cử"):
        assert word.lower() not in text.lower()


def test_scopes_per_user_group_and_campaign(app, world):
    make_unit("C1", "grassroots_cell", "G1")
    member = secret_of(world["member"])
    assert units_in(parse(fetch(app, f"/calendar/feed/{member}.ics"))) == {"U1", "C1"}  # their group's
    assert units_in(parse(fetch(app, f"/calendar/feed/{member}/group/G2.ics"))) == {"U2"}
    fetch(app, f"/calendar/feed/{member}/campaign.ics", 404)  # the campaign feed: admins and viewers
    fetch(app, f"/calendar/feed/{member}/group/NOPE.ics", 404)
    viewer = secret_of(world["viewer"])
    assert units_in(parse(fetch(app, f"/calendar/feed/{viewer}/campaign.ics"))) == {"U1", "U2", "C1"}
    assert units_in(parse(fetch(app, f"/calendar/feed/{viewer}.ics"))) == {"U1", "U2", "C1"}
    secretary = secret_of(world["secretary"])
    fetch(app, f"/calendar/feed/{secretary}/group/G1.ics", 404)
    fetch(app, f"/calendar/feed/{secretary}/campaign.ics", 404)


@pytest.mark.parametrize("secret", ["nope", "x" * 65, "A" * 43])
def test_unknown_token_is_404(app, world, secret):
    fetch(app, f"/calendar/feed/{secret}.ics", 404)


def test_inactive_user_feed_is_404(app, world):
    secret = secret_of(world["viewer"])
    world["viewer"].active = False
    db.session.commit()
    fetch(app, f"/calendar/feed/{secret}.ics", 404)


def test_revoke_and_renew_from_the_page(app, world, login):
    user = world["secretary"]
    client = login(user)
    html = client.get("/calendar/subscribe").get_data(as_text=True)
    old = db.session.query(CalendarToken).filter_by(user_id=user.id).one().secret
    assert f"/calendar/feed/{old}.ics" in html and "cal-copy" in html
    assert client.get("/calendar/subscribe").headers["Cache-Control"] == "no-store"
    assert client.post("/calendar/subscribe/revoke").status_code == 400  # no CSRF token: refused
    fetch(app, f"/calendar/feed/{old}.ics")
    assert client.post("/calendar/subscribe/revoke", data={"csrf_token": csrf_of(html)}).status_code == 302
    fetch(app, f"/calendar/feed/{old}.ics", 404)
    db.session.expire_all()
    assert calendar_url(db.session.get(type(user), user.id)) == ""
    html = client.get("/calendar/subscribe").get_data(as_text=True)
    assert "/calendar/feed/" not in html
    assert client.post("/calendar/subscribe/renew", data={"csrf_token": csrf_of(html)}).status_code == 302
    db.session.expire_all()
    new = db.session.query(CalendarToken).filter_by(user_id=user.id).one().secret
    assert new and new != old and len(new) >= 43
    fetch(app, f"/calendar/feed/{old}.ics", 404)
    parse(fetch(app, f"/calendar/feed/{new}.ics"))


def test_calendar_url_is_absolute_and_opens_the_feed(app, world):
    url = calendar_url(world["member"])
    db.session.commit()
    assert url.startswith("http://localhost:5000/calendar/feed/") and url.endswith(".ics")  # TRACKER_BASE_URL
    assert url == calendar_url(world["member"])  # stable until renewed
    parse(fetch(app, urlsplit(url).path))
    with app.test_request_context(base_url="https://dai-hoi.example.vn"):
        assert calendar_url(world["member"]).startswith("https://dai-hoi.example.vn/calendar/feed/")


def test_me_gives_the_calendar_url(app, world, token_for):
    client = app.test_client()
    headers = token_for(world["member"])
    url = client.get("/api/v1/me", headers=headers).get_json()["calendar_url"]
    assert url.startswith("http://localhost/calendar/feed/")
    assert client.get("/api/v1/me", headers=headers).get_json()["calendar_url"] == url  # kept (committed)
    parse(fetch(app, urlsplit(url).path))
    tokens.revoke(world["member"])
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).get_json()["calendar_url"] is None
    fetch(app, urlsplit(url).path, 404)


def test_the_account_page_shows_the_address_and_renews_it(app, world, login):
    client = login(world["viewer"])
    resp = client.get("/account")
    html = resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == "no-store"
    secret = db.session.query(CalendarToken).filter_by(user_id=world["viewer"].id).one().secret
    assert f"/calendar/feed/{secret}.ics" in html and f"/calendar/feed/{secret}/campaign.ics" in html
    assert "/group/G1.ics" in html and "cal-copy" in html and "Lịch đại hội trong ứng dụng lịch" in html
    resp = client.post("/calendar/subscribe/renew", data={"csrf_token": csrf_of(html), "back": "account"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")
    fetch(app, f"/calendar/feed/{secret}.ics", 404)
