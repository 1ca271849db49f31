"""The sub-cell gate: pure rule, its SQL twin, the service refusal naming the cells, exemptions, the setting."""
import random
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import NOW, items_of, tick_all
from tracker.extensions import db
from tracker.models import JournalEntry, StageReview, SubCellExemption
from tracker.services import stages
from tracker.services.errors import Forbidden, GateRefused, Invalid
from tracker.subcells import query, service
from tracker.workflow.gates import (
    SubCellGateClosed,
    check_sub_cell_gate,
    pending_sub_cells,
    sub_cell_rollup,
)

TODAY = date(2030, 4, 1)
BEFORE = ("documents", "personnel", "rehearsal")


def test_pure_gate_names_the_cells_still_to_hold_and_passes_exempted_ones():
    cells = [("S2", "in_progress", False), ("S1", "not_started", False), ("S3", "done", False),
             ("S4", "verified", False), ("S5", "overdue", True)]
    assert pending_sub_cells(cells) == ("S1", "S2")
    with pytest.raises(SubCellGateClosed) as closed:
        check_sub_cell_gate("congress", "commune_committee", cells)
    assert closed.value.cells == ("S1", "S2") and closed.value.stage == "congress"
    check_sub_cell_gate("congress", "commune_committee", cells, enabled=False)  # the campaign setting
    check_sub_cell_gate("first_session", "commune_committee", cells)  # only congress items wait
    check_sub_cell_gate("congress", "grassroots_cell", cells)  # only committees have sub-cells
    check_sub_cell_gate("congress", "sector_committee", [])
    assert sub_cell_rollup(cells) == {"total": 5, "held": 2, "exempted": 1, "pending": 2}


@pytest.fixture
def tree(make_group, make_unit, make_user):
    make_group("G1")
    make_group("G2")
    make_unit("K1", group="G1")
    make_unit("K2", kind="sector_committee", group="G2")
    for code, parent in (("S1", "K1"), ("S2", "K1"), ("S3", "K2")):
        make_unit(code, kind="sub_cell", parent=parent, group=None)
    users = {"admin": make_user("admin@x.vn", "admin"), "sec1": make_user("k1@x.vn", "secretary", unit="K1"),
             "sec2": make_user("k2@x.vn", "secretary", unit="K2"), "g1": make_user("g1@x.vn", "group", group="G1"),
             "g2": make_user("g2@x.vn", "group", group="G2"), "s1": make_user("s1@x.vn", "secretary", unit="S1")}
    db.session.commit()
    return users


def _unit(code):
    from tracker.services.units import get_unit
    return get_unit(code)


def _tick_first_congress(unit, user):
    item = items_of(unit, "congress")[0]
    stages.set_item_done(unit, item, True, item.version, user, NOW, TODAY)


def test_committee_congress_waits_for_its_cells_and_the_refusal_names_them(tree):
    admin, k1 = tree["admin"], _unit("K1")
    for key in BEFORE:
        tick_all(k1, key, admin)
    db.session.commit()
    with pytest.raises(GateRefused) as refused:
        _tick_first_congress(k1, admin)
    assert "S1" in refused.value.message and "S2" in refused.value.message and "S3" not in refused.value.message
    assert refused.value.status == 422 and refused.value.fields["cells"] == "S1,S2"
    db.session.rollback()
    s1 = _unit("S1")
    for key in (*BEFORE, "congress"):
        tick_all(s1, key, admin)
    db.session.commit()
    with pytest.raises(GateRefused) as refused:
        _tick_first_congress(_unit("K1"), admin)
    assert refused.value.fields["cells"] == "S2"
    db.session.rollback()
    service.exempt(_unit("S2"), "merged", "Sáp nhập vào chi bộ ấp 1 (QĐ 12-QĐ/ĐU)", tree["sec1"], NOW)
    _tick_first_congress(_unit("K1"), admin)  # passes now
    db.session.commit()
    lines = db.session.scalars(select(JournalEntry.action).where(JournalEntry.unit_id == _unit("S2").id)).all()
    assert "sub_cell_exempted" in lines


def test_the_campaign_setting_turns_the_gate_off(tree, campaign):
    campaign.sub_cell_gate = False
    db.session.commit()
    k1 = _unit("K1")
    for key in BEFORE:
        tick_all(k1, key, tree["admin"])
    _tick_first_congress(k1, tree["admin"])


def test_who_may_exempt_and_clear(tree):
    s1, s3 = _unit("S1"), _unit("S3")
    for who in ("sec1", "g1", "admin"):
        service.exempt(s1, "postponed", "Được BTV Huyện ủy đồng ý lùi", tree[who], NOW)
        assert service.clear(s1, tree[who], NOW) is True
    for who in ("sec2", "g2", "s1"):
        with pytest.raises(Forbidden):
            service.exempt(s1, "postponed", "x", tree[who], NOW)
    with pytest.raises(Forbidden):
        service.exempt(s3, "dissolved", "x", tree["sec1"], NOW)
    with pytest.raises(Invalid) as bad:
        service.exempt(s1, "bored", "", tree["admin"], NOW)
    assert set(bad.value.fields) == {"reason", "note"}
    with pytest.raises(Invalid):
        service.exempt(_unit("K1"), "merged", "x", tree["admin"], NOW)  # a committee is not a cell
    assert service.clear(s1, tree["admin"], NOW) is False
    db.session.commit()
    actions = db.session.scalars(select(JournalEntry.action).where(JournalEntry.unit_id == s1.id)).all()
    assert actions.count("sub_cell_exempted") == 3 and actions.count("sub_cell_exemption_cleared") == 3


def test_sql_twin_matches_the_pure_rollup_and_pending_list(tree):
    """Random ticks, reviews and exemptions on many cells: SQL and the pure rule agree per committee."""
    rnd = random.Random(7)
    from tests.factories import make_unit
    for n in range(24):
        make_unit(f"C{n:02}", kind="sub_cell", parent=rnd.choice(["K1", "K2"]))
    db.session.commit()
    from tracker.models import Unit
    cells = db.session.scalars(select(Unit).where(Unit.kind == "sub_cell")).all()
    admin = tree["admin"]
    for cell in cells:
        for item in items_of(cell, "congress"):
            item.done = rnd.random() < 0.7
        if rnd.random() < 0.2:
            db.session.add(StageReview(unit_id=cell.id, stage="congress",
                                       state=rnd.choice(["verified", "returned"])))
        if rnd.random() < 0.25:
            db.session.add(SubCellExemption(unit_id=cell.id, reason="postponed", note="n", by_id=admin.id, at=NOW))
    db.session.commit()
    from tests.conftest import pure_statuses
    statuses = pure_statuses([c.id for c in cells], TODAY)
    exempted = set(db.session.scalars(select(SubCellExemption.unit_id)))
    sql = query.rollups([_unit("K1").id, _unit("K2").id], TODAY)
    for code in ("K1", "K2"):
        k = _unit(code)
        facts = [(c.code, statuses[c.id]["congress"], c.id in exempted) for c in cells if c.parent_id == k.id]
        assert sql[k.id] == sub_cell_rollup(facts)
        assert query.pending_codes(k.id, TODAY) == pending_sub_cells(facts)
    assert sum(r["pending"] for r in sql.values()) > 0 and any(r["exempted"] for r in sql.values())


def test_archived_cells_and_campaigns_take_no_exemption_and_hold_no_committee_back(tree, campaign):
    """Review: exempting bypassed both archive guards (the edits and campaigns branches' rule), and an
    archived cell kept its committee's congress waiting though the report and lists leave it out."""
    from tracker.campaigns.service import copy_campaign
    from tracker.edits.service import set_unit_archived
    from tracker.services.errors import DomainError
    from tracker.services.live import Archived
    from tracker.subcells.query import rollups

    admin = tree["admin"]
    set_unit_archived(_unit("S2"), True, admin, NOW)
    db.session.commit()
    with pytest.raises(Archived):
        service.exempt(_unit("S2"), "dissolved", "Giải thể", admin, NOW)
    assert [row.unit.code for row in service.committee_view(_unit("K1"), TODAY).rows] == ["S1"]
    assert rollups([_unit("K1").id], TODAY)[_unit("K1").id]["total"] == 1
    assert query.pending_codes(_unit("K1").id, TODAY) == ("S1",)
    service.exempt(_unit("S1"), "postponed", "Lùi", admin, NOW)
    k1 = _unit("K1")
    for key in BEFORE:
        tick_all(k1, key, admin)
    _tick_first_congress(k1, admin)  # the archived S2 does not hold K1 back
    db.session.commit()
    old_id = campaign.id
    copy_campaign(campaign, "Nhiệm kỳ mới", "2035–2040")
    db.session.commit()
    from tracker.models import Unit
    old_s1 = db.session.scalar(select(Unit).where(Unit.code == "S1", Unit.campaign_id == old_id))
    with pytest.raises(DomainError) as refused:
        service.clear(old_s1, admin, NOW)
    assert refused.value.code == "campaign_archived"
    db.session.rollback()
    assert db.session.scalar(select(SubCellExemption).where(SubCellExemption.unit_id == old_s1.id)) is not None


def test_the_committee_page_offers_no_exemption_form_for_an_archived_cell(tree, login):
    from tracker.edits.service import set_unit_archived

    set_unit_archived(_unit("S2"), True, tree["admin"], NOW)
    db.session.commit()
    html = login(tree["admin"]).get("/units/K1").get_data(as_text=True)
    assert "/units/S1/exemption" in html and "/units/S2/exemption" not in html
