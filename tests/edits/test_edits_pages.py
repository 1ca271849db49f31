"""Edits on the admin pages: admins only (403 for every other role, GET and POST), CSRF on every form, the
delete refusal in words, the kind confirmation page, the new code's addresses, the read-only archived unit."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, csrf_of, items_of
from tests.factories import build_office_world, make_group, make_unit, tick_stage
from tracker.extensions import db
from tracker.models import Item, JournalEntry, Unit, WorkingGroup

GET_PAGES = ["/admin/units/U1/manage", "/admin/units/U1/kind?kind=grassroots_cell", "/admin/groups/G1/manage"]
POSTS = [("/admin/units/U1/code", {"code": "X1"}), ("/admin/units/U1/kind", {"kind": "grassroots_cell"}),
         ("/admin/units/U1/archive", {"archived": "1"}), ("/admin/units/U1/delete", {}),
         ("/admin/groups/G1/archive", {"archived": "1"}), ("/admin/groups/G1/delete", {})]


@pytest.fixture
def people(campaign):
    """The office's world: G1, U1 (commune committee in G1, its secretary sec@x.vn), a user of each role."""
    return build_office_world(campaign)[0]


def _state():
    db.session.expire_all()
    return (tuple(db.session.execute(select(Unit.code, Unit.kind, Unit.archived_at)).all()),
            tuple(db.session.execute(select(WorkingGroup.code, WorkingGroup.archived_at)).all()),
            db.session.scalar(select(func.count(Item.id))), db.session.scalar(select(func.count(JournalEntry.id))))


@pytest.mark.parametrize("role", ["group", "secretary", "viewer"])
def test_other_roles_get_403_on_every_edits_page_and_post(people, login, role):
    client = login(people[role])
    token = csrf_from(client)
    before = _state()
    for path in GET_PAGES:
        assert client.get(path).status_code == 403, path
    for path, data in POSTS:
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert _state() == before


def test_missing_csrf_is_refused_with_400_and_changes_nothing(people, login):
    client = login(people["admin"])
    make_unit("U3")
    before = _state()
    for path, data in POSTS + [("/admin/units/U3/delete", {})]:
        assert client.post(path, data=data).status_code == 400, path
    assert _state() == before


def test_admin_pages_and_the_delete_refusal_in_words(people, login):
    client = login(people["admin"])
    for path in GET_PAGES:
        page = client.get(path)
        assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True), path
    assert "/admin/units/U1/manage" in client.get("/admin/units/U1/edit").get_data(as_text=True)
    page = client.get("/admin/units/U1/manage").get_data(as_text=True)
    assert "Không thể xóa đơn vị này: đơn vị đã có 1 người dùng." in page
    assert "Lưu trữ đơn vị" in page and "/admin/units/U1/delete" not in page
    resp = client.post("/admin/units/U1/delete", data={"csrf_token": csrf_from(client)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/units/U1/manage")
    assert "Không thể xóa đơn vị U1: đơn vị đã có 1 người dùng" in client.get("/admin/units/U1/manage").get_data(
        as_text=True)
    assert db.session.scalar(select(Unit.id).where(Unit.code == "U1")) is not None
    group_page = client.get("/admin/groups/G1/manage").get_data(as_text=True)
    assert "tổ đã có 1 đơn vị và 1 thành viên" in group_page


def test_delete_a_fresh_unit_and_an_empty_group(people, login):
    client = login(people["admin"])
    make_unit("U3")
    make_group("G3")
    token = csrf_from(client)
    assert "/admin/units/U3/delete" in client.get("/admin/units/U3/manage").get_data(as_text=True)
    resp = client.post("/admin/units/U3/delete", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/units")
    assert "Đã xóa đơn vị U3." in client.get("/admin/units").get_data(as_text=True)
    assert client.get("/admin/units/U3/manage").status_code == 404
    assert client.post("/admin/groups/G3/delete", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.code == "G3")) is None


def test_archive_makes_the_unit_page_read_only_and_restore_undoes_it(people, login):
    admin, secretary = login(people["admin"]), login(people["secretary"])
    token = csrf_from(admin)
    assert admin.post("/admin/units/U1/archive", data={"csrf_token": token, "archived": "1"}).status_code == 302
    page = secretary.get("/units/U1").get_data(as_text=True)
    assert "Đơn vị này đã được lưu trữ" in page
    assert "/units/U1/items/" not in page  # no tick forms
    item = items_of(db.session.scalar(select(Unit).where(Unit.code == "U1")), "dissemination")[0]
    resp = secretary.post(f"/units/U1/items/dissemination/{item.key}",
                          data={"csrf_token": csrf_from(secretary), "done": "1", "version": str(item.version)})
    assert resp.status_code == 303  # post/redirect/get: the refusal is said on the unit page
    assert "đã được lưu trữ" in secretary.get(resp.headers.get("Location", "/units/U1")).get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Item, item.id).done
    dashboard = admin.get("/").get_data(as_text=True)
    assert "/units/U1" not in dashboard
    assert "Đã lưu trữ" in admin.get("/admin/units").get_data(as_text=True)  # the office still finds it
    assert admin.post("/admin/units/U1/archive", data={"csrf_token": token, "archived": "0"}).status_code == 302
    assert "/units/U1/items/" in secretary.get("/units/U1").get_data(as_text=True)


def test_archived_groups_leave_the_forms_and_filters(people, login):
    admin = login(people["admin"])
    make_group("G2")
    assert 'value="G2"' in admin.get("/admin/units/new").get_data(as_text=True)
    admin.post("/admin/groups/G2/archive", data={"csrf_token": csrf_from(admin), "archived": "1"})
    for path in ("/admin/units/new", "/admin/units", "/admin/users/new", "/", "/reports"):
        assert 'value="G2"' not in admin.get(path).get_data(as_text=True), path
    assert "Đã lưu trữ" in admin.get("/admin/groups").get_data(as_text=True)


def test_code_change_on_the_page_follows_to_the_new_address(people, login):
    client = login(people["admin"])
    token = csrf_from(client)
    bad = client.post("/admin/units/U1/code", data={"csrf_token": token, "code": "U 1"})
    assert bad.status_code == 422
    make_unit("U2")
    dup = client.post("/admin/units/U1/code", data={"csrf_token": token, "code": "U2"})
    assert dup.status_code == 409 and "Đã có đơn vị mã U2." in dup.get_data(as_text=True)
    resp = client.post("/admin/units/U1/code", data={"csrf_token": token, "code": "XA-01"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/units/XA-01/manage")
    assert "XA-01" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert client.get("/units/U1").status_code == 404
    assert client.get("/units/XA-01").status_code == 200
    assert client.get("/admin/units/U1/edit").status_code == 404
    journal = client.get("/units/XA-01/journal").get_data(as_text=True)
    assert "Đổi mã" in journal and "U1" in journal


def test_kind_change_confirmation_says_what_changes_then_applies(people, login):
    client = login(people["admin"])
    tick_stage("U1", "dissemination")
    page = client.get("/admin/units/U1/kind?kind=grassroots_cell").get_data(as_text=True)
    unit = db.session.scalar(select(Unit).where(Unit.code == "U1"))
    removed = [i for i in unit.items if i.key == "subcommittees_formed"]
    assert removed and removed[0].done
    assert "Từ Đảng bộ xã, thị trấn sang Chi bộ cơ sở" in page
    assert "Thêm 0 bước" in page and "Bỏ " in page
    assert removed[0].title_vi in page and "đã đánh dấu sẽ bị bỏ" in page
    # nothing changed yet
    assert db.session.scalar(select(Unit.kind).where(Unit.code == "U1")) == "commune_committee"
    resp = client.post("/admin/units/U1/kind", data={"csrf_token": csrf_of(page), "kind": "grassroots_cell"})
    assert resp.status_code == 302
    db.session.expire_all()
    unit = db.session.scalar(select(Unit).where(Unit.code == "U1"))
    assert unit.kind == "grassroots_cell" and "subcommittees_formed" not in {i.key for i in unit.items}
    assert [i.done for i in unit.items if i.stage == "dissemination"] and all(
        i.done for i in unit.items if i.stage == "dissemination")
    back = client.get("/admin/units/U1/kind?kind=commune_committee").get_data(as_text=True)
    assert "Bỏ 0 bước" in back and "subcommittees" not in back


def test_a_refused_kind_change_says_why_and_changes_nothing(people, login):
    client = login(people["admin"])
    page = client.get("/admin/units/U1/kind?kind=sub_cell").get_data(as_text=True)
    assert "Chi bộ trực thuộc phải có mã đảng bộ cấp trên." in page and "/admin/units/U1/kind\"" not in page
    before = _state()
    resp = client.post("/admin/units/U1/kind", data={"csrf_token": csrf_of(page), "kind": "sub_cell"})
    assert resp.status_code == 302
    assert "Chi bộ trực thuộc phải có mã đảng bộ cấp trên." in client.get(resp.headers["Location"]).get_data(
        as_text=True)
    assert _state() == before
