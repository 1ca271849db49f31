"""The OpenAPI document states the server's rules, and the server keeps the ones the document states:
every response declared, query and path parameters with their bounds, strict booleans, JSON bodies only,
405 with `Allow`. (tests/api/test_fuzz.py throws schemathesis at both; these pin each rule quickly.)"""
import pytest

from tests.api.test_api_errors import assert_error, snapshot
from tests.factories import API
from tracker.api.schemas import CODE_MAX, ID_MAX
from tracker.codes import CODE_PATTERN
from tracker.workflow import STAGES
from tracker.workflow.result_rules import MAX_COUNT


@pytest.fixture
def doc(app):
    return app.test_client().get(f"{API}/openapi.json").get_json()


def _op(doc, path, method):
    return doc["paths"][API + path][method]


def _params(doc, path, method):
    return {p["name"]: p for p in doc["paths"][API + path].get("parameters", []) + _op(doc, path, method).get(
        "parameters", [])}


@pytest.mark.parametrize("path, method, status", [
    ("/reports/summary", "get", "200"), ("/units/{code}/dissemination", "put", "200"),
    ("/units/{code}/results", "put", "200"), ("/units/{code}/first-session", "put", "200"),
    ("/notifications", "get", "200"), ("/notifications/{notification_id}/read", "post", "200"),
    ("/units", "get", "200"), ("/units/{code}", "patch", "415")])
def test_every_answer_is_declared_with_a_schema(doc, path, method, status):
    response = _op(doc, path, method)["responses"][status]
    assert "schema" in response["content"]["application/json"], response


def test_query_parameters_are_declared_with_their_bounds(doc):
    notifications = _params(doc, "/notifications", "get")
    assert {"page", "per_page", "unread"} <= set(notifications)
    assert notifications["unread"]["schema"]["type"] == "boolean"
    assert notifications["per_page"]["schema"]["minimum"] == 1
    assert notifications["per_page"]["schema"]["maximum"] == 1000
    assert notifications["page"]["schema"]["minimum"] == 1
    summary = _params(doc, "/reports/summary", "get")
    assert summary["group"]["schema"]["pattern"] == CODE_PATTERN
    assert summary["campaign"]["schema"] == {"type": "integer", "minimum": 1, "maximum": ID_MAX} | {
        k: v for k, v in summary["campaign"]["schema"].items() if k not in ("type", "minimum", "maximum")}
    assert {"page", "per_page", "group", "kind", "pilot", "overdue", "campaign"} <= set(_params(doc, "/units", "get"))


def test_path_parameters_and_bodies_state_the_servers_checks(doc):
    item = _params(doc, "/units/{code}/stages/{stage}/items/{item}", "patch")
    assert item["code"]["schema"]["maxLength"] == CODE_MAX and item["code"]["schema"]["pattern"] == CODE_PATTERN
    assert item["stage"]["schema"]["enum"] == list(STAGES)
    assert _params(doc, "/notifications/{notification_id}/read", "post")["notification_id"]["schema"][
        "maximum"] == ID_MAX
    schemas = doc["components"]["schemas"]
    assert schemas["DisseminationIn"]["properties"]["sessions"]["maximum"] == MAX_COUNT
    assert schemas["DisseminationIn"]["additionalProperties"] is False
    assert schemas["FirstSessionIn"]["properties"]["secretary_elected"]["type"] == "boolean"
    assert "2100" in schemas["DeadlineBody"]["properties"]["due_on"]["pattern"]
    assert "1999" not in schemas["DeadlineBody"]["properties"]["due_on"]["pattern"]


def test_an_undeclared_method_is_405_with_allow(world):
    resp = world.client.put(f"{API}/units", headers=world.headers["admin"], json={})
    assert resp.status_code == 405
    assert set(resp.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert_error(405, resp.get_json(), 405)


@pytest.mark.parametrize("data, content_type, status", [
    (None, None, 415), (b"", "application/json", 400), (b'{"name": "x"}', "text/plain", 415)])
def test_a_patch_without_a_json_body_is_refused_not_read_as_no_change(world, data, content_type, status):
    before = snapshot()
    headers = dict(world.headers["admin"])
    kwargs = {"data": data, "content_type": content_type} if data is not None else {}
    resp = world.client.patch(f"{API}/units/U1", headers=headers, **kwargs)
    assert_error(resp.status_code, resp.get_json(), status)
    assert snapshot() == before


@pytest.mark.parametrize("path, body", [
    ("/units/U1/first-session", {"standing_committee": 3, "secretary_elected": 0, "deputy_secretaries": 1,
                                 "inspection_committee": 3, "inspection_chair_elected": True}),
    ("/units/U1/stages/preparation/items/x", {"done": 1, "version": 1}),
    ("/units/U1", {"pilot": 0}),
])
def test_zero_and_one_are_not_booleans(world, path, body):
    before = snapshot()
    st, out = world.call("PUT" if "first-session" in path else "PATCH", path, "admin", json=body)
    assert_error(st, out, 422)
    assert snapshot() == before
