"""Use cases on a unit: due dates follow the congress date, ticks keep versions, gates, reviews, journal."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, items_of, tick_all
from tracker.extensions import db
from tracker.models import Item, JournalEntry
from tracker.services import stages, units
from tracker.services.errors import Conflict, Forbidden, GateRefused, Invalid
from tracker.services.progress import unit_stage_views

TODAY = date(2030, 4, 1)


def test_due_dates_follow_offsets_from_the_congress_date(make_unit):
    unit = make_unit("U1", congress_date=date(2030, 5, 20))
    by_key = {i.key: i for i in unit.items}
    assert by_key["briefing_held"].due_on == date(2030, 4, 5)         # 45 days before
    assert by_key["congress_held"].due_on == date(2030, 5, 20)
    assert by_key["dossier_sent"].due_on == date(2030, 5, 29)         # 7 working days after Mon 20 May
    assert all(i.due_on for i in unit.items)


def test_a_cell_has_fewer_items_but_every_stage_has_one(make_unit):
    cell = make_unit("C1", kind="grassroots_cell")
    committee = make_unit("X1", kind="commune_committee")
    assert len(cell.items) < len(committee.items)
    assert {i.stage for i in cell.items} == {"dissemination", "documents", "personnel", "rehearsal", "congress",
                                             "first_session"}
    assert "standing_committee_elected" not in {i.key for i in cell.items}


def test_moving_the_congress_date_moves_open_dates_but_not_done_or_hand_set_ones(make_unit, make_user):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1", congress_date=date(2030, 5, 20))
    done_item, manual_item, open_item = items_of(unit, "dissemination")[:3]
    stages.set_item_done(unit, done_item, True, done_item.version, admin, NOW, TODAY)
    stages.move_deadline(unit, manual_item, date(2030, 4, 20), "Chờ hướng dẫn của tỉnh", admin, NOW, NOW.date())
    old_done, old_open = done_item.due_on, open_item.due_on
    units.set_congress_date(unit, date(2030, 6, 3), admin, NOW)
    db.session.commit()
    assert done_item.due_on == old_done
    assert manual_item.due_on == date(2030, 4, 20) and manual_item.due_reason == "Chờ hướng dẫn của tỉnh"
    assert open_item.due_on == old_open + timedelta(days=14)
    actions = db.session.scalars(select(JournalEntry.action).where(JournalEntry.unit_id == unit.id)).all()
    assert {"tick", "deadline_moved", "congress_date_moved"} <= set(actions)


def test_stale_version_is_refused_and_changes_nothing(make_unit, make_user):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1")
    item = items_of(unit, "dissemination")[0]
    stages.set_item_done(unit, item, True, 1, admin, NOW, TODAY)
    db.session.commit()
    assert item.version == 2
    with pytest.raises(Conflict):
        stages.set_item_done(unit, item, False, 1, admin, NOW, TODAY)
    db.session.rollback()
    assert db.session.get(Item, item.id).done is True


def test_congress_gate(make_unit, make_user):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1")
    congress_item = items_of(unit, "congress")[0]
    with pytest.raises(GateRefused) as exc:
        stages.set_item_done(unit, congress_item, True, congress_item.version, admin, NOW, TODAY)
    assert exc.value.fields["gate"] == "congress"
    assert set(exc.value.fields["missing"].split(",")) == {"documents", "personnel", "rehearsal"}
    for stage in ("documents", "personnel", "rehearsal"):
        tick_all(unit, stage, admin)
    first = items_of(unit, "first_session")[0]
    with pytest.raises(GateRefused):
        stages.set_item_done(unit, first, True, first.version, admin, NOW, TODAY)
    stages.set_item_done(unit, congress_item, True, congress_item.version, admin, NOW, TODAY)
    tick_all(unit, "congress", admin)
    stages.set_item_done(unit, first, True, first.version, admin, NOW, TODAY)
    assert first.done


def test_unticking_is_never_gated(make_unit, make_user):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1")
    for stage in ("documents", "personnel", "rehearsal", "congress"):
        tick_all(unit, stage, admin)
    personnel = items_of(unit, "personnel")[0]
    stages.set_item_done(unit, personnel, False, personnel.version, admin, NOW, TODAY)
    assert not personnel.done


def test_superior_decisions_are_ticked_by_the_district_side(make_group, make_unit, make_user):
    make_group("G1")
    unit = make_unit("U1", group="G1")
    secretary = make_user("sec@x.vn", "secretary", unit="U1")
    member = make_user("member@x.vn", "group", group="G1")
    approved = next(i for i in items_of(unit, "documents") if i.superior_only)
    with pytest.raises(Forbidden):
        stages.set_item_done(unit, approved, True, approved.version, secretary, NOW, TODAY)
    stages.set_item_done(unit, approved, True, approved.version, member, NOW, TODAY)
    assert approved.done and approved.done_by_id == member.id


def test_secretary_of_another_unit_and_viewer_are_refused(make_unit, make_user):
    unit = make_unit("U1")
    make_unit("U2")
    other = make_user("sec2@x.vn", "secretary", unit="U2")
    viewer = make_user("viewer@x.vn", "viewer")
    item = items_of(unit, "dissemination")[0]
    for user in (other, viewer):
        with pytest.raises(Forbidden):
            stages.set_item_done(unit, item, True, item.version, user, NOW, TODAY)
    assert not item.done and item.version == 1


def test_verify_and_return_flow(make_group, make_unit, make_user):
    make_group("G1")
    make_group("G2")
    unit = make_unit("U1", group="G1")
    member = make_user("m1@x.vn", "group", group="G1")
    outsider = make_user("m2@x.vn", "group", group="G2")
    with pytest.raises(Invalid):
        stages.verify_stage(unit, "dissemination", member, NOW, TODAY)  # not done yet
    tick_all(unit, "dissemination", member)
    with pytest.raises(Forbidden):
        stages.verify_stage(unit, "dissemination", outsider, NOW, TODAY)
    stages.verify_stage(unit, "dissemination", member, NOW, TODAY)
    assert unit_stage_views(unit.id, TODAY)["dissemination"].status == "verified"
    with pytest.raises(Invalid):
        stages.return_stage(unit, "dissemination", "  ", member, NOW, TODAY)
    stages.return_stage(unit, "dissemination", "Thiếu biên bản hội nghị", member, NOW, TODAY)
    view = unit_stage_views(unit.id, TODAY)["dissemination"]
    assert view.status == "returned" and view.review.comment == "Thiếu biên bản hội nghị"
    # returned until ticked again
    item = items_of(unit, "dissemination")[0]
    stages.set_item_done(unit, item, False, item.version, member, NOW, TODAY)
    assert unit_stage_views(unit.id, TODAY)["dissemination"].status == "returned"
    stages.set_item_done(unit, item, True, item.version, member, NOW, TODAY)
    assert unit_stage_views(unit.id, TODAY)["dissemination"].status == "done"


def test_unticking_withdraws_a_verification(make_unit, make_user):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1")
    tick_all(unit, "dissemination", admin)
    stages.verify_stage(unit, "dissemination", admin, NOW, TODAY)
    item = items_of(unit, "dissemination")[0]
    stages.set_item_done(unit, item, False, item.version, admin, NOW, TODAY)
    stages.set_item_done(unit, item, True, item.version, admin, NOW, TODAY)
    assert unit_stage_views(unit.id, TODAY)["dissemination"].status == "done"


def test_blockers(make_group, make_unit, make_user):
    make_group("G1")
    unit = make_unit("U1", group="G1")
    secretary = make_user("sec@x.vn", "secretary", unit="U1")
    member = make_user("m1@x.vn", "group", group="G1")
    with pytest.raises(Invalid):
        stages.raise_blocker(unit, "personnel", "", secretary, NOW)
    blocker = stages.raise_blocker(unit, "personnel", "Chưa đủ nhân sự nữ", secretary, NOW)
    with pytest.raises(Forbidden):
        stages.answer_blocker(blocker, "tự trả lời", True, secretary, NOW)
    stages.answer_blocker(blocker, "Tổ công tác sẽ làm việc ngày 5/4", True, member, NOW)
    assert blocker.answer and blocker.resolved_at == NOW


def test_the_journal_is_append_only(make_unit, make_user):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1")
    item = items_of(unit, "dissemination")[0]
    stages.set_item_done(unit, item, True, item.version, admin, NOW, TODAY)
    db.session.commit()
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.action == "tick"))
    entry.note = "rewritten"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(
        JournalEntry.note == "rewritten")) == 0


def test_create_unit_refuses_bad_input_and_duplicates(make_group, make_unit):
    make_group("G1")
    make_unit("U1", group="G1")
    before = db.session.scalar(select(func.count()).select_from(Item))
    bad = [
        {"code": "", "name": "x", "kind": "grassroots_cell"},
        {"code": "B 1", "name": "x", "kind": "grassroots_cell"},
        {"code": "B2", "name": "x", "kind": "castle"},
        {"code": "B3", "name": "x", "kind": "grassroots_cell", "party_members": -1},
        {"code": "B4", "name": "x", "kind": "grassroots_cell", "group": "NOPE"},
        {"code": "B5", "name": "x", "kind": "sub_cell"},
        {"code": "B6", "name": "x", "kind": "grassroots_cell", "party_members": 10 ** 20},
        {"code": "B7", "name": "x", "kind": "grassroots_cell", "congress_date": date(9999, 12, 31)},
        {"code": "B8", "name": "x", "kind": "grassroots_cell", "congress_date": date(1, 1, 1)},
    ]
    for data in bad:
        with pytest.raises(Invalid):
            units.create_unit(data, None, NOW)
        db.session.rollback()
    with pytest.raises(Conflict):
        units.create_unit({"code": "U1", "name": "dup", "kind": "grassroots_cell"}, None, NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Item)) == before


def test_congress_date_outside_the_deadline_is_accepted(make_unit, campaign):
    campaign.final_deadline = date(2030, 6, 30)
    db.session.commit()
    unit = make_unit("U1", congress_date=date(2031, 1, 15))
    assert unit.congress_date == date(2031, 1, 15)


def test_a_version_changed_by_another_request_after_loading_is_seen(make_unit, make_user):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1")
    item = items_of(unit, "dissemination")[0]
    assert item.version == 1
    # another request ticks it and commits while this one holds the object it loaded
    with db.engine.begin() as other:
        other.execute(Item.__table__.update().where(Item.id == item.id).values(done=True, version=2))
    with pytest.raises(Conflict):
        stages.set_item_done(unit, item, False, 1, admin, NOW, TODAY)
    db.session.rollback()
    assert db.session.get(Item, item.id).done is True
