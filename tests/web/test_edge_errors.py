"""The pages' edge under odd input: a clear error page with the security headers, never a 500, nothing changed."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_of
from tests.factories import API
from tracker.campaigns.service import copy_campaign
from tracker.extensions import db
from tracker.headers import CSP

BAD_IDS = ["²", "٣", "99999999999999999999", "", "-1", "0", "1e3", "2147483648"]


def _an_error_page(resp, status=404):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.headers["Content-Security-Policy"] == CSP and resp.headers["X-Frame-Options"] == "DENY"
    assert "<html" in resp.get_data(as_text=True)


@pytest.mark.parametrize("who", ["admin", "viewer", "secretary", "member"])
def test_a_bad_campaign_in_the_query_is_a_404_page_for_everyone(world, login, who):
    client = login(world[who])
    paths = ["/units/U1", "/calendar"] + ([] if who == "secretary" else ["/"])  # a secretary's / redirects
    for raw in BAD_IDS:
        for path in paths:
            _an_error_page(client.get(path, query_string={"campaign": raw}))


@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_bad_campaign_in_the_api_query_is_404_json(world, app, token_for, raw):
    resp = app.test_client().get(f"{API}/units", query_string={"campaign": raw}, headers=token_for(world["admin"]))
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert "campaign" in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("raw", ["٣", "²", str(10**20), "2147483648", "-1", "abc"])
def test_switching_to_an_odd_campaign_id_is_404(world, campaign, login, raw):
    copy_campaign(campaign, "Nhiệm kỳ 2035–2040", "2035–2040")
    db.session.commit()
    admin = login(world["admin"])
    token = csrf_of(admin.get("/").get_data(as_text=True))
    resp = admin.post("/campaigns/switch", data={"campaign": raw, "csrf_token": token, "next": "/"})
    _an_error_page(resp)
    assert admin.get("/").status_code == 200  # still in the active campaign


@pytest.mark.parametrize("who", ["admin", "viewer", "secretary", "member"])
def test_a_body_over_the_limit_is_413_for_every_role(world, app, login, token_for, who):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    client = login(world[who])
    for path in ("/units/U1/stages/dissemination/items/x", "/campaigns/switch", "/account"):
        resp = client.post(path, data=big, content_type="application/x-www-form-urlencoded")
        _an_error_page(resp, 413)
    resp = app.test_client().post(f"{API}/units", data=big, content_type="application/json",
                                  headers=token_for(world[who]))
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "too_large"
