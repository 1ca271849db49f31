"""The pages' edge under odd input: a clear error page with the security headers, never a 500, nothing changed."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_of
from tests.factories import API
from tracker.campaigns.service import copy_campaign
from tracker.extensions import db
from tracker.headers import CSP
from tracker.models import Unit, User, WorkingGroup

BAD_IDS = ["²", "٣", "99999999999999999999", "", "-1", "0", "1e3", "2147483648"]


def _an_error_page(resp, status=404):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.headers["Content-Security-Policy"] == CSP and resp.headers["X-Frame-Options"] == "DENY"
    assert "<html" in resp.get_data(as_text=True)


@pytest.mark.parametrize("who", ["admin", "viewer", "secretary", "member"])
def test_a_bad_campaign_in_the_query_is_a_404_page_for_everyone(world, login, who):
    client = login(world[who])
    paths = ["/units/U1", "/calendar"] + ([] if who == "secretary" else ["/"])  # a secretary's / redirects
    for raw in BAD_IDS:
        for path in paths:
            _an_error_page(client.get(path, query_string={"campaign": raw}))


@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_bad_campaign_in_the_api_query_is_404_json(world, app, token_for, raw):
    resp = app.test_client().get(f"{API}/units", query_string={"campaign": raw}, headers=token_for(world["admin"]))
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert "campaign" in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("raw", ["٣", "²", str(10**20), "2147483648", "-1", "abc"])
def test_switching_to_an_odd_campaign_id_is_404(world, campaign, login, raw):
    copy_campaign(campaign, "Nhiệm kỳ 2035–2040", "2035–2040")
    db.session.commit()
    admin = login(world["admin"])
    token = csrf_of(admin.get("/").get_data(as_text=True))
    resp = admin.post("/campaigns/switch", data={"campaign": raw, "csrf_token": token, "next": "/"})
    _an_error_page(resp)
    assert admin.get("/").status_code == 200  # still in the active campaign


@pytest.mark.parametrize("who", ["admin", "viewer", "secretary", "member"])
def test_a_body_over_the_limit_is_413_for_every_role(world, app, login, token_for, who):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    client = login(world[who])
    for path in ("/units/U1/stages/dissemination/items/x", "/campaigns/switch", "/account"):
        resp = client.post(path, data=big, content_type="application/x-www-form-urlencoded")
        _an_error_page(resp, 413)
    resp = app.test_client().post(f"{API}/units", data=big, content_type="application/json",
                                  headers=token_for(world[who]))
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "too_large"


def _new_unit(client, **fields):
    token = csrf_of(client.get("/admin/units/new").get_data(as_text=True))
    return client.post("/admin/units/new", data={"csrf_token": token, "code": "N1", "name": "Chi bộ mới",
                                                 "kind": "grassroots_cell", "party_members": "5", **fields})


@pytest.mark.parametrize("fields,bad", [({"name": "Chi bộ\x03"}, "name"), ({"code": "N\x1b1"}, "code"),
                                        ({"name": "\x7f\x08"}, "name")])
def test_a_control_character_in_a_form_is_a_field_error_and_saves_nothing(world, login, fields, bad):
    client = login(world["admin"])
    resp = _new_unit(client, **fields)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "Không được dùng ký tự điều khiển" in page or "Control characters" in page, page[:2000]
    assert db.session.scalar(select(Unit).where(Unit.code.like("N%"))) is None


def test_line_breaks_in_a_one_line_form_field_become_spaces(world, login):
    client = login(world["admin"])
    resp = _new_unit(client, name="Chi bộ\r\nẤp 1\txã A")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert db.session.scalar(select(Unit.name).where(Unit.code == "N1")) == "Chi bộ Ấp 1 xã A"


def test_a_control_character_in_a_note_on_the_unit_page_is_refused(world, login):
    from tracker.models import Item, JournalEntry
    client = login(world["admin"])
    item = db.session.scalar(select(Item).where(Item.unit_id == world["u1"].id, Item.stage == "dissemination"))
    token = csrf_of(client.get("/units/U1").get_data(as_text=True))
    resp = client.post(f"/units/U1/items/dissemination/{item.key}",
                       data={"csrf_token": token, "done": "1", "version": str(item.version), "note": "a\x1bb"})
    assert resp.status_code in (302, 303, 422)
    db.session.expire_all()
    assert not db.session.get(Item, item.id).done
    assert db.session.scalar(select(JournalEntry).where(JournalEntry.action == "tick")) is None


def test_exports_strip_control_characters_already_in_the_database(world, login):
    import csv
    import io

    import docx
    import openpyxl
    from sqlalchemy import update

    db.session.execute(update(Unit).where(Unit.code == "U1").values(name="Xã\x03 Mỹ\x1bLong\x0b"))
    db.session.commit()
    client = login(world["admin"])
    resp = client.get("/reports/export.xlsx")
    assert resp.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(resp.data))
    cells = [c.value for ws in sheets.worksheets for row in ws.iter_rows() for c in row]
    assert "Xã MỹLong" in cells
    resp = client.get("/reports/export.csv")
    assert resp.status_code == 200
    text = resp.data.decode("utf-8-sig")
    assert "Xã MỹLong" in text and "\x03" not in text and "\x1b" not in text
    assert list(csv.reader(io.StringIO(text), delimiter=";"))
    for url in ("/reports/export.docx", "/reports/progress.docx?on=2030-06-01"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        document = docx.Document(io.BytesIO(resp.data))
        body = "\n".join(p.text for p in document.paragraphs) + "".join(
            c.text for t in document.tables for r in t.rows for c in r.cells)
        assert "\x03" not in body


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "1999-12-31", "2030-02-30", "31/12/9999", "x"])
def test_query_dates_outside_the_planned_years_never_fail(world, login, raw):
    client = login(world["admin"])
    resp = client.get("/calendar", query_string={"date": raw})
    assert resp.status_code == 200
    resp = client.get("/calendar", query_string={"date": raw, "view": "week"})
    assert resp.status_code == 200
    resp = client.get("/reports/progress.docx", query_string={"on": raw})
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "2000" in page and "2100" in page  # the message says which days are taken


def test_a_calendar_date_far_off_says_so(world, login):
    client = login(world["admin"])
    page = client.get("/calendar?date=9999-12-31").get_data(as_text=True)
    assert "2000" in page and "2100" in page


def test_reminder_settings_of_an_archived_campaign_are_read_only(world, campaign, login):
    from tracker.models import Campaign

    old_id = campaign.id
    copy_campaign(campaign, "Nhiệm kỳ 2035–2040", "2035–2040")
    db.session.commit()
    admin = login(world["admin"])
    token = csrf_of(admin.get("/").get_data(as_text=True))
    admin.post("/campaigns/switch", data={"campaign": old_id, "csrf_token": token, "next": "/"})
    page = admin.get("/inbox/settings")
    assert page.status_code == 200
    assert "đã lưu trữ" in page.get_data(as_text=True).lower()
    before = db.session.get(Campaign, old_id).due_soon_days
    resp = admin.post("/inbox/settings", data={"csrf_token": csrf_of(page.get_data(as_text=True)),
                                               "due_soon_days": "5", "overdue_repeat_days": "2",
                                               "escalation_days": "9", "send_hour": ""})
    assert resp.status_code == 422
    assert "lưu trữ" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, old_id).due_soon_days == before


def _six_at_once(app, signed_in, path, data):
    """POST data to path from six clients of one signed-in session at the same moment: their answers."""
    import threading

    token = csrf_of(signed_in.get(path).get_data(as_text=True))
    cookie = signed_in.get_cookie("session")
    barrier, answers = threading.Barrier(6), []

    def run():
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value)
        barrier.wait()
        resp = client.post(path, data={**data, "csrf_token": token})
        answers.append((resp.status_code, resp.get_data(as_text=True)))

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


@pytest.mark.parametrize("path,data,count", [
    ("/admin/units/new", {"code": "N1", "name": "Chi bộ mới", "kind": "grassroots_cell", "party_members": "5"},
     lambda: select(func.count()).select_from(Unit).where(Unit.code == "N1")),
    ("/admin/groups", {"code": "G9", "name": "Tổ mới"},
     lambda: select(func.count()).select_from(WorkingGroup).where(WorkingGroup.code == "G9")),
    ("/admin/users/new", {"email": "new@x.vn", "name": "Người mới", "role": "viewer", "password": "Long-enough-1"},
     lambda: select(func.count()).select_from(User).where(User.email == "new@x.vn")),
])
def test_six_identical_creations_at_once_make_one(app, world, login, path, data, count):
    answers = _six_at_once(app, login(world["admin"]), path, data)
    statuses = sorted(s for s, _page in answers)
    assert statuses == [302] + [409] * 5, [(s, p[:200]) for s, p in answers]
    assert all("đã có" in p.lower() or "already" in p.lower() for s, p in answers if s == 409), answers
    db.session.expire_all()
    assert db.session.scalar(count()) == 1


def test_six_identical_api_creations_at_once_make_one(app, world, token_for):
    import threading

    headers = token_for(world["admin"])
    barrier, answers = threading.Barrier(6), []
    body = {"code": "N1", "name": "Chi bộ mới", "kind": "grassroots_cell", "party_members": 5, "pilot": False,
            "group": None, "congress_date": None}

    def run():
        client = app.test_client()
        barrier.wait()
        resp = client.post(f"{API}/units", json=body, headers=headers)
        answers.append((resp.status_code, resp.get_json()))

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(s for s, _b in answers) == [201] + [409] * 5, answers
    assert all(b["error"]["code"] in ("conflict", "duplicate") for s, b in answers if s == 409)
