"""The dashboard's read model: filtered units, one page of them, and totals over the whole filtered set.

Totals are aggregated in SQL (a fixed number of queries, whatever the number of units): a national
roll-out has ~52,000 units and ~1.5 million items, far too many to load for a count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Item, StageReview, Unit
from ..workflow import KINDS, STAGES, STATUSES


@dataclass
class Filters:
    """What the dashboard shows: scope (my group / all), kind, pilot, overdue only."""

    scope: str = "all"
    kind: Optional[str] = None
    pilot: Optional[bool] = None
    overdue: bool = False
    group_ids: set[int] = field(default_factory=set)

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for pagination links)."""
        out = {"scope": self.scope}
        if self.kind:
            out["kind"] = self.kind
        if self.pilot is not None:
            out["pilot"] = "1" if self.pilot else "0"
        if self.overdue:
            out["overdue"] = "1"
        return out


def parse_filters(args, role: str, group_ids: set[int]) -> Filters:
    """Filters from query arguments; unknown values fall back to the defaults instead of failing."""
    default_scope = "mine" if role == "group" else "all"
    scope = args.get("scope", default_scope)
    if scope not in ("mine", "all") or role != "group":
        scope = default_scope
    kind = args.get("kind") or None
    if kind not in KINDS:
        kind = None
    pilot = {"1": True, "0": False}.get(args.get("pilot", ""))
    overdue = args.get("overdue") in ("1", "on", "true")
    return Filters(scope, kind, pilot, overdue, set(group_ids))


def overdue_clause(today: date):
    """A unit has an overdue stage: a required item past due, in a stage not returned to it."""
    returned = exists().where(StageReview.unit_id == Item.unit_id, StageReview.stage == Item.stage,
                              StageReview.state == "returned")
    return exists().where(Item.unit_id == Unit.id, Item.required.is_(True), Item.done.is_(False),
                          Item.due_on < today, ~returned)


def conditions(filters: Filters, campaign_id: Optional[int], today: date) -> list:
    """The WHERE clauses on Unit for these filters."""
    conds = [Unit.campaign_id == campaign_id]
    if filters.scope == "mine":
        conds.append(Unit.group_id.in_(sorted(filters.group_ids) or [-1]))
    if filters.kind:
        conds.append(Unit.kind == filters.kind)
    if filters.pilot is not None:
        conds.append(Unit.pilot.is_(filters.pilot))
    if filters.overdue:
        conds.append(overdue_clause(today))
    return conds


def count_units(conds: list) -> int:
    """How many units match."""
    return db.session.scalar(select(func.count(Unit.id)).where(*conds)) or 0


def page_of_units(conds: list, page: int, per_page: int) -> list[Unit]:
    """One page of the matching units, pilots first, then by code (with their working group)."""
    return list(db.session.scalars(
        select(Unit).options(joinedload(Unit.group)).where(*conds)
        .order_by(Unit.pilot.desc(), Unit.code).offset((page - 1) * per_page).limit(per_page)))


def stage_totals(conds: list, unit_count: int, today: date) -> dict[str, dict[str, int]]:
    """{stage: {status: units}} over every matching unit, in one query.

    Mirrors workflow.status.stage_status in SQL; tests compare both on the same data.
    """
    ids = select(Unit.id).where(*conds)
    per = (select(Item.unit_id.label("uid"), Item.stage.label("stage"),
                  func.sum(case((Item.required, 1), else_=0)).label("req"),
                  func.sum(case((and_(Item.required, Item.done), 1), else_=0)).label("req_done"),
                  func.sum(case((Item.done, 1), else_=0)).label("n_done"),
                  func.sum(case((and_(Item.required, ~Item.done, Item.due_on < today), 1), else_=0))
                  .label("late"))
           .where(Item.unit_id.in_(ids)).group_by(Item.unit_id, Item.stage).subquery())
    review = StageReview.state
    complete = or_(and_(per.c.req > 0, per.c.req_done == per.c.req), and_(per.c.req == 0, per.c.n_done > 0))
    status = case((review == "returned", "returned"),
                  (and_(complete, review == "verified"), "verified"),
                  (complete, "done"),
                  (per.c.late > 0, "overdue"),
                  (per.c.n_done > 0, "in_progress"),
                  else_="not_started")
    # grouping by a named column of a subquery, not by the CASE itself: PostgreSQL would see two
    # differently parameterised expressions and refuse the GROUP BY
    rows = (select(per.c.stage.label("stage"), status.label("status"))
            .select_from(per.outerjoin(StageReview, and_(StageReview.unit_id == per.c.uid,
                                                         StageReview.stage == per.c.stage)))
            .subquery())
    totals = {s: {st: 0 for st in STATUSES} for s in STAGES}
    for stage, st, n in db.session.execute(select(rows.c.stage, rows.c.status, func.count())
                                           .group_by(rows.c.stage, rows.c.status)):
        if stage in totals:
            totals[stage][st] += n
    for counts in totals.values():
        # a unit with no item in a stage has it not started
        counts["not_started"] += max(0, unit_count - sum(counts.values()))
    return totals


def completion(totals: dict[str, dict[str, int]]) -> tuple[int, int]:
    """(finished stages, all stages): finished means done or verified."""
    finished = sum(c["done"] + c["verified"] for c in totals.values())
    return finished, sum(sum(c.values()) for c in totals.values())
