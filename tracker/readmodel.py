"""The read side's one definition of a stage's status and of "overdue", as SQL.

`workflow.status` is the executable specification (pure Python, no database); this module is its
twin for queries, and `tests/test_readmodel.py` compares the two on generated data. Every page, list,
report, export and the reminder sweep asks this module; nothing else spells the rule out again.

The rule, once:
- an item is **overdue** when it is required, not ticked, has a due date before today (local date)
  and its stage has not been returned to the unit;
- a stage is **overdue** when it has an overdue item (so it is neither complete nor returned);
- an exempted sub-cell (it holds no congress of its own) is never overdue: `scope.may_be_late`;
- a **returned** stage is never overdue: the working group has sent it back with a comment and
  follows it up itself; its status says "returned" until a tick clears the return, and from then on
  its late items count as overdue again. Reminders, filters and counts all follow this one choice.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, Select, and_, bindparam, case, exists, func, literal_column, or_, select, true, union_all
from sqlalchemy.sql.elements import ColumnElement

from .extensions import db
from .models import Item, StageReview, SubCellExemption, Unit, WorkingGroup
from .scope import live_unit, may_be_late
from .workflow import STAGES, STATUSES
from .workflow.stages import FINISHED

__all__ = ["FINISHED", "live_unit"]  # live_unit: re-exported, its home is tracker.scope


def live_group() -> ColumnElement:
    """A working group that is not archived: the ones forms and filters offer (WorkingGroup.archived)."""
    return WorkingGroup.archived_at.is_(None)


def _count(cond) -> ColumnElement:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def stage_returned(unit_id=Item.unit_id, stage=Item.stage) -> ColumnElement:
    """True when the (unit, stage) has been returned by the working group."""
    return exists().where(StageReview.unit_id == unit_id, StageReview.stage == stage,
                          StageReview.state == "returned")


def late_item(today: date) -> ColumnElement:
    """A required item, not ticked, due before today: the item's own half of the overdue rule."""
    return and_(Item.required.is_(True), Item.done.is_(False), Item.due_on.is_not(None), Item.due_on < today)


def overdue_item(today: date) -> ColumnElement:
    """The condition an overdue item meets (see the module docstring): late, its stage not returned, and
    its unit one that may be late."""
    return and_(late_item(today), ~stage_returned(), may_be_late(Item.unit_id))


def unit_overdue(today: date) -> ColumnElement:
    """A unit (the `Unit` row of the query) has at least one overdue stage."""
    return exists().where(Item.unit_id == Unit.id, overdue_item(today))


def overdue_since(today: date):
    """Subquery (unit_id, since): each unit's oldest overdue due date, for sorting by lateness."""
    return (select(Item.unit_id.label("unit_id"), func.min(Item.due_on).label("since"))
            .where(overdue_item(today)).group_by(Item.unit_id).subquery())


def _stage_keys(stages: tuple[str, ...]):
    # one row per stage key; a plain UNION ALL of literals works on SQLite and PostgreSQL alike
    # the keys are the code's own constants, so they can be written into the SQL as literals
    keys = [select(literal_column(f"'{s}'").label("stage")) for s in stages]
    return (union_all(*keys) if len(keys) > 1 else keys[0]).subquery("stage_keys")


def status_case(n_req, n_req_done, n_done, n_late, review, exempt) -> ColumnElement:
    """workflow.status.stage_status as a SQL CASE over a stage's item counts, its review state and
    whether its unit is an exempted sub-cell."""
    complete = or_(and_(n_req > 0, n_req_done == n_req), and_(n_req == 0, n_done > 0))
    return case((review == "returned", "returned"),
                (and_(complete, review == "verified"), "verified"),
                (complete, "done"),
                (and_(n_late > 0, ~exempt), "overdue"),
                (n_done > 0, "in_progress"),
                else_="not_started")


def stage_rows(unit_ids: Select, today: date, stages: tuple[str, ...] = STAGES):
    """Subquery: one row per (unit, stage) of the given units, with the stage's computed status.

    Columns: unit_id, stage, status, due_on (the latest due date of its required items, of all items
    if none is required), late_since (the oldest due date among its late required items), n_items,
    n_done. A stage with no item is `not_started` (or `returned`), as in workflow.status.
    `stages` narrows the rows to some stages (the report reads only `congress`).
    """
    facts = (select(Item.unit_id.label("unit_id"), Item.stage.label("stage"),
                    func.count().label("n_items"),
                    _count(Item.required).label("n_req"),
                    _count(and_(Item.required, Item.done)).label("n_req_done"),
                    _count(Item.done).label("n_done"),
                    _count(late_item(today)).label("n_late"),
                    func.max(case((Item.required, Item.due_on))).label("req_due"),
                    func.max(Item.due_on).label("any_due"),
                    func.min(case((late_item(today), Item.due_on))).label("late_since"))
             .where(Item.unit_id.in_(unit_ids), Item.stage.in_(stages))
             .group_by(Item.unit_id, Item.stage).subquery("facts"))
    keys = _stage_keys(stages)
    units = (select(Unit.id.label("unit_id"), SubCellExemption.id.is_not(None).label("exempt"))
             .outerjoin(SubCellExemption, SubCellExemption.unit_id == Unit.id)
             .where(Unit.id.in_(unit_ids)).subquery("scope"))
    n = lambda col: func.coalesce(col, 0)  # noqa: E731 - a stage without items has zero of everything
    review = StageReview.state
    status = status_case(n(facts.c.n_req), n(facts.c.n_req_done), n(facts.c.n_done), n(facts.c.n_late), review,
                         units.c.exempt)
    due_on = case((n(facts.c.n_req) > 0, facts.c.req_due), else_=facts.c.any_due)
    late_since = case((status == "overdue", facts.c.late_since), else_=None)
    return (select(units.c.unit_id, keys.c.stage, status.label("status"), due_on.label("due_on"),
                   late_since.label("late_since"), n(facts.c.n_items).label("n_items"),
                   n(facts.c.n_done).label("n_done"))
            .select_from(units.join(keys, true()))
            .outerjoin(facts, and_(facts.c.unit_id == units.c.unit_id, facts.c.stage == keys.c.stage))
            .outerjoin(StageReview, and_(StageReview.unit_id == units.c.unit_id, StageReview.stage == keys.c.stage))
            .subquery("stage_rows"))


@dataclass(frozen=True)
class StageCell:
    """One (unit, stage) as lists and the dashboard show it: no item objects."""

    status: str
    due_on: Optional[date]
    late_since: Optional[date]
    n_items: int
    n_done: int

    def days_late(self, today: date) -> int:
        """Days since the oldest late item fell due (0 when the stage is not overdue)."""
        return (today - self.late_since).days if self.late_since else 0


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    # keeps IN lists under the bind-parameter limits of SQLite and PostgreSQL
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


@functools.cache
def _cells_statement() -> Select:
    # built once per process: SQLAlchemy memoises a statement object's cache key, so every page
    # skips rebuilding and re-keying this large query (that cost ~10× the SQL itself)
    ids = bindparam("ids", expanding=True)
    return select(stage_rows(select(Unit.id).where(Unit.id.in_(ids)), bindparam("today", type_=Date)))


def stage_cells(unit_ids: Iterable[int], today: date) -> dict[int, dict[str, StageCell]]:
    """{unit_id: {stage: StageCell}} for the given units, in stage order: one query per 5,000 units."""
    ids = list(dict.fromkeys(unit_ids))
    out: dict[int, dict[str, StageCell]] = {uid: {} for uid in ids}
    for chunk in _chunks(ids):
        for r in db.session.execute(_cells_statement(), {"ids": chunk, "today": today}):
            out[r.unit_id][r.stage] = StageCell(r.status, as_date(r.due_on), as_date(r.late_since),
                                                int(r.n_items), int(r.n_done))
    return {uid: {s: cells[s] for s in STAGES} for uid, cells in out.items()}


def as_date(value) -> Optional[date]:
    """A date read from SQL: SQLite hands back a CASE, MIN() or subquery over a date column as text,
    PostgreSQL as a date (a moment is cut to its date)."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    return date.fromisoformat(str(value)[:10])


def totals_statement(unit_ids: Select, today) -> Select:
    """SELECT stage, status, count(*) over the (unit, stage) rows of the selected units."""
    rows = stage_rows(unit_ids, today)
    return select(rows.c.stage, rows.c.status, func.count()).group_by(rows.c.stage, rows.c.status)


def totals_of(result: Iterable) -> dict[str, dict[str, int]]:
    """{stage: {status: units}} from the rows of a totals_statement (every status present, zeros too)."""
    totals = {s: {st: 0 for st in STATUSES} for s in STAGES}
    for stage, status, count in result:
        totals[stage][status] += count
    return totals


def stage_totals(unit_ids: Select, today: date) -> dict[str, dict[str, int]]:
    """{stage: {status: units}} over every unit of the selection, in one query."""
    return totals_of(db.session.execute(totals_statement(unit_ids, today)))


def units_with_status(unit_ids: Select, stage, status, today) -> Select:
    """The ids of the selected units whose `stage` (any stage when None) has this status (for filters)."""
    rows = stage_rows(unit_ids, today)
    query = select(rows.c.unit_id).where(rows.c.status == status)
    return query if stage is None else query.where(rows.c.stage == stage)
