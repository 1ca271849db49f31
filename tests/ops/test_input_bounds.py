"""Issue 11, finding 7: ids beyond the database's integer range, deep JSON and huge JSON integers answer
404/400 (never 500); bodies over MAX_CONTENT_LENGTH answer 413."""
import json
import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.factories import bearer

HUGE = "99999999999999999999"


def int_routes(app):
    """(method, path) of every route with an `<int:…>` argument, the ids replaced by HUGE and codes by U1."""
    out = []
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        path = re.sub(r"<int:[^>]+>", HUGE, rule.rule)
        path = re.sub(r"<[^>]+>", "U1", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, path))
    return out


def test_every_int_route_answers_404_for_ids_past_the_integer_column(app, world, login):
    routes = int_routes(app)
    assert len(routes) >= 20  # the rules really are found (12+ routes named in the issue)
    client = login(world["admin"])
    api = bearer(world["admin"])
    for method, path in routes:
        for variant in (path, path.replace(HUGE, "9" * 5000), path.replace(HUGE, "0"),
                        path.replace(HUGE, "2147483648")):
            resp = client.open(variant, method=method, headers=api if variant.startswith("/api/") else {})
            # 2^31 has 10 digits: it fails the converter, not the regex, so a same-path route of another
            # method may answer 405 (werkzeug); never 500
            allowed = (404, 405) if variant.endswith("2147483648") or "2147483648/" in variant else (404,)
            assert resp.status_code in allowed, (method, variant[:80], resp.status_code)
            if variant.startswith("/api/") and resp.status_code == 404:
                assert resp.get_json()["error"]["code"] == "not_found"


def test_the_notification_from_the_issue(world, app):
    resp = app.test_client().post(f"/api/v1/notifications/{HUGE}/read", headers=bearer(world["admin"]))
    assert resp.status_code == 404
    assert set(resp.get_json()["error"]) == {"code", "message", "fields"}


def test_the_largest_integer_id_still_reaches_the_view(world, login):
    # 2^31-1 matches the route; the view finds no such user and says 404 itself
    assert login(world["admin"]).get("/admin/users/2147483647").status_code == 404


def _nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("body", [
    '{"done": true, "version": 1, "note": ' + _nested(25) + "}",
    '{"a": ' + _nested(100_000) + "}",  # RecursionError in json.loads today
    '{"done": true, "version": ' + "9" * 20 + "}",
    '{"done": true, "version": ' + "9" * 5000 + "}",  # Python's int-string limit today
    '{"done": true, "version": -' + "9" * 30 + "}",
], ids=["depth-26", "depth-100000", "int-20-digits", "int-5000-digits", "int-minus-30-digits"])
def test_deep_or_huge_json_is_400_in_the_error_shape(world, app, body):
    resp = app.test_client().patch("/api/v1/units/U1/stages/dissemination/items/plan_issued", data=body,
                                   content_type="application/json", headers=bearer(world["admin"]))
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    error = resp.get_json()["error"]
    assert error["code"] == "bad_request" and error["message"] and set(error) == {"code", "message", "fields"}
    assert "Traceback" not in resp.get_data(as_text=True)


def test_ordinary_nesting_and_numbers_still_pass(world, app):
    good = {"code": "N9", "name": "Đơn vị mới", "kind": "grassroots_cell", "party_members": 10 ** 6,
            "pilot": False, "group": None, "congress_date": None}
    resp = app.test_client().post("/api/v1/units", json=good, headers=bearer(world["admin"]))
    assert resp.status_code == 201, resp.get_json()


def test_a_body_over_max_content_length_is_413(world, app, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    big = json.dumps({"code": "N9", "name": "x" * 5000})
    resp = app.test_client().post("/api/v1/units", data=big, content_type="application/json",
                                  headers=bearer(world["admin"]))
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "too_large"
    page = app.test_client().post("/login", data={"email": "x" * 5000, "password": "y"})
    assert page.status_code == 413
    assert "quá lớn" in page.get_data(as_text=True)  # the Vietnamese page, not werkzeug's English one
