"""The dashboard's read model: filtered units, one page of them, and totals over the whole filtered set.

Totals are aggregated in SQL (a fixed number of queries, whatever the number of units): a national
roll-out has ~52,000 units and ~1.5 million items, far too many to load for a count. Every status and
overdue condition here comes from `tracker.readmodel`; this module only combines them into filters.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional
from urllib.parse import quote

from sqlalchemy import Boolean, Date, Integer, Select, String, bindparam, func, or_, select

from .. import readmodel
from ..campaigns.scope import groups_in_view
from ..extensions import db
from ..models import Blocker, Unit, WorkingGroup
from ..readmodel import FINISHED, StageCell, unit_overdue
from ..scope import ALL, CELLS, DIRECT
from ..scope import Scope as UnitScope
from ..scope import clauses as scope_clauses
from ..workflow import KINDS, STAGES, STATUSES
from ..workflow.stages import SUB_CELL

SORTS = ("unit", "congress", "late")  # pilots then code; congress date; most overdue first
MAX_SEARCH = 100  # characters of a search kept (a name is at most 200; nobody types more)


@dataclass
class Filters:
    """What the dashboard shows; every field round-trips through the URL (`args`)."""

    scope: str = "all"  # group members: "mine" (their groups) or "all"
    kind: Optional[str] = None
    pilot: Optional[bool] = None
    overdue: bool = False  # CONTRACT.md: only units with an overdue stage
    group_ids: set[int] = field(default_factory=set)  # the member's own groups (scope "mine")
    group: Optional[str] = None  # admins and viewers: one working group's code
    group_id: Optional[int] = None
    stage: Optional[str] = None  # with `status`: units whose stage has that status (any stage without)
    status: Optional[str] = None
    q: str = ""  # part of a unit's name or code
    sort: str = "unit"
    cells: bool = False  # show the cells under committees (sub-cells) too; default: the organiser's direct units
    parent: Optional[str] = None  # one committee's code: its sub-cells only (the committee row's link)
    parent_id: Optional[int] = None

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for pagination and sort links): only what differs from the default."""
        out = {"scope": self.scope}
        for key in ("kind", "group", "stage", "status", "q"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.pilot is not None:
            out["pilot"] = "1" if self.pilot else "0"
        if self.overdue:
            out["overdue"] = "1"
        if self.sort != "unit":
            out["sort"] = self.sort
        if self.cells:
            out["cells"] = "1"
        if self.parent:
            out["parent"] = self.parent
        return out

    @property
    def active(self) -> bool:
        """True when anything narrows the list (the page then offers to clear the filters)."""
        return bool(self.kind or self.pilot is not None or self.overdue or self.group or self.status or self.q
                    or self.cells or self.parent)

    @property
    def direct_only(self) -> bool:
        """Leave the sub-cells out: the default view (the organiser's direct units, as the report counts)."""
        return not (self.cells or self.parent or self.kind == SUB_CELL)


def parse_filters(args, role: str, group_ids: set[int], groups: list[Any] = ()) -> Filters:
    """Filters from query arguments; unknown values fall back to the defaults instead of failing.

    `groups` are the working groups (id, code, name) an admin or viewer may pick from.
    """
    default_scope = "mine" if role == "group" else "all"
    scope = args.get("scope", default_scope)
    if scope not in ("mine", "all") or role != "group":
        scope = default_scope
    kind = args.get("kind") or None
    if kind not in KINDS:
        kind = None
    pilot = {"1": True, "0": False}.get(args.get("pilot", ""))
    overdue = args.get("overdue") in ("1", "on", "true")
    group = group_id = None
    if role != "group":
        by_code = {g.code: g.id for g in groups}
        group = args.get("group") if args.get("group") in by_code else None
        group_id = by_code.get(group) if group else None
    stage = args.get("stage") if args.get("stage") in STAGES else None
    status = args.get("status") if args.get("status") in STATUSES else None
    q = " ".join(args.get("q", "").split())[:MAX_SEARCH]
    sort = args.get("sort") if args.get("sort") in SORTS else "unit"
    cells = args.get("cells") in ("1", "on", "true")
    parent = (args.get("parent") or "").strip()[:30] or None
    return Filters(scope, kind, pilot, overdue, set(group_ids), group, group_id, stage, status, q, sort, cells, parent)


def committee_id(code: str, campaign_id: Optional[int]) -> Optional[int]:
    """The id of the committee a `parent` filter names (one query, only when the filter is used)."""
    return db.session.scalar(select(Unit.id).where(Unit.code == code, Unit.campaign_id == campaign_id))


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, lower-cased, with its own % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Scope:
    """The filters as SQL: the units that count (tracker.scope.Scope), narrowed by the dashboard's own
    filters; which clauses apply (`shape`) and their values (`params`).

    The clauses take their values as named parameters, so the same kind of filter gives the very same
    statement objects (cached below): SQLAlchemy then skips rebuilding and re-keying them per request,
    which cost more than the queries themselves.
    """

    shape: tuple
    params: dict[str, Any]

    @property
    def conds(self) -> tuple:
        """The WHERE clauses on Unit."""
        return _clauses(self.shape)


def conditions(filters: Filters, campaign_id: Optional[int], today: date) -> Scope:
    """The Scope of these filters (the units that count from tracker.scope; status and overdue from the
    read model)."""
    groups = (tuple(sorted(filters.group_ids)) if filters.scope == "mine"
              else (filters.group_id,) if filters.group_id is not None else None)
    units = (DIRECT if filters.direct_only else CELLS if filters.parent is not None else ALL)
    parent_id = (filters.parent_id or -1) if filters.parent else None
    counted = UnitScope(campaign_id or -1, units, groups, parent_id)
    shape = (counted.shape, bool(filters.kind), filters.pilot is not None, filters.overdue, bool(filters.q),
             bool(filters.status), bool(filters.status and filters.stage))
    params = {"today": today, "kind": filters.kind, "pilot": filters.pilot,
              "q": like_pattern(filters.q) if filters.q else None, "status": filters.status, "stage": filters.stage}
    return Scope(shape, {**counted.params, **{k: v for k, v in params.items() if v is not None}})


@functools.lru_cache(maxsize=256)
def _clauses(shape: tuple) -> tuple:
    counted, kind, pilot, overdue, q, status, stage = shape
    today = bindparam("today", type_=Date)
    conds = list(scope_clauses(counted))
    if kind:
        conds.append(Unit.kind == bindparam("kind"))
    if pilot:
        conds.append(Unit.pilot == bindparam("pilot", type_=Boolean))
    if overdue:
        conds.append(unit_overdue(today))
    if q:
        pattern = bindparam("q", type_=String)
        conds.append(or_(func.lower(Unit.name).like(pattern, escape="\\"),
                         func.lower(Unit.code).like(pattern, escape="\\")))
    if status:
        campaign_units = select(Unit.id).where(Unit.campaign_id == bindparam("scope_campaign_id"))
        conds.append(Unit.id.in_(readmodel.units_with_status(
            campaign_units, bindparam("stage") if stage else None, bindparam("status"), today)))
    return tuple(conds)


@functools.lru_cache(maxsize=256)
def _count_statement(shape: tuple[bool, ...]) -> Select:
    return select(func.count(Unit.id)).where(*_clauses(shape))


def count_units(scope: Scope) -> int:
    """How many units match."""
    return db.session.scalar(_count_statement(scope.shape), scope.params) or 0


@functools.lru_cache(maxsize=256)
def _page_statement(shape: tuple[bool, ...], sort: str) -> Select:
    blockers = (select(func.count()).where(Blocker.unit_id == Unit.id, Blocker.resolved_at.is_(None))
                .scalar_subquery())
    query = (select(Unit.id, Unit.code, Unit.name, Unit.pilot, Unit.congress_date,
                    WorkingGroup.code.label("group_code"), blockers.label("blockers"))
             .outerjoin(WorkingGroup, WorkingGroup.id == Unit.group_id).where(*_clauses(shape)))
    if sort == "congress":
        query = query.order_by(Unit.congress_date.is_(None), Unit.congress_date, Unit.code)
    elif sort == "late":
        late = readmodel.overdue_since(bindparam("today", type_=Date))
        query = (query.outerjoin(late, late.c.unit_id == Unit.id)
                 .order_by(late.c.since.is_(None), late.c.since, Unit.code))
    else:
        query = query.order_by(Unit.pilot.desc(), Unit.code)
    return query.offset(bindparam("offset", type_=Integer)).limit(bindparam("limit", type_=Integer))


def page_of_units(scope: Scope, page: int, per_page: int, sort: str = "unit"):
    """One page of the matching units as plain rows, in one query.

    Columns: id, code, name, pilot, congress_date, group_code, blockers (open blockers of the unit).
    Sorts: "unit" pilots first then code; "congress" by congress date (none last); "late" by the oldest
    overdue due date (the most overdue first, units with nothing overdue last).
    """
    params = {**scope.params, "offset": (page - 1) * per_page, "limit": per_page}
    return db.session.execute(_page_statement(scope.shape, sort), params).all()


def working_groups() -> list:
    """The working groups of the campaign in view (id, code, name), for the group filter."""
    return db.session.execute(select(WorkingGroup.id, WorkingGroup.code, WorkingGroup.name)
                              .where(groups_in_view(), readmodel.live_group()).order_by(WorkingGroup.code)).all()


@functools.lru_cache(maxsize=256)
def _totals_statement(shape: tuple[bool, ...]) -> Select:
    return readmodel.totals_statement(select(Unit.id).where(*_clauses(shape)), bindparam("today", type_=Date))


def stage_totals(scope: Scope) -> dict[str, dict[str, int]]:
    """{stage: {status: units}} over every matching unit, in one query (readmodel's status)."""
    return readmodel.totals_of(db.session.execute(_totals_statement(scope.shape), scope.params))


def completion(totals: dict[str, dict[str, int]]) -> tuple[int, int]:
    """(finished stages, all stages): finished means done or verified."""
    finished = sum(c[st] for c in totals.values() for st in FINISHED)
    return finished, sum(sum(c.values()) for c in totals.values())


@dataclass(frozen=True, slots=True)
class Mark:
    """One (unit, stage) as the template prints it: everything already formatted."""

    status: str
    label: str  # the status in the reader's language
    due: str  # dd/mm/yyyy, or ""
    late: int  # days late (0 unless overdue)
    late_due: str  # dd/mm of the oldest late item's due date (the day the lateness counts from), or ""
    title: str  # "stage: status, due date" for the phone's marks (title and aria-label)


@dataclass(frozen=True, slots=True)
class Row:
    """One unit's line on the dashboard."""

    unit: Any  # a row of page_of_units
    href: str  # the unit's page
    congress: str  # its congress date, dd/mm/yyyy or ""
    marks: tuple[Mark, ...]
    next_due: str  # the earliest due date of its unfinished stages, dd/mm
    late_stages: int  # how many of its stages are overdue
    days_late: int  # days since its oldest overdue item fell due
    rollup: Optional[dict] = None  # a committee's sub-cells: {total, held, exempted, pending}


def rows_for(units, cells: dict[int, dict[str, StageCell]], labels: dict[str, str], stage_names: dict[str, str],
             today: date, unit_url: str, rollups: Optional[dict[int, dict]] = None) -> list[Row]:
    """The page's rows from readmodel cells, with labels looked up once (dicts), never per cell.

    `unit_url` is the unit page's URL for the code "0" (url_for once, not once per unit).
    """
    prefix = unit_url[:-1]
    dates: dict[date, str] = {}

    def fmt(day: Optional[date]) -> str:
        if day is None:
            return ""
        text = dates.get(day)
        if text is None:
            text = dates[day] = day.strftime("%d/%m/%Y")
        return text

    out = []
    for unit in units:
        per_stage = cells[unit.id]
        marks = tuple(_mark(stage_names[s], per_stage[s], labels[per_stage[s].status], fmt, today) for s in STAGES)
        open_dues = [c.due_on for c in per_stage.values() if c.due_on and c.status not in FINISHED]
        late = [m.late for m in marks if m.late]
        out.append(Row(unit, prefix + quote(unit.code, safe=""), fmt(unit.congress_date), marks,
                       fmt(min(open_dues))[:5] if open_dues else "", len(late), max(late, default=0),
                       (rollups or {}).get(unit.id)))
    return out


def _mark(stage_name: str, cell: StageCell, label: str, fmt, today: date) -> Mark:
    due = fmt(cell.due_on)
    return Mark(cell.status, label, due, cell.days_late(today), fmt(cell.late_since)[:5],
                f"{stage_name}: {label}, {due}" if due else f"{stage_name}: {label}")
