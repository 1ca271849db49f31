"""The numbers behind the charts: a week axis, the burn-up of congresses, stages done over time.

Each chart reads two queries whatever the number of units: one for the bounds of its time axis and
one aggregate with a column per week (`SUM(CASE WHEN … < week end)`), so the cumulative counts come
straight out of SQL on SQLite and PostgreSQL alike, with no per-unit loop and no dialect's date
functions. Statuses come from `tracker.readmodel` (never re-derived). The units are the organiser's
direct units (every kind but sub-cells), as the report counts them.

When a stage was finished: the journal's last tick of one of its items (the stage became done with
a tick); a unit whose items were ticked without a journal line (imported, bulk-loaded) falls back to
its items' latest `done_at`, and a finished stage with no date at all counts from today's week.
When a congress was held: its result's `held_on`, else the day its congress stage was finished.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Optional

from sqlalchemy import Select, and_, case, func, or_, select

from ..clock import local_zone
from ..extensions import db
from ..models import Campaign, CongressResult, Item, JournalEntry, Unit, WorkingGroup
from ..readmodel import FINISHED, as_date, stage_rows
from ..scope import Scope
from ..workflow import STAGES
from ..workflow.stages import SUB_CELL

MAX_POINTS = 40  # points on an axis at most: a longer span is drawn every 2, 3 … weeks


@dataclass(frozen=True)
class BurnUp:
    """Cumulative congresses planned and held, at the end of each week of `ends` (local dates)."""

    ends: list[date]
    planned: list[int]   # units whose planned congress date is on or before each week's end
    held: list[int]      # units whose congress is held by each week's end, up to today's week only
    units: int           # the units in scope (the ceiling of both lines)
    today: date

    @property
    def planned_by_today(self) -> int:
        """Units planned to have held their congress by today (for the caption)."""
        return self.planned[len(self.held) - 1] if self.held else 0

    @property
    def held_now(self) -> int:
        """Units that have held their congress (the last point of the held line)."""
        return self.held[-1] if self.held else 0


@dataclass(frozen=True)
class StageProgress:
    """Cumulative units that finished each stage, at the end of each week of `ends` (up to today's week)."""

    ends: list[date]
    done: dict[str, list[int]]  # stage → counts, one per week end
    units: int

    def now(self, stage: str) -> int:
        """Units that have finished this stage by today."""
        return self.done[stage][-1] if self.done[stage] else 0


def week_end(day: date) -> date:
    """The Sunday that ends the (Monday–Sunday) week of this day."""
    return day + timedelta(days=6 - day.weekday())


def week_ends(first: date, last: date, max_points: int = MAX_POINTS) -> list[date]:
    """The week ends from first's week to last's week, every k weeks so there are at most max_points;
    the last one is always last's week end."""
    start, stop = week_end(first), week_end(max(first, last))
    weeks = (stop - start).days // 7 + 1
    step = -(-weeks // max_points)  # ceiling: 1 week, or 2, 3 … for a long campaign
    return sorted(stop - timedelta(weeks=step * i) for i in range(-(-weeks // step)))


def local_midnight_after(day: date) -> datetime:
    """The UTC moment at which the local day after `day` begins (a journal time before it is on or before day)."""
    return datetime.combine(day + timedelta(days=1), time(0), local_zone()).astimezone(UTC)


def unit_scope(campaign: Campaign, group: Optional[WorkingGroup]) -> list:
    """The direct units of the campaign (or of one working group) as WHERE conditions (tracker.scope)."""
    return Scope.of(campaign, group).where()


def _n(cond) -> Any:
    # how many rows meet the condition (0 over no rows)
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def finished_at(unit_ids: Select, stages: tuple[str, ...] = STAGES):
    """Subquery (unit_id, stage, at): when each (unit, stage) was last ticked, from the journal, else from
    its items' done_at (see the module docstring)."""
    ticks = (select(JournalEntry.unit_id.label("unit_id"), JournalEntry.stage.label("stage"),
                    func.max(JournalEntry.at).label("at"))
             .where(JournalEntry.action == "tick", JournalEntry.unit_id.in_(unit_ids), JournalEntry.stage.in_(stages))
             .group_by(JournalEntry.unit_id, JournalEntry.stage).subquery("ticks"))
    items = (select(Item.unit_id.label("unit_id"), Item.stage.label("stage"), func.max(Item.done_at).label("at"))
             .where(Item.unit_id.in_(unit_ids), Item.stage.in_(stages), Item.done.is_(True))
             .group_by(Item.unit_id, Item.stage).subquery("item_ticks"))
    return (select(items.c.unit_id, items.c.stage, func.coalesce(ticks.c.at, items.c.at).label("at"))
            .outerjoin(ticks, and_(ticks.c.unit_id == items.c.unit_id, ticks.c.stage == items.c.stage))
            .subquery("finished_at"))


def _as_moment(value) -> Optional[datetime]:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value)[:26])
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _local(moment: Optional[datetime]) -> Optional[date]:
    return moment.astimezone(local_zone()).date() if moment else None


def _bounds(scope: list) -> dict[str, Any]:
    """One query: the earliest and latest planned dates, the earliest held date and the earliest tick."""
    ids = select(Unit.id).where(*scope)
    first_tick = (select(func.min(Item.done_at)).where(Item.unit_id.in_(ids), Item.done.is_(True))
                  .scalar_subquery())
    first_journal = (select(func.min(JournalEntry.at))
                     .where(JournalEntry.unit_id.in_(ids), JournalEntry.action == "tick").scalar_subquery())
    first_held = select(func.min(CongressResult.held_on)).where(CongressResult.unit_id.in_(ids)).scalar_subquery()
    row = db.session.execute(select(func.min(Unit.congress_date), func.max(Unit.congress_date), func.count(Unit.id),
                                    first_held.label("held"), first_tick.label("tick"),
                                    first_journal.label("journal")).where(*scope)).one()
    ticks = [m for m in (_as_moment(row.tick), _as_moment(row.journal)) if m]
    return {"first_plan": as_date(row[0]), "last_plan": as_date(row[1]), "units": int(row[2]),
            "first_held": as_date(row.held), "first_tick": _local(min(ticks)) if ticks else None}


def burn_up(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None) -> BurnUp:
    """Congresses planned (Unit.congress_date) and held, cumulative by week (two queries)."""
    scope = unit_scope(campaign, group)
    b = _bounds(scope)
    known = [d for d in (b["first_plan"], b["first_held"], b["first_tick"]) if d]
    first = min(known + [today])
    last = max([d for d in (b["last_plan"], campaign.final_deadline) if d] + [today])
    ends = week_ends(first, last)
    now_end = week_end(today)
    ids = select(Unit.id).where(*scope)
    congress = stage_rows(ids, today, stages=("congress",))
    when = finished_at(ids, ("congress",))
    held_on = CongressResult.held_on
    finished = congress.c.status.in_(FINISHED)
    cols = [_n(Unit.congress_date <= end) for end in ends]
    held_ends = [e for e in ends if e <= now_end] or ends[:1]
    undated = and_(held_on.is_(None), when.c.at.is_(None))
    for end in held_ends:
        upto = min(end, today)  # today's week counts what happened by today (a report as of a past day)
        by_result = and_(held_on.is_not(None), held_on <= upto)
        by_tick = and_(held_on.is_(None), when.c.at < local_midnight_after(upto))
        # a finished congress with no date at all counts from today's week on
        cols.append(_n(and_(finished, or_(by_result, by_tick, *([undated] if end >= now_end else [])))))
    query = (select(*cols).select_from(Unit)
             .outerjoin(congress, congress.c.unit_id == Unit.id)
             .outerjoin(CongressResult, CongressResult.unit_id == Unit.id)
             .outerjoin(when, when.c.unit_id == Unit.id)
             .where(*scope))
    row = [int(v) for v in db.session.execute(query).one()]
    return BurnUp(ends, row[:len(ends)], row[len(ends):], b["units"], today)


def stage_progress(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None) -> StageProgress:
    """Units that finished each stage, cumulative by week up to today (two queries: bounds, one aggregate)."""
    scope = unit_scope(campaign, group)
    b = _bounds(scope)
    ends = week_ends(min(b["first_tick"] or today, today), today)
    ids = select(Unit.id).where(*scope)
    rows = stage_rows(ids, today)
    when = finished_at(ids)
    finished = rows.c.status.in_(FINISHED)
    now_end = week_end(today)
    undated = when.c.at.is_(None)
    cols = [_n(and_(finished, or_(when.c.at < local_midnight_after(min(end, today)),
                                  *([undated] if end >= now_end else []))))
            for end in ends]
    query = (select(rows.c.stage, *cols)
             .outerjoin(when, and_(when.c.unit_id == rows.c.unit_id, when.c.stage == rows.c.stage))
             .group_by(rows.c.stage))
    done = {s: [0] * len(ends) for s in STAGES}
    for r in db.session.execute(query):
        done[r[0]] = [int(v) for v in r[1:]]
    return StageProgress(ends, done, b["units"])


@dataclass(frozen=True)
class Composition:
    """Committee composition per kind against the targets: the report's own percentages, not recomputed."""

    rows: list[tuple[str, dict[str, float], int]]  # (kind or "all", {share: percent}, committee members elected)
    women_min: float
    young_min: float


COMPOSITION_SHARES = ("women", "young", "ethnic_minority")


def composition(report: Any, targets: Any) -> Composition:
    """The per-kind and overall shares of a built report (tracker.reports.query.Report) and the targets."""
    def shares(summary: dict) -> dict[str, float]:
        return {n: summary["committee"][n]["percent"] for n in COMPOSITION_SHARES}
    rows = [(kind, shares(s), s["committee"]["elected"]) for kind, s in report.by_kind
            if kind != SUB_CELL and s["committee"]["elected"]]
    rows.append(("all", shares(report.summary), report.summary["committee"]["elected"]))
    return Composition(rows, float(targets.women_min), float(targets.young_min))
