"""The dashboard's read model: filtered units, one page of them, and totals over the whole filtered set.

Totals are aggregated in SQL (a fixed number of queries, whatever the number of units): a national
roll-out has ~52,000 units and ~1.5 million items, far too many to load for a count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import readmodel
from ..extensions import db
from ..models import Unit
from ..readmodel import FINISHED, unit_overdue
from ..workflow import KINDS


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
        conds.append(unit_overdue(today))
    return conds


def count_units(conds: list) -> int:
    """How many units match."""
    return db.session.scalar(select(func.count(Unit.id)).where(*conds)) or 0


def page_of_units(conds: list, page: int, per_page: int) -> list[Unit]:
    """One page of the matching units, pilots first, then by code (with their working group)."""
    return list(db.session.scalars(
        select(Unit).options(joinedload(Unit.group)).where(*conds)
        .order_by(Unit.pilot.desc(), Unit.code).offset((page - 1) * per_page).limit(per_page)))


def stage_totals(conds: list, today: date) -> dict[str, dict[str, int]]:
    """{stage: {status: units}} over every matching unit, in one query (readmodel's status)."""
    return readmodel.stage_totals(select(Unit.id).where(*conds), today)


def completion(totals: dict[str, dict[str, int]]) -> tuple[int, int]:
    """(finished stages, all stages): finished means done or verified."""
    finished = sum(c[st] for c in totals.values() for st in FINISHED)
    return finished, sum(sum(c.values()) for c in totals.values())
