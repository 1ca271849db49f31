"""The calendar's reads: congresses and rehearsals of a period, and clashes, each in one query.

The rehearsal's date is its stage's due date as readmodel.stage_rows computes it (never re-derived);
a unit's working group is permissions.working_group_sql (a sub-cell without one follows its committee).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Campaign, Unit, WorkingGroup
from ..permissions import working_group_sql
from ..readmodel import as_date, stage_rows
from ..scope import Scope, may_be_late

CONGRESS, REHEARSAL = "congress", "rehearsal"


@dataclass(frozen=True)
class Entry:
    """One line of the calendar: a unit's congress or rehearsal on a day."""

    day: date
    kind: str  # CONGRESS | REHEARSAL
    unit_id: int
    code: str
    name: str
    pilot: bool
    group_id: Optional[int]
    status: Optional[str] = None  # the rehearsal stage's status


@dataclass
class Clash:
    """A day with too many congresses: of one working group (kind "group") or across the campaign ("day")."""

    kind: str
    day: date
    count: int
    group: Optional[WorkingGroup] = None
    units: list = field(default_factory=list)


def shown(campaign: Campaign, group_id: Optional[int] = None) -> list:
    """The units a calendar shows (tracker.scope): the campaign's live units and cells, of one working
    group when given, but for the exempted cells (they hold no congress of their own)."""
    return [*Scope.of(campaign, group_id).both().where(), may_be_late()]


def unit_ids(campaign: Campaign, scope=None, group_id: Optional[int] = None) -> Select:
    """SELECT the ids of the units a calendar shows (`shown`), within `scope` (a condition on Unit,
    None for all)."""
    query = select(Unit.id).where(*shown(campaign, group_id))
    return query if scope is None else query.where(scope)


def entries(ids: Select, first: date, last: date, today: date) -> list[Entry]:
    """The congresses and rehearsals of the selected units between first and last: two queries."""
    parent = aliased(Unit)
    group = working_group_sql(parent).label("group_id")
    base = select(Unit.id, Unit.code, Unit.name, Unit.pilot, group).outerjoin(parent, parent.id == Unit.parent_id)
    out = [Entry(r.congress_date, CONGRESS, r.id, r.code, r.name, r.pilot, r.group_id)
           for r in db.session.execute(base.add_columns(Unit.congress_date).where(
               Unit.id.in_(ids), Unit.congress_date >= first, Unit.congress_date <= last))]
    rows = stage_rows(ids, today, (REHEARSAL,))
    query = (base.add_columns(rows.c.due_on, rows.c.status).join(rows, rows.c.unit_id == Unit.id)
             .where(rows.c.due_on.is_not(None), rows.c.due_on >= first, rows.c.due_on <= last))
    out += [Entry(as_date(r.due_on), REHEARSAL, r.id, r.code, r.name, r.pilot, r.group_id, r.status)
            for r in db.session.execute(query)]
    return sorted(out, key=lambda e: (e.day, e.kind != CONGRESS, not e.pilot, e.code))


def by_day(items: list[Entry]) -> dict[date, list[Entry]]:
    """The entries grouped by day (in their order)."""
    days: dict[date, list[Entry]] = defaultdict(list)
    for e in items:
        days[e.day].append(e)
    return dict(days)


def clashes(campaign: Campaign, first: Optional[date] = None, last: Optional[date] = None) -> list[Clash]:
    """The campaign's clashes (two congresses of one working group on a day; more than the campaign's
    congresses_per_day on a day), with their units, by day: four queries whatever the number of units."""
    parent = aliased(Unit)
    group = working_group_sql(parent)
    when = [*shown(campaign), Unit.congress_date.is_not(None)]
    if first is not None:
        when.append(Unit.congress_date >= first)
    if last is not None:
        when.append(Unit.congress_date <= last)
    joined = select().select_from(Unit).outerjoin(parent, parent.id == Unit.parent_id).where(*when)
    per_group = db.session.execute(
        joined.add_columns(group.label("group_id"), Unit.congress_date, func.count())
        .where(group.is_not(None)).group_by(group, Unit.congress_date).having(func.count() > 1)).all()
    per_day = db.session.execute(
        joined.add_columns(Unit.congress_date, func.count()).group_by(Unit.congress_date)
        .having(func.count() > campaign.congresses_per_day)).all()
    # the same four statements whether or not there is a clash: the page's query count stays flat
    groups = {g.id: g for g in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.id.in_(sorted({g for g, _d, _n in per_group}))))}
    found = [Clash("group", as_date(d), n, groups[g]) for g, d, n in per_group]
    found += [Clash("day", as_date(d), n) for d, n in per_day]
    days = sorted({c.day for c in found})
    units = db.session.execute(
        select(Unit, group.label("group_id")).outerjoin(parent, parent.id == Unit.parent_id)
        .where(*shown(campaign), Unit.congress_date.in_(days)).order_by(Unit.code)).all()
    for clash in found:
        clash.units = [u for u, g in units if u.congress_date == clash.day
                       and (clash.kind == "day" or g == clash.group.id)]
    return sorted(found, key=lambda c: (c.day, c.kind, c.group.code if c.group else ""))


def flags(found: list[Clash]) -> tuple[set[date], set[tuple[int, date]]]:
    """(days over the per-day limit, (group id, day) pairs with two congresses or more), to mark entries."""
    return ({c.day for c in found if c.kind == "day"},
            {(c.group.id, c.day) for c in found if c.kind == "group"})
