"""Edits through the API: DELETE units and groups, archive and restore, PATCH code and kind; admins only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import tick_stage
from tracker.extensions import db
from tracker.models import JournalEntry, Unit, WorkingGroup

OTHERS = ("member", "outsider", "secretary", "other_secretary", "viewer")


def _codes(api, path="/units", who="admin"):
    return [u["code"] for u in api.ok("GET", path, who)["items"]]


@pytest.mark.parametrize("who", OTHERS)
def test_non_admins_get_403_on_every_edit(api, who):
    api.ok("POST", "/units", "admin", {"code": "N1", "name": "Mới", "kind": "grassroots_cell"})
    api.ok("POST", "/groups", "admin", {"code": "G9", "name": "Tổ 9", "members": []})
    for method, path, body in (("DELETE", "/units/N1", None), ("POST", "/units/N1/archive", None),
                               ("POST", "/units/N1/restore", None), ("PATCH", "/units/U1", {"code": "X1"}),
                               ("PATCH", "/units/U1", {"kind": "grassroots_cell", "confirm_kind": True}),
                               ("DELETE", "/groups/G9", None), ("POST", "/groups/G9/archive", None),
                               ("POST", "/groups/G9/restore", None)):
        st, out = api.call(method, path, who, body)
        assert st == 403 and out["error"]["code"] == "forbidden", (method, path, st, out)
    assert _codes(api) == ["N1", "U1", "U2"]
    assert db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.code == "G9")) is not None


def test_delete_a_unit_and_a_group_or_hear_why_not(api):
    api.ok("POST", "/units", "admin", {"code": "N1", "name": "Mới", "kind": "grassroots_cell"})
    st, _ = api.call("DELETE", "/units/N1")
    assert st == 204 and _codes(api) == ["U1", "U2"]
    assert api.call("GET", "/units/N1")[0] == 404
    tick_stage("U1", "dissemination")
    st, out = api.call("DELETE", "/units/U1")
    assert st == 422 and out["error"]["code"] == "in_use"
    assert "bước được đánh dấu và 1 người dùng" in out["error"]["message"]
    assert out["error"]["fields"]["secretaries"] == "1"
    st, out = api.call("DELETE", "/groups/G1")
    assert st == 422 and "1 đơn vị và 1 thành viên" in out["error"]["message"]
    api.ok("POST", "/groups", "admin", {"code": "G9", "name": "Tổ 9", "members": []})
    assert api.call("DELETE", "/groups/G9")[0] == 204
    assert api.call("DELETE", "/groups/G9")[0] == 404


def test_archive_hides_from_lists_blocks_edits_and_restore_brings_back(api):
    body = api.ok("POST", "/units/U2/archive")
    assert body["archived"] is True and body["code"] == "U2"
    assert _codes(api) == ["U1"]
    assert _codes(api, "/units?archived=true") == ["U2"]
    assert api.ok("GET", "/units/U2")["archived"] is True  # still readable
    assert {i["unit"] for i in api.ok("GET", "/overdue")["items"]} == {"U1"}
    assert api.ok("GET", "/reports/summary")["units"]["total"] == 1
    st, out = api.call("PATCH", "/units/U2", "admin", {"name": "Tên mới"})
    assert st == 422 and out["error"]["code"] == "archived"
    item = api.ok("GET", "/units/U2/stages", "other_secretary")[0]["items"][0]
    st, out = api.call("PATCH", f"/units/U2/stages/dissemination/items/{item['key']}", "other_secretary",
                       {"done": True, "version": item["version"]})
    assert st == 422 and out["error"]["code"] == "archived"
    assert api.ok("POST", "/units/U2/restore")["archived"] is False
    assert _codes(api) == ["U1", "U2"]
    assert api.ok("GET", "/reports/summary")["units"]["total"] == 2


def test_archived_groups(api):
    assert api.ok("POST", "/groups/G2/archive")["archived"] is True
    st, out = api.call("PATCH", "/units/U1", "admin", {"group": "G2"})
    assert st == 422 and out["error"]["code"] == "archived"
    assert api.ok("POST", "/groups/G2/restore")["archived"] is False
    assert api.ok("PATCH", "/units/U1", "admin", {"group": "G2"})["group"] == "G2"


def test_patch_code_follows_and_stays_unique(api):
    body = api.ok("PATCH", "/units/U1", "admin", {"code": "XA-01"})
    assert body["code"] == "XA-01"
    assert api.call("GET", "/units/U1")[0] == 404
    assert api.ok("GET", "/units/XA-01")["name"] == "Đơn vị U1"
    line = db.session.scalar(select(JournalEntry).where(JournalEntry.action == "code_changed"))
    assert (line.before, line.after) == ("U1", "XA-01")
    st, out = api.call("PATCH", "/units/XA-01", "admin", {"code": "U2"})
    assert st == 409 and out["error"]["code"] == "duplicate" and "code" in out["error"]["fields"]


def test_patch_kind_changes_the_checklist_and_asks_before_dropping_ticks(api):
    tick_stage("U1", "dissemination")
    st, out = api.call("PATCH", "/units/U1", "admin", {"kind": "grassroots_cell"})
    assert st == 422 and out["error"]["code"] == "kind_unconfirmed" and "confirm_kind" in out["error"]["fields"]
    assert db.session.scalar(select(Unit.kind).where(Unit.code == "U1")) == "commune_committee"
    body = api.ok("PATCH", "/units/U1", "admin", {"kind": "grassroots_cell", "confirm_kind": True})
    assert body["kind"] == "grassroots_cell"
    ticked = [i for s in api.ok("GET", "/units/U1/stages") for i in s["items"] if i["done"]]
    assert ticked and all(i["key"] != "subcommittees_formed" for i in ticked)
