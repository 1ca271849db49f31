"""Cells under a committee: the sub-cell gate at tick time, exemptions, the committee page's list."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import SubCellExemption, Unit, User
from ..models.subcells import EXEMPTION_REASONS
from ..permissions import can_oversee
from ..readmodel import StageCell, live_unit, stage_cells
from ..services import journal
from ..services.errors import Forbidden, Invalid
from ..services.live import refuse_if_archived, require_live
from ..services.stages import sub_cell_gate_on
from ..workflow.gates import (
    COMMITTEE_KINDS,
    pending_sub_cells,
    sub_cell_rollup,
)
from . import query

MAX_NOTE = 2000


def reason_label(reason: str) -> str:
    """An exemption reason in the reader's language."""
    return {"postponed": _("Congress postponed with approval"), "merged": _("Cell merged"),
            "dissolved": _("Cell dissolved")}.get(reason, reason)


def gate_cells(committee: Unit, today: date) -> list[tuple[str, str, bool]]:
    """(code, congress status, exempted) of the committee's live cells: the provider of the core's sub-cell
    gate (tracker.hooks.provide_sub_cells, registered in init_app); one query."""
    rows = db.session.execute(select(query.cell_rows(select(Unit.id).where(Unit.id == committee.id), today))).all()
    return [(r.code, r.status, bool(r.exempted)) for r in rows]


@dataclass
class CellRow:
    """One sub-cell on its committee's page: its six stage cells and its exemption."""

    unit: Unit
    cells: dict[str, StageCell]
    exemption: Optional[SubCellExemption]


@dataclass
class CommitteeView:
    """A committee's sub-cells with their roll-up, for the committee's page."""

    rows: list[CellRow]
    rollup: dict[str, int]
    pending: tuple[str, ...]
    gate_on: bool


def committee_view(committee: Unit, today: date) -> Optional[CommitteeView]:
    """The committee's sub-cells, statuses and exemptions (three queries whatever their number); None if none."""
    # asked for every unit (an empty answer for others) so a unit page's query count does not depend on its kind
    # archived cells (merged, dissolved) are out of the list and the gate, as out of the report (live_unit)
    units = list(db.session.scalars(select(Unit).where(Unit.kind == query.SUB_CELL, Unit.parent_id == committee.id,
                                                       live_unit()).order_by(Unit.code)))
    if not units or committee.kind not in COMMITTEE_KINDS:
        return None
    ids = [u.id for u in units]
    cells = stage_cells(ids, today)
    exemptions = {e.unit_id: e for e in db.session.scalars(
        select(SubCellExemption).where(SubCellExemption.unit_id.in_(ids)))}
    facts = [(u.code, cells[u.id][query.SUB_CELL_GATED_STAGE].status, u.id in exemptions) for u in units]
    return CommitteeView([CellRow(u, cells[u.id], exemptions.get(u.id)) for u in units], sub_cell_rollup(facts),
                         pending_sub_cells(facts), sub_cell_gate_on(committee))


def _require_oversee(user: User, cell: Unit) -> None:
    if cell.kind != query.SUB_CELL or cell.parent_id is None:
        raise Invalid(_("Only a cell under a committee can be exempted."))
    if not can_oversee(user, cell):
        raise Forbidden(_("Only the committee's secretaries, its working group or the organisation office "
                          "exempt its cells."))
    refuse_if_archived(cell.campaign)  # an archived campaign, or an archived cell, is read, never changed
    require_live(cell)


def exempt(cell: Unit, reason: str, note: str, user: User, now: datetime) -> SubCellExemption:
    """Exempt a sub-cell from its committee's gate, with a reason and a note; journalled on the cell."""
    _require_oversee(user, cell)
    errors = {}
    if reason not in EXEMPTION_REASONS:
        errors["reason"] = _("Choose a reason.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("This field is required.")
    elif len(note) > MAX_NOTE:
        errors["note"] = _("At most %(n)s characters.", n=MAX_NOTE)
    if errors:
        raise Invalid(_("Give the reason and a note for the exemption."), errors)
    row = db.session.scalar(select(SubCellExemption).where(SubCellExemption.unit_id == cell.id))
    before = row.reason if row else ""
    if row is None:
        row = SubCellExemption(unit_id=cell.id)
        db.session.add(row)
    row.reason, row.note, row.by_id, row.at = reason, note, user.id if user else None, now
    journal.record(cell.id, user, "sub_cell_exempted", now, before=before, after=reason, note=note)
    db.session.flush()
    return row


def clear(cell: Unit, user: User, now: datetime) -> bool:
    """Withdraw a sub-cell's exemption (the committee waits for it again); False when there was none."""
    _require_oversee(user, cell)
    row = db.session.scalar(select(SubCellExemption).where(SubCellExemption.unit_id == cell.id))
    if row is None:
        return False
    journal.record(cell.id, user, "sub_cell_exemption_cleared", now, before=row.reason, note=row.note)
    db.session.delete(row)
    db.session.flush()
    return True
