"""A committee's secretaries hear of their sub-cells' overdue items in their digest (not of due-soon notes,
not of another committee's cells); a sub-cell without a group reaches its committee's working group."""
from datetime import date

from tests.reminders.test_sweep import at, kinds, only, rendered, run
from tracker.extensions import db


def test_committee_secretary_hears_of_its_cells_overdue_items(make_group, make_unit, make_user):
    make_group("G1")
    make_group("G2")
    k1 = make_unit("K1", group="G1", name="Đảng bộ xã An Phú")
    k2 = make_unit("K2", kind="sector_committee", group="G2")
    s1 = make_unit("S1", kind="sub_cell", parent="K1", name="Chi bộ ấp Phú Thạnh")
    s2 = make_unit("S2", kind="sub_cell", parent="K2", group="G2")
    c1 = make_unit("C1", kind="grassroots_cell", group="G1")
    s9 = make_unit("S9", kind="sub_cell", parent="C1")
    for email, unit in (("k1@d.test", "K1"), ("k2@d.test", "K2"), ("s1@d.test", "S1"), ("c1@d.test", "C1")):
        make_user(email, "secretary", unit=unit)
    make_user("g1@d.test", "group", group="G1")
    for u in (k1, k2, s2, c1):
        only(u)
    only(s1, plan_issued=date(2030, 5, 10))
    only(s9, plan_issued=date(2030, 5, 10))
    db.session.commit()
    run(at(10))  # due-soon: the cell's own secretary and its group, not the committee
    assert kinds("s1@d.test", date(2030, 5, 10)) == {("plan_issued", "due_soon:1")}
    assert kinds("k1@d.test", date(2030, 5, 10)) == set()
    run(at(11))  # overdue: the committee's secretary hears of it too
    assert kinds("s1@d.test", date(2030, 5, 11)) == {("plan_issued", "overdue")}
    assert kinds("k1@d.test", date(2030, 5, 11)) == {("plan_issued", "overdue")}
    assert kinds("g1@d.test", date(2030, 5, 11)) == {("plan_issued", "overdue")}  # twice: S1 and S9
    assert kinds("k2@d.test", date(2030, 5, 11)) == set()
    assert kinds("c1@d.test", date(2030, 5, 11)) == set()  # a plain cell is no committee
    subject, text, html = rendered(date(2030, 5, 11))["k1@d.test"]
    assert "Chi bộ ấp Phú Thạnh" in text
