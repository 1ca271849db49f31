"""The admin pages: upload → preview (every change, every error) → confirm, checked again on the server;
templates; bulk changes to units and users; a user's details. Admins only, CSRF on every form."""
from __future__ import annotations

import io

import openpyxl
from sqlalchemy import func, select

from tests.conftest import csrf_of
from tests.imports.files import UNIT_FIELDS, csv_bytes
from tracker.extensions import db
from tracker.imports.models import ImportRun, ImportUpload
from tracker.models import JournalEntry, Unit, User, WorkingGroup
from tracker.services.accounts import find_user

ROWS = [["K1", "Đảng bộ xã Hiệp Mỹ Đông", "commune_committee", "312", "x", "G1", "15/06/2030", ""],
        ["C1", "Chi bộ Trường THPT", "grassroots_cell", "41", "", "G1", "28/05/2030", ""]]


def upload(client, content, name="units.csv", kind="units"):
    token = csrf_of(client.get("/admin/import").get_data(as_text=True))
    return client.post("/admin/import", data={"csrf_token": token, "kind": kind,
                                               "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_upload_preview_confirm(campaign, make_user, make_group, login):
    make_group("G1")
    client = login(make_user("admin@district.test", "admin"))
    resp = upload(client, csv_bytes(UNIT_FIELDS, ROWS))
    assert resp.status_code == 302
    preview = client.get(resp.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "K1" in html and "C1" in html and 'id="import-counts"' in html
    assert db.session.scalar(select(func.count(Unit.id))) == 0  # nothing yet
    upload_id = db.session.scalar(select(ImportUpload.id))
    done = client.post(f"/admin/import/{upload_id}/apply", data={"csrf_token": csrf_of(html)})
    assert done.status_code == 302
    assert db.session.scalar(select(func.count(Unit.id))) == 2
    run = db.session.scalar(select(ImportRun))
    assert (run.actor, run.file_name, run.created, run.kind) == ("admin@district.test", "units.csv", 2, "units")
    assert db.session.scalar(select(func.count(ImportUpload.id))) == 0
    assert "units.csv" in client.get("/admin/import").get_data(as_text=True)  # the import journal


def test_preview_lists_every_error_and_confirm_checks_again_on_the_server(campaign, make_user, make_group, login):
    make_group("G1")
    client = login(make_user("admin@district.test", "admin"))
    bad = ROWS + [["X1", "", "hamlet_cell", "-3", "", "G9", "31/02/2030", ""]]
    html = client.get(upload(client, csv_bytes(UNIT_FIELDS, bad)).headers["Location"]).get_data(as_text=True)
    for column in ("name", "kind", "party_members", "group", "congress_date"):
        assert f"dòng 4, cột {column}:" in html
    assert "/apply" not in html
    # a clean file is previewed, then its group disappears before the confirmation
    html = client.get(upload(client, csv_bytes(UNIT_FIELDS, ROWS)).headers["Location"]).get_data(as_text=True)
    upload_id = db.session.scalar(select(ImportUpload.id).order_by(ImportUpload.id.desc()))
    db.session.delete(db.session.scalar(select(WorkingGroup)))
    db.session.commit()
    resp = client.post(f"/admin/import/{upload_id}/apply", data={"csrf_token": csrf_of(html)})
    assert resp.status_code == 422 and "dòng 2, cột group:" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Unit.id))) == 0


def test_only_admins_and_only_the_uploader(campaign, make_user, make_unit, login, app):
    make_unit("K1")
    admin = login(make_user("admin@district.test", "admin"))
    other = login(make_user("other@district.test", "admin"))
    viewer = login(make_user("viewer@district.test", "viewer"))
    location = upload(admin, csv_bytes(["code", "name"], [["K1", "Tên mới"]])).headers["Location"]
    assert other.get(location).status_code == 404
    for path in ("/admin/import", location, "/admin/units/assign", "/admin/users/select",
                 "/admin/import/template/units.xlsx"):
        assert viewer.get(path).status_code == 403, path
    assert app.test_client().get("/admin/import").status_code == 302
    upload_id = db.session.scalar(select(ImportUpload.id))
    assert admin.post(f"/admin/import/{upload_id}/apply", data={}).status_code == 400  # no CSRF token


def test_templates_have_vietnamese_headers_an_example_and_the_lists(campaign, make_user, login):
    client = login(make_user("admin@district.test", "admin"))
    for kind, first in (("units", "Mã đơn vị"), ("users", "Email"), ("groups", "Mã tổ")):
        resp = client.get(f"/admin/import/template/{kind}.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(resp.data))
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        assert rows[0][0] == first and any(rows[1])
        lists = [r[0] for r in book["Danh mục"].iter_rows(values_only=True)]
        assert "Đảng bộ xã, thị trấn" in lists and "Bí thư đơn vị" in lists
    assert client.get("/admin/import/template/other.xlsx").status_code == 404


def test_the_units_template_imports_as_it_is(campaign, make_user, make_group, login):
    make_group("G1")
    client = login(make_user("admin@district.test", "admin"))
    content = client.get("/admin/import/template/units.xlsx").data
    html = client.get(upload(client, content, "mau.xlsx").headers["Location"]).get_data(as_text=True)
    assert "dòng" not in html and 'id="import-counts"' in html


def test_assign_several_units_to_a_group_at_once(campaign, make_user, make_group, make_unit, login):
    make_group("G1")
    make_group("G2")
    for code in ("A1", "A2", "A3"):
        make_unit(code, group="G1")
    client = login(make_user("admin@district.test", "admin"))
    page = client.get("/admin/units/assign").get_data(as_text=True)
    resp = client.post("/admin/units/assign", data={"csrf_token": csrf_of(page), "codes": ["A1", "A3"],
                                                     "target": "G2"})
    assert resp.status_code == 302
    groups = dict(db.session.execute(select(Unit.code, WorkingGroup.code).join(Unit.group)).all())
    assert groups == {"A1": "G2", "A2": "G1", "A3": "G2"}
    assert db.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.note == "group")) == 2
    client.post("/admin/units/assign", data={"csrf_token": csrf_of(page), "codes": ["A1", "ZZ"], "target": "-"})
    assert db.session.scalar(select(Unit.group_id).where(Unit.code == "A1")) is not None  # ZZ: nothing changed


def test_deactivate_several_users_at_once_never_oneself(campaign, make_user, login):
    admin = make_user("admin@district.test", "admin")
    ids = [make_user(f"u{i}@district.test", "viewer").id for i in range(3)]
    client = login(admin)
    page = client.get("/admin/users/select").get_data(as_text=True)
    client.post("/admin/users/select", data={"csrf_token": csrf_of(page), "action": "deactivate",
                                             "ids": [str(i) for i in ids[:2]]})
    db.session.expire_all()
    assert [u.active for u in db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id))] == [
        False, False, True]
    client.post("/admin/users/select", data={"csrf_token": csrf_of(page), "action": "deactivate",
                                             "ids": [str(ids[2]), str(admin.id)]})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active and db.session.get(User, ids[2]).active


def test_edit_a_users_name_email_phone_and_role(campaign, make_user, make_unit, make_group, login):
    make_unit("K1")
    make_group("G1")
    admin = make_user("admin@district.test", "admin")
    member = make_user("m@district.test", "group", group="G1")
    client = login(admin)
    page = client.get(f"/admin/users/{member.id}/profile").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "name": "Nguyễn Thị Mai", "email": "", "phone": "0912 345 678",
            "role": "secretary", "unit": "K1"}
    assert client.post(f"/admin/users/{member.id}/profile", data=data).status_code == 302
    db.session.expire_all()
    user = find_user("0912345678")
    assert (user.name, user.email, user.role, user.unit.code, user.groups) == (
        "Nguyễn Thị Mai", None, "secretary", "K1", [])
    bad = dict(data, email="", phone="", role="viewer")
    assert client.post(f"/admin/users/{member.id}/profile", data=bad).status_code == 422
    mine = client.get(f"/admin/users/{admin.id}/profile").get_data(as_text=True)
    resp = client.post(f"/admin/users/{admin.id}/profile", data={
        "csrf_token": csrf_of(mine), "name": "A", "email": "admin@district.test", "phone": "", "role": "viewer"})
    assert resp.status_code == 422 and db.session.get(User, admin.id).role == "admin"
