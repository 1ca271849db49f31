"""The congress calendar's pages: month and week, the group filter, rights, clashes, constant query count."""
from datetime import date

import pytest

from tests.conftest import NOW, csrf_of
from tests.factories import make_unit
from tracker.calendar import grid
from tracker.calendar import query as calq
from tracker.extensions import db
from tracker.models import Campaign, JournalEntry, Unit
from tracker.readmodel import stage_cells

MAY = date(2030, 5, 1)


def page(client, **args):
    resp = client.get("/calendar", query_string=args)
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def rehearsal_day(unit) -> date:
    """The rehearsal's date as the read model computes it (the page must show this one)."""
    return stage_cells([unit.id], date(2030, 4, 1))[unit.id]["rehearsal"].due_on


def test_grid_month_and_week_pure():
    may = grid.period("month", date(2030, 5, 20))
    assert may.first == date(2030, 4, 29) and may.last == date(2030, 6, 2)  # Monday to Sunday
    assert may.prev == date(2030, 4, 1) and may.next == date(2030, 6, 1)
    assert may.in_month(date(2030, 5, 31)) and not may.in_month(date(2030, 4, 30))
    week = grid.period("week", date(2030, 5, 22))
    assert [week.first, week.last, week.prev, week.next] == [date(2030, 5, 20), date(2030, 5, 26),
                                                              date(2030, 5, 13), date(2030, 5, 27)]
    dec = grid.period("month", date(2030, 12, 31))
    assert dec.prev == date(2030, 11, 1) and dec.next == date(2031, 1, 1)


def test_month_shows_congresses_rehearsals_today_and_pilots(world, login, frozen):
    db.session.get(Unit, world["u2"].id).pilot = True
    db.session.commit()
    with frozen(NOW):
        client = login(world["admin"])
        html = page(client, date="2030-05-10")
        april = page(client)
        rehearsal = rehearsal_day(world["u1"])
        month = page(client, date=rehearsal.isoformat())
    assert 'href="/units/U1"' in html and 'href="/units/U2"' in html
    assert "cal-pilot" in html and "cal-congress" in html
    assert 'aria-current="date"' not in html  # today (1 April) is not in May's grid
    assert 'aria-current="date"' in april  # today marked
    assert "cal-rehearsal" in month
    assert 'rel="next" href="/calendar?view=month&amp;date=2030-06-01"' in html


def test_week_view_and_navigation(world, login):
    client = login(world["viewer"])
    html = page(client, view="week", date="2030-05-22")
    assert 'href="/units/U1"' in html
    assert "date=2030-05-13" in html and "date=2030-05-27" in html
    other = page(client, view="week", date="2030-06-10")
    assert 'href="/units/U1"' not in other
    assert page(client, view="week", date="not-a-date")  # bad input: today's week, no error


def test_group_filter(world, login):
    client = login(world["member"])
    html = page(client, date="2030-05-01", group="G1")
    assert 'href="/units/U1"' in html and 'href="/units/U2"' not in html
    both = page(client, date="2030-05-01", group="nope")  # unknown group: all
    assert 'href="/units/U1"' in both and 'href="/units/U2"' in both


def test_secretary_sees_own_unit_and_its_sub_cells_only(world, login):
    make_unit("S1", "sub_cell", parent="U1", congress_date=date(2030, 5, 10))
    client = login(world["secretary"])
    html = page(client, date="2030-05-01", group="G2")  # the filter is not theirs: ignored
    assert 'href="/units/U1"' in html and 'href="/units/S1"' in html and 'href="/units/U2"' not in html
    assert 'name="group"' not in html


def test_sign_in_required(app):
    assert app.test_client().get("/calendar").status_code == 302


def test_query_count_does_not_grow_with_units(world, login, count_queries):
    client = login(world["admin"])
    page(client, date="2030-05-01")
    with count_queries() as few:
        page(client, date="2030-05-01")
    for i in range(12):
        make_unit(f"X{i}", "grassroots_cell", "G1" if i % 2 else "G2", congress_date=date(2030, 5, 20 + i % 3))
    page(client, date="2030-05-01")  # as before the first count: the signed-in user's row is loaded afresh
    with count_queries() as many:
        html = page(client, date="2030-05-01")
    assert 'href="/units/X11"' in html
    assert many.n == few.n


@pytest.fixture
def crowded(world):
    """U1 and C1 of G1 on 20 May (a group clash); U2 and C4 (no group) make four that day (limit 3)."""
    make_unit("C1", "grassroots_cell", "G1")
    make_unit("C2", "grassroots_cell", "G2", congress_date=date(2030, 5, 21))
    make_unit("C4", "grassroots_cell", None)
    return world


def test_clashes_found(crowded):
    camp = db.session.query(Campaign).one()
    found = calq.clashes(camp)
    assert [(c.kind, c.day, c.count) for c in found] == [("day", date(2030, 5, 20), 4),
                                                         ("group", date(2030, 5, 20), 2)]
    group = found[1]
    assert group.group.code == "G1" and [u.code for u in group.units] == ["C1", "U1"]
    assert [u.code for u in found[0].units] == ["C1", "C4", "U1", "U2"]
    camp.congresses_per_day = 4
    db.session.commit()
    assert [c.kind for c in calq.clashes(camp)] == ["group"]
    assert calq.clashes(camp, date(2030, 6, 1), date(2030, 6, 30)) == []


def test_a_sub_cell_clashes_within_its_committees_group(world):
    make_unit("S1", "sub_cell", parent="U1")  # no group of its own: follows U1's (G1)
    camp = db.session.query(Campaign).one()
    found = [c for c in calq.clashes(camp) if c.kind == "group"]
    assert len(found) == 1 and [u.code for u in found[0].units] == ["S1", "U1"]


def test_clashes_on_the_views_and_the_list(crowded, login):
    client = login(crowded["admin"])
    html = page(client, date="2030-05-01")
    assert "cal-tag-clash" in html and "cal-day-over" in html
    listing = client.get("/calendar/clashes").get_data(as_text=True)
    assert "Tổ công tác 1" in listing and 'href="/units/C1"' in listing
    sec = login(crowded["other_secretary"])  # U2: in the day clash only, and sees only U2 in it
    mine = sec.get("/calendar/clashes").get_data(as_text=True)
    assert 'href="/units/U2"' in mine and 'href="/units/C1"' not in mine and "Tổ công tác 1" not in mine


def test_the_limit_is_a_campaign_setting(world, login):
    client = login(world["admin"])
    form = client.get("/admin/campaign").get_data(as_text=True)
    assert 'name="congresses_per_day"' in form and 'value="3"' in form
    data = {"csrf_token": csrf_of(form), "name": "Đợt 1", "organiser": "", "term": "", "final_deadline": "",
            "sub_cell_gate": "y", "congresses_per_day": "0"}
    assert client.post("/admin/campaign", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.query(Campaign).one().congresses_per_day == 3
    data["congresses_per_day"] = "5"
    assert client.post("/admin/campaign", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.query(Campaign).one().congresses_per_day == 5
    assert db.session.query(JournalEntry).filter_by(action="congresses_per_day").one().after == "5"


def test_working_group_sql_is_the_twin_of_working_group_id(world):
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from tracker.permissions import working_group_id, working_group_sql
    make_unit("S1", "sub_cell", parent="U1")  # follows U1's group
    make_unit("S2", "sub_cell", "G2", parent="U1")  # its own group wins
    make_unit("N1", "grassroots_cell", None)  # no group at all
    parent = aliased(Unit)
    sql = dict(db.session.execute(select(Unit.id, working_group_sql(parent))
                                  .outerjoin(parent, parent.id == Unit.parent_id)).all())
    units = db.session.query(Unit).all()
    assert sql == {u.id: working_group_id(u) for u in units} and len(units) == 5


def test_the_campaign_in_view(world, login):
    old = Campaign(name="Nhiệm kỳ trước", active=False)
    db.session.add(old)
    db.session.flush()
    db.session.add(Unit(campaign_id=old.id, code="OLD1", name="Đơn vị cũ", kind="grassroots_cell",
                        congress_date=date(2030, 5, 20)))
    db.session.commit()
    client = login(world["admin"])
    assert 'href="/units/OLD1"' not in page(client, date="2030-05-01")
    html = page(client, date="2030-05-01", campaign=str(old.id))
    assert 'href="/units/OLD1"' in html and 'href="/units/U1"' not in html
    assert f"campaign={old.id}" in html  # the navigation stays in that campaign
    secretary = login(world["secretary"])
    assert secretary.get("/calendar", query_string={"campaign": old.id}).status_code == 403
