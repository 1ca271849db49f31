"""The open blockers across units: oldest first, with their age, for the working groups and the office."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..clock import local_zone
from ..extensions import db
from ..models import Blocker, Unit, User


@dataclass
class OpenBlocker:
    """One unresolved blocker as the list shows it."""

    id: int
    stage: str
    text: str
    raised_at: datetime
    answered: bool
    unit_code: str
    unit_name: str
    raised_by: Optional[str]
    age_days: int


def open_blockers_page(campaign_id: Optional[int], group_ids: Optional[set[int]], page: int, per_page: int,
                       today: date) -> tuple[list[OpenBlocker], int]:
    """A page of the campaign's unresolved blockers, oldest first, and how many there are in all.

    group_ids None: every unit; a set: only the units of those working groups. Two queries whatever the size.
    """
    cond = [Blocker.resolved_at.is_(None), Unit.campaign_id == campaign_id]
    if group_ids is not None:
        cond.append(Unit.group_id.in_(sorted(group_ids)))
    total = db.session.scalar(select(func.count(Blocker.id)).join(Unit, Unit.id == Blocker.unit_id)
                              .where(*cond)) or 0
    raiser = aliased(User)
    rows = db.session.execute(
        select(Blocker.id, Blocker.stage, Blocker.text, Blocker.raised_at, Blocker.answered_at, Unit.code,
               Unit.name, raiser.name)
        .join(Unit, Unit.id == Blocker.unit_id).outerjoin(raiser, raiser.id == Blocker.raised_by_id)
        .where(*cond).order_by(Blocker.raised_at, Blocker.id)
        .offset((page - 1) * per_page).limit(per_page)).all()
    zone = local_zone()
    return [OpenBlocker(id=r[0], stage=r[1], text=r[2], raised_at=r[3], answered=r[4] is not None,
                        unit_code=r[5], unit_name=r[6], raised_by=r[7],
                        age_days=max(0, (today - r[3].astimezone(zone).date()).days)) for r in rows], total
