"""The report counts the organiser's direct units; sub-cells apart (`sub_cells`) and in a sentence of their own."""
from datetime import date

from sqlalchemy import select

from tests.conftest import NOW
from tests.reports.reports_helpers import finish, put_results
from tracker.extensions import db
from tracker.models import Campaign
from tracker.reports.query import summary
from tracker.reports.text import headline

TODAY = date(2030, 4, 1)


def test_organiser_numbers_unchanged_by_sub_cells_with_their_own_results(make_unit, campaign, frozen):
    k = make_unit("K1", party_members=300)
    c = make_unit("C1", kind="grassroots_cell", party_members=40)
    for u in (k, c):
        finish(u)
    put_results(k, committee_elected=15, re_elected=10, first_time=5, women=4, young=2, ethnic_minority=1)
    put_results(c, committee_elected=5, re_elected=3, first_time=2, women=1, young=1, ethnic_minority=0)
    db.session.commit()
    camp = db.session.scalar(select(Campaign))
    before = summary(camp, TODAY)
    assert before["sub_cells"] == {"total": 0, "congress_held": 0}
    with frozen(NOW):
        assert not any("cells under the committees" in x or "chi bộ trực thuộc" in x
                       for x in headline(before, 35, TODAY))
    for n in range(3):
        cell = make_unit(f"K1-{n}", kind="sub_cell", parent="K1", party_members=20)
        finish(cell)
        put_results(cell, committee_elected=3, re_elected=2, first_time=1, women=2, young=1, ethnic_minority=1)
    make_unit("K1-9", kind="sub_cell", parent="K1", party_members=10)  # not held yet
    db.session.commit()
    after = summary(camp, TODAY)
    assert {k: v for k, v in after.items() if k != "sub_cells"} == {k: v for k, v in before.items()
                                                                     if k != "sub_cells"}
    assert after["sub_cells"] == {"total": 4, "congress_held": 3}
    with frozen(NOW):
        sentences = headline(after, 35, TODAY)
    assert "3/4 chi bộ trực thuộc đã tổ chức đại hội." in sentences
