"""PUT dissemination / results / first-session and GET /reports/summary over the JSON API."""

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW
from tests.factories import count
from tests.reports.reports_helpers import finish
from tracker.extensions import db
from tracker.models import CongressResult, DisseminationResult, FirstSessionResult, Item, JournalEntry

RESULTS = {"held_on": "2030-03-30", "committee_elected": 15, "re_elected": 12, "first_time": 3, "women": 3,
           "young": 2, "ethnic_minority": 4, "delegates_official": 10, "delegates_alternate": 1,
           "seats": 15, "candidates": 18}
FIRST = {"standing_committee": 5, "secretary_elected": True, "deputy_secretaries": 2, "inspection_committee": 5,
         "inspection_chair_elected": True}


@pytest.fixture
def setup(make_unit, make_group, make_user, token_for, frozen):
    make_group("G1")
    make_group("G2")
    unit = make_unit("X01", group="G1", party_members=200)
    other = make_unit("X02", group="G2", party_members=50)
    users = {
        "admin": make_user("admin@x.vn", "admin"),
        "sec": make_user("sec@x.vn", "secretary", unit="X01"),
        "sec2": make_user("sec2@x.vn", "secretary", unit="X02"),
        "g1": make_user("g1@x.vn", "group", group="G1"),
        "g2": make_user("g2@x.vn", "group", group="G2"),
        "viewer": make_user("viewer@x.vn", "viewer"),
    }
    headers = {k: token_for(u) for k, u in users.items()}
    with frozen(NOW):
        yield unit, other, headers


def test_secretary_enters_dissemination_any_time(app, setup):
    unit, _, h = setup
    c = app.test_client()
    r = c.put("/api/v1/units/X01/dissemination", json={"sessions": 4, "attendees": 230, "members_reached": 195},
              headers=h["sec"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["members_reached"] == 195
    row = db.session.scalar(select(DisseminationResult))
    assert (row.sessions, row.attendees, row.members_reached) == (4, 230, 195)
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.action == "results_changed"))
    assert entry.stage == "dissemination" and entry.before == "" and '"members_reached": 195' in entry.after
    # a change is journalled with before and after
    r = c.put("/api/v1/units/X01/dissemination", json={"sessions": 5, "attendees": 230, "members_reached": 195},
              headers=h["sec"])
    assert r.status_code == 200
    last = db.session.scalars(select(JournalEntry).where(JournalEntry.action == "results_changed")
                              .order_by(JournalEntry.id.desc())).first()
    assert '"sessions": 4' in last.before and '"sessions": 5' in last.after


def test_members_reached_above_party_members_is_refused(app, setup):
    _, _, h = setup
    r = app.test_client().put("/api/v1/units/X01/dissemination",
                              json={"sessions": 4, "attendees": 230, "members_reached": 201}, headers=h["sec"])
    assert r.status_code == 422
    body = r.get_json()["error"]
    assert "members_reached" in body["fields"] and "200" in body["fields"]["members_reached"]
    assert count(DisseminationResult) == 0


def test_results_refused_until_congress_stage_done(app, setup):
    _, _, h = setup
    r = app.test_client().put("/api/v1/units/X01/results", json=RESULTS, headers=h["sec"])
    assert r.status_code == 422
    assert "congress" in r.get_json()["error"]["fields"]
    assert count(CongressResult) == 0


def test_results_saved_without_ticking_anything(app, setup):
    unit, _, h = setup
    finish(unit)
    done_before = db.session.scalar(select(func.count()).select_from(Item).where(Item.done))
    r = app.test_client().put("/api/v1/units/X01/results", json=RESULTS, headers=h["sec"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["held_on"] == "2030-03-30" and body["committee_elected"] == 15 and body["candidates"] == 18
    r = app.test_client().put("/api/v1/units/X01/first-session", json=FIRST, headers=h["g1"])
    assert r.status_code == 200, r.get_json()
    assert db.session.scalar(select(func.count()).select_from(Item).where(Item.done)) == done_before
    fs = db.session.scalar(select(FirstSessionResult))
    assert fs.standing_committee == 5 and fs.secretary_elected is True


@pytest.mark.parametrize("change, field", [
    ({"re_elected": 11}, "re_elected"),           # 11 + 3 != 15
    ({"women": 16}, "women"),
    ({"young": 16}, "young"),
    ({"ethnic_minority": 16}, "ethnic_minority"),
    ({"delegates_official": -1}, "delegates_official"),
    ({"candidates": 14}, "candidates"),            # fewer names than seats
    ({"held_on": "2030-04-02"}, "held_on"),        # after today
    ({"held_on": "2001-05-01"}, "held_on"),        # before the campaign (term 2030–2035) could start
    ({"committee_elected": 250, "re_elected": 247, "seats": None, "candidates": None}, "committee_elected"),
    ({"seats": 14, "candidates": 18}, "committee_elected"),   # 15 elected for 14 seats
    ({"seats": None, "candidates": 14}, "candidates"),        # fewer names on the ballot than elected
    ({"delegates_official": 190, "delegates_alternate": 20}, "delegates_alternate"),  # 210 > 200 members
])
def test_impossible_results_are_refused_naming_the_field(app, setup, change, field):
    unit, _, h = setup
    finish(unit)
    unit.campaign.term = "2030–2035"
    db.session.commit()
    r = app.test_client().put("/api/v1/units/X01/results", json={**RESULTS, **change}, headers=h["sec"])
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]
    assert count(CongressResult) == 0
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)
                             .where(JournalEntry.action == "results_changed")) == 0


def test_a_cell_has_no_standing_committee(app, setup, make_unit, make_user, token_for):
    cell = make_unit("C01", kind="grassroots_cell", party_members=20)
    finish(cell)
    h = token_for(make_user("c@x.vn", "secretary", unit="C01"))
    c = app.test_client()
    assert c.put("/api/v1/units/C01/results", json={**RESULTS, "committee_elected": 3, "re_elected": 2,
                                                    "first_time": 1, "women": 1, "young": 0, "ethnic_minority": 0,
                                                    "seats": 3, "candidates": 4}, headers=h).status_code == 200
    r = c.put("/api/v1/units/C01/first-session", json={**FIRST, "standing_committee": 1}, headers=h)
    assert r.status_code == 422 and "standing_committee" in r.get_json()["error"]["fields"]
    r = c.put("/api/v1/units/C01/first-session", json={**FIRST, "standing_committee": 0,
                                                       "deputy_secretaries": 4}, headers=h)
    assert r.status_code == 422 and "deputy_secretaries" in r.get_json()["error"]["fields"]
    assert count(FirstSessionResult) == 0


def test_malformed_json_is_400_and_wrong_types_are_422(app, setup):
    unit, _, h = setup
    finish(unit)
    c = app.test_client()
    r = c.put("/api/v1/units/X01/results", data="{not json", headers={**h["sec"], "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "bad_request"
    r = c.put("/api/v1/units/X01/results", json={**RESULTS, "women": "three"}, headers=h["sec"])
    assert r.status_code == 422 and "women" in r.get_json()["error"]["fields"]
    r = c.put("/api/v1/units/X01/results", json={**RESULTS, "women": 2.5}, headers=h["sec"])
    assert r.status_code == 422 and "women" in r.get_json()["error"]["fields"]
    missing = {k: v for k, v in RESULTS.items() if k != "committee_elected"}
    r = c.put("/api/v1/units/X01/results", json=missing, headers=h["sec"])
    assert r.status_code == 422 and "committee_elected" in r.get_json()["error"]["fields"]
    assert count(CongressResult) == 0


@pytest.mark.parametrize("who, status", [("sec", 200), ("sec2", 403), ("g1", 200), ("g2", 403),
                                         ("viewer", 403), ("admin", 200)])
def test_permissions(app, setup, who, status):
    _, _, h = setup
    r = app.test_client().put("/api/v1/units/X01/dissemination",
                              json={"sessions": 1, "attendees": 1, "members_reached": 1}, headers=h[who])
    assert r.status_code == status, r.get_json()
    if status == 403:
        assert count(DisseminationResult) == 0


def test_no_token_is_401_and_unknown_unit_404(app, setup):
    _, _, h = setup
    c = app.test_client()
    assert c.put("/api/v1/units/X01/dissemination", json={}).status_code == 401
    assert c.put("/api/v1/units/NOPE/dissemination", json={"sessions": 1, "attendees": 1, "members_reached": 1},
                 headers=h["admin"]).status_code == 404


def test_summary_shape_and_permissions(app, setup):
    unit, other, h = setup
    c = app.test_client()
    finish(unit)
    c.put("/api/v1/units/X01/results", json=RESULTS, headers=h["sec"])
    c.put("/api/v1/units/X01/dissemination", json={"sessions": 4, "attendees": 230, "members_reached": 190},
          headers=h["sec"])
    r = c.get("/api/v1/reports/summary", headers=h["viewer"])
    assert r.status_code == 200
    s = r.get_json()
    assert s["units"] == {"total": 2, "congress_held": 1, "pilot": 0, "results_entered": 1}
    assert s["dissemination"]["members_total"] == 250
    assert s["dissemination"]["percent_reached"] == 76.0
    assert s["committee"]["elected"] == 15
    assert s["committee"]["re_elected"] == {"count": 12, "percent": 80.0}
    assert s["committee"]["women"] == {"count": 3, "percent": 20.0}
    assert s["delegates"] == {"official": 10, "alternate": 1}
    assert set(s["first_session"]) >= {"standing_committee", "secretaries", "inspection_chairs"}
    r = c.get("/api/v1/reports/summary?group=G2", headers=h["g1"])
    assert r.get_json()["units"]["total"] == 1 and r.get_json()["committee"]["elected"] == 0
    assert r.get_json()["committee"]["women"]["percent"] == 0.0
    assert c.get("/api/v1/reports/summary?group=NOPE", headers=h["admin"]).status_code == 404
    assert c.get("/api/v1/reports/summary", headers=h["sec"]).status_code == 403


def test_custom_values_through_the_api(app, setup):
    from tracker.models import CustomValue, User
    from tracker.services.result_fields import add_field
    unit, _, h = setup
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    cf = add_field(unit.campaign, {"label_vi": "Bí thư bầu trực tiếp tại đại hội",
                              "label_en": "Secretaries elected directly at the congress", "stage": "congress"}, admin)
    db.session.commit()
    finish(unit)
    c = app.test_client()
    key = cf.key
    assert key == "secretaries_elected_directly_at_the_congress"
    r = c.put("/api/v1/units/X01/results", json={**RESULTS, "custom": {key: 1}}, headers=h["sec"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["custom"] == {key: 1}
    r = c.put("/api/v1/units/X01/dissemination", json={"sessions": 1, "attendees": 1, "members_reached": 1,
                                                       "custom": {key: 2}}, headers=h["sec"])
    assert r.status_code == 422 and f"custom.{key}" in r.get_json()["error"]["fields"]
    r = c.put("/api/v1/units/X01/results", json={**RESULTS, "custom": {"nope": 2}}, headers=h["sec"])
    assert r.status_code == 422 and "custom.nope" in r.get_json()["error"]["fields"]
    assert db.session.scalar(select(CustomValue.value)) == 1
    s = c.get("/api/v1/reports/summary", headers=h["admin"]).get_json()
    assert s["custom"][0]["key"] == key and s["custom"][0]["total"] == 1


def test_openapi_lists_the_endpoints(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/units/{code}/dissemination", "/api/v1/units/{code}/results",
                 "/api/v1/units/{code}/first-session", "/api/v1/reports/summary"):
        assert path in doc["paths"], sorted(doc["paths"])


def test_attendances_below_members_reached_are_refused(app, setup):
    _, _, h = setup
    r = app.test_client().put("/api/v1/units/X01/dissemination",
                              json={"sessions": 2, "attendees": 100, "members_reached": 150}, headers=h["sec"])
    assert r.status_code == 422 and "attendees" in r.get_json()["error"]["fields"]
    assert count(DisseminationResult) == 0


def test_a_congress_after_the_final_deadline_is_accepted_and_flagged(app, setup):
    from datetime import date
    unit, _, h = setup
    finish(unit)
    unit.campaign.final_deadline = date(2030, 3, 15)
    db.session.commit()
    r = app.test_client().put("/api/v1/units/X01/results", json=RESULTS, headers=h["sec"])
    assert r.status_code == 200 and r.get_json()["flags"] == ["held_after_deadline"]
    r = app.test_client().put("/api/v1/units/X01/results", json={**RESULTS, "held_on": "2030-03-10"},
                              headers=h["sec"])
    assert r.status_code == 200 and r.get_json()["flags"] == []
