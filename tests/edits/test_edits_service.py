"""Edits that stick, as services: delete (allowed, refused with the reason), archive and restore (out of the
dashboard, the API list, the report and the sweep; no edits), code and kind changes (journal, uniqueness,
checklist following the kind, ticks kept)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, items_of
from tests.factories import tick_stage, unit_by_code
from tracker.edits import service
from tracker.edits.holds import unit_holds
from tracker.extensions import db
from tracker.models import Campaign, Item, ItemTemplate, JournalEntry, ReminderLedger, Unit, WorkingGroup
from tracker.readmodel import live_group, live_unit
from tracker.reminders.sweep import sweep
from tracker.reports.query import summary
from tracker.services import accounts, admin, results, stages, unit_changes
from tracker.services import units as unit_service
from tracker.services.errors import Conflict, Forbidden, Invalid
from tracker.services.live import Archived
from tracker.web import dashboard_data

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = NOW.astimezone(HCM).date()


def _journal(unit_id, action):
    return db.session.scalars(select(JournalEntry).where(JournalEntry.unit_id == unit_id,
                                                         JournalEntry.action == action)).all()


# ---- delete --------------------------------------------------------------------------------------

def test_a_fresh_unit_is_deleted_with_its_checklist_and_a_campaign_journal_line(world, make_unit):
    unit = make_unit("U3", "grassroots_cell", "G1")
    unit_service.update_unit(unit, {"name": "Chi bộ Ấp 3 (sửa tên)"}, world["admin"], NOW)  # set-up, not work
    db.session.commit()
    uid = unit.id
    assert not unit_holds(unit)
    service.delete_unit(unit, world["admin"], NOW)
    db.session.commit()
    assert unit_by_code("U3", fresh=True) is None
    assert db.session.scalar(select(func.count(Item.id)).where(Item.unit_id == uid)) == 0
    assert db.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.unit_id == uid)) == 0
    line = db.session.scalar(select(JournalEntry).where(JournalEntry.action == "unit_deleted"))
    assert (line.unit_id, line.before, line.user_id) == (None, "U3", world["admin"].id)


def test_a_unit_with_ticks_and_a_secretary_is_refused_with_the_reason_in_words(world):
    tick_stage("U1", "dissemination")
    n = len(items_of(world["u1"], "dissemination"))
    with pytest.raises(Invalid) as refused:
        service.delete_unit(unit_by_code("U1", fresh=True), world["admin"], NOW)
    assert refused.value.code == "in_use"
    assert f"đơn vị đã có {n} bước được đánh dấu và 1 người dùng" in refused.value.message
    assert "lưu trữ" in refused.value.message  # archive is offered instead
    assert refused.value.fields == {"ticked": str(n), "secretaries": "1"}
    db.session.rollback()
    assert unit_by_code("U1", fresh=True) is not None


@pytest.mark.parametrize("what", ["blocker", "review", "results", "sub_cell", "unticked"])
def test_each_thing_that_hangs_on_a_unit_keeps_it(world, make_unit, what):
    unit = make_unit("U3", "commune_committee", "G1")
    admin_user = world["admin"]
    if what == "blocker":
        stages.raise_blocker(unit, "documents", "Thiếu kinh phí", admin_user, NOW)
    elif what == "review":
        tick_stage("U3", "dissemination")
        stages.verify_stage(unit_by_code("U3", fresh=True), "dissemination", admin_user, NOW, TODAY)
    elif what == "results":
        results.record_dissemination(unit, {"sessions": 1, "attendees": 10, "members_reached": 10}, admin_user, NOW,
                                     TODAY)
    elif what == "sub_cell":
        make_unit("U3A", "sub_cell", "G1", parent="U3")
    else:  # ticked, then unticked: nothing is ticked now, but the journal holds the work
        item = items_of(unit, "dissemination")[0]
        stages.set_item_done(unit, item, True, item.version, admin_user, NOW, TODAY)
        stages.set_item_done(unit, item, False, item.version, admin_user, NOW, TODAY)
    db.session.commit()
    holds = unit_holds(unit_by_code("U3", fresh=True))
    assert holds, what
    with pytest.raises(Invalid, match="Không thể xóa đơn vị U3"):
        service.delete_unit(unit_by_code("U3", fresh=True), admin_user, NOW)
    if what == "unticked":
        assert "dòng nhật ký công việc" in holds.words()


def test_groups_are_deleted_only_without_units_and_members(world, make_group):
    make_group("G3")
    with pytest.raises(Invalid) as refused:
        service.delete_group(db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G1")),
                             world["admin"], NOW)
    assert "tổ đã có 1 đơn vị và 1 thành viên" in refused.value.message
    db.session.rollback()
    service.delete_group(db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G3")), world["admin"], NOW)
    db.session.commit()
    assert db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.code == "G3")) is None


@pytest.mark.parametrize("who", ["member", "secretary", "viewer"])
def test_only_admins_delete_archive_and_change(world, make_unit, who):
    unit, user = make_unit("U3"), world[who]
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G1"))
    for call in (lambda: service.delete_unit(unit, user, NOW), lambda: service.set_unit_archived(unit, True, user, NOW),
                 lambda: unit_changes.change_code(unit, "U9", user, NOW),
                 lambda: unit_changes.change_kind(unit, "grassroots_cell", user, NOW, confirm=True),
                 lambda: service.delete_group(group, user, NOW),
                 lambda: service.set_group_archived(group, True, user, NOW)):
        with pytest.raises(Forbidden):
            call()


# ---- archive -------------------------------------------------------------------------------------

def test_live_unit_is_the_sql_twin_of_unit_archived(world, make_unit):
    make_unit("U3")
    service.set_unit_archived(unit_by_code("U2", fresh=True), True, world["admin"], NOW)
    db.session.commit()
    live = set(db.session.scalars(select(Unit.code).where(live_unit())))
    assert live == {u.code for u in db.session.scalars(select(Unit)) if not u.archived} == {"U1", "U3"}
    service.set_group_archived(db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G2")), True,
                               world["admin"], NOW)
    assert set(db.session.scalars(select(WorkingGroup.code).where(live_group()))) == {
        g.code for g in db.session.scalars(select(WorkingGroup)) if not g.archived} == {"G1"}


def test_an_archived_unit_leaves_the_dashboard_report_and_sweep_and_comes_back_when_restored(world):
    campaign = db.session.scalar(select(Campaign))
    filters = dashboard_data.Filters()

    def on_dashboard():
        scope = dashboard_data.conditions(filters, campaign.id, TODAY)
        return {r.code for r in dashboard_data.page_of_units(scope, 1, 100)}

    def reminded_units(moment):
        sweep(db.session, moment)
        db.session.flush()
        ids = db.session.scalars(select(Item.unit_id).join(ReminderLedger, ReminderLedger.item_id == Item.id)).all()
        db.session.rollback()
        return {db.session.get(Unit, i).code for i in ids}

    late = datetime(2030, 5, 30, 9, tzinfo=HCM)  # ten days after the congress date: items overdue
    assert on_dashboard() == {"U1", "U2"}
    assert summary(campaign, TODAY)["units"]["total"] == 2
    assert reminded_units(late) == {"U1", "U2"}

    service.set_unit_archived(unit_by_code("U2", fresh=True), True, world["admin"], NOW)
    db.session.commit()
    assert unit_by_code("U2", fresh=True).archived_by_id == world["admin"].id
    assert on_dashboard() == {"U1"}
    assert summary(campaign, TODAY)["units"]["total"] == 1
    assert reminded_units(late) == {"U1"}
    assert [e.action for e in _journal(unit_by_code("U2", fresh=True).id, "unit_archived")] == ["unit_archived"]

    service.set_unit_archived(unit_by_code("U2", fresh=True), False, world["admin"], NOW)
    db.session.commit()
    assert unit_by_code("U2", fresh=True).archived_at is None
    assert on_dashboard() == {"U1", "U2"}
    assert summary(campaign, TODAY)["units"]["total"] == 2


def test_an_archived_unit_cannot_be_changed(world):
    service.set_unit_archived(unit_by_code("U1", fresh=True), True, world["admin"], NOW)
    db.session.commit()
    unit, item = unit_by_code("U1", fresh=True), items_of(unit_by_code("U1", fresh=True), "dissemination")[0]
    attempts = [
        lambda: stages.set_item_done(unit, item, True, item.version, world["secretary"], NOW, TODAY),
        lambda: stages.raise_blocker(unit, "documents", "x", world["secretary"], NOW),
        lambda: stages.move_deadline(unit, item, TODAY, "x", world["member"], NOW, TODAY, True),
        lambda: results.record_dissemination(unit, {"sessions": 1, "attendees": 1, "members_reached": 1},
                                             world["secretary"], NOW, TODAY),
        lambda: unit_service.update_unit(unit, {"name": "Tên mới"}, world["admin"], NOW),
        lambda: unit_changes.change_code(unit, "U9", world["admin"], NOW),
        lambda: admin.assign_secretary(unit, "other_secretary@example.org", world["admin"], NOW),
    ]
    for attempt in attempts:
        with pytest.raises(Archived) as refused:
            attempt()
        assert refused.value.status == 422 and "đã được lưu trữ" in refused.value.message
        db.session.rollback()
    # others still may not: permissions come first (403), not the archive
    with pytest.raises(Forbidden):
        stages.set_item_done(unit, item, True, item.version, world["other_secretary"], NOW, TODAY)


def test_an_archived_group_takes_no_units_or_members(world, make_unit):
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G2"))
    service.set_group_archived(group, True, world["admin"], NOW)
    db.session.commit()
    unit = make_unit("U3")
    with pytest.raises(Archived):
        unit_service.update_unit(unit, {"group": "G2"}, world["admin"], NOW)
    db.session.rollback()
    newcomer = accounts.create_user("new@example.org", "Mới", "group", None, None, None, actor=None)
    with pytest.raises(Archived):
        admin.add_member(group, newcomer.email, world["admin"])
    db.session.rollback()
    # its own unit keeps it: saving U2's other fields is fine
    unit_service.update_unit(unit_by_code("U2", fresh=True), {"group": "G2", "name": "Đơn vị U2 mới"}, world["admin"], NOW)


# ---- code ----------------------------------------------------------------------------------------

def test_a_new_code_is_journalled_unique_and_valid(world):
    unit = unit_by_code("U1", fresh=True)
    unit_changes.change_code(unit, "  U1-MOI ", world["admin"], NOW)
    db.session.commit()
    assert unit_by_code("U1", fresh=True) is None and unit_by_code("U1-MOI", fresh=True).id == unit.id
    line, = _journal(unit.id, "code_changed")
    assert (line.before, line.after, line.user_id) == ("U1", "U1-MOI", world["admin"].id)
    with pytest.raises(Conflict) as dup:
        unit_changes.change_code(unit_by_code("U1-MOI", fresh=True), "U2", world["admin"], NOW)
    assert dup.value.status == 409 and dup.value.code == "duplicate" and "code" in dup.value.fields
    db.session.rollback()
    with pytest.raises(Invalid) as bad:
        unit_changes.change_code(unit_by_code("U1-MOI", fresh=True), "U 1", world["admin"], NOW)
    assert "code" in bad.value.fields


def test_patching_code_through_update_unit_is_admin_only(world):
    with pytest.raises(Forbidden):
        unit_service.update_unit(unit_by_code("U1", fresh=True), {"code": "X1"}, world["member"], NOW)
    db.session.rollback()
    unit_service.update_unit(unit_by_code("U1", fresh=True), {"code": "X1", "name": "Đảng bộ xã X"}, world["admin"], NOW)
    db.session.commit()
    assert unit_by_code("X1", fresh=True).name == "Đảng bộ xã X"


# ---- kind ----------------------------------------------------------------------------------------

def _committee_only_keys(campaign_id):
    return {(t.stage, t.key) for t in db.session.scalars(select(ItemTemplate).where(
        ItemTemplate.campaign_id == campaign_id)) if not t.applies_to("grassroots_cell")}


def test_the_kind_plan_names_what_is_added_and_removed(world):
    committee_only = _committee_only_keys(world["u1"].campaign_id)
    assert committee_only  # the built-in template has steps only committees take
    down = unit_changes.plan_kind_change(unit_by_code("U1", fresh=True), "grassroots_cell")
    assert {(i.stage, i.key) for i in down.removed} == committee_only and not down.added
    up = unit_changes.plan_kind_change(unit_by_code("U2", fresh=True), "commune_committee")
    assert {(t.stage, t.key) for t in up.added} == committee_only and not up.removed
    assert up.kept == len(unit_by_code("U2", fresh=True).items)


def test_a_kind_change_keeps_ticks_on_shared_items_and_needs_confirmation_to_drop_ticked_ones(world):
    campaign_id = world["u1"].campaign_id
    tick_stage("U1", "dissemination")
    unit = unit_by_code("U1", fresh=True)
    before_ticked = {(i.stage, i.key) for i in unit.items if i.done}
    committee_only = _committee_only_keys(campaign_id)
    dropped_ticked = before_ticked & committee_only
    assert dropped_ticked  # a committee-only dissemination step was ticked
    with pytest.raises(Invalid) as unconfirmed:
        unit_changes.change_kind(unit, "grassroots_cell", world["admin"], NOW, confirm=False)
    assert unconfirmed.value.fields.keys() == {"confirm_kind"}
    db.session.rollback()
    plan = unit_changes.change_kind(unit_by_code("U1", fresh=True), "grassroots_cell", world["admin"], NOW, confirm=True)
    db.session.commit()
    unit = unit_by_code("U1", fresh=True)
    assert unit.kind == "grassroots_cell"
    keys = {(i.stage, i.key) for i in unit.items}
    assert not keys & committee_only
    assert {(i.stage, i.key) for i in unit.items if i.done} == before_ticked - committee_only
    line, = _journal(unit.id, "kind_changed")
    assert (line.before, line.after) == ("commune_committee", "grassroots_cell")
    removed = _journal(unit.id, "item_removed")
    assert len(removed) == len(plan.removed) and {e.before for e in removed} == {"done", ""}
    # and back: the committee steps return, open, with due dates; the kept ticks stay
    unit_changes.change_kind(unit, "commune_committee", world["admin"], NOW, confirm=False)
    db.session.commit()
    unit = unit_by_code("U1", fresh=True)
    assert {(i.stage, i.key) for i in unit.items} == keys | committee_only
    assert all(not i.done and i.due_on is not None for i in unit.items if (i.stage, i.key) in committee_only)
    assert {(i.stage, i.key) for i in unit.items if i.done} == before_ticked - committee_only


def test_kind_rules_sub_cells_and_parents(world, make_unit):
    make_unit("U1A", "sub_cell", "G1", parent="U1")
    with pytest.raises(Invalid) as has_cells:
        unit_changes.change_kind(unit_by_code("U1", fresh=True), "grassroots_cell", world["admin"], NOW, confirm=True)
    assert "kind" in has_cells.value.fields
    db.session.rollback()
    with pytest.raises(Invalid) as no_parent:
        unit_changes.change_kind(unit_by_code("U2", fresh=True), "sub_cell", world["admin"], NOW, confirm=True)
    assert "parent" in no_parent.value.fields


# ---- imports meet archived units and groups ------------------------------------------------------

def test_an_import_does_not_change_archived_units_or_fill_archived_groups(world, make_group):
    from tests.imports.files import csv_bytes
    from tracker.imports.service import run_import

    def imported(rows):
        plan = run_import("units", csv_bytes(["code", "name", "group"], rows), "f.csv", None, "test", NOW, False)
        db.session.rollback() if plan.errors else db.session.commit()
        return plan

    service.set_unit_archived(unit_by_code("U2", fresh=True), True, world["admin"], NOW)
    make_group("G3")
    service.set_group_archived(db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G3")), True,
                               world["admin"], NOW)
    db.session.commit()
    # the office's whole sheet, archived unit included and unchanged: fine
    assert not imported([["U1", "Đơn vị U1", "G1"], ["U2", "Đơn vị U2", "G2"]]).errors
    assert [(e.line, e.column) for e in imported([["U1", "Đơn vị U1", "G3"]]).errors] == [(2, "group")]
    plan = imported([["U1", "Đơn vị U1 mới", "G1"], ["U2", "Tên mới", "G2"]])
    assert [(e.line, e.column) for e in plan.errors] == [(3, "code")]
    assert "đã được lưu trữ" in plan.errors[0].message
    assert unit_by_code("U2", fresh=True).name == "Đơn vị U2" and unit_by_code("U1", fresh=True).name == "Đơn vị U1" and unit_by_code("U1", fresh=True).group.code == "G1"


def test_assigning_several_units_to_a_group_keeps_the_archive_rules(world, make_group):
    from tracker.imports.bulk import assign_units_to_group

    service.set_unit_archived(unit_by_code("U2", fresh=True), True, world["admin"], NOW)
    db.session.commit()
    with pytest.raises(Archived, match="U2"):
        assign_units_to_group(["U1", "U2"], "G1", world["admin"], NOW)
    db.session.rollback()
    make_group("G3")
    service.set_group_archived(db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G3")), True,
                               world["admin"], NOW)
    with pytest.raises(Archived):
        assign_units_to_group(["U1"], "G3", world["admin"], NOW)


def test_an_archived_campaign_refuses_the_edits_of_its_units_and_groups(world, campaign, app):
    """Review: delete, archive, code, kind, secretaries and group edits reached an archived campaign's units
    and groups (an admin who switched to it); every one is refused with `campaign_archived`, nothing changes."""
    from tracker.campaigns.service import copy_campaign
    from tracker.services.errors import DomainError

    old_id = campaign.id
    copy_campaign(campaign, "Nhiệm kỳ mới", "2035–2040")
    db.session.commit()

    def old_unit(code):
        db.session.expire_all()
        return db.session.scalar(select(Unit).where(Unit.code == code, Unit.campaign_id == old_id))

    def old_group(code):
        return db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == code,
                                                            WorkingGroup.campaign_id == old_id))

    admin_user = world["admin"]
    attempts = [
        lambda: service.delete_unit(old_unit("U2"), admin_user, NOW),
        lambda: service.set_unit_archived(old_unit("U1"), True, admin_user, NOW),
        lambda: unit_changes.change_code(old_unit("U1"), "U9", admin_user, NOW),
        lambda: unit_changes.change_kind(old_unit("U1"), "sector_committee", admin_user, NOW, confirm=True),
        lambda: service.delete_group(old_group("G2"), admin_user, NOW),
        lambda: service.set_group_archived(old_group("G1"), True, admin_user, NOW),
        lambda: admin.assign_unit(world["secretary"], "U1", admin_user, NOW, db.session.get(Campaign, old_id)),
        lambda: admin.rename_group(old_group("G1"), "Tên mới", admin_user),
        lambda: admin.add_member(old_group("G2"), world["member"].email, admin_user),
    ]
    from flask import g

    for n, attempt in enumerate(attempts):
        with app.test_request_context("/"):
            g.campaign_in_view = db.session.get(Campaign, old_id)  # the admin switched to the archived campaign
            with pytest.raises(DomainError) as refused:
                attempt()
                pytest.fail(f"attempt {n} was not refused")
            assert refused.value.code == "campaign_archived", n
            db.session.rollback()
            g.pop("campaign_in_view", None)
    u1, g1 = old_unit("U1"), old_group("G1")
    assert u1.code == "U1" and u1.kind == "commune_committee" and not u1.archived
    assert not g1.archived and g1.name != "Tên mới" and old_unit("U2") is not None
    assert db.session.get(type(world["secretary"]), world["secretary"].id).unit.campaign_id != old_id


def test_a_new_unit_or_user_is_not_put_in_an_archived_group_or_unit(world):
    """Review: moving a unit into an archived group or assigning a secretary to an archived unit was refused,
    but creating a unit in that group, or a user in that group or unit, went through."""
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G2"))
    service.set_group_archived(group, True, world["admin"], NOW)
    service.set_unit_archived(unit_by_code("U2", fresh=True), True, world["admin"], NOW)
    db.session.commit()
    body = {"code": "U7", "name": "Mới", "kind": "grassroots_cell", "party_members": 3, "group": "G2"}
    attempts = [
        lambda: unit_service.create_unit(body, world["admin"], NOW),
        lambda: accounts.create_user("g7@example.org", "Mới", "group", None, None, "G2", actor=world["admin"]),
        lambda: accounts.create_user("s7@example.org", "Mới", "secretary", None, "U2", None, actor=world["admin"]),
    ]
    for attempt in attempts:
        with pytest.raises(Archived):
            attempt()
        db.session.rollback()
    assert unit_by_code("U7", fresh=True) is None
    unit_service.create_unit(body | {"group": "G1"}, world["admin"], NOW)  # a live group takes it
