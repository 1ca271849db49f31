"""Shared helpers for the report tests: finish a unit's stages without going through the gates."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.conftest import NOW
from tracker.extensions import db
from tracker.models import CongressResult, DisseminationResult, FirstSessionResult, Item

BEFORE_FIRST_SESSION = ("dissemination", "documents", "personnel", "rehearsal", "congress")


def finish(unit, stages=BEFORE_FIRST_SESSION):
    """Tick every item of the given stages of a unit (as if the unit had done them)."""
    for item in db.session.scalars(select(Item).where(Item.unit_id == unit.id, Item.stage.in_(stages))):
        item.done, item.done_at = True, NOW
    db.session.commit()


def put_results(unit, held_on=date(2030, 3, 30), **counts):
    """Store a congress result row directly (for report tests that are not about validation)."""
    values = dict(committee_elected=0, re_elected=0, first_time=0, women=0, young=0, ethnic_minority=0,
                  delegates_official=0, delegates_alternate=0)
    values.update(counts)
    db.session.add(CongressResult(unit_id=unit.id, held_on=held_on, **values))
    db.session.commit()


def put_dissemination(unit, sessions, attendees, members_reached):
    """Store dissemination numbers directly."""
    db.session.add(DisseminationResult(unit_id=unit.id, sessions=sessions, attendees=attendees,
                                       members_reached=members_reached))
    db.session.commit()


def put_first_session(unit, standing=0, secretary=True, deputies=1, inspection=0, chair=False):
    """Store first-session results directly."""
    db.session.add(FirstSessionResult(unit_id=unit.id, standing_committee=standing, secretary_elected=secretary,
                                      deputy_secretaries=deputies, inspection_committee=inspection,
                                      inspection_chair_elected=chair))
    db.session.commit()


def three_units(x02_kind="commune_committee", x02_women=2, x01_standing=None):
    """The small district of the export tests: group G1; X01 (in G1, 200 members) and X02 (100 members,
    `x02_kind`) with their congresses held and results (24 elected, 19 re-elected, 3 + `x02_women` women),
    X03 (50 members) not yet; X01's first session (when `x01_standing` is given) and dissemination (5
    sessions, 260 attendances, 199 members reached). (X01, X02)"""
    from tests.factories import make_group, make_unit

    make_group("G1")
    a = make_unit("X01", group="G1", party_members=200)
    b = make_unit("X02", party_members=100, kind=x02_kind)
    make_unit("X03", party_members=50)
    for u in (a, b):
        finish(u)
    put_results(a, committee_elected=15, re_elected=12, first_time=3, women=3, young=2, ethnic_minority=1,
                delegates_official=10, delegates_alternate=2, seats=15, candidates=17)
    put_results(b, committee_elected=9, re_elected=7, first_time=2, women=x02_women, young=1, ethnic_minority=0,
                delegates_official=5, delegates_alternate=1)
    if x01_standing is not None:
        put_first_session(a, standing=x01_standing)
    put_dissemination(a, 5, 260, 199)
    return a, b


def bulk_district(campaign, n, group=None, with_results=True, start=0):
    """n units inserted set-based (a congress stage of three ticked items each, results and
    dissemination numbers), for the scale tests; returns nothing."""
    from tracker.models import Unit
    kinds = ("commune_committee", "sector_committee", "grassroots_cell", "sub_cell")
    db.session.execute(Unit.__table__.insert(), [
        {"campaign_id": campaign.id, "code": f"B{i:05d}", "name": f"Đơn vị {i}", "kind": kinds[i % 3],
         "party_members": 100, "pilot": i % 50 == 0, "group_id": group.id if group else None,
         "congress_date": date(2030, 3, 1), "notes": "", "created_at": NOW} for i in range(start, start + n)])
    codes = [f"B{i:05d}" for i in range(start, start + n)]
    ids = list(db.session.scalars(select(Unit.id).where(Unit.code.in_(codes)).order_by(Unit.id)))
    db.session.execute(Item.__table__.insert(), [
        {"unit_id": uid, "stage": "congress", "key": key, "position": p, "title_vi": key, "title_en": key,
         "required": True, "superior_only": False, "offset_days": 0, "working_days": False, "anchor": "congress",
         "due_on": date(2030, 3, 1), "due_manual": False, "due_reason": "", "done": n_ % 4 != 3, "note": "",
         "version": 1} for n_, uid in enumerate(ids) for p, key in enumerate(("held", "elected", "delegates"))])
    if with_results:
        db.session.execute(CongressResult.__table__.insert(), [
            {"unit_id": uid, "held_on": date(2030, 3, 1), "seats": 9, "candidates": 10 + n_ % 3,
             "committee_elected": 9, "re_elected": 7, "first_time": 2, "women": n_ % 3, "young": 1,
             "ethnic_minority": 1, "delegates_official": 5, "delegates_alternate": 1, "updated_at": NOW}
            for n_, uid in enumerate(ids)])
        db.session.execute(DisseminationResult.__table__.insert(), [
            {"unit_id": uid, "sessions": 3, "attendees": 110, "members_reached": 98, "updated_at": NOW}
            for uid in ids])
        db.session.execute(FirstSessionResult.__table__.insert(), [
            {"unit_id": uid, "standing_committee": 3, "secretary_elected": True, "deputy_secretaries": 1,
             "inspection_committee": 3, "inspection_chair_elected": True, "updated_at": NOW} for uid in ids])
    db.session.commit()
