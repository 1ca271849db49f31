"""The open blockers across units: oldest first, with their age, for the working groups and the office."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..clock import local_zone
from ..models import Blocker, Unit, User
from ..paging import Page, paginate
from ..permissions import in_working_groups
from ..readmodel import live_unit


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
                       today: date) -> Page:
    """A page of the campaign's unresolved blockers (OpenBlocker), oldest first, with how many there are in all
    (a page past the end: the last one).

    group_ids None: every unit; a set: only the units those working groups follow. Two queries whatever the size.
    """
    cond = [Blocker.resolved_at.is_(None), Unit.campaign_id == campaign_id, live_unit()]
    if group_ids is not None:
        cond.append(in_working_groups(sorted(group_ids)))  # a sub-cell without a group follows its committee's
    raiser = aliased(User)
    query = (select(Blocker.id, Blocker.stage, Blocker.text, Blocker.raised_at, Blocker.answered_at, Unit.code,
                    Unit.name, raiser.name)
             .join(Unit, Unit.id == Blocker.unit_id).outerjoin(raiser, raiser.id == Blocker.raised_by_id)
             .where(*cond))
    window = paginate(query, page, per_page, rows=True, last_page=True, order_by=(Blocker.raised_at, Blocker.id))
    zone = local_zone()
    rows = [OpenBlocker(id=r[0], stage=r[1], text=r[2], raised_at=r[3], answered=r[4] is not None,
                        unit_code=r[5], unit_name=r[6], raised_by=r[7],
                        age_days=max(0, (today - r[3].astimezone(zone).date()).days)) for r in window.items]
    return Page(rows, window.total, window.page, window.per_page)
