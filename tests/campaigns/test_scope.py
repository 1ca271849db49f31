"""The campaign in view: ?campaign on lists and the summary, codes per campaign, archived campaigns
refuse edits and get no reminders, the switcher is the admins' and viewers' only."""
from datetime import date

from sqlalchemy import func, select

from tests.conftest import NOW, csrf_of, items_of
from tests.factories import API, PASSWORD
from tests.reports.reports_helpers import finish, put_results
from tracker.campaigns.service import copy_campaign
from tracker.extensions import db
from tracker.models import Campaign, Notification, ReminderLedger, Unit
from tracker.reminders.sweep import sweep
from tracker.reports import compare
from tracker.reports.query import summary


def _new_term(campaign, shift=0):
    new = copy_campaign(campaign, "Nhiệm kỳ 2035–2040", "2035–2040", shift_days=shift)
    db.session.commit()
    return new


def test_same_code_in_two_campaigns_but_not_twice_in_one(world, campaign, token_for, app):
    new = _new_term(campaign)
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.code == "U1")) == 2
    client, headers = app.test_client(), token_for(world["admin"])
    body = {"code": "U1", "name": "Trùng", "kind": "grassroots_cell", "party_members": 5, "pilot": False,
            "group": None, "congress_date": None}
    assert client.post(f"{API}/units", json=body, headers=headers).status_code == 409
    ok = client.post(f"{API}/units", json=body | {"code": "U9"}, headers=headers)
    assert ok.status_code == 201
    assert db.session.scalar(select(Unit).where(Unit.code == "U9")).campaign_id == new.id


def test_lists_and_summary_take_campaign(world, campaign, token_for, app):
    put_results(world["u1"], committee_elected=10, women=2)
    finish(world["u1"])
    new = _new_term(campaign)
    client, headers = app.test_client(), token_for(world["viewer"])
    old_units = client.get(f"{API}/units?campaign={campaign.id}", headers=headers).get_json()
    new_units = client.get(f"{API}/units", headers=headers).get_json()
    assert old_units["total"] == new_units["total"] == 2
    old_ids = {u.id for u in db.session.scalars(select(Unit).where(Unit.campaign_id == campaign.id))}
    assert world["u1"].id in old_ids
    groups = client.get(f"{API}/groups?campaign={campaign.id}", headers=headers).get_json()
    assert [g["code"] for g in groups["items"]] == ["G1", "G2"]
    old = client.get(f"{API}/reports/summary?campaign={campaign.id}", headers=headers).get_json()
    now = client.get(f"{API}/reports/summary?campaign={new.id}", headers=headers).get_json()
    assert old["committee"]["elected"] == 10 and now["committee"]["elected"] == 0
    for bad in ("999", "abc"):
        resp = client.get(f"{API}/units?campaign={bad}", headers=headers)
        assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


def test_archived_campaign_refuses_edits_api_and_page(world, campaign, token_for, app, login):
    _new_term(campaign)
    old_u1 = db.session.get(Unit, world["u1"].id)
    item = items_of(old_u1, "dissemination")[0]
    client, headers = app.test_client(), token_for(world["admin"])
    resp = client.patch(f"{API}/units/U1/stages/dissemination/items/{item.key}?campaign={campaign.id}",
                        json={"done": True, "version": item.version}, headers=headers)
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "campaign_archived"
    resp = client.patch(f"{API}/units/U1?campaign={campaign.id}", json={"name": "Đổi"}, headers=headers)
    assert resp.status_code == 422
    web = login(world["admin"])
    page = web.get(f"/units/U1?campaign={campaign.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'/units/U1/items/dissemination/{item.key}' not in html  # no tick buttons on an archived unit
    token = csrf_of(web.get("/").get_data(as_text=True))
    web.post("/campaigns/switch", data={"campaign": campaign.id, "csrf_token": token, "next": "/"})
    resp = web.post(f"/units/U1/items/dissemination/{item.key}", data={"csrf_token": token, "done": "y",
                                                                       "version": item.version},
                    follow_redirects=True)
    assert "archived" in resp.get_data(as_text=True) or "lưu trữ" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(type(item), item.id).done


def test_archived_campaign_gets_no_reminders(world, campaign, frozen):
    # every open item overdue in the old campaign; the new one's dates are cleared (nothing due)
    for item in items_of(world["u1"], "dissemination"):
        item.due_on = date(2030, 3, 1)
    db.session.commit()
    _new_term(campaign, shift=None)
    with frozen(NOW):
        sweep(db.session, NOW)
    db.session.commit()
    old_items = select(Unit.id).where(Unit.campaign_id == campaign.id)
    assert db.session.scalar(select(func.count()).select_from(ReminderLedger)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert old_items is not None


def test_switcher_is_for_admins_and_viewers_and_server_enforced(world, campaign, login, token_for, app):
    new = _new_term(campaign)
    viewer = login(world["viewer"])
    home = viewer.get("/").get_data(as_text=True)
    assert 'action="/campaigns/switch"' in home and "2035–2040" in home and "chỉ xem" not in home
    viewer.post("/campaigns/switch", data={"campaign": campaign.id, "csrf_token": csrf_of(home), "next": "/"})
    assert "Đã lưu trữ: chỉ xem" in viewer.get("/").get_data(as_text=True)
    secretary = login(world["secretary"])
    page = secretary.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'action="/campaigns/switch"' not in page
    token = csrf_of(page)
    assert secretary.post("/campaigns/switch", data={"campaign": campaign.id, "csrf_token": token}).status_code == 403
    assert secretary.get(f"/units/U1?campaign={campaign.id}").status_code == 403
    headers = token_for(world["secretary"])
    assert app.test_client().get(f"{API}/units?campaign={campaign.id}", headers=headers).status_code == 403
    mine = app.test_client().get(f"{API}/units", headers=headers).get_json()
    assert [u["code"] for u in mine["items"]] == ["U1"]
    assert db.session.get(Campaign, new.id).active


def test_report_compares_with_the_previous_term(world, campaign, login):
    put_results(world["u1"], committee_elected=100, women=21, young=10, re_elected=60, first_time=40)
    finish(world["u1"])
    new = _new_term(campaign)
    u1 = db.session.scalar(select(Unit).where(Unit.campaign_id == new.id, Unit.code == "U1"))
    put_results(u1, committee_elected=100, women=23, young=8, re_elected=60, first_time=40)
    finish(u1)
    rows = {c.key: c for c in compare.changes(summary(new, date(2035, 4, 1)),
                                              compare.previous_summary(new, date(2035, 4, 1)))}
    assert (rows["women"].percent, rows["women"].previous, rows["women"].points) == (23.0, 21.0, 2.0)
    assert rows["young"].points == -2.0 and rows["re_elected"].points == 0.0
    page = login(world["viewer"]).get("/reports").get_data(as_text=True)
    assert "nữ 23,00%, tăng 2,00 điểm so với nhiệm kỳ trước (21,00%)" in page
    assert "giảm 2,00 điểm" in page
    # no comparison for a campaign that was not copied
    assert compare.previous_summary(db.session.get(Campaign, campaign.id), date(2035, 4, 1)) is None


def test_the_word_report_carries_the_comparison(world, campaign, login):
    import io

    from docx import Document

    put_results(world["u1"], committee_elected=100, women=21, young=10, re_elected=60, first_time=40)
    finish(world["u1"])
    viewer = login(world["viewer"])
    first = Document(io.BytesIO(viewer.get("/reports/export.docx").data))
    assert not any("nhiệm kỳ trước" in p.text for p in first.paragraphs)  # not copied: nothing to compare
    new = _new_term(campaign)
    u1 = db.session.scalar(select(Unit).where(Unit.campaign_id == new.id, Unit.code == "U1"))
    put_results(u1, committee_elected=100, women=23, young=8, re_elected=60, first_time=40)
    finish(u1)
    doc = Document(io.BytesIO(viewer.get("/reports/export.docx").data))
    assert any(p.text.startswith("4.") and "nhiệm kỳ trước" in p.text for p in doc.paragraphs)
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    women = next(r for r in rows if r[0] == "nữ")
    assert women[1:] == ["21,00%", "23,00%", "+2,00"]
    assert next(r for r in rows if r[0] == "trẻ")[3] == "-2,00"


def test_the_switch_and_the_sign_in_send_nobody_to_another_site(world, campaign, login, app):
    """Review: the switch checked `next` with startswith("/") and not "//", which lets "/\\host" through (browsers
    read the backslash as a slash); both redirects now use edge.local_path."""
    from tracker.edge import local_path

    for bad in ("//evil.example", "/\\evil.example", "/\\/evil.example", "/\t/evil.example", "https://evil.example",
                "evil.example", "", None):
        assert local_path(bad) is None, bad
    assert local_path("/units/U1?campaign=2#x") == "/units/U1?campaign=2#x"
    _new_term(campaign)
    admin = login(world["admin"])
    token = csrf_of(admin.get("/").get_data(as_text=True))
    for bad in ("/\\evil.example", "//evil.example"):
        resp = admin.post("/campaigns/switch", data={"campaign": campaign.id, "csrf_token": token, "next": bad})
        assert resp.status_code == 302 and resp.headers["Location"] == "/"
    resp = admin.post("/campaigns/switch", data={"campaign": "", "csrf_token": token, "next": "/units/U1"})
    assert resp.headers["Location"] == "/units/U1"
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    resp = client.post("/login?next=/%5Cevil.example", data={"email": world["admin"].email,
                                                             "password": PASSWORD,
                                                             "csrf_token": token})
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]


def test_the_office_start_page_counts_the_campaign_in_views_units_and_groups(world, campaign, login):
    """Review: after a new term the admin start page counted the units and groups of every campaign."""
    import re

    units = db.session.scalar(select(func.count()).select_from(Unit).where(Unit.campaign_id == campaign.id))
    _new_term(campaign)
    html = login(world["admin"]).get("/admin").get_data(as_text=True)
    shown = {label: value for value, label in
             re.findall(r'<span class="fs-4">([\d.]+)</span> <span class="text-muted">([^<]+)</span>', html)}
    assert {shown[k] for k in shown if k in ("đơn vị", "units")} == {str(units)}
    assert {shown[k] for k in shown if k in ("tổ công tác", "working groups")} == {"2"}
