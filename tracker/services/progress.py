"""A unit's six stages with their items, for the unit page, the API's stage list and the gates.

Status and due date come from `readmodel` (the one SQL definition); the items are loaded here only
because these views list them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Item, StageReview
from ..readmodel import StageCell, stage_cells
from ..workflow import STAGES


@dataclass
class StageView:
    """One stage of one unit, with its items, as the unit page and the API show it."""

    key: str
    cell: StageCell
    items: list[Item] = field(default_factory=list)
    review: Optional[StageReview] = None

    @property
    def status(self) -> str:
        return self.cell.status

    @property
    def due_on(self) -> Optional[date]:
        return self.cell.due_on

    @property
    def done_count(self) -> int:
        return self.cell.n_done


def unit_stage_views(unit_id: int, today: date) -> dict[str, StageView]:
    """The six stages of one unit, with items and review: three queries."""
    cells = stage_cells([unit_id], today)[unit_id]
    items: dict[str, list[Item]] = defaultdict(list)
    for item in db.session.scalars(select(Item).where(Item.unit_id == unit_id).order_by(Item.position)):
        items[item.stage].append(item)
    reviews = {r.stage: r for r in db.session.scalars(select(StageReview).where(StageReview.unit_id == unit_id))}
    return {s: StageView(s, cells[s], items[s], reviews.get(s)) for s in STAGES}


def unit_statuses(unit_id: int, today: date) -> dict[str, str]:
    """{stage: status} of one unit (one query), for the gates."""
    return {s: c.status for s, c in stage_cells([unit_id], today)[unit_id].items()}
