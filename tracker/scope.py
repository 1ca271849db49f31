"""THE scope: which units count, once, for every output.

The summary, the report page and its tables, both Word documents, the XLSX/CSV exports, the charts,
the dashboard's counters, `/overdue`, the calendar and the reminder sweep all take their units from a
`Scope`; nothing else spells out "which units count". The rule (CONTRACT.md, DESIGN.md):

- a unit counts for one campaign only, and only while it is live (not archived: archived units appear
  nowhere but their own page and the archive list);
- the organiser's **direct units** (every kind but `sub_cell`) and the **cells under a committee**
  (`sub_cell`) are two figures, never summed: a scope says which of the two it covers (or both, for
  lists that show each unit with its kind);
- a working group's units are those it follows: its own, and the sub-cells without a group of their
  own under a committee it follows (permissions.in_working_groups, the SQL twin of working_group_id);
- an **exempted** sub-cell (postponed with approval, merged, dissolved) holds no congress of its own:
  it is listed with its reason where cells are listed, and it is never late (`may_be_late`).

The clauses take their values as bound parameters, so a scope of the same shape gives the very same
statement objects (cached by `clauses`): SQLAlchemy then skips rebuilding and re-keying them per
request, which costs more than the queries themselves (the dashboard's lesson).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any, Optional

from sqlalchemy import Select, and_, bindparam, exists, select
from sqlalchemy.sql.elements import ColumnElement

from .models import SubCellExemption, Unit
from .permissions import in_working_groups
from .workflow.stages import SUB_CELL

DIRECT, CELLS, ALL = "direct", "cells", "all"   # which units of the campaign: see the module docstring


@dataclass(frozen=True)
class Scope:
    """Which units count: a campaign's live units, direct units or cells (or both), of some working
    groups or of one committee when given."""

    campaign_id: int
    units: str = DIRECT
    group_ids: Optional[tuple[int, ...]] = None  # None: every group (and units without one)
    parent_id: Optional[int] = None               # only the cells of this committee

    @classmethod
    def of(cls, campaign: Any, group: Any = None, units: str = DIRECT) -> Scope:
        """The scope of a campaign (object or id), of one working group (object or id) when given."""
        campaign_id = campaign if isinstance(campaign, int) else campaign.id
        group_ids = None if group is None else (group if isinstance(group, int) else group.id,)
        return cls(campaign_id, units, group_ids)

    def direct(self) -> Scope:
        """The same scope over the organiser's direct units."""
        return replace(self, units=DIRECT, parent_id=None)

    def cells(self) -> Scope:
        """The same scope over the cells under committees."""
        return replace(self, units=CELLS)

    def both(self) -> Scope:
        """The same scope over direct units and cells alike (lists that show each unit's kind)."""
        return replace(self, units=ALL)

    @property
    def shape(self) -> tuple:
        """Which clauses apply: the key of the cached statements."""
        return self.units, self.group_ids is not None, self.parent_id is not None

    @property
    def params(self) -> dict[str, Any]:
        """The values of the clauses' bound parameters."""
        out: dict[str, Any] = {"scope_campaign_id": self.campaign_id}
        if self.group_ids is not None:
            out["scope_group_ids"] = list(self.group_ids) or [-1]
        if self.parent_id is not None:
            out["scope_parent_id"] = self.parent_id
        return out

    def where(self) -> list[ColumnElement]:
        """The WHERE clauses on `Unit`, with this scope's values bound in (for one-off queries)."""
        params = self.params
        return [c.params(**params) for c in clauses(self.shape)]

    def unit_ids(self) -> Select:
        """SELECT the ids of the units in scope."""
        return select(Unit.id).where(*self.where())


@functools.lru_cache(maxsize=64)
def clauses(shape: tuple) -> tuple[ColumnElement, ...]:
    """The WHERE clauses of a scope's shape, on `Unit`, with bound parameters named `scope_*`."""
    units, grouped, parent = shape
    out: list[ColumnElement] = [Unit.campaign_id == bindparam("scope_campaign_id"), live_unit()]
    if units == DIRECT:
        out.append(Unit.kind != SUB_CELL)
    elif units == CELLS:
        out.append(Unit.kind == SUB_CELL)
    if grouped:
        out.append(in_working_groups(bindparam("scope_group_ids", expanding=True)))
    if parent:
        out.append(and_(Unit.kind == SUB_CELL, Unit.parent_id == bindparam("scope_parent_id")))
    return tuple(out)


def live_unit() -> ColumnElement:
    """A unit (the `Unit` row of the query) that is not archived (Unit.archived is the Python twin)."""
    return Unit.archived_at.is_(None)


def exempted(unit_id: Any = Unit.id) -> ColumnElement:
    """The unit is a sub-cell exempted from holding its own congress (Unit.exemption is the Python twin)."""
    return exists().where(SubCellExemption.unit_id == unit_id)


def may_be_late(unit_id: Any = Unit.id) -> ColumnElement:
    """The unit can be late: it is not an exempted sub-cell (see the module docstring)."""
    return ~exempted(unit_id)
