"""Read model: each unit's six stages with status and due date, loaded in a fixed number of queries."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Item, StageReview
from ..workflow import STAGES, ItemFacts, stage_due_on, stage_status


@dataclass
class StageView:
    """One stage of one unit as pages and the API show it."""

    key: str
    status: str
    due_on: Optional[date]
    items: list[Item] = field(default_factory=list)
    review: Optional[StageReview] = None

    @property
    def done_count(self) -> int:
        return sum(1 for i in self.items if i.done)


def _facts(items: Iterable[Item]) -> list[ItemFacts]:
    return [ItemFacts(i.required, i.done, i.due_on) for i in items]


def build_stage(key: str, items: list[Item], review: Optional[StageReview], today: date) -> StageView:
    """The StageView of one stage from its items and review."""
    facts = _facts(items)
    return StageView(key, stage_status(facts, review.state if review else None, today), stage_due_on(facts),
                     items, review)


def stage_views(unit_ids: list[int], today: date) -> dict[int, dict[str, StageView]]:
    """{unit_id: {stage: StageView}} for the given units: two queries whatever their number."""
    items: dict[tuple[int, str], list[Item]] = defaultdict(list)
    reviews: dict[tuple[int, str], StageReview] = {}
    if unit_ids:
        for chunk in _chunks(unit_ids):
            for item in db.session.scalars(select(Item).where(Item.unit_id.in_(chunk))
                                           .order_by(Item.unit_id, Item.position)):
                items[(item.unit_id, item.stage)].append(item)
            for review in db.session.scalars(select(StageReview).where(StageReview.unit_id.in_(chunk))):
                reviews[(review.unit_id, review.stage)] = review
    return {uid: {s: build_stage(s, items[(uid, s)], reviews.get((uid, s)), today) for s in STAGES}
            for uid in unit_ids}


def unit_stage_views(unit_id: int, today: date) -> dict[str, StageView]:
    """The six stages of one unit."""
    return stage_views([unit_id], today)[unit_id]


def _chunks(ids: list[int], size: int = 5000):
    # keeps IN lists under the bind-parameter limits of SQLite and PostgreSQL
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
