"""The sub-cell gate and roll-up as SQL: the twin of `workflow.gates` (pending_sub_cells, sub_cell_rollup).

`tests/test_subcells.py` compares the two on generated data. Statuses come from `readmodel` (the one
definition); this module only adds "exempted" and counts per committee.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select

from ..extensions import db
from ..models import SubCellExemption, Unit
from ..readmodel import FINISHED, live_unit, stage_rows
from ..workflow.gates import SUB_CELL_GATED_STAGE
from ..workflow.stages import SUB_CELL


def cell_rows(parent_ids: Select, today: date):
    """Subquery: the sub-cells under the given committees with (unit_id, parent_id, code, status, exempted)."""
    # archived cells hold no committee back and are not counted (the report leaves them out too)
    cells = select(Unit.id).where(Unit.kind == SUB_CELL, Unit.parent_id.in_(parent_ids), live_unit())
    rows = stage_rows(cells, today, (SUB_CELL_GATED_STAGE,))
    exempted = SubCellExemption.id.is_not(None)
    return (select(rows.c.unit_id, Unit.parent_id, Unit.code, rows.c.status, exempted.label("exempted"))
            .join(Unit, Unit.id == rows.c.unit_id)
            .outerjoin(SubCellExemption, SubCellExemption.unit_id == rows.c.unit_id)
            .subquery("sub_cell_rows"))


def held(rows) -> object:
    """workflow.gates.sub_cell_held in SQL: congress done or verified, or exempted."""
    return or_(rows.c.status.in_(FINISHED), rows.c.exempted)


def pending_codes(committee_id: int, today: date) -> tuple[str, ...]:
    """The codes of a committee's sub-cells that still hold its congress back (pending_sub_cells in SQL)."""
    rows = cell_rows(select(Unit.id).where(Unit.id == committee_id), today)
    return tuple(db.session.scalars(select(rows.c.code).where(~held(rows)).order_by(rows.c.code)))


def rollups(committee_ids: Iterable[int], today: date) -> dict[int, dict[str, int]]:
    """{committee id: {total, held, exempted, pending}} for committees with sub-cells: one query."""
    ids = list(committee_ids)
    if not ids:
        return {}
    rows = cell_rows(select(Unit.id).where(Unit.id.in_(ids)), today)
    finished = rows.c.status.in_(FINISHED)
    count = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    query = (select(rows.c.parent_id, func.count(), count(finished), count(and_(rows.c.exempted, ~finished)))
             .group_by(rows.c.parent_id))
    return {pid: {"total": int(t), "held": int(h), "exempted": int(e), "pending": int(t) - int(h) - int(e)}
            for pid, t, h, e in db.session.execute(query)}
