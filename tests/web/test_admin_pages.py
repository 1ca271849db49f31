"""The organisation office's pages: admins only, every form with CSRF, clear errors, nothing changed on
bad input, and each create/edit flow working end to end."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_from
from tests.factories import build_office_world
from tracker.extensions import db
from tracker.models import (
    CalendarDay,
    Campaign,
    Item,
    ItemTemplate,
    JournalEntry,
    ReferenceDocument,
    Unit,
    User,
    WorkingGroup,
)

GET_PAGES = ["/admin", "/admin/campaign", "/admin/templates", "/admin/templates/new", "/admin/templates/{tid}",
             "/admin/units", "/admin/units/new", "/admin/units/U1/edit", "/admin/groups", "/admin/groups/G1",
             "/admin/users", "/admin/users/new", "/admin/users/{uid}", "/admin/calendar"]
POSTS = ["/admin/campaign", "/admin/campaign/documents", "/admin/campaign/documents/{did}/delete",
         "/admin/templates/new", "/admin/templates/{tid}", "/admin/templates/{tid}/delete", "/admin/calendar",
         "/admin/calendar/{cid}/delete", "/admin/units/new", "/admin/units/U1/edit", "/admin/units/U1/secretaries",
         "/admin/units/U1/secretaries/{uid}/remove", "/admin/groups", "/admin/groups/G1",
         "/admin/groups/G1/members", "/admin/groups/G1/members/{uid}/remove", "/admin/groups/G1/units",
         "/admin/groups/G1/units/U1/remove", "/admin/users/new", "/admin/users/{uid}/password",
         "/admin/users/{uid}/active", "/admin/users/{uid}/unit", "/admin/users/{uid}/groups",
         "/admin/users/{uid}/groups/G1/remove"]


@pytest.fixture
def world(campaign):
    """The office's world (factories.build_office_world): people by role and the ids the paths name."""
    return build_office_world(campaign)


def _snapshot():
    """Counts and values that a refused request must leave as they were."""
    return (db.session.scalar(select(func.count(Unit.id))), db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(WorkingGroup.id))), db.session.scalar(select(func.count(Item.id))),
            db.session.scalar(select(func.count(ItemTemplate.id))),
            db.session.scalar(select(func.count(ReferenceDocument.id))),
            db.session.scalar(select(func.count(CalendarDay.id))),
            db.session.scalar(select(func.count(JournalEntry.id))),
            tuple(db.session.execute(select(Campaign.name, Campaign.final_deadline)).one()),
            tuple(db.session.execute(select(User.email, User.active, User.password_hash, User.unit_id)
                                     .order_by(User.id)).all()),
            tuple(db.session.execute(select(Unit.code, Unit.name, Unit.group_id, Unit.congress_date)).all()))


# --- access -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["group", "secretary", "viewer"])
def test_other_roles_get_403_on_every_admin_page_and_post(world, login, role):
    people, ids = world
    client = login(people[role])
    token = csrf_from(client)
    before = _snapshot()
    for path in GET_PAGES:
        assert client.get(path.format(**ids)).status_code == 403, path
    for path in POSTS:
        resp = client.post(path.format(**ids), data={"csrf_token": token, "name": "X", "email": "viewer@x.vn",
                                                     "active": "0", "password": "Another-pass-1"})
        assert resp.status_code == 403, path
    db.session.expire_all()
    assert _snapshot() == before


def test_anonymous_is_sent_to_login(world, app):
    _, ids = world
    client = app.test_client()
    for path in GET_PAGES:
        resp = client.get(path.format(**ids))
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path
    token = csrf_from(client, "/login")
    for path in POSTS:
        resp = client.post(path.format(**ids), data={"csrf_token": token})
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def test_admin_sees_every_page(world, login):
    people, ids = world
    client = login(people["admin"])
    for path in GET_PAGES:
        resp = client.get(path.format(**ids))
        assert resp.status_code == 200, path
        assert 'name="csrf_token"' in resp.get_data(as_text=True)


def test_missing_csrf_is_refused_with_400(world, login):
    people, ids = world
    client = login(people["admin"])
    before = _snapshot()
    for path in POSTS:
        assert client.post(path.format(**ids), data={"name": "X"}).status_code == 400, path
    db.session.expire_all()
    assert _snapshot() == before


def test_pages_are_vietnamese_by_default(world, login):
    people, _ = world
    page = login(people["admin"]).get("/admin").get_data(as_text=True)
    assert "Ban Tổ chức" in page or "Văn phòng" in page or "Đợt đại hội" in page


# --- campaign and documents ---------------------------------------------------------------------------

def test_campaign_edit_and_documents(world, login):
    people, _ = world
    client = login(people["admin"])
    token = csrf_from(client, "/admin/campaign")
    resp = client.post("/admin/campaign", data={"csrf_token": token, "name": "Đại hội nhiệm kỳ 2020–2025",
                                                "organiser": "Huyện ủy Cầu Ngang", "term": "2020–2025",
                                                "final_deadline": "05/06/2020"})
    assert resp.status_code == 302
    c = db.session.scalar(select(Campaign))
    assert (c.organiser, c.term, c.final_deadline) == ("Huyện ủy Cầu Ngang", "2020–2025", date(2020, 6, 5))
    assert "05/06/2020" in client.get("/admin/campaign").get_data(as_text=True)
    # the same number with another date is another document; the same pair is refused
    resp = client.post("/admin/campaign/documents", data={"csrf_token": token, "number": "35-CT/TW",
                                                          "issued_on": "14/06/2024", "title": "Chỉ thị"})
    assert resp.status_code == 302
    before = _snapshot()
    resp = client.post("/admin/campaign/documents", data={"csrf_token": token, "number": "35-CT/TW",
                                                          "issued_on": "30/05/2019"})
    assert resp.status_code == 409
    db.session.expire_all()
    assert _snapshot() == before
    doc = db.session.scalar(select(ReferenceDocument).where(ReferenceDocument.issued_on == date(2024, 6, 14)))
    assert client.post(f"/admin/campaign/documents/{doc.id}/delete", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count(ReferenceDocument.id))) == 1


@pytest.mark.parametrize("path,data,field_error", [
    ("/admin/campaign", {"name": "", "final_deadline": "31/02/2030"}, "dd/mm/yyyy"),
    ("/admin/campaign/documents", {"number": "", "issued_on": "hôm qua"}, "dd/mm/yyyy"),
    ("/admin/calendar", {"day": "2030-13-01", "working": "off"}, "dd/mm/yyyy"),
    ("/admin/calendar", {"day": "30/04/2030", "working": "off"}, ""),  # duplicate day
    ("/admin/templates/new", {"stage": "rehearsal", "key": "Bad key", "title_vi": "x", "title_en": "x",
                              "offset_days": "abc"}, ""),
    ("/admin/templates/new", {"stage": "congress", "key": "congress_held", "title_vi": "x", "title_en": "x",
                              "offset_days": "0"}, ""),  # duplicate key
    ("/admin/templates/{tid}", {"title_vi": "", "title_en": "x", "offset_days": "99999"}, ""),
    ("/admin/templates/{tid}", {"title_vi": "x", "title_en": "x", "offset_days": "1", "kinds": "town"}, ""),
    ("/admin/units/new", {"code": "U1", "name": "Trùng", "kind": "grassroots_cell"}, ""),  # duplicate code
    ("/admin/units/new", {"code": "has space", "name": "", "kind": "town", "party_members": "-3",
                          "congress_date": "32/01/2030"}, ""),
    ("/admin/units/new", {"code": "S1", "name": "Chi bộ ấp", "kind": "sub_cell"}, ""),  # no parent
    ("/admin/units/new", {"code": "U9", "name": "X", "kind": "grassroots_cell", "group": "NOPE"}, ""),
    ("/admin/units/U1/edit", {"name": "", "party_members": "nhiều", "congress_date": "x"}, ""),
    ("/admin/units/U1/edit", {"name": "X", "parent": "NOPE"}, ""),
    ("/admin/units/U1/secretaries", {"email": "viewer@x.vn"}, ""),
    ("/admin/units/U1/secretaries", {"email": "nobody@x.vn"}, ""),
    ("/admin/groups", {"code": "G1", "name": "Trùng"}, ""),
    ("/admin/groups", {"code": "", "name": ""}, ""),
    ("/admin/groups/G1", {"name": "  "}, ""),
    ("/admin/groups/G1/members", {"email": "viewer@x.vn"}, ""),
    ("/admin/groups/G1/members", {"email": "group@x.vn"}, ""),  # already a member
    ("/admin/groups/G1/units", {"unit": "NOPE"}, ""),
    ("/admin/users/new", {"email": "not-an-email", "name": "", "role": "boss", "password": "short"}, ""),
    ("/admin/users/new", {"email": "viewer@x.vn", "name": "X", "role": "viewer", "password": "Long-enough-1"}, ""),
    ("/admin/users/new", {"email": "s2@x.vn", "name": "X", "role": "secretary", "password": "Long-enough-1"}, ""),
    ("/admin/users/{uid}/password", {"password": "short", "confirm": "short"}, ""),
    ("/admin/users/{uid}/password", {"password": "Long-enough-1", "confirm": "Long-enough-2"}, ""),
    ("/admin/users/{uid}/unit", {"unit": "NOPE"}, ""),
    ("/admin/users/{uid}/groups", {"group": "G1"}, ""),  # a secretary cannot join a group
])
def test_bad_input_gives_an_error_and_changes_nothing(world, login, path, data, field_error):
    people, ids = world
    client = login(people["admin"])
    token = csrf_from(client, "/admin")
    before = _snapshot()
    resp = client.post(path.format(**ids), data={"csrf_token": token, **data})
    assert resp.status_code in (400, 409, 422), (path, resp.status_code)
    page = resp.get_data(as_text=True)
    assert "invalid-feedback" in page or "alert-danger" in page
    if field_error:
        assert field_error in page
    db.session.expire_all()
    assert _snapshot() == before


def test_admin_cannot_deactivate_themselves(world, login):
    people, _ = world
    client = login(people["admin"])
    token = csrf_from(client, "/admin")
    resp = client.post(f"/admin/users/{people['admin'].id}/active", data={"csrf_token": token, "active": "0"},
                       follow_redirects=True)
    assert resp.status_code == 200 and "alert-danger" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, people["admin"].id).active


# --- checklist template ---------------------------------------------------------------------------------

def test_template_add_edit_remove_through_the_pages(world, login):
    people, _ = world
    client = login(people["admin"])
    token = csrf_from(client, "/admin/templates/new")
    resp = client.post("/admin/templates/new", data={
        "csrf_token": token, "stage": "rehearsal", "key": "sound_checked", "title_vi": "Kiểm tra âm thanh",
        "title_en": "Sound checked", "required": "y", "kinds": ["commune_committee"], "offset_days": "-2",
        "anchor": "congress"})
    assert resp.status_code == 302
    t = db.session.scalar(select(ItemTemplate).where(ItemTemplate.key == "sound_checked"))
    assert t.kinds == "commune_committee"
    item = db.session.scalar(select(Item).where(Item.key == "sound_checked"))
    assert item.due_on == date(2030, 5, 18)  # U1 is a commune committee with its congress on 20/05/2030
    edit = client.get(f"/admin/templates/{t.id}").get_data(as_text=True)
    assert "Kiểm tra âm thanh" in edit
    assert re.search(r'<input checked[^>]*value="commune_committee"', edit)
    assert not re.search(r'<input checked[^>]*value="grassroots_cell"', edit)
    resp = client.post(f"/admin/templates/{t.id}", data={
        "csrf_token": token, "title_vi": "Kiểm tra âm thanh, ánh sáng", "title_en": "Sound and light checked",
        "superior_only": "y", "offset_days": "-3", "working_days": "", "anchor": "congress"})
    assert resp.status_code == 302
    db.session.expire_all()
    item = db.session.scalar(select(Item).where(Item.key == "sound_checked"))
    assert item.title_vi == "Kiểm tra âm thanh, ánh sáng" and not item.required and item.superior_only
    assert item.due_on == date(2030, 5, 17)
    assert client.post(f"/admin/templates/{t.id}/delete", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count(Item.id)).where(Item.key == "sound_checked")) == 0
    assert db.session.scalar(select(func.count(ItemTemplate.id)).where(ItemTemplate.key == "sound_checked")) == 0


# --- units ---------------------------------------------------------------------------------------------------

def test_unit_create_edit_and_secretaries(world, login, make_user):
    people, _ = world
    client = login(people["admin"])
    token = csrf_from(client, "/admin/units/new")
    resp = client.post("/admin/units/new", data={
        "csrf_token": token, "code": "CB01", "name": "Chi bộ ấp Mỹ Cẩm", "kind": "sub_cell", "party_members": "23",
        "pilot": "y", "group": "G1", "congress_date": "12/05/2030", "parent": "U1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    unit = db.session.scalar(select(Unit).where(Unit.code == "CB01"))
    assert (unit.kind, unit.party_members, unit.pilot, unit.parent.code, unit.group.code) == \
        ("sub_cell", 23, True, "U1", "G1")
    assert len(unit.items) > 0
    held = db.session.scalar(select(Item).where(Item.unit_id == unit.id, Item.key == "congress_held"))
    assert held.due_on == date(2030, 5, 12)
    resp = client.post("/admin/units/CB01/edit", data={
        "csrf_token": token, "name": "Chi bộ ấp Mỹ Cẩm A", "party_members": "25", "group": "",
        "congress_date": "19/05/2030", "parent": "U1"})
    assert resp.status_code == 302
    db.session.expire_all()
    unit = db.session.scalar(select(Unit).where(Unit.code == "CB01"))
    assert (unit.name, unit.party_members, unit.pilot, unit.group) == ("Chi bộ ấp Mỹ Cẩm A", 25, False, None)
    held = db.session.scalar(select(Item).where(Item.unit_id == unit.id, Item.key == "congress_held"))
    assert held.due_on == date(2030, 5, 19)
    actions = set(db.session.scalars(select(JournalEntry.action).where(JournalEntry.unit_id == unit.id)))
    assert {"unit_created", "unit_changed", "congress_date_moved"} <= actions
    # a secretary moves from U1 to CB01
    resp = client.post("/admin/units/CB01/secretaries", data={"csrf_token": token, "email": "sec@x.vn"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, people["secretary"].id).unit_id == unit.id
    assert "sec@x.vn" in client.get("/admin/units/CB01/edit").get_data(as_text=True)
    resp = client.post(f"/admin/units/CB01/secretaries/{people['secretary'].id}/remove", data={"csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, people["secretary"].id).unit_id is None


def test_unit_list_filters_paginates_and_keeps_its_query_count(world, login, make_unit, count_queries):
    people, _ = world
    client = login(people["admin"])
    for i in range(3):
        make_unit(f"C{i:02}", kind="grassroots_cell", group="G1")
    with count_queries() as few:
        assert client.get("/admin/units").status_code == 200
    for i in range(3, 60):
        make_unit(f"C{i:02}", kind="grassroots_cell")
    with count_queries() as many:
        page = client.get("/admin/units").get_data(as_text=True)
    assert many.n == few.n
    assert "C49" in page and "C50" not in page and ">U1<" not in page  # 50 a page, by code
    second = client.get("/admin/units?page=2").get_data(as_text=True)
    assert "C50" in second and ">U1<" in second and "C49" not in second
    filtered = client.get("/admin/units?kind=grassroots_cell&group=G1").get_data(as_text=True)
    assert "C02" in filtered and "C03" not in filtered and ">U1<" not in filtered
    assert "C05" in client.get("/admin/units?q=c05").get_data(as_text=True)


# --- working groups ------------------------------------------------------------------------------------------

def test_group_create_rename_members_and_units(world, login, make_user):
    people, _ = world
    client = login(people["admin"])
    other = make_user("g2@x.vn", "group")
    token = csrf_from(client, "/admin/groups")
    assert client.post("/admin/groups", data={"csrf_token": token, "code": "G2", "name": "Tổ 2"}).status_code == 302
    assert client.post("/admin/groups/G2", data={"csrf_token": token, "name": "Tổ công tác số 2"}).status_code == 302
    assert client.post("/admin/groups/G2/members", data={"csrf_token": token, "email": "G2@x.vn"}).status_code == 302
    assert client.post("/admin/groups/G2/units", data={"csrf_token": token, "unit": "U1"}).status_code == 302
    db.session.expire_all()
    g2 = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G2"))
    assert g2.name == "Tổ công tác số 2" and [m.email for m in g2.members] == ["g2@x.vn"]
    assert db.session.scalar(select(Unit).where(Unit.code == "U1")).group_id == g2.id
    page = client.get("/admin/groups/G2").get_data(as_text=True)
    assert "U1" in page and "g2@x.vn" in page
    assert client.post(f"/admin/groups/G2/members/{other.id}/remove", data={"csrf_token": token}).status_code == 302
    assert client.post("/admin/groups/G2/units/U1/remove", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Unit).where(Unit.code == "U1")).group_id is None
    assert db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G2")).members == []


# --- users ---------------------------------------------------------------------------------------------------

def test_user_create_for_each_role(world, login):
    people, _ = world
    client = login(people["admin"])
    token = csrf_from(client, "/admin/users/new")
    for email, role, unit, group in [("s2@x.vn", "secretary", "U1", ""), ("g2@x.vn", "group", "", "G1"),
                                     ("v2@x.vn", "viewer", "", ""), ("a2@x.vn", "admin", "", "")]:
        resp = client.post("/admin/users/new", data={"csrf_token": token, "email": email, "name": "Nguyễn Văn A",
                                                     "role": role, "password": "Long-enough-1", "unit": unit,
                                                     "group": group}, follow_redirects=True)
        assert resp.status_code == 200 and "alert-success" in resp.get_data(as_text=True)
    db.session.expire_all()
    s2 = db.session.scalar(select(User).where(User.email == "s2@x.vn"))
    g2 = db.session.scalar(select(User).where(User.email == "g2@x.vn"))
    assert s2.unit.code == "U1" and [g.code for g in g2.groups] == ["G1"]
    page = client.get("/admin/users?role=secretary").get_data(as_text=True)
    assert "s2@x.vn" in page and "g2@x.vn" not in page


def test_password_reset_then_sign_in_with_the_new_one(world, login, app):
    people, _ = world
    client = login(people["admin"])
    token = csrf_from(client, "/admin")
    uid = people["viewer"].id
    resp = client.post(f"/admin/users/{uid}/password", data={"csrf_token": token, "password": "Brand-new-pass-7",
                                                              "confirm": "Brand-new-pass-7"})
    assert resp.status_code == 302
    other = app.test_client()
    t = csrf_from(other, "/login")
    assert other.post("/login", data={"csrf_token": t, "email": "viewer@x.vn", "password": PASSWORD}).status_code == 401
    assert other.post("/login", data={"csrf_token": t, "email": "viewer@x.vn",
                                      "password": "Brand-new-pass-7"}).status_code == 302


def test_deactivated_user_cannot_sign_in_nor_use_session_or_token(world, login, app, token_for):
    people, _ = world
    admin = login(people["admin"])
    viewer_session = login(people["viewer"])
    headers = token_for(people["viewer"])
    token = csrf_from(admin, "/admin")
    resp = admin.post(f"/admin/users/{people['viewer'].id}/active", data={"csrf_token": token, "active": "0"})
    assert resp.status_code == 302
    other = app.test_client()
    t = csrf_from(other, "/login")
    assert other.post("/login", data={"csrf_token": t, "email": "viewer@x.vn", "password": PASSWORD}).status_code == 401
    resp = viewer_session.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert app.test_client().get("/api/v1/units", headers=headers).status_code == 401
    # reactivated: signs in again
    assert admin.post(f"/admin/users/{people['viewer'].id}/active",
                      data={"csrf_token": token, "active": "1"}).status_code == 302
    assert other.post("/login", data={"csrf_token": t, "email": "viewer@x.vn", "password": PASSWORD}).status_code == 302


def test_user_unit_and_group_assignment(world, login, make_unit, make_user):
    people, _ = world
    client = login(people["admin"])
    make_unit("U2")
    make_group_user = make_user("g2@x.vn", "group")
    token = csrf_from(client, "/admin")
    uid = people["secretary"].id
    assert client.post(f"/admin/users/{uid}/unit", data={"csrf_token": token, "unit": "U2"}).status_code == 302
    assert client.post(f"/admin/users/{make_group_user.id}/groups",
                       data={"csrf_token": token, "group": "G1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, uid).unit.code == "U2"
    assert [g.code for g in db.session.get(User, make_group_user.id).groups] == ["G1"]
    assert client.post(f"/admin/users/{make_group_user.id}/groups/G1/remove",
                       data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, make_group_user.id).groups == []


# --- calendar ------------------------------------------------------------------------------------------------

def test_calendar_add_list_remove(world, login):
    people, _ = world
    client = login(people["admin"])
    token = csrf_from(client, "/admin/calendar")
    resp = client.post("/admin/calendar", data={"csrf_token": token, "day": "02/05/2030", "working": "off",
                                                "name": "Nghỉ bù"})
    assert resp.status_code == 302
    resp = client.post("/admin/calendar", data={"csrf_token": token, "day": "10/05/2030", "working": "working",
                                                "name": "Làm bù"})
    assert resp.status_code == 302
    page = client.get("/admin/calendar?year=2030").get_data(as_text=True)
    assert "02/05/2030" in page and "10/05/2030" in page and "Làm bù" in page
    assert "02/05/2030" not in client.get("/admin/calendar?year=2031").get_data(as_text=True)
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2030, 5, 10)))
    assert row.working
    assert client.post(f"/admin/calendar/{row.id}/delete", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 2  # the fixture's day and 02/05


def test_english_interface(world, login):
    people, _ = world
    client = login(people["admin"])
    db.session.get(User, people["admin"].id).locale = "en"
    db.session.commit()
    assert "Checklist template" in client.get("/admin/templates").get_data(as_text=True)





def test_the_pager_passes_on_only_the_list_filters(app, make_user, login):
    from tests.conftest import NOW
    from tracker.extensions import db
    from tracker.services.units import create_unit

    for n in range(55):
        create_unit({"code": f"P{n:02d}", "name": f"Đơn vị {n}", "kind": "grassroots_cell"}, None, NOW)
    db.session.commit()
    client = login(make_user("boss@x.vn", "admin"))
    r = client.get("/admin/units?endpoint=x&_external=1&q=P")
    assert r.status_code == 200
    import re
    links = re.findall(r'class="page-link" href="([^"]+)"', r.get_data(as_text=True))
    assert any("page=2" in link for link in links)
    assert all("endpoint" not in link and "_external" not in link and "q=P" in link for link in links)
