"""Demo results: dissemination numbers for every unit, congress and first-session results for the units
whose congress stage is done or verified. Deterministic (a fixed seed per unit code) and idempotent
(rows that exist are left alone), so `flask demo` run twice changes nothing.
"""
from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from .clock import local_today
from .extensions import db
from .models import CongressResult, DisseminationResult, FirstSessionResult, Unit
from .reports.query import congress_held_ids

SEATS = {"commune_committee": (13, 15, 15), "sector_committee": (9, 9, 11), "grassroots_cell": (3, 3, 5),
         "sub_cell": (3,)}
SESSIONS = {"commune_committee": (8, 14), "sector_committee": (4, 8), "grassroots_cell": (2, 4), "sub_cell": (1, 2)}


def seed_results(units: Iterable[Unit], now: datetime) -> int:
    """Give the units their demo numbers where they have none yet; return how many rows were added."""
    units = sorted(units, key=lambda u: u.code)
    if not units:
        return 0
    ids = [u.id for u in units]
    today = local_today(now)
    held = congress_held_ids(ids, today)
    have = {model: set(db.session.scalars(select(model.unit_id).where(model.unit_id.in_(ids))))
            for model in (DisseminationResult, CongressResult, FirstSessionResult)}
    added = 0
    for unit in units:
        rng = random.Random(f"demo-results-{unit.code}")
        if unit.id not in have[DisseminationResult]:
            db.session.add(_dissemination(unit, rng))
            added += 1
        if unit.id in held and unit.id not in have[CongressResult]:
            result = _congress(unit, rng, today)
            db.session.add(result)
            added += 1
            if unit.id not in have[FirstSessionResult]:
                db.session.add(_first_session(unit, result, rng))
                added += 1
    db.session.flush()
    return added


def _dissemination(unit: Unit, rng: random.Random) -> DisseminationResult:
    members = unit.party_members
    reached = max(0, members - rng.randint(0, max(1, members // 40)))  # a few ill or working away
    low, high = SESSIONS.get(unit.kind, (1, 3))
    # attendances (lượt) exceed persons: some members attend more than one session
    return DisseminationResult(unit_id=unit.id, sessions=rng.randint(low, high),
                               attendees=reached + rng.randint(0, max(1, members // 8)), members_reached=reached)


def _congress(unit: Unit, rng: random.Random, today) -> CongressResult:
    seats = rng.choice(SEATS.get(unit.kind, (3,)))
    elected = seats - 1 if seats >= 13 and rng.random() < 0.15 else seats  # now and then a seat stays empty
    candidates = seats + max(1, math.ceil(seats * rng.uniform(0.1, 0.25)))
    first_time = min(elected, round(elected * rng.uniform(0.12, 0.32)))
    committee = unit.kind in ("commune_committee", "sector_committee")
    official = max(1, round(unit.party_members / rng.choice((18, 20, 22)))) if committee else \
        max(1, unit.party_members // 12)
    return CongressResult(
        unit_id=unit.id, held_on=min(unit.congress_date or today, today), seats=seats, candidates=candidates,
        committee_elected=elected, re_elected=elected - first_time, first_time=first_time,
        women=min(elected, round(elected * rng.uniform(0.12, 0.32))),
        young=min(elected, round(elected * rng.uniform(0.05, 0.2))),
        ethnic_minority=min(elected, round(elected * rng.uniform(0.0, 0.3))),
        delegates_official=official, delegates_alternate=rng.randint(1, 2) if committee else rng.randint(0, 1))


def _first_session(unit: Unit, result: CongressResult, rng: random.Random) -> FirstSessionResult:
    committee = unit.kind in ("commune_committee", "sector_committee")
    elected = result.committee_elected
    return FirstSessionResult(
        unit_id=unit.id,
        standing_committee=(5 if elected >= 13 else 3) if committee else 0,
        secretary_elected=rng.random() > 0.05,  # otherwise the superior designates one
        deputy_secretaries=min(elected - 1, 2 if elected >= 13 else 1),
        inspection_committee=(5 if elected >= 13 else 3) if committee else 0,
        inspection_chair_elected=committee)
