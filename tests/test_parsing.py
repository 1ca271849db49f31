"""Numbers from people and URLs: odd digits and huge values are refused quietly, never a 500."""
import pytest

from tracker.parsing import page_number, whole_number


def test_whole_number():
    assert whole_number("42") == 42 and whole_number(" 7 ") == 7 and whole_number(0) == 0
    for odd in ("²", "³⁵", "٣", "1_000", "-1", "1.5", "", None, "9" * 5000):
        assert whole_number(odd) is None, odd
    assert whole_number("11", 1, 10) is None


def test_page_number():
    assert page_number("3") == 3
    assert page_number("0") == page_number("x") == page_number(None) == page_number("²") == 1


@pytest.mark.parametrize("url", ["/?page=%C2%B2", "/units/U1/journal?page=%C2%B2", "/inbox?page=%C2%B2",
                                 "/inbox/delivery?page=%C2%B2", "/admin/units?page=%C2%B2",
                                 "/admin/users?page=" + "9" * 5000])
def test_pages_take_odd_page_numbers(make_unit, make_user, login, url):
    make_unit("U1")
    client = login(make_user("a@x.vn", "admin"))
    assert client.get(url).status_code == 200


def test_a_tick_with_an_odd_version_is_refused_with_a_message(make_unit, make_user, login):
    from tests.conftest import csrf_of

    make_unit("U1")
    client = login(make_user("a@x.vn", "admin"))
    token = csrf_of(client.get("/units/U1").get_data(as_text=True))
    r = client.post("/units/U1/items/dissemination/plan_issued",
                    data={"csrf_token": token, "done": "1", "version": "²"})
    assert r.status_code == 303  # post/redirect/get: the unit's page says why, once
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "form-notice" in page and "alert-danger" in page
