"""A new term: what copy_campaign copies, what it never copies, and the command line."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import tick_all
from tests.factories import count
from tests.reports.reports_helpers import put_results
from tracker.campaigns.scope import active_campaign
from tracker.campaigns.service import copy_campaign
from tracker.extensions import db
from tracker.models import (
    Campaign,
    CongressResult,
    CustomField,
    Item,
    ItemTemplate,
    JournalEntry,
    ReferenceDocument,
    Unit,
    User,
    WorkingGroup,
)
from tracker.services import result_fields
from tracker.services.errors import Invalid


def _old_world(world, campaign):
    campaign.women_min_pct, campaign.ethnic_group, campaign.final_deadline = 20, "Khmer", date(2030, 6, 30)
    db.session.add(ReferenceDocument(campaign_id=campaign.id, number="35-CT/TW", issued_on=date(2024, 6, 14)))
    result_fields.add_field(campaign, {"label_vi": "Số đảng viên dự", "label_en": "Attending", "stage": "congress"},
                            world["admin"])
    cell = Unit(campaign=campaign, code="U1-C1", name="Chi bộ ấp 1", kind="sub_cell", parent=world["u1"],
                party_members=10)
    db.session.add(cell)
    db.session.commit()
    tick_all(world["u1"], "dissemination", world["admin"])
    db.session.commit()
    put_results(world["u2"], committee_elected=5, women=1)


def test_copy_copies_settings_template_fields_groups_units_and_nothing_else(world, campaign):
    _old_world(world, campaign)
    new = copy_campaign(campaign, "Đại hội nhiệm kỳ 2035–2040", "2035–2040", start=date(2035, 1, 5),
                        deadline=date(2035, 6, 30), shift_days=None)
    db.session.commit()
    assert active_campaign().id == new.id and new.copied_from_id == campaign.id
    assert db.session.get(Campaign, campaign.id).archived and not new.archived
    assert (new.women_min_pct, new.ethnic_group, new.starts_on, new.final_deadline) == (
        20, "Khmer", date(2035, 1, 5), date(2035, 6, 30))
    assert [d.number for d in new.documents] == ["35-CT/TW"]
    assert count(ItemTemplate, ItemTemplate.campaign_id == new.id) == \
        count(ItemTemplate, ItemTemplate.campaign_id == campaign.id)
    assert [f.key for f in db.session.scalars(select(CustomField).where(CustomField.campaign_id == new.id))] == \
        [f.key for f in db.session.scalars(select(CustomField).where(CustomField.campaign_id == campaign.id))]
    groups = {g.code: g for g in db.session.scalars(select(WorkingGroup).where(WorkingGroup.campaign_id == new.id))}
    assert set(groups) == {"G1", "G2"} and [m.email for m in groups["G1"].members] == ["member@example.org"]
    units = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.campaign_id == new.id))}
    assert set(units) == {"U1", "U2", "U1-C1"}
    assert units["U1"].group_id == groups["G1"].id and units["U1-C1"].parent_id == units["U1"].id
    assert units["U1"].congress_date is None  # no shift given: dates cleared
    # fresh checklists: as many items as the old units had, none done; no results, no journal
    for code in ("U1", "U2"):
        old = db.session.scalar(select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == code))
        assert count(Item, Item.unit_id == units[code].id) == count(Item, Item.unit_id == old.id)
    assert count(Item, Item.unit_id == units["U1"].id, Item.done.is_(True)) == 0
    assert count(CongressResult, CongressResult.unit_id.in_([u.id for u in units.values()])) == 0
    assert count(JournalEntry, JournalEntry.unit_id.in_([u.id for u in units.values()])) == 0
    # the old campaign keeps everything
    assert count(CongressResult) == 1 and count(Item, Item.done.is_(True)) > 0
    # secretaries follow their unit; group members are members of both groups
    assert db.session.scalar(select(User).where(User.email == "secretary@example.org")).unit_id == units["U1"].id
    member = db.session.scalar(select(User).where(User.email == "member@example.org"))
    assert {g.campaign_id for g in member.groups} == {campaign.id, new.id}


def test_copy_shifts_congress_dates_and_due_dates(world, campaign):
    new = copy_campaign(campaign, "Giữa nhiệm kỳ", "2027", shift_days=365)
    db.session.commit()
    u1 = db.session.scalar(select(Unit).where(Unit.campaign_id == new.id, Unit.code == "U1"))
    assert u1.congress_date == world["u1"].congress_date + timedelta(days=365)
    assert any(i.due_on is not None for i in u1.items)


@pytest.mark.parametrize("name,term,shift", [("", "2035", None), ("X", "", None), ("X", "2035", 99999)])
def test_copy_refuses_bad_input_and_writes_nothing(world, campaign, name, term, shift):
    with pytest.raises(Invalid):
        copy_campaign(campaign, name, term, shift_days=shift)
    db.session.rollback()
    assert count(Campaign) == 1 and active_campaign().id == campaign.id


def test_copy_command_prints_the_id_last_and_refuses_bad_input(app, world, campaign):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["campaigns", "copy", "Nhiệm kỳ mới", "--term", "2035", "--from", "999"])
    assert bad.exit_code != 0 and "999" in bad.output and count(Campaign) == 1
    ok = runner.invoke(args=["campaigns", "copy", "Nhiệm kỳ mới", "--term", "2035–2040", "--shift-days", "10"])
    assert ok.exit_code == 0, ok.output
    new_id = int(ok.output.strip().splitlines()[-1])
    db.session.expire_all()
    assert db.session.get(Campaign, new_id).copied_from_id == campaign.id
    assert count(Unit, Unit.campaign_id == new_id) == 2


def test_copy_from_an_archived_source_leaves_one_active_campaign_and_secretaries_keep_their_unit(
        app, world, campaign, login):
    second = copy_campaign(campaign, "Giữa nhiệm kỳ", "2027", actor=world["admin"])
    db.session.commit()
    assert db.session.get(Campaign, campaign.id).archived
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["campaigns", "copy", "Nhiệm kỳ mới", "--term", "2030–2035", "--from", str(campaign.id)])
    assert ok.exit_code == 0, ok.output
    third_id = int(ok.output.strip().splitlines()[-1])
    db.session.expire_all()
    assert [c.id for c in db.session.scalars(select(Campaign).where(Campaign.active))] == [third_id]
    assert db.session.get(Campaign, second.id).archived and active_campaign().id == third_id
    secretary = db.session.scalar(select(User).where(User.email == "secretary@example.org"))
    assert secretary.unit.campaign_id == third_id and secretary.unit.code == "U1"
    client = login(secretary)
    assert client.get("/units/U1").status_code == 200
