"""A committee is its sub-cells' superior: its secretaries' rights over them (and over no other cells),
through the services' permission rules, the API and the pages."""
import pytest
from sqlalchemy import select

from tests.conftest import NOW, csrf_of, items_of
from tests.factories import bearer, tick_stage
from tracker.extensions import db
from tracker.models import Blocker, Unit
from tracker.permissions import can_change_unit, can_oversee, can_read_unit, can_review, readable_units

API = "/api/v1"


@pytest.fixture
def tree(make_group, make_unit, make_user):
    make_group("G1")
    make_group("G2")
    make_unit("K1", group="G1")
    make_unit("K2", kind="sector_committee", group="G2")
    make_unit("C1", kind="grassroots_cell", group="G1")
    make_unit("S1", kind="sub_cell", parent="K1")  # no group of its own: follows K1's (G1)
    make_unit("S2", kind="sub_cell", parent="K2", group="G2")
    make_unit("S9", kind="sub_cell", parent="C1")  # under a plain cell: no superior secretary
    users = {"sec1": make_user("k1@x.vn", "secretary", unit="K1"), "sec2": make_user("k2@x.vn", "secretary", unit="K2"),
             "s1": make_user("s1@x.vn", "secretary", unit="S1"), "c1": make_user("c1@x.vn", "secretary", unit="C1"),
             "g1": make_user("g1@x.vn", "group", group="G1"), "g2": make_user("g2@x.vn", "group", group="G2"),
             "admin": make_user("admin@x.vn", "admin")}
    db.session.commit()
    return users


def unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def test_rules(tree):
    sec1, s1, g1, g2, c1 = tree["sec1"], tree["s1"], tree["g1"], tree["g2"], tree["c1"]
    assert can_read_unit(sec1, unit("S1")) and can_oversee(sec1, unit("S1"))
    assert not can_change_unit(sec1, unit("S1")) and not can_review(sec1, unit("S1"))  # no deadlines, no own ticks
    assert not can_read_unit(sec1, unit("S2")) and not can_oversee(sec1, unit("S2"))
    assert not can_read_unit(sec1, unit("K2")) and not can_read_unit(c1, unit("S9"))  # a plain cell is no superior
    assert can_change_unit(s1, unit("S1")) and not can_read_unit(s1, unit("K1")) and not can_oversee(s1, unit("S1"))
    # a sub-cell without a group follows its committee's group
    assert can_change_unit(g1, unit("S1")) and can_review(g1, unit("S1")) and not can_change_unit(g2, unit("S1"))
    assert can_change_unit(g2, unit("S2")) and not can_change_unit(g1, unit("S2"))


def test_sql_condition_matches_can_read_unit(tree):
    units = db.session.scalars(select(Unit)).all()
    for user in tree.values():
        cond = readable_units(user)
        sql = {u.code for u in units} if cond is None else set(db.session.scalars(select(Unit.code).where(cond)))
        assert sql == {u.code for u in units if can_read_unit(user, u)}, user.email


def call(client, who, method, path, json=None):
    db.session.expire_all()
    resp = client.open(API + path, method=method, headers=bearer(who), json=json)
    return resp.status_code, resp.get_json(silent=True)


def test_api_committee_secretary_over_its_cells(app, tree):
    client, sec1 = app.test_client(), tree["sec1"]
    assert call(client, sec1, "GET", "/units/S1")[0] == 200
    assert call(client, sec1, "GET", "/units/S2")[0] == 403
    assert call(client, sec1, "GET", "/units/S1/stages")[0] == 200
    listed = call(client, sec1, "GET", "/units")[1]
    assert sorted(u["code"] for u in listed["items"]) == ["K1", "S1"]
    assert sorted(u["code"] for u in call(client, tree["s1"], "GET", "/units")[1]["items"]) == ["S1"]
    # superior's-decision item: the committee secretary ticks it, the cell's own secretary may not
    sup = [i for i in items_of(unit("S1"), "documents") if i.superior_only][0]
    own = [i for i in items_of(unit("S1"), "documents") if not i.superior_only][0]
    st, _ = call(client, tree["s1"], "PATCH", f"/units/S1/stages/documents/items/{sup.key}",
                 {"done": True, "version": sup.version})
    assert st == 403
    st, body = call(client, sec1, "PATCH", f"/units/S1/stages/documents/items/{sup.key}",
                    {"done": True, "version": sup.version})
    assert st == 200, body
    st, _ = call(client, sec1, "PATCH", f"/units/S1/stages/documents/items/{own.key}",
                 {"done": True, "version": own.version})
    assert st == 403  # the cell's own items are the cell's
    s2sup = [i for i in items_of(unit("S2"), "documents") if i.superior_only][0]
    assert call(client, sec1, "PATCH", f"/units/S2/stages/documents/items/{s2sup.key}",
                {"done": True, "version": s2sup.version})[0] == 403
    # verify and return a done stage; moving deadlines stays the district's
    tick_stage("S1", "documents")
    tick_stage("S2", "documents")
    assert call(client, sec1, "POST", "/units/S1/stages/documents/verify")[0] == 200
    assert call(client, sec1, "POST", "/units/S1/stages/documents/return", {"comment": "Bổ sung"})[0] == 200
    assert call(client, sec1, "POST", "/units/S2/stages/documents/verify")[0] == 403
    assert call(client, tree["s1"], "POST", "/units/S1/stages/documents/verify")[0] == 403
    assert call(client, sec1, "POST", f"/units/S1/stages/documents/items/{own.key}/deadline",
                {"due_on": "2030-05-01", "reason": "x"})[0] == 403
    assert call(client, sec1, "PATCH", "/units/S1", {"party_members": 3})[0] == 403




def test_pages_committee_secretary_over_its_cells(login, tree):
    sec1 = login(tree["sec1"])
    page = sec1.get("/units/K1").get_data(as_text=True)
    assert 'id="sub-cells"' in page and "S1" in page and "S2" not in page
    assert sec1.get("/units/S1").status_code == 200
    assert sec1.get("/units/S2").status_code == 403
    token = csrf_of(page)
    # blockers: raised by the cell, answered by its committee's secretary, not by another committee's
    blocker = Blocker(unit_id=unit("S1").id, stage="documents", text="Thiếu hồ sơ", raised_by_id=tree["s1"].id,
                      raised_at=NOW)
    other = Blocker(unit_id=unit("S2").id, stage="documents", text="x", raised_by_id=tree["sec2"].id, raised_at=NOW)
    db.session.add_all([blocker, other])
    db.session.commit()
    resp = sec1.post(f"/units/S1/blockers/{blocker.id}", data={"answer": "Đã bổ sung", "resolve": "1",
                                                               "csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Blocker, blocker.id).resolved_at is not None
    assert sec1.post(f"/units/S2/blockers/{other.id}", data={"answer": "x", "csrf_token": token}).status_code == 403
    # verify a done stage of its cell from the cell's page
    tick_stage("S1", "personnel")
    assert "/units/S1/stages/personnel/verify" in sec1.get("/units/S1").get_data(as_text=True)
    assert sec1.post("/units/S1/stages/personnel/verify", data={"csrf_token": token}).status_code == 302
    tick_stage("S2", "personnel")
    assert sec1.post("/units/S2/stages/personnel/verify", data={"csrf_token": token}).status_code == 403
    # the cell's own secretary: own unit only, no verification
    s1 = login(tree["s1"])
    s1_page = s1.get("/units/S1").get_data(as_text=True)
    assert s1.get("/units/K1").status_code == 403 and "/units/S1/stages/personnel/verify" not in s1_page
    assert s1.post("/units/S1/stages/personnel/return", data={"comment": "x", "csrf_token": csrf_of(s1_page)}
                   ).status_code == 403


def test_pages_exemption_forms(login, tree):
    sec1 = login(tree["sec1"])
    token = csrf_of(sec1.get("/units/K1").get_data(as_text=True))
    resp = sec1.post("/units/S1/exemption", data={"reason": "postponed", "note": "", "csrf_token": token})
    assert resp.status_code == 303
    page = sec1.get("/units/K1").get_data(as_text=True)
    assert "form-notice" in page
    resp = sec1.post("/units/S1/exemption", data={"reason": "postponed", "note": "CV 45 của BTV", "csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/units/K1#sub-cells")
    page = sec1.get("/units/K1").get_data(as_text=True)
    assert "CV 45 của BTV" in page and "0/1 " in page
    assert sec1.post("/units/S2/exemption", data={"reason": "merged", "note": "x", "csrf_token": token}
                     ).status_code in (303, 403)
    from tracker.models import SubCellExemption
    assert db.session.scalar(select(SubCellExemption).where(SubCellExemption.unit_id == unit("S2").id)) is None
    g2 = login(tree["g2"])
    assert g2.post("/units/S1/exemption/clear", data={"csrf_token": csrf_of(g2.get("/units/K1").get_data(
        as_text=True))}).status_code in (303, 403)
    assert sec1.post("/units/S1/exemption/clear", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(SubCellExemption)) is None


def test_page_refuses_the_committee_congress_tick_in_vietnamese_naming_the_cells(login, tree):
    from tests.factories import unit_items
    for key in ("documents", "personnel", "rehearsal"):
        tick_stage("K1", key)
    admin = login(tree["admin"])
    token = csrf_of(admin.get("/units/K1").get_data(as_text=True))
    item = unit_items("K1", "congress")[0]
    resp = admin.post(f"/units/K1/items/congress/{item.key}", data={"done": "1", "version": item.version,
                                                                   "csrf_token": token})
    assert resp.status_code == 303
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "các chi bộ trực thuộc sau chưa tổ chức đại hội" in page and "S1" in page
    assert not unit_items("K1", "congress")[0].done


def test_api_refuses_the_committee_congress_tick_with_422_naming_the_cells(app, tree):
    client = app.test_client()
    for key in ("documents", "personnel", "rehearsal"):
        tick_stage("K1", key)
    item = items_of(unit("K1"), "congress")[0]
    st, body = call(client, tree["admin"], "PATCH", f"/units/K1/stages/congress/items/{item.key}",
                    {"done": True, "version": item.version})
    assert st == 422 and body["error"]["code"] == "gate_closed" and "S1" in body["error"]["message"]
    for key in ("documents", "personnel", "rehearsal", "congress"):
        tick_stage("S1", key)
    st, body = call(client, tree["admin"], "PATCH", f"/units/K1/stages/congress/items/{item.key}",
                    {"done": True, "version": item.version})
    assert st == 200, body


def test_admin_turns_the_gate_off_on_the_campaign_page(login, tree, campaign):
    from tracker.models import Campaign, JournalEntry
    admin = login(tree["admin"])
    page = admin.get("/admin/campaign").get_data(as_text=True)
    assert 'name="sub_cell_gate"' in page and "checked" in page.split('name="sub_cell_gate"')[1][:80] + \
        page.split('name="sub_cell_gate"')[0][-200:]
    resp = admin.post("/admin/campaign", data={"name": campaign.name, "organiser": "", "term": "",
                                               "final_deadline": "", "csrf_token": csrf_of(page)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Campaign.sub_cell_gate)) is False
    assert db.session.scalar(select(JournalEntry.action).where(JournalEntry.action == "sub_cell_gate"))
    # a secretary or a group member never reaches the setting
    assert login(tree["g1"]).get("/admin/campaign").status_code == 403


def test_a_cell_s_difficulty_is_news_for_its_committee_s_secretaries_and_its_committee_s_group(tree):
    from tracker.models import NewsItem, User
    from tracker.services import stages
    stages.raise_blocker(unit("S1"), "documents", "Chưa có phòng họp", tree["s1"], NOW)
    db.session.commit()
    told = set(db.session.scalars(select(User.email).join(NewsItem, NewsItem.user_id == User.id)))
    assert told == {"k1@x.vn", "g1@x.vn"}


def test_lists_filtered_by_group_include_the_cells_that_follow_their_committee_s_group(app, tree):
    from datetime import date

    from tracker.models import Campaign, WorkingGroup
    from tracker.reports.query import summary
    client = app.test_client()
    listed = call(client, tree["admin"], "GET", "/units?group=G1")[1]
    assert sorted(u["code"] for u in listed["items"]) == ["C1", "K1", "S1", "S9"]  # S9 follows C1's group
    g1 = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G1"))
    s = summary(db.session.scalar(select(Campaign)), date(2030, 4, 1), g1)
    assert s["units"]["total"] == 2 and s["sub_cells"]["total"] == 2
