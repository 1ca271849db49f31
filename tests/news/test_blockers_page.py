"""The open blockers page: who may see it, whose units, oldest first with age, paginated, constant queries."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import NOW
from tracker.extensions import db
from tracker.services import stages as stage_service


@pytest.fixture
def world(make_group, make_unit, make_user):
    """U1 in G1, U2 in G2; a secretary each, a G1 member, an admin, a viewer."""
    make_group("G1")
    make_group("G2")
    u1 = make_unit("U1", group="G1", name="Đảng bộ xã An Phú")
    u2 = make_unit("U2", group="G2", name="Đảng bộ xã Bình Minh")
    people = {role: make_user(f"{role}@d.test", role, **extra) for role, extra in (
        ("group", {"group": "G1"}), ("admin", {}), ("viewer", {}))}
    people["sec1"] = make_user("sec1@d.test", "secretary", unit="U1", name="Nguyễn Văn Bí")
    people["sec2"] = make_user("sec2@d.test", "secretary", unit="U2")
    return u1, u2, people


def raise_on(unit, user, text, days_ago, stage="documents"):
    blocker = stage_service.raise_blocker(unit, stage, text, user, NOW - timedelta(days=days_ago))
    db.session.commit()
    return blocker


def test_open_blockers_oldest_first_with_age_unit_stage_and_who_raised_it(world, login, frozen):
    u1, u2, p = world
    raise_on(u1, p["sec1"], "Mới nêu hôm nay", 0, stage="personnel")
    raise_on(u2, p["sec2"], "Nêu từ tuần trước", 7)
    done = raise_on(u1, p["sec1"], "Đã giải quyết", 10)
    stage_service.answer_blocker(done, "Xong", True, p["admin"], NOW)
    answered = raise_on(u1, p["sec1"], "Đã trả lời, chưa giải quyết", 3)
    stage_service.answer_blocker(answered, "Đang xử lý", False, p["admin"], NOW)
    db.session.commit()
    with frozen(NOW):
        page = login(p["admin"]).get("/blockers").get_data(as_text=True)
    assert "Đã giải quyết" not in page
    order = [page.index(t) for t in ("Nêu từ tuần trước", "Đã trả lời, chưa giải quyết", "Mới nêu hôm nay")]
    assert order == sorted(order)
    assert "7 ngày" in page and "3 ngày" in page and "0 ngày" in page
    assert 'href="/units/U1?stage=personnel#stage-personnel">U1 — Đảng bộ xã An Phú</a>' in page
    assert "Nhân sự" in page and "Nguyễn Văn Bí" in page and "Đã trả lời" in page and "Chưa trả lời" in page
    assert "3 vướng mắc chưa giải quyết" in page


def test_a_group_member_sees_their_units_and_may_show_all(world, login, frozen):
    u1, u2, p = world
    raise_on(u1, p["sec1"], "Của tổ mình", 1)
    raise_on(u2, p["sec2"], "Của tổ khác", 2)
    with frozen(NOW):
        client = login(p["group"])
        mine = client.get("/blockers").get_data(as_text=True)
        everyone = client.get("/blockers?all=1").get_data(as_text=True)
    assert "Của tổ mình" in mine and "Của tổ khác" not in mine and 'href="/blockers?all=1"' in mine
    assert "Của tổ mình" in everyone and "Của tổ khác" in everyone


def test_who_may_open_the_page_and_see_the_nav_link(world, login, frozen, app):
    _, _, p = world
    with frozen(NOW):
        assert login(p["sec1"]).get("/blockers").status_code == 403
        assert 'href="/blockers"' not in login(p["sec1"]).get("/").get_data(as_text=True)
        for role in ("group", "admin", "viewer"):
            client = login(p[role])
            assert client.get("/blockers").status_code == 200, role
            assert 'href="/blockers">Vướng mắc</a>' in client.get("/").get_data(as_text=True), role
        anonymous = app.test_client().get("/blockers")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_paginated_and_query_count_constant(world, login, frozen, count_queries, make_unit):
    u1, u2, p = world

    def statements(url):
        with frozen(NOW):
            client = login(p["admin"])
            with count_queries() as counter:
                resp = client.get(url)
            assert resp.status_code == 200
        return counter.n, resp.get_data(as_text=True)

    raise_on(u1, p["sec1"], "Vướng mắc đầu tiên", 100)
    few, _ = statements("/blockers")
    units = [make_unit(f"X{i}", group="G2") for i in range(12)]
    for i in range(60):
        stage_service.raise_blocker(units[i % 12], "rehearsal", f"Vướng mắc số {i}", p["admin"],
                                    NOW - timedelta(days=60 - i))
    db.session.commit()
    many, first = statements("/blockers")
    assert many == few
    assert "Vướng mắc đầu tiên" in first and "Vướng mắc số 48" in first and "Vướng mắc số 49" not in first
    _, second = statements("/blockers?page=2")
    assert "Vướng mắc số 49" in second and "Vướng mắc số 59" in second and "Vướng mắc đầu tiên" not in second
    with frozen(NOW):
        late = login(p["admin"]).get("/blockers?page=99")
    assert late.status_code == 302 and late.headers["Location"].endswith("/blockers?page=2")


def test_a_group_members_list_has_the_blockers_of_the_sub_cells_its_group_follows(world, make_unit, make_user, login):
    """Review: a sub-cell without a group follows its committee's (its blockers are news to that group), but the
    member's own list filtered on units.group_id and left them out."""
    u1, _u2, p = world
    s1 = make_unit("S1", kind="sub_cell", parent="U1", group=None)
    cell_secretary = make_user("s1@d.test", "secretary", unit="S1")
    db.session.commit()
    raise_on(s1, cell_secretary, "Chi bộ ấp chưa có địa điểm", 1)
    page = login(p["group"]).get("/blockers").get_data(as_text=True)
    assert "Chi bộ ấp chưa có địa điểm" in page
