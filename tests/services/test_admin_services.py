"""The organisation office's services: campaign, documents, template propagation, calendar, users, groups."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW
from tracker.extensions import db
from tracker.models import CalendarDay, Item, ItemTemplate, JournalEntry, ReferenceDocument, Unit
from tracker.services import admin as svc
from tracker.services import stages
from tracker.services import units as unit_service
from tracker.services.calendar import load_calendar
from tracker.services.errors import Conflict, Invalid, NotFound
from tracker.tokens.service import user_for_token
from tracker.workflow import due_date


def _item(unit, stage, key):
    return db.session.scalar(select(Item).where(Item.unit_id == unit.id, Item.stage == stage, Item.key == key))


def _template(campaign, stage, key):
    return db.session.scalar(select(ItemTemplate).where(ItemTemplate.campaign_id == campaign.id,
                                                        ItemTemplate.stage == stage, ItemTemplate.key == key))


def _data(**kw):
    data = {"stage": "rehearsal", "key": "sound_checked", "title_vi": "Kiểm tra âm thanh",
            "title_en": "Sound checked", "required": True, "superior_only": False, "kinds": [],
            "offset_days": -2, "working_days": False, "anchor": "congress"}
    data.update(kw)
    return data


def _journal(action):
    return db.session.scalars(select(JournalEntry).where(JournalEntry.action == action)).all()


# --- campaign and documents ------------------------------------------------------------------------

def test_update_campaign_and_deadline_moves_deadline_anchored_items(campaign, make_unit, make_user):
    admin = make_user("a@x.vn")
    svc.create_template(campaign, _data(key="final_report", anchor="deadline", offset_days=-3), admin, NOW)
    u = make_unit("U1")
    assert _item(u, "rehearsal", "final_report").due_on is None  # no deadline yet
    svc.update_campaign(campaign, {"name": "Đại hội nhiệm kỳ 2025–2030", "organiser": "Đảng ủy phường X",
                                   "term": "2025–2030", "final_deadline": date(2030, 6, 30)}, admin, NOW)
    db.session.commit()
    assert campaign.organiser == "Đảng ủy phường X"
    assert _item(u, "rehearsal", "final_report").due_on == date(2030, 6, 27)
    assert any(j.item_key == "final_report" for j in _journal("due_recomputed"))
    # congress-anchored items are untouched by a deadline change
    assert _item(u, "congress", "congress_held").due_on == date(2030, 5, 20)
    svc.update_campaign(campaign, {"name": "X", "final_deadline": None}, admin, NOW)
    db.session.commit()
    assert _item(u, "rehearsal", "final_report").due_on is None


def test_update_campaign_refuses_empty_name(campaign):
    with pytest.raises(Invalid) as exc:
        svc.update_campaign(campaign, {"name": " ", "term": "x" * 51}, None, NOW)
    assert set(exc.value.fields) == {"name", "term"}


def test_documents_are_identified_by_number_and_date(campaign):
    svc.add_document(campaign, "35-CT/TW", date(2019, 5, 30), "Chỉ thị về đại hội đảng bộ các cấp", None)
    svc.add_document(campaign, "35-CT/TW", date(2024, 6, 14), "Chỉ thị về đại hội đảng bộ các cấp", None)
    with pytest.raises(Conflict):
        svc.add_document(campaign, "35-CT/TW", date(2019, 5, 30), "again", None)
    with pytest.raises(Invalid) as exc:
        svc.add_document(campaign, "", None, "", None)
    assert set(exc.value.fields) == {"number", "issued_on"}
    db.session.commit()
    docs = db.session.scalars(select(ReferenceDocument)).all()
    assert len(docs) == 2
    svc.remove_document(campaign, docs[0].id, None)
    with pytest.raises(NotFound):
        svc.remove_document(campaign, 999999, None)
    db.session.commit()
    assert db.session.scalar(select(func.count(ReferenceDocument.id))) == 1


# --- template propagation --------------------------------------------------------------------------

def test_new_template_item_reaches_existing_units_of_matching_kinds(campaign, make_unit, make_user):
    admin = make_user("a@x.vn")
    cell = make_unit("C1", kind="grassroots_cell", congress_date=date(2030, 5, 20))
    comm = make_unit("K1", kind="commune_committee", congress_date=date(2030, 6, 10))
    undated = make_unit("K2", kind="commune_committee", congress_date=None)
    svc.create_template(campaign, _data(kinds=["commune_committee"], offset_days=-5, working_days=True), admin, NOW)
    db.session.commit()
    assert _item(cell, "rehearsal", "sound_checked") is None
    item = _item(comm, "rehearsal", "sound_checked")
    assert item.due_on == due_date(date(2030, 6, 10), -5, True, load_calendar())
    assert item.title_vi == "Kiểm tra âm thanh" and item.required and item.version == 1
    assert _item(undated, "rehearsal", "sound_checked").due_on is None
    assert {j.unit_id for j in _journal("item_added")} == {comm.id, undated.id}
    # a unit created later gets it too
    later = make_unit("K3", kind="commune_committee")
    assert _item(later, "rehearsal", "sound_checked") is not None


def test_duplicate_and_bad_template_input_is_refused(campaign):
    with pytest.raises(Conflict):
        svc.create_template(campaign, _data(stage="congress", key="congress_held"), None, NOW)
    with pytest.raises(Invalid) as exc:
        svc.create_template(campaign, _data(stage="nope", key="Bad Key", title_vi="", offset_days=99999,
                                            kinds=["town"], anchor="moon"), None, NOW)
    assert set(exc.value.fields) == {"stage", "key", "title_vi", "offset_days", "kinds", "anchor"}


def test_template_edit_propagates_to_open_items_only(campaign, make_unit, make_user):
    admin = make_user("a@x.vn")
    u1, u2 = make_unit("U1"), make_unit("U2", congress_date=date(2030, 7, 1))
    done = _item(u1, "rehearsal", "script_written")
    stages.set_item_done(u1, done, True, None, admin, NOW, NOW.date())
    manual = _item(u2, "rehearsal", "script_written")
    stages.move_deadline(u2, manual, date(2030, 6, 1), "xin lùi", admin, NOW, NOW.date())
    u3 = make_unit("U3", congress_date=date(2030, 8, 1))
    db.session.commit()
    t = _template(campaign, "rehearsal", "script_written")
    changed = svc.update_template(t, {"title_vi": "Kịch bản mới", "title_en": "New script", "required": False,
                                      "superior_only": True, "kinds": [], "offset_days": -10,
                                      "working_days": False, "anchor": "congress"}, admin, NOW)
    db.session.commit()
    assert set(changed) == {"title_vi", "title_en", "required", "superior_only", "offset_days"}
    done, manual, open_ = (_item(u, "rehearsal", "script_written") for u in (u1, u2, u3))
    assert done.title_vi != "Kịch bản mới" and done.required  # done items keep what they were done under
    assert manual.title_vi == "Kịch bản mới" and manual.due_on == date(2030, 6, 1)  # hand-set date stays
    assert open_.title_en == "New script" and not open_.required and open_.superior_only
    assert open_.due_on == date(2030, 7, 22)
    assert {j.unit_id for j in _journal("template_changed")} == {u2.id, u3.id}
    assert [j.unit_id for j in _journal("due_recomputed")] == [u3.id]


def test_kind_change_adds_and_removes_open_items(campaign, make_unit, make_user):
    admin = make_user("a@x.vn")
    comm = make_unit("K1", kind="commune_committee")
    cell = make_unit("C1", kind="grassroots_cell")
    cell2 = make_unit("C2", kind="grassroots_cell")
    t = _template(campaign, "dissemination", "plan_issued")  # applies to all kinds
    stages.set_item_done(cell2, _item(cell2, "dissemination", "plan_issued"), True, None, admin, NOW, NOW.date())
    db.session.commit()
    svc.update_template(t, {"title_vi": t.title_vi, "title_en": t.title_en, "required": True,
                            "kinds": ["commune_committee"], "offset_days": t.offset_days}, admin, NOW)
    db.session.commit()
    assert _item(comm, "dissemination", "plan_issued") is not None
    assert _item(cell, "dissemination", "plan_issued") is None
    assert _item(cell2, "dissemination", "plan_issued").done  # done items stay
    svc.update_template(t, {"title_vi": t.title_vi, "title_en": t.title_en, "required": True,
                            "kinds": [], "offset_days": t.offset_days}, admin, NOW)
    db.session.commit()
    item = _item(cell, "dissemination", "plan_issued")
    assert item is not None and item.due_on == date(2030, 5, 20) - timedelta(days=50)


def test_delete_template_removes_open_items_and_keeps_done_ones(campaign, make_unit, make_user):
    admin = make_user("a@x.vn")
    u1, u2 = make_unit("U1"), make_unit("U2")
    stages.set_item_done(u1, _item(u1, "dissemination", "plan_issued"), True, None, admin, NOW, NOW.date())
    db.session.commit()
    svc.delete_template(_template(campaign, "dissemination", "plan_issued"), admin, NOW)
    db.session.commit()
    assert _template(campaign, "dissemination", "plan_issued") is None
    kept = _item(u1, "dissemination", "plan_issued")
    assert kept.done and kept.template_id is None
    assert _item(u2, "dissemination", "plan_issued") is None
    assert [j.unit_id for j in _journal("item_removed")] == [u2.id]
    assert [j.unit_id for j in _journal("template_removed")] == [u1.id]


def test_template_propagation_query_count_does_not_grow_with_units(campaign, make_unit, make_user,
                                                                   count_queries):
    admin = make_user("a@x.vn")
    for i in range(3):
        make_unit(f"A{i}", congress_date=date(2030, 5, 20))
    with count_queries() as few:
        svc.create_template(campaign, _data(key="k1"), admin, NOW)
    for i in range(12):
        make_unit(f"B{i}", congress_date=date(2030, 5, 20))
    with count_queries() as many:
        svc.create_template(campaign, _data(key="k2"), admin, NOW)
    assert many.n == few.n


# --- calendar ----------------------------------------------------------------------------------------

def test_calendar_day_moves_open_working_day_due_dates(campaign, make_unit, make_user):
    admin = make_user("a@x.vn")
    u = make_unit("U1", congress_date=date(2030, 5, 20))  # Monday
    before = _item(u, "first_session", "dossier_sent").due_on  # 7 working days after
    day = before - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    row = svc.add_calendar_day(day, False, "Nghỉ bù", admin, NOW)
    db.session.commit()
    moved = _item(u, "first_session", "dossier_sent").due_on
    assert moved > before
    assert _item(u, "congress", "congress_held").due_on == date(2030, 5, 20)  # calendar days untouched
    with pytest.raises(Conflict):
        svc.add_calendar_day(day, True, "", admin, NOW)
    with pytest.raises(Invalid):
        svc.add_calendar_day(None, True, "", admin, NOW)
    svc.remove_calendar_day(row.id, admin, NOW)
    db.session.commit()
    assert _item(u, "first_session", "dossier_sent").due_on == before
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 0


def test_a_day_off_added_while_viewing_an_archived_campaign_reaches_the_active_one(campaign, make_unit, make_user):
    from tracker.campaigns.service import copy_campaign

    admin = make_user("a@x.vn")
    make_unit("U1", congress_date=date(2030, 5, 20))  # Monday
    new = copy_campaign(campaign, "Nhiệm kỳ mới", "2030–2035", shift_days=0, actor=admin)
    db.session.commit()
    live = db.session.scalar(select(Unit).where(Unit.campaign_id == new.id, Unit.code == "U1"))
    before = _item(live, "first_session", "dossier_sent").due_on
    day = before - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    row = svc.add_calendar_day(day, False, "Nghỉ bù", admin, NOW)
    db.session.commit()
    assert _item(live, "first_session", "dossier_sent").due_on > before
    svc.remove_calendar_day(row.id, admin, NOW)
    db.session.commit()
    assert _item(live, "first_session", "dossier_sent").due_on == before


# --- users and groups --------------------------------------------------------------------------------

def test_reset_password_and_deactivate(campaign, make_user, token_for):
    admin = make_user("a@x.vn")
    viewer = make_user("v@x.vn", role="viewer")
    headers = token_for(viewer)
    token = headers["Authorization"].split()[1]
    with pytest.raises(Invalid):
        svc.reset_password(viewer, "short", admin)
    svc.reset_password(viewer, "A-new-password-1", admin)
    assert viewer.check_password("A-new-password-1")
    svc.set_active(viewer, False, admin)
    db.session.commit()
    assert user_for_token(token, NOW) is None
    with pytest.raises(Invalid):
        svc.set_active(admin, False, admin)
    svc.set_active(viewer, True, admin)
    assert user_for_token(token, NOW) is None  # deactivation revoked it: reactivating does not bring it back


def test_assign_secretary_and_group_membership(campaign, make_unit, make_user, make_group):
    admin = make_user("a@x.vn")
    u1, u2 = make_unit("U1"), make_unit("U2")
    sec = make_user("s@x.vn", role="secretary", unit="U1")
    viewer = make_user("v@x.vn", role="viewer")
    svc.assign_secretary(u2, "S@x.vn", admin, NOW)
    db.session.commit()
    assert sec.unit_id == u2.id
    assert {j.action for j in db.session.scalars(select(JournalEntry).where(JournalEntry.unit_id == u1.id))} >= \
        {"secretary_removed"}
    with pytest.raises(Invalid):
        svc.assign_secretary(u1, "v@x.vn", admin, NOW)
    with pytest.raises(Invalid):
        svc.assign_secretary(u1, "nobody@x.vn", admin, NOW)
    svc.unassign_secretary(u2, sec, admin, NOW)
    assert sec.unit_id is None
    g = make_group("G1")
    member = make_user("g@x.vn", role="group")
    svc.add_member(g, "g@x.vn", admin)
    with pytest.raises(Conflict):
        svc.add_member(g, "g@x.vn", admin)
    with pytest.raises(Invalid):
        svc.add_member(g, viewer.email, admin)
    svc.rename_group(g, "Tổ công tác số 1", admin)
    with pytest.raises(Invalid):
        svc.rename_group(g, "", admin)
    db.session.commit()
    assert g.name == "Tổ công tác số 1" and member in g.members
    svc.remove_member(g, member, admin)
    with pytest.raises(NotFound):
        svc.remove_member(g, member, admin)
    unit_service.update_unit(u1, {"group": "G1"}, admin, NOW)
    db.session.commit()
    assert u1.group == g


def test_new_required_item_withdraws_a_verification(campaign, make_unit, make_user):
    from tracker.models import StageReview
    admin = make_user("a@x.vn")
    u = make_unit("U1")
    for item in [i for i in u.items if i.stage == "rehearsal"]:
        stages.set_item_done(u, item, True, None, admin, NOW, NOW.date())
    stages.verify_stage(u, "rehearsal", admin, NOW, NOW.date())
    db.session.commit()
    svc.create_template(campaign, _data(stage="rehearsal", key="extra_check"), admin, NOW)
    db.session.commit()
    review = db.session.scalar(select(StageReview).where(StageReview.unit_id == u.id))
    assert review.state is None
    assert [j.stage for j in _journal("review_cleared")] == ["rehearsal"]


def test_campaign_update_without_deadline_key_keeps_it(campaign):
    svc.update_campaign(campaign, {"name": "A", "final_deadline": date(2030, 6, 1)}, None, NOW)
    svc.update_campaign(campaign, {"name": "B"}, None, NOW)
    assert campaign.final_deadline == date(2030, 6, 1)


# --- permissions: the services decide (services/__init__.py) --------------------------------------------

def test_every_admin_service_refuses_other_roles_and_changes_nothing(campaign, make_unit, make_user, make_group):
    from tracker.services import accounts
    from tracker.services.errors import Forbidden

    unit = make_unit("U1")
    group = make_group("G1")
    target = make_user("t@x.vn", role="group")
    day = svc.add_calendar_day(date(2030, 5, 2), False, "x", None, NOW)
    doc = svc.add_document(campaign, "1-CT/TW", date(2020, 1, 1), "", None)
    db.session.commit()
    template = db.session.scalar(select(ItemTemplate).limit(1))
    calls = {
        "update_campaign": lambda u: svc.update_campaign(campaign, {"name": "X"}, u, NOW),
        "add_document": lambda u: svc.add_document(campaign, "2-CT/TW", date(2020, 1, 1), "", u),
        "remove_document": lambda u: svc.remove_document(campaign, doc.id, u),
        "create_template": lambda u: svc.create_template(campaign, _data(), u, NOW),
        "update_template": lambda u: svc.update_template(template, _data(), u, NOW),
        "delete_template": lambda u: svc.delete_template(template, u, NOW),
        "add_calendar_day": lambda u: svc.add_calendar_day(date(2030, 5, 3), False, "", u, NOW),
        "remove_calendar_day": lambda u: svc.remove_calendar_day(day.id, u, NOW),
        "reset_password": lambda u: svc.reset_password(target, "A-new-password-1", u),
        "set_active": lambda u: svc.set_active(target, False, u),
        "assign_unit": lambda u: svc.assign_unit(target, "U1", u, NOW),
        "unassign_secretary": lambda u: svc.unassign_secretary(unit, target, u, NOW),
        "rename_group": lambda u: svc.rename_group(group, "Y", u),
        "add_member": lambda u: svc.add_member(group, target.email, u),
        "remove_member": lambda u: svc.remove_member(group, target, u),
        "create_user": lambda u: accounts.create_user("n@x.vn", "n", "viewer", None, actor=u),
        "create_group": lambda u: accounts.create_group("G9", "g", [], actor=u),
        "create_unit": lambda u: unit_service.create_unit({"code": "U9", "name": "n", "kind": "grassroots_cell"},
                                                          u, NOW),
    }
    for role in ("group", "secretary", "viewer"):
        user = make_user(f"{role}@x.vn", role=role, unit="U1" if role == "secretary" else None,
                         group="G1" if role == "group" else None)
        for name, call in calls.items():
            try:
                call(user)
            except Forbidden:
                pass
            else:
                pytest.fail(f"{name} let a {role} through")
            db.session.rollback()
    assert campaign.name != "X" and target.active and target not in group.members
    assert db.session.scalar(select(func.count(ReferenceDocument.id))) == 1


def test_update_unit_keeps_admin_only_fields_to_admins(campaign, make_unit, make_user, make_group):
    from tracker.services.errors import Forbidden

    make_group("G1")
    unit = make_unit("U1", group="G1")
    member = make_user("m@x.vn", role="group", group="G1")
    with pytest.raises(Forbidden) as refused:
        unit_service.update_unit(unit, {"name": "Khác", "pilot": False}, member, NOW)
    assert set(refused.value.fields) == {"name"}  # pilot is unchanged, so not refused
    unit_service.update_unit(unit, {"name": unit.name}, member, NOW)  # the same values are no change
    outsider = make_user("o@x.vn", role="viewer")
    with pytest.raises(Forbidden):
        unit_service.update_unit(unit, {}, outsider, NOW)
    unit_service.update_unit(unit, {"name": "Khác"}, make_user("a@x.vn"), NOW)
    assert unit.name == "Khác"
