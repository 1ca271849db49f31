"""The units API as each role meets it: units, groups, stages, ticks, reviews, overdue, OpenAPI."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW
from tests.factories import tick_stage
from tests.factories import unit_items as items_of
from tracker.extensions import db
from tracker.models import Campaign, JournalEntry, Unit
from tracker.services import units as unit_service
from tracker.workflow import STAGES

ROLES = ("admin", "member", "outsider", "secretary", "other_secretary", "viewer", "none", "bad", "gone")
NEW_UNIT = {"code": "N1", "name": "Đơn vị mới", "kind": "grassroots_cell", "party_members": 12,
            "pilot": False, "group": "G1", "congress_date": "2030-06-01"}


def expect(table, who):
    return table.get(who, 401 if who in ("none", "bad", "gone") else 403)


# ---- who may do what -----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ROLES)
def test_list_units_by_role(world, who):
    st, body = world.call("GET", "/units", who)
    assert st == expect({"admin": 200, "member": 200, "outsider": 200, "secretary": 200,
                         "other_secretary": 200, "viewer": 200}, who)
    if st == 200:
        codes = [u["code"] for u in body["items"]]
        assert codes == {"secretary": ["U1"], "other_secretary": ["U2"]}.get(who, ["U1", "U2"])
        assert body["total"] == len(codes)
    else:
        assert body["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("who", ROLES)
def test_create_unit_by_role(world, who):
    st, body = world.call("POST", "/units", who, NEW_UNIT)
    assert st == expect({"admin": 201}, who), body
    assert set(body) == ({"code", "name", "kind", "party_members", "pilot", "group", "congress_date", "parent",
                          "archived", "secretaries", "flags", "stages"} if st == 201 else {"error"})
    assert (db.session.scalar(select(func.count()).select_from(Unit)) == 3) == (st == 201)


@pytest.mark.parametrize("who", ROLES)
def test_read_one_unit_and_its_stages_by_role(world, who):
    want = expect({"admin": 200, "member": 200, "outsider": 200, "secretary": 200, "viewer": 200}, who)
    st, body = world.call("GET", "/units/U1", who)
    assert st == want, body
    st, stages = world.call("GET", "/units/U1/stages", who)
    assert st == want
    if want == 200:
        # at NOW the first dissemination item (due 31 March) is overdue
        assert body["stages"] == {s: "overdue" if s == "dissemination" else "not_started" for s in STAGES}
        assert [s["key"] for s in stages] == list(STAGES)


@pytest.mark.parametrize("who", ROLES)
def test_patch_unit_by_role(world, who):
    st, body = world.call("PATCH", "/units/U1", who, {"party_members": 55})
    assert st == expect({"admin": 200}, who), body  # as on the pages: a unit's fields are the admins'
    db.session.expire_all()
    assert db.session.scalar(select(Unit.party_members).where(Unit.code == "U1")) == (55 if st == 200 else 40)


@pytest.mark.parametrize("who,status", [("admin", 200), ("member", 403), ("secretary", 403)])
def test_unit_fields_are_the_admins_business(world, who, status):
    for body in ({"pilot": True}, {"group": "G2"}, {"parent": "U2"}, {"name": "Tên mới"}, {"party_members": 1},
                 {"congress_date": "2030-06-01"}):
        st, out = world.call("PATCH", "/units/U1", who, body)
        assert st == status, (body, out)
        if st == 403:
            assert list(out["error"]["fields"]) == list(body)
    # sending a field unchanged is not a change
    assert world.call("PATCH", "/units/U2", "admin", {"group": "G1"})[0] == 200
    assert world.call("PATCH", "/units/U1", "admin", {"pilot": False, "group": "G1", "parent": None})[0] == 200
    now = world.ok("GET", "/units/U1", "admin")
    unchanged = {k: now[k] for k in ("pilot", "group", "name", "party_members", "congress_date")}
    assert world.call("PATCH", "/units/U1", "member", unchanged)[0] == 200


@pytest.mark.parametrize("who", ROLES)
def test_groups_by_role(world, who):
    st, body = world.call("GET", "/groups", who)
    # members' emails are personal data: secretaries get 403 (issue 11, finding 9)
    assert st == expect({r: 200 for r in ("admin", "member", "outsider", "viewer")}, who)
    if st == 200:
        assert body == {"total": 2, "items": [
            {"code": "G1", "name": "Tổ công tác 1", "members": ["member@example.org"], "archived": False},
            {"code": "G2", "name": "Tổ công tác 2", "members": ["outsider@example.org"], "archived": False}]}
    st, body = world.call("POST", "/groups", who, {"code": "G3", "name": "Tổ 3",
                                                    "members": ["outsider@example.org", "outsider@example.org"]})
    assert st == expect({"admin": 201}, who), body
    if st == 201:
        assert body == {"code": "G3", "name": "Tổ 3", "members": ["outsider@example.org"], "archived": False}
    if who == "admin":  # only working-group members belong to a group: others would get its reminders
        st, body = world.call("POST", "/groups", who, {"code": "G4", "name": "Tổ 4", "members": ["viewer@example.org"]})
        assert st == 422 and "members" in body["error"]["fields"]


@pytest.mark.parametrize("who", ROLES)
def test_tick_an_item_by_role(world, who):
    item = items_of("U1", "dissemination")[0]
    key, version = item.key, item.version
    st, body = world.call("PATCH", f"/units/U1/stages/dissemination/items/{key}", who,
                          {"done": True, "version": version})
    assert st == expect({"admin": 200, "member": 200, "secretary": 200}, who), body
    after = items_of("U1", "dissemination")[0]
    assert after.done == (st == 200)
    if st == 200:
        assert body["done"] is True and body["version"] == version + 1
        assert body["done_by"] == f"{who}@example.org" and body["stage_status"] == "in_progress"
        assert body["done_at"].startswith("2030-04-01T01:00:00") and body["done_at"].endswith("+00:00")


@pytest.mark.parametrize("who,status", [("secretary", 403), ("member", 200), ("admin", 200),
                                        ("outsider", 403), ("viewer", 403)])
def test_superior_decisions_are_ticked_by_the_district_side(world, who, status):
    item = next(i for i in items_of("U1", "documents") if i.superior_only)
    st, body = world.call("PATCH", f"/units/U1/stages/documents/items/{item.key}", who,
                          {"done": True, "version": item.version})
    assert st == status, body
    if who == "secretary":
        assert "superior" in body["error"]["message"] or "cấp trên" in body["error"]["message"]
    assert next(i for i in items_of("U1", "documents") if i.superior_only).done == (status == 200)


@pytest.mark.parametrize("who", ROLES)
def test_verify_and_return_by_role(world, who):
    tick_stage("U1", "dissemination")
    want = expect({"admin": 200, "member": 200}, who)
    st, body = world.call("POST", "/units/U1/stages/dissemination/verify", who)
    assert st == want, body
    if st == 200:
        assert body["key"] == "dissemination" and body["status"] == "verified"
        assert body["review"]["state"] == "verified" and body["review"]["by"] == f"{who}@example.org"
    st, body = world.call("POST", "/units/U1/stages/dissemination/return", who, {"comment": "Thiếu biên bản"})
    assert st == want, body
    if st == 200:
        assert body["status"] == "returned" and body["review"]["comment"] == "Thiếu biên bản"


@pytest.mark.parametrize("who", ROLES)
def test_overdue_by_role(world, who):
    st, body = world.call("GET", "/overdue", who)
    assert st == expect({r: 200 for r in ("admin", "member", "outsider", "secretary", "other_secretary",
                                          "viewer")}, who)
    if st == 200:
        units = {i["unit"] for i in body["items"]}
        assert units == {"secretary": {"U1"}, "other_secretary": {"U2"}}.get(who, {"U1", "U2"})


# ---- units ---------------------------------------------------------------------------------------

def test_create_unit_returns_it_with_its_checklist(world):
    body = world.ok("POST", "/units", "admin", NEW_UNIT)
    assert body == {"code": "N1", "name": "Đơn vị mới", "kind": "grassroots_cell", "party_members": 12,
                    "pilot": False, "group": "G1", "congress_date": "2030-06-01", "parent": None,
                    "archived": False, "secretaries": [], "flags": [], "stages": {s: "not_started" for s in STAGES}}
    stages = world.ok("GET", "/units/N1/stages")
    assert all(s["items"] for s in stages)
    sub = world.ok("POST", "/units", "admin", {**NEW_UNIT, "code": "N1a", "kind": "sub_cell", "parent": "U1"})
    assert sub["parent"] == "U1"


def test_unit_json_shows_secretaries_and_flags(world):
    campaign = db.session.scalar(select(Campaign))
    campaign.final_deadline = date(2030, 5, 1)
    db.session.commit()
    u1 = world.ok("GET", "/units/U1")
    assert u1["secretaries"] == ["secretary@example.org"]
    assert u1["flags"] == ["congress_after_deadline"]
    # a congress date after the deadline is accepted, and flagged
    created = world.ok("POST", "/units", "admin", {**NEW_UNIT, "congress_date": "2031-01-01"})
    assert created["congress_date"] == "2031-01-01" and created["flags"] == ["congress_after_deadline"]
    no_date = world.ok("POST", "/units", "admin", {"code": "N2", "name": "x", "kind": "grassroots_cell"})
    assert no_date["flags"] == ["no_congress_date"] and no_date["party_members"] == 0


def test_patch_congress_date_moves_open_due_dates(world):
    before = {i.key: i.due_on for i in items_of("U1", "dissemination")}
    tick_stage("U1", "dissemination", but=("briefing_held", "members_reached", "subcommittees_formed"))
    body = world.ok("PATCH", "/units/U1", "admin", {"congress_date": "2030-05-30"})
    assert body["congress_date"] == "2030-05-30"
    after = {i.key: i.due_on for i in items_of("U1", "dissemination")}
    assert after["plan_issued"] == before["plan_issued"]  # done: it keeps its date
    assert (after["briefing_held"] - before["briefing_held"]).days == 10
    moves = db.session.scalars(select(JournalEntry.action).where(JournalEntry.action == "congress_date_moved"))
    assert list(moves) == ["congress_date_moved"]


def test_patch_can_clear_the_congress_date_and_change_several_fields(world):
    body = world.ok("PATCH", "/units/U1", "admin", {"congress_date": None, "name": " Xã Mới ", "pilot": True})
    assert body["congress_date"] is None and body["name"] == "Xã Mới" and body["pilot"] is True
    assert body["flags"] == ["no_congress_date"]


def test_filters(world):
    world.ok("POST", "/units", "admin", {**NEW_UNIT, "pilot": True})
    def codes(query):
        return [u["code"] for u in world.ok("GET", "/units" + query)["items"]]
    assert codes("?group=G1") == ["N1", "U1"]
    assert codes("?group=G9") == []
    assert codes("?kind=grassroots_cell") == ["N1", "U2"]
    assert codes("?pilot=true") == ["N1"]
    assert codes("?pilot=false") == ["U1", "U2"]
    # at NOW the first dissemination items of U1 and U2 (due 31 March) are overdue; N1's are not yet
    assert codes("?overdue=true") == ["U1", "U2"]
    assert codes("?overdue=false") == ["N1"]
    assert codes("?overdue=true&group=G2&kind=grassroots_cell") == ["U2"]
    tick_stage("U1", "dissemination")
    assert codes("?overdue=true") == ["U2"]
    # the secretary's filters never widen what they see
    st, body = world.call("GET", "/units?group=G2", "secretary")
    assert st == 200 and body == {"items": [], "total": 0}


def test_pagination(world):
    for n in range(5):
        world.ok("POST", "/units", "admin", {**NEW_UNIT, "code": f"P{n}"})
    page = world.ok("GET", "/units?per_page=2&page=2")
    assert [u["code"] for u in page["items"]] == ["P2", "P3"] and page["total"] == 7
    assert world.ok("GET", "/units?per_page=2&page=99") == {"items": [], "total": 7}
    assert len(world.ok("GET", "/units?per_page=1000")["items"]) == 7
    assert world.ok("GET", "/groups?per_page=1")["total"] == 2


# ---- stages, items, gates, versions --------------------------------------------------------------

def test_stages_have_the_contract_shape(world):
    tick_stage("U1", "dissemination", but=("plan_issued",))
    stages = world.ok("GET", "/units/U1/stages", "secretary")
    assert [s["key"] for s in stages] == list(STAGES)
    first = stages[0]
    assert {"key", "status", "due_on", "items"} <= set(first)
    assert first["status"] == "overdue" and first["due_on"] == "2030-04-05"
    item, second = first["items"][:2]
    assert {"key", "title", "required", "due_on", "done", "done_at", "done_by", "version"} <= set(item)
    assert item["key"] == "plan_issued" and item["done"] is False and item["due_on"] == "2030-03-31"
    assert item["title"] == "Ban hành kế hoạch tổ chức đại hội"
    assert second["done"] is True and second["done_at"] == "2030-04-01T01:00:00+00:00"
    tick_stage("U1", "dissemination")
    assert world.ok("GET", "/units/U1/stages")[0]["status"] == "done"


def test_stale_version_is_409_and_changes_nothing(world):
    item = items_of("U1", "dissemination")[0]
    path, version = f"/units/U1/stages/dissemination/items/{item.key}", item.version
    world.ok("PATCH", path, "secretary", {"done": True, "version": version})
    st, body = world.call("PATCH", path, "secretary", {"done": False, "version": version})
    assert st == 409 and body["error"]["code"] == "conflict" and "version" in body["error"]["fields"]
    assert items_of("U1", "dissemination")[0].done is True


def test_note_and_untick(world):
    item = items_of("U1", "dissemination")[0]
    path = f"/units/U1/stages/dissemination/items/{item.key}"
    body = world.ok("PATCH", path, "secretary", {"done": True, "version": item.version, "note": "Đã ban hành"})
    assert body["note"] == "Đã ban hành"
    body = world.ok("PATCH", path, "secretary", {"done": False, "version": body["version"]})
    assert body["done"] is False and body["done_by"] is None and body["done_at"] is None


def test_congress_gate_names_the_missing_stages(world):
    tick_stage("U1", "documents")
    tick_stage("U1", "rehearsal")
    tick_stage("U1", "personnel", but=("complaints_settled",))
    item = items_of("U1", "congress")[0]
    st, body = world.call("PATCH", f"/units/U1/stages/congress/items/{item.key}", "admin",
                          {"done": True, "version": item.version})
    assert st == 422 and body["error"]["code"] == "gate_closed"
    assert body["error"]["fields"] == {"gate": "congress", "missing": "personnel"}
    assert items_of("U1", "congress")[0].done is False
    tick_stage("U1", "personnel")
    assert world.ok("PATCH", f"/units/U1/stages/congress/items/{item.key}", "admin",
                    {"done": True, "version": item.version})["done"] is True


def test_first_session_gate(world):
    item = items_of("U1", "first_session")[0]
    path = f"/units/U1/stages/first_session/items/{item.key}"
    st, body = world.call("PATCH", path, "member", {"done": True, "version": item.version})
    assert st == 422 and body["error"]["fields"]["gate"] == "first_session"
    assert body["error"]["fields"]["missing"] == "congress"
    for stage in ("documents", "personnel", "rehearsal", "congress"):
        tick_stage("U1", stage)
    assert world.ok("PATCH", path, "member", {"done": True, "version": item.version})["done"] is True


def test_verify_needs_a_done_stage_and_return_needs_a_comment(world):
    st, body = world.call("POST", "/units/U1/stages/dissemination/verify", "member")
    assert st == 422
    tick_stage("U1", "dissemination")
    st, body = world.call("POST", "/units/U1/stages/dissemination/return", "member", {"comment": "   "})
    assert st == 422 and "comment" in body["error"]["fields"]
    st, body = world.call("POST", "/units/U1/stages/dissemination/return", "member", {})
    assert st == 422 and "comment" in body["error"]["fields"]
    world.ok("POST", "/units/U1/stages/dissemination/verify", "member")
    assert world.ok("GET", "/units/U1")["stages"]["dissemination"] == "verified"


def test_unknown_stage_or_item_is_404(world):
    for method, path, body in (("PATCH", "/units/U1/stages/party/items/plan_issued", {"done": True, "version": 1}),
                               ("PATCH", "/units/U1/stages/dissemination/items/nope", {"done": True, "version": 1}),
                               ("PATCH", "/units/U1/stages/documents/items/plan_issued", {"done": True, "version": 1}),
                               ("POST", "/units/U1/stages/party/verify", None),
                               ("POST", "/units/U1/stages/party/return", {"comment": "x"}),
                               ("GET", "/units/NOPE", None), ("GET", "/units/NOPE/stages", None),
                               ("PATCH", "/units/NOPE", {"name": "x"})):
        st, out = world.call(method, path, "admin", body)
        assert st == 404 and out["error"]["code"] == "not_found", (path, st, out)


# ---- overdue -------------------------------------------------------------------------------------

def test_overdue_lists_items_with_unit_stage_group_and_days(world):
    body = world.ok("GET", "/overdue")
    assert body["total"] == 2
    first = body["items"][0]
    assert first == {"unit": "U1", "unit_name": "Đơn vị U1", "group": "G1", "stage": "dissemination",
                     "item": "plan_issued", "title": "Ban hành kế hoạch tổ chức đại hội",
                     "due_on": "2030-03-31", "days_overdue": 1}
    assert [i["unit"] for i in world.ok("GET", "/overdue?group=G2")["items"]] == ["U2"]
    assert world.ok("GET", "/overdue?group=G2&per_page=1&page=2") == {"items": [], "total": 1}
    tick_stage("U1", "dissemination")
    assert world.ok("GET", "/overdue")["total"] == 1


# ---- query counts do not grow with the number of units -----------------------------------------

def _requests_queries(world, count_queries, paths):
    counts = []
    world.call("GET", paths[0])  # warm-up: the token's first use of the minute stamps last_used_at
    for path in paths:
        db.session.expire_all()
        with count_queries() as counter:
            st, body = world.call("GET", path)
        assert st == 200
        counts.append(counter.n)
    return counts


def test_query_count_is_independent_of_the_number_of_units(world, count_queries):
    paths = ("/units?per_page=1000", "/overdue?per_page=1000", "/groups")
    def add(n):
        for i in range(n):
            unit_service.create_unit({"code": f"Q{i:04d}", "name": "q", "kind": "grassroots_cell",
                                      "group": "G1" if i % 2 else None,
                                      "congress_date": date(2030, 4, 20)}, None, NOW)
        db.session.commit()
    add(18)
    small = _requests_queries(world, count_queries, paths)
    assert world.ok("GET", "/units?per_page=1")["total"] == 20
    add_more = 180
    for i in range(18, 18 + add_more):
        unit_service.create_unit({"code": f"Q{i:04d}", "name": "q", "kind": "grassroots_cell",
                                  "group": "G2", "congress_date": date(2030, 4, 20)}, None, NOW)
    db.session.commit()
    big = _requests_queries(world, count_queries, paths)
    assert world.ok("GET", "/units?per_page=1")["total"] == 200
    assert world.ok("GET", "/overdue?per_page=1")["total"] > 200
    assert big == small, (small, big)
    assert max(small) <= 12


# ---- OpenAPI -------------------------------------------------------------------------------------

def test_openapi_document_lists_the_paths_with_schemas(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/units", "/api/v1/units/{code}", "/api/v1/groups", "/api/v1/units/{code}/stages",
                 "/api/v1/units/{code}/stages/{stage}/items/{item}", "/api/v1/units/{code}/stages/{stage}/verify",
                 "/api/v1/units/{code}/stages/{stage}/return", "/api/v1/overdue"):
        assert path in spec["paths"], path
    post = spec["paths"]["/api/v1/units"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/UnitCreate")
    assert {"201", "400", "401", "403", "409", "422"} <= set(post["responses"])
    schemas = spec["components"]["schemas"]
    assert set(schemas["UnitCreate"]["required"]) == {"code", "name", "kind"}
    assert "stages" in schemas["UnitOut"]["properties"]
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearer": []}]
    params = {p["name"] for p in spec["paths"]["/api/v1/units"]["get"]["parameters"]}
    assert {"page", "per_page", "group", "kind", "pilot", "overdue"} <= params


# ---- moving a deadline (issue 8, point 10) --------------------------------------------------------

@pytest.mark.parametrize("who", ROLES)
def test_move_a_deadline_by_role(world, who):
    key = items_of("U1", "documents")[0].key
    st, body = world.call("POST", f"/units/U1/stages/documents/items/{key}/deadline", who,
                          {"due_on": "2030-04-20", "reason": "Chờ hướng dẫn của tỉnh"})
    assert st == expect({"admin": 200, "member": 200}, who), body
    if st == 200:
        assert body["due_on"] == "2030-04-20" and body["key"] == key
    assert (items_of("U1", "documents")[0].due_on == date(2030, 4, 20)) == (st == 200)


def test_a_deadline_before_today_needs_confirm_past(world):
    item = items_of("U1", "documents")[0]
    url = f"/units/U1/stages/documents/items/{item.key}/deadline"
    old_due = item.due_on
    st, body = world.call("POST", url, "member", {"due_on": "2030-03-31", "reason": "Ghi nhận hạn cũ"})
    assert st == 422 and "confirm_past" in body["error"]["fields"], body
    assert items_of("U1", "documents")[0].due_on == old_due
    st, body = world.call("POST", url, "member", {"due_on": "2030-03-31", "reason": "Ghi nhận hạn cũ",
                                                  "confirm_past": "yes"})
    assert st == 422 and "confirm_past" in body["error"]["fields"]  # a JSON true, not a string
    for bad in ({"due_on": "2030-04-20"}, {"due_on": "1999-01-01", "reason": "x"}, {"reason": "x"},
                {"due_on": "2030-04-20", "reason": ""}):
        st, body = world.call("POST", url, "member", bad)
        assert st == 422, (bad, body)
    st, body = world.call("POST", url, "member", {"due_on": "2030-03-31", "reason": "Ghi nhận hạn cũ",
                                                  "confirm_past": True})
    assert st == 200 and body["due_on"] == "2030-03-31"
    st, _ = world.call("POST", "/units/U1/stages/documents/items/nope/deadline", "member",
                       {"due_on": "2030-04-20", "reason": "x"})
    assert st == 404
