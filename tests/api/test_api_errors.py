"""Bad requests to the units API: the contract's error shape, the right status, never a 500, nothing changed."""
import json

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Item, JournalEntry, Unit, WorkingGroup

GOOD = {"code": "N1", "name": "Đơn vị mới", "kind": "grassroots_cell", "party_members": 12, "pilot": False,
        "group": "G1", "congress_date": "2030-06-01"}


def snapshot():
    """Everything the API could change, to prove a refused request changed nothing."""
    db.session.expire_all()
    units = db.session.execute(select(Unit.code, Unit.name, Unit.kind, Unit.party_members, Unit.pilot,
                                      Unit.group_id, Unit.parent_id, Unit.congress_date).order_by(Unit.code)).all()
    items = db.session.execute(select(Item.id, Item.done, Item.version, Item.due_on, Item.note)
                               .order_by(Item.id)).all()
    groups = db.session.execute(select(WorkingGroup.code, WorkingGroup.name)).all()
    journal = db.session.scalar(select(func.count()).select_from(JournalEntry))
    return units, items, groups, journal


def assert_error(status, body, want):
    assert status in (want if isinstance(want, tuple) else (want,)), (status, body)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"]
    assert all(isinstance(v, str) for v in body["error"]["fields"].values())


# ---- 401 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "bearer nope",
                                    "Token abc", "Bearer " + "x" * 5000, "Bearer a\tb"])
def test_no_or_bad_token_is_401_even_with_a_bad_body(world, header):
    world.headers["odd"] = {"Authorization": header} if header else {}
    before = snapshot()
    for method, path in (("GET", "/units"), ("POST", "/units"), ("PATCH", "/units/U1"), ("GET", "/groups"),
                         ("POST", "/groups"), ("GET", "/units/U1/stages"), ("GET", "/overdue"),
                         ("PATCH", "/units/U1/stages/dissemination/items/plan_issued"),
                         ("POST", "/units/U1/stages/dissemination/verify"),
                         ("POST", "/units/U1/stages/dissemination/return"), ("GET", "/units/NOPE")):
        st, body = world.call(method, path, "odd", data=b"{not json")
        assert_error(st, body, 401)
        assert body["error"]["code"] == "unauthorized"
    assert snapshot() == before


def test_a_deactivated_users_token_is_refused(world):
    st, body = world.call("GET", "/units", "gone")
    assert_error(st, body, 401)


# ---- 400: not JSON -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [b"{not json", b'{"code": "N1",', b"\xff\xfe\x00", b"[1, 2", b"{'code': 'N1'}"])
def test_malformed_json_is_400_and_changes_nothing(world, raw):
    before = snapshot()
    for method, path in (("POST", "/units"), ("PATCH", "/units/U1"), ("POST", "/groups"),
                         ("PATCH", "/units/U1/stages/dissemination/items/plan_issued"),
                         ("POST", "/units/U1/stages/dissemination/return")):
        st, body = world.call(method, path, "admin", data=raw)
        assert_error(st, body, 400)
        assert body["error"]["code"] == "bad_request"
    assert snapshot() == before


# ---- 422: valid JSON that breaks a rule ----------------------------------------------------------

BAD_UNITS = [
    ({"code": "B1"}, {"name", "kind"}),
    ({}, {"code", "name", "kind"}),
    ({**GOOD, "kind": "castle"}, {"kind"}),
    ({**GOOD, "party_members": -4}, {"party_members"}),
    ({**GOOD, "party_members": "30"}, {"party_members"}),
    ({**GOOD, "party_members": 30.5}, {"party_members"}),
    ({**GOOD, "party_members": True}, {"party_members"}),
    ({**GOOD, "party_members": 10 ** 15}, {"party_members"}),  # longer integers: 400 (tests/ops)
    ({**GOOD, "party_members": None}, {"party_members"}),
    ({**GOOD, "congress_date": "31/02/2030"}, {"congress_date"}),
    ({**GOOD, "congress_date": "2030-02-31"}, {"congress_date"}),
    ({**GOOD, "congress_date": 20300601}, {"congress_date"}),
    ({**GOOD, "congress_date": "2030-06-01\u0000"}, {"congress_date"}),
    ({**GOOD, "name": None}, {"name"}),
    ({**GOOD, "name": ""}, {"name"}),
    ({**GOOD, "name": "   "}, {"name"}),
    ({**GOOD, "name": "x" * 201}, {"name"}),
    ({**GOOD, "name": ["a"]}, {"name"}),
    ({**GOOD, "code": "x" * 31}, {"code"}),
    ({**GOOD, "code": "A B"}, {"code"}),
    ({**GOOD, "code": "N\u00001"}, {"code"}),
    ({**GOOD, "code": 7}, {"code"}),
    ({**GOOD, "pilot": "yes"}, {"pilot"}),
    ({**GOOD, "pilot": 1}, {"pilot"}),
    ({**GOOD, "pilot": None}, {"pilot"}),
    ({**GOOD, "group": "G9"}, {"group"}),
    ({**GOOD, "group": 1}, {"group"}),
    ({**GOOD, "group": "G\u00001"}, {"group"}),
    ({**GOOD, "parent": "NOPE"}, {"parent"}),
    ({**GOOD, "kind": "sub_cell"}, {"parent"}),
    ({**GOOD, "colour": "red"}, {"colour"}),
    ([GOOD], {"_schema"}),
    (42, {"_schema"}),
    ("N1", {"_schema"}),
    (None, {"_schema"}),
    (True, {"_schema"}),
]


@pytest.mark.parametrize("body,fields", BAD_UNITS)
def test_bad_unit_is_422_naming_the_fields_and_changes_nothing(world, body, fields):
    before = snapshot()
    st, out = world.call("POST", "/units", "admin", data=json.dumps(body).encode())
    assert_error(st, out, 422)
    assert set(out["error"]["fields"]) == fields, out
    assert snapshot() == before


def test_duplicate_codes_are_409(world):
    before = snapshot()
    st, out = world.call("POST", "/units", "admin", {**GOOD, "code": "U1"})
    assert_error(st, out, 409)
    assert out["error"]["code"] == "duplicate" and "code" in out["error"]["fields"]
    st, out = world.call("POST", "/groups", "admin", {"code": "G1", "name": "again"})
    assert_error(st, out, 409)
    assert snapshot() == before


@pytest.mark.parametrize("body,fields", [
    ({"kind": "sub_cell"}, {"parent"}),  # a kind change is allowed (tracker/edits); a cell needs its committee
    ({"code": "U 9"}, {"code"}),  # a new code is allowed when it is a valid one
    ({"party_members": -1}, {"party_members"}),
    ({"party_members": "5"}, {"party_members"}),
    ({"congress_date": "soon"}, {"congress_date"}),
    ({"congress_date": "2030-13-01"}, {"congress_date"}),
    ({"name": None}, {"name"}),
    ({"name": ""}, {"name"}),
    ({"group": "G9"}, {"group"}),
    ({"parent": "U1"}, {"parent"}),
    ({"parent": "NOPE"}, {"parent"}),
    ({"pilot": "true"}, {"pilot"}),
    ({"version": 3}, {"version"}),
    ({"name": "ok", "party_members": -1, "congress_date": "x"}, {"party_members", "congress_date"}),
    ([], {"_schema"}),
    (3, {"_schema"}),
])
def test_bad_unit_patch_is_422_and_changes_nothing(world, body, fields):
    before = snapshot()
    st, out = world.call("PATCH", "/units/U1", "admin", data=json.dumps(body).encode())
    assert_error(st, out, 422)
    assert set(out["error"]["fields"]) == fields, out
    assert snapshot() == before


@pytest.mark.parametrize("body,fields", [
    ({}, {"done", "version"}),
    ({"done": True}, {"version"}),
    ({"version": 1}, {"done"}),
    ({"done": "yes", "version": 1}, {"done"}),
    ({"done": 1, "version": 1}, {"done"}),
    ({"done": None, "version": 1}, {"done"}),
    ({"done": True, "version": "1"}, {"version"}),
    ({"done": True, "version": None}, {"version"}),
    ({"done": True, "version": 1.5}, {"version"}),
    ({"done": True, "version": -1}, {"version"}),
    ({"done": True, "version": 10 ** 15}, {"version"}),  # longer integers: 400 (tests/ops)
    ({"done": True, "version": 1, "note": "x" * 2001}, {"note"}),
    ({"done": True, "version": 1, "note": "a\u0000b"}, {"note"}),
    ({"done": True, "version": 1, "note": 5}, {"note"}),
    ({"done": True, "version": 1, "due_on": "2030-01-01"}, {"due_on"}),
    ([{"done": True, "version": 1}], {"_schema"}),
    ("done", {"_schema"}),
])
def test_bad_tick_is_422_and_changes_nothing(world, body, fields):
    before = snapshot()
    st, out = world.call("PATCH", "/units/U1/stages/dissemination/items/plan_issued", "secretary",
                         data=json.dumps(body).encode())
    assert_error(st, out, 422)
    assert set(out["error"]["fields"]) == fields, out
    assert snapshot() == before


@pytest.mark.parametrize("body,fields", [
    ({}, {"code", "name"}),
    ({"code": "G3", "name": "x", "members": ["not-an-email"]}, {"members.0"}),
    ({"code": "G3", "name": "x", "members": ["nobody@example.org"]}, {"members"}),
    ({"code": "G3", "name": "x", "members": "member@example.org"}, {"members"}),
    ({"code": "G3", "name": "x", "members": [None]}, {"members.0"}),
    ({"code": "G 3", "name": "x"}, {"code"}),
    ({"code": "G3", "name": ""}, {"name"}),
    ({"code": "G3", "name": "x", "extra": 1}, {"extra"}),
])
def test_bad_group_is_422_and_changes_nothing(world, body, fields):
    before = snapshot()
    st, out = world.call("POST", "/groups", "admin", data=json.dumps(body).encode())
    assert_error(st, out, 422)
    assert set(out["error"]["fields"]) == fields, out
    assert snapshot() == before


@pytest.mark.parametrize("body", [{}, {"comment": ""}, {"comment": None}, {"comment": 3}, {"comment": "x" * 2001},
                                  {"comment": "ok", "state": "verified"}, ["ok"]])
def test_bad_return_is_422_and_changes_nothing(world, body):
    before = snapshot()
    st, out = world.call("POST", "/units/U1/stages/dissemination/return", "member", data=json.dumps(body).encode())
    assert_error(st, out, 422)
    assert snapshot() == before


# ---- query strings -------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["group=G%001", "kind=%00", "page=%00"])
def test_a_nul_byte_in_the_query_is_400(world, query):
    for path in ("/units", "/overdue", "/groups"):
        st, out = world.call("GET", f"{path}?{query}", "admin")
        assert_error(st, out, 400)


@pytest.mark.parametrize("query,field", [
    ("per_page=0", "per_page"), ("per_page=1001", "per_page"), ("per_page=" + "9" * 40, "per_page"),
    ("per_page=abc", "per_page"), ("per_page=", "per_page"), ("per_page=1.5", "per_page"),
    ("page=0", "page"), ("page=-1", "page"), ("page=x", "page"), ("page=" + "9" * 40, "page"),
    ("kind=castle", "kind"), ("pilot=maybe", "pilot"), ("overdue=2", "overdue"),
    ("group=" + "G" * 31, "group"),
])
def test_bad_query_is_422(world, query, field):
    for path in ("/units", "/overdue", "/groups"):
        st, out = world.call("GET", f"{path}?{query}", "admin")
        if path != "/units" and field in ("kind", "pilot", "overdue"):
            assert st == 200  # filters a list does not have are ignored
            continue
        if path == "/groups" and field == "group":
            assert st == 200
            continue
        assert_error(st, out, 422)
        assert field in out["error"]["fields"], (path, out)


def test_unknown_query_arguments_are_ignored(world):
    st, out = world.call("GET", "/units?colour=red&per_page=1000", "admin")
    assert st == 200 and out["total"] == 2


# ---- paths, methods, content types ---------------------------------------------------------------

@pytest.mark.parametrize("path", ["/units/%00", "/units/" + "U" * 500, "/units/U1%00/stages",
                                  "/units/U1/stages/dissemination/items/%00",
                                  "/units/U1/stages/dissemination/items/" + "k" * 500,
                                  "/units/U1/stages/%00/verify", "/nothing-here"])
def test_odd_paths_are_404(world, path):
    method = "PATCH" if "/items/" in path else "POST" if path.endswith("verify") else "GET"
    st, out = world.call(method, path, "admin", {"done": True, "version": 1} if method == "PATCH" else None)
    assert_error(st, out, 400 if "%00" in path else 404)  # a NUL byte is malformed, whatever the path


def test_wrong_method_is_405_in_the_error_shape(world):
    st, out = world.call("PUT", "/units/U1", "admin")  # DELETE exists since issue 10 (tracker/edits)
    assert_error(st, out, 405)
    assert out["error"]["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_415(world):
    # it once counted as "no fields" (422 on POST, and a silent "no change" on PATCH): now refused as such
    before = snapshot()
    st, out = world.call("POST", "/units", "admin", data=b"code=N1", content_type="application/x-www-form-urlencoded")
    assert_error(st, out, 415)
    assert out["error"]["code"] == "unsupported_media_type"
    assert snapshot() == before


def test_permission_is_checked_before_the_body(world):
    for who, method, path in (("secretary", "POST", "/units"), ("viewer", "POST", "/groups"),
                              ("viewer", "PATCH", "/units/U1"), ("outsider", "PATCH", "/units/U1"),
                              ("viewer", "PATCH", "/units/U1/stages/dissemination/items/plan_issued"),
                              ("secretary", "POST", "/units/U1/stages/dissemination/return")):
        st, out = world.call(method, path, who, data=b"{not json")
        assert_error(st, out, 403)


def test_messages_are_vietnamese_by_default_and_english_for_english_users(world):
    st, out = world.call("POST", "/units", "admin", {"code": "B1"})
    # the exact wording of these shared msgids belongs to whichever catalog is merged last
    assert "đánh dấu" in out["error"]["message"]
    assert "bắt buộc" in out["error"]["fields"]["name"]
    st, out = world.call("POST", "/units", "admin", {**GOOD, "party_members": "30", "kind": "castle"})
    assert out["error"]["fields"]["party_members"] == "Không phải số nguyên hợp lệ."
    assert out["error"]["fields"]["kind"].startswith("Loại không hợp lệ; chọn một trong: commune_committee")
    st, out = world.call("GET", "/units", "none")
    assert out["error"]["message"] == "Cần mã truy cập (bearer token) hợp lệ."
    st, out = world.call("POST", "/units/U1/stages/dissemination/verify", "viewer")
    assert out["error"]["message"] == "Chỉ tổ công tác phụ trách đơn vị hoặc Ban Tổ chức mới xác nhận hoặc trả lại giai đoạn."
    world.users["admin"].locale = "en"
    db.session.commit()
    st, out = world.call("POST", "/units", "admin", {"code": "B1"})
    assert out["error"]["message"] == "Check the marked fields."
    assert out["error"]["fields"]["name"] == "This field is required."
    st, out = world.call("GET", "/units/U1/stages", "admin")
    assert out[0]["items"][0]["title"] == "Congress organisation plan issued"
    assert out[0]["label"] == "Dissemination"


def test_the_api_catalog_is_fully_translated():
    from pathlib import Path

    from babel.messages.pofile import read_po
    po = Path(__file__).resolve().parents[2] / "tracker/i18n/api/vi/LC_MESSAGES/messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    assert len(catalog) > 30
    assert [m.id for m in catalog if m.id and not m.string] == []


def test_a_race_that_breaks_a_unique_constraint_is_409_not_500(world, monkeypatch):
    import tracker.api.units as api_units
    from tracker.models import Unit as UnitModel

    def racing_create(data, user, now, campaign=None):
        # another request created the same code between our check and our insert
        u1 = db.session.scalar(select(UnitModel).where(UnitModel.code == "U1"))
        db.session.add(UnitModel(campaign_id=u1.campaign_id, code="U1", name="twin", kind="grassroots_cell"))
        db.session.flush()

    monkeypatch.setattr(api_units, "create_unit", racing_create)
    before = snapshot()
    st, out = world.call("POST", "/units", "admin", GOOD)
    assert_error(st, out, 409)
    assert snapshot() == before
