"""A NUL byte anywhere in a request is refused with 400 before any view reads it (PostgreSQL rejects NULs)."""
import pytest


@pytest.mark.parametrize("url", ["/units/%00", "/units/%00/journal", "/reports?group=%00", "/admin/users?q=a%00",
                                 "/?kind=%00", "/api/v1/units/%00/dissemination"])
def test_nul_in_path_or_query(make_unit, make_user, login, url):
    make_unit("U1")
    client = login(make_user("a@x.vn", "admin"))
    r = client.get(url)
    assert r.status_code == 400


def test_nul_in_a_form_field_and_in_the_api(app, make_user, token_for):
    user = make_user("a@x.vn", "admin")
    r = app.test_client().post("/login", data={"email": "a\x00@x.vn", "password": "x", "csrf_token": "x"})
    assert r.status_code == 400
    r = app.test_client().get("/api/v1/reports/summary?group=%00", headers=token_for(user))
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
