"""Shared helpers for the report tests: finish a unit's stages without going through the gates."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import CongressResult, DisseminationResult, FirstSessionResult, Item
from tests.conftest import NOW

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
