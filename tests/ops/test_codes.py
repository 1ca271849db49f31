"""Issue 11, finding 8: unit and working-group codes are ASCII letters, digits, '.', '-', '_' (1–30), by one
rule (tracker/codes.py) in the API, the admin pages and the imports."""
import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, csrf_of
from tests.factories import bearer
from tests.imports.files import UNIT_FIELDS, csv_bytes
from tracker.codes import code_problem
from tracker.extensions import db
from tracker.imports.service import run_import
from tracker.models import Unit, WorkingGroup

BAD = ["a/b", "a?b", "a#b", "Tổ1", "a b", "a%2F", "", "x" * 31, "a\\b", "..%"]
GOOD = ["U1", "K-01", "cb_3.a", "x" * 30]


@pytest.mark.parametrize("code", BAD)
def test_the_rule_refuses(code):
    assert code_problem(code)


@pytest.mark.parametrize("code", GOOD)
def test_the_rule_accepts(code):
    assert code_problem(code) is None


def counts():
    return (db.session.scalar(select(func.count(Unit.id))), db.session.scalar(select(func.count(WorkingGroup.id))))


@pytest.mark.parametrize("code", ["a/b", "a?b", "a#b", "Tổ1"])
def test_the_api_refuses_bad_codes_with_422_naming_the_field(world, app, code):
    before = counts()
    headers = bearer(world["admin"])
    client = app.test_client()
    unit = client.post("/api/v1/units", headers=headers, json={
        "code": code, "name": "X", "kind": "grassroots_cell", "party_members": 3, "pilot": False,
        "group": None, "congress_date": None})
    group = client.post("/api/v1/groups", headers=headers, json={"code": code, "name": "X", "members": []})
    for resp in (unit, group):
        assert resp.status_code == 422, resp.get_json()
        assert "A–Z" in resp.get_json()["error"]["fields"]["code"]
    assert counts() == before


def test_the_openapi_document_states_the_pattern(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    patterns = {prop.get("pattern") for schema in spec["components"]["schemas"].values()
                for name, prop in schema.get("properties", {}).items() if name == "code"}
    assert "^[A-Za-z0-9._-]{1,30}$" in patterns


def test_the_admin_pages_refuse_bad_codes_in_vietnamese(world, login):
    client = login(world["admin"])
    token = csrf_of(client.get("/admin/units/new").get_data(as_text=True))
    before = counts()
    unit = client.post("/admin/units/new", data={"csrf_token": token, "code": "a/b", "name": "X",
                                                 "kind": "grassroots_cell", "party_members": "3"})
    group = client.post("/admin/groups", data={"csrf_token": token, "code": "T?1", "name": "X"})
    for resp in (unit, group):
        assert resp.status_code in (400, 422), resp.status_code
        assert "chữ cái không dấu (A–Z, a–z)" in resp.get_data(as_text=True)
    assert counts() == before


def test_imports_refuse_bad_codes_naming_line_and_column(campaign):
    groups = run_import("groups", csv_bytes(["code", "name"], [["G1", "Tổ 1"], ["G#2", "Tổ 2"]]), "g.csv", None,
                        "test", NOW, False)
    units = run_import("units", csv_bytes(UNIT_FIELDS, [["K/1", "Đảng bộ xã", "commune_committee", "3", "", "",
                                                         "", ""]]), "u.csv", None, "test", NOW, False)
    db.session.rollback()
    assert groups.errors and units.errors
    assert "A–Z" in str(groups.errors[0].message) and "A–Z" in str(units.errors[0].message)
    assert counts() == (0, 0)
