"""The API's edge under odd or simultaneous requests: never a 500, one clear answer each, nothing changed."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from tests.api.test_api_errors import GOOD, assert_error, snapshot
from tests.factories import API, bearer, make_unit, make_user
from tracker.extensions import db
from tracker.models import Item, JournalEntry


def _together(app, n, call):
    """Run call(client) in n threads released at once; their answers (status, JSON)."""
    barrier, answers = threading.Barrier(n), []

    def run():
        client = app.test_client()
        barrier.wait()
        resp = call(client)
        answers.append((resp.status_code, resp.get_json(silent=True)))

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


def test_eight_ticks_with_the_same_version_one_wins(app, campaign):
    make_unit("U1")
    headers = bearer(make_user("admin@d.test", "admin", password=None))
    item = db.session.scalar(select(Item).where(Item.stage == "dissemination").order_by(Item.position))
    url = f"{API}/units/U1/stages/dissemination/items/{item.key}"
    version = item.version
    db.session.remove()

    answers = _together(app, 8, lambda c: c.patch(url, json={"done": True, "version": version}, headers=headers))

    statuses = sorted(s for s, _body in answers)
    assert statuses == [200] + [409] * 7, answers
    assert all(body["error"]["code"] == "conflict" for s, body in answers if s == 409)
    ticks = db.session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.action == "tick"))
    assert ticks == 1
    assert db.session.get(Item, item.id).version == version + 1


def _raw(**fields):
    # the JSON text itself, so that escapes such as \ud800 (a lone surrogate) reach the server as sent
    return ("{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}").encode()


def _first_item(stage="dissemination"):
    return db.session.scalar(select(Item).join(Item.unit).where(Item.stage == stage).order_by(Item.position))


@pytest.mark.parametrize("note", ['"\\ud800"', '"a\\udfffb"', '"x\\u0003y"', '"\\u001b[31m"', '"\\u007f\\u0000"'])
def test_a_surrogate_or_control_character_in_a_note_is_422_naming_it(world, note):
    item = _first_item()
    before = snapshot()
    st, out = world.call("PATCH", f"/units/U1/stages/dissemination/items/{item.key}", "admin",
                         data=_raw(done="true", version=str(item.version), note=note))
    assert_error(st, out, 422)
    assert set(out["error"]["fields"]) == {"note"}, out
    assert snapshot() == before


@pytest.mark.parametrize("field", ["name", "code"])
@pytest.mark.parametrize("value", ['"\\ud800"', '"A\\u0003B"', '"\\udbff\\udbff"'])
def test_bad_characters_in_a_new_unit_are_422_naming_the_field(world, field, value):
    body = {k: json.dumps(v) for k, v in GOOD.items()}
    body[field] = value
    before = snapshot()
    st, out = world.call("POST", "/units", "admin", data=_raw(**body))
    assert_error(st, out, 422)
    assert set(out["error"]["fields"]) == {field}, out
    assert snapshot() == before


def test_tabs_and_line_breaks_stay_in_notes_and_become_spaces_in_names(world):
    item = _first_item()
    out = world.ok("PATCH", f"/units/U1/stages/dissemination/items/{item.key}",
                   json={"done": True, "version": item.version, "note": "một\ttab\r\nhai dòng"})
    assert out["note"] == "một\ttab\r\nhai dòng"
    out = world.ok("POST", "/units", json={**GOOD, "name": "Chi bộ\nẤp 1\r\nxã A", "code": "N1\n"})
    assert out["name"] == "Chi bộ Ấp 1 xã A" and out["code"] == "N1"


@pytest.mark.parametrize("method,path,fields,field", [
    ("POST", "/units/U1/stages/dissemination/return", {}, "comment"),
    ("PATCH", "/units/U1", {}, "name"),
    ("POST", "/groups", {"code": '"G7"'}, "name"),
])
def test_a_lone_surrogate_in_any_text_field_is_422_naming_it(world, method, path, fields, field):
    before = snapshot()
    st, out = world.call(method, path, "admin", data=_raw(**fields, **{field: '"x\\ud800"'}))
    assert_error(st, out, 422)
    assert field in out["error"]["fields"], out
    assert snapshot() == before


def test_a_lone_surrogate_as_a_key_or_in_a_deadline_reason_is_never_a_500(world):
    item = _first_item()
    st, out = world.call("POST", f"/units/U1/stages/dissemination/items/{item.key}/deadline", "admin",
                         data=_raw(due_on='"2030-05-01"', reason='"\\udc00"'))
    assert_error(st, out, 422)
    assert "reason" in out["error"]["fields"]
    st, out = world.call("PUT", "/units/U1/dissemination", "admin",
                         data=_raw(sessions="1", attendees="1", members_reached="1", custom='{"\\ud800": 1}'))
    assert st in (400, 422), (st, out)
