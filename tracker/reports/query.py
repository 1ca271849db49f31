"""The organiser's report: the summary of results, tables per unit and per kind, flags.

Everything is read with a fixed number of set-based queries whatever the number of units: one
aggregate grouped by kind (the totals are its sum), one for the custom fields, one page of units,
and one streamed pass (`yield_per`) that applies the result rules of workflow/ to every unit while
keeping only counts and the first few units of each list. Percentages are computed here, at read
time, from the stored counts, in the campaign's rounding mode.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models import (
    Campaign,
    CongressResult,
    CustomField,
    CustomValue,
    DisseminationResult,
    FirstSessionResult,
    Unit,
    WorkingGroup,
)
from ..paging import Page
from ..readmodel import FINISHED, stage_rows
from ..scope import Scope, exempted
from ..services.result_fields import rounding_of, targets_of
from ..services.results import campaign_earliest_congress
from ..workflow.result_rules import (
    CONGRESS_COUNTS,
    CONGRESS_OPTIONAL,
    DISSEMINATION_COUNTS,
    FIRST_SESSION_COUNTS,
    FIRST_SESSION_FLAGS,
    Problem,
    Targets,
    held_on_flags,
    stored_problems,
    surplus_percent,
    target_flags,
)
from ..workflow.rounding import percent
from ..workflow.stages import KINDS, SUB_CELL

SHARES = ("re_elected", "first_time", "women", "young", "ethnic_minority")
PER_PAGE = 100      # units per page of the per-unit table
LIST_LIMIT = 50     # units named in each list (not finished, below target, cannot be right); counts are complete
BATCH = 1000        # rows fetched at a time when every unit is read (checks, exports)
CONGRESS_FIELDS = ("held_on",) + CONGRESS_COUNTS + CONGRESS_OPTIONAL
FIRST_SESSION_FIELDS = FIRST_SESSION_COUNTS + FIRST_SESSION_FLAGS


def _scope(campaign: Campaign, group: Optional[WorkingGroup]) -> list:
    """The units a report covers (tracker.scope): direct units and cells alike, told apart by kind."""
    return Scope.of(campaign, group).both().where()


def _congress_stage(scope: list, today: date):
    """(subquery of each unit's congress stage status — readmodel's rule —, held expression)."""
    rows = stage_rows(select(Unit.id).where(*scope), today, stages=("congress",))
    return rows, case((rows.c.status.in_(FINISHED), 1), else_=0)


def _joined(query, congress):
    return (query.outerjoin(congress, congress.c.unit_id == Unit.id)
            .outerjoin(DisseminationResult, DisseminationResult.unit_id == Unit.id)
            .outerjoin(CongressResult, CongressResult.unit_id == Unit.id)
            .outerjoin(FirstSessionResult, FirstSessionResult.unit_id == Unit.id))


# ---- totals ------------------------------------------------------------------------------------

SUMMED = ("units", "pilot", "members_total", "congress_held", "results_entered") + DISSEMINATION_COUNTS + \
    CONGRESS_COUNTS + FIRST_SESSION_COUNTS + FIRST_SESSION_FLAGS


def _kind_totals(campaign: Campaign, group: Optional[WorkingGroup], today: date) -> list[dict]:
    """One aggregate query: the sums per kind of unit for the units in scope."""
    scope = _scope(campaign, group)
    congress, held = _congress_stage(scope, today)
    total = lambda col: func.coalesce(func.sum(col), 0)  # noqa: E731
    flag = lambda col: total(case((col, 1), else_=0))  # noqa: E731
    cols = [Unit.kind, func.count(Unit.id).label("units"), flag(Unit.pilot).label("pilot"),
            total(Unit.party_members).label("members_total"), total(held).label("congress_held"),
            func.count(CongressResult.id).label("results_entered"),
            func.max(CongressResult.held_on).label("held_by")]
    cols += [total(getattr(DisseminationResult, n)).label(n) for n in DISSEMINATION_COUNTS]
    cols += [total(getattr(CongressResult, n)).label(n) for n in CONGRESS_COUNTS]
    cols += [total(getattr(FirstSessionResult, n)).label(n) for n in FIRST_SESSION_COUNTS]
    cols += [flag(getattr(FirstSessionResult, n)).label(n) for n in FIRST_SESSION_FLAGS]
    query = _joined(select(*cols).select_from(Unit), congress).where(*scope).group_by(Unit.kind)
    return [dict(r._mapping) for r in db.session.execute(query)]


def _add(rows: Iterable[dict]) -> dict:
    """The sum of rows of sums (held_by: the latest)."""
    out: dict[str, Any] = {name: 0 for name in SUMMED}
    out["held_by"] = None
    for row in rows:
        for name in SUMMED:
            out[name] += int(row[name] or 0)
        if row["held_by"] is not None and (out["held_by"] is None or row["held_by"] > out["held_by"]):
            out["held_by"] = row["held_by"]
    return out


def shape(t: dict, mode: str, custom: Optional[list[dict]] = None) -> dict[str, Any]:
    """The contract's summary shape from a row of sums; percentages computed here."""
    elected = int(t["committee_elected"])
    members_total = int(t["members_total"])
    held_by = t.get("held_by")
    out = {
        "units": {"total": int(t["units"]), "congress_held": int(t["congress_held"]), "pilot": int(t["pilot"]),
                  "results_entered": int(t["results_entered"])},
        "dissemination": {"sessions": int(t["sessions"]), "attendees": int(t["attendees"]),
                          "members_reached": int(t["members_reached"]), "members_total": members_total,
                          "percent_reached": percent(int(t["members_reached"]), members_total, mode)},
        "committee": {"elected": elected},
        "delegates": {"official": int(t["delegates_official"]), "alternate": int(t["delegates_alternate"])},
        "first_session": {"standing_committee": int(t["standing_committee"]),
                          "secretaries": int(t["secretary_elected"]),
                          "deputy_secretaries": int(t["deputy_secretaries"]),
                          "inspection_committee": int(t["inspection_committee"]),
                          "inspection_chairs": int(t["inspection_chair_elected"])},
        # SQLite hands back MAX() of a date as text, PostgreSQL as a date
        "held_by": (held_by.isoformat() if isinstance(held_by, date) else str(held_by)[:10]) if held_by else None,
        "rounding": mode,
    }
    for name in SHARES:
        count = int(t[name])
        out["committee"][name] = {"count": count, "percent": percent(count, elected, mode)}
    if custom is not None:
        out["custom"] = custom
    return out


def _custom_totals(campaign: Campaign, group: Optional[WorkingGroup]) -> list[dict]:
    """Each custom field of the campaign with its sum over the direct units in scope (one query)."""
    in_scope = and_(Unit.id == CustomValue.unit_id, *Scope.of(campaign, group).where())
    query = (select(CustomField.key, CustomField.stage, CustomField.label_vi, CustomField.label_en,
                    func.coalesce(func.sum(case((Unit.id.is_not(None), CustomValue.value), else_=0)), 0))
             .outerjoin(CustomValue, CustomValue.field_id == CustomField.id).outerjoin(Unit, in_scope)
             .where(CustomField.campaign_id == campaign.id)
             .group_by(CustomField.id, CustomField.key, CustomField.stage, CustomField.label_vi,
                       CustomField.label_en, CustomField.position)
             .order_by(CustomField.position, CustomField.id))
    return [{"key": key, "stage": stage, "label_vi": vi, "label_en": en, "total": int(total or 0)}
            for key, stage, vi, en, total in db.session.execute(query)]


def _summary_of(kinds: list[dict], mode: str, custom: list[dict], group: Optional[WorkingGroup]) -> dict[str, Any]:
    # the contract: direct units (every kind but sub_cell) in units, committee …; cells under a committee apart
    data = shape(_add(t for t in kinds if t["kind"] != SUB_CELL), mode, custom)
    cells = _add(t for t in kinds if t["kind"] == SUB_CELL)
    data["sub_cells"] = {"total": cells["units"], "congress_held": cells["congress_held"]}
    data["group"] = group.code if group else None
    return data


def summary(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None) -> dict[str, Any]:
    """The contract's `GET /reports/summary` for the campaign, or one working group's units (two queries)."""
    return _summary_of(_kind_totals(campaign, group, today), rounding_of(campaign),
                       _custom_totals(campaign, group), group)


# ---- units -------------------------------------------------------------------------------------

@dataclass
class UnitRow:
    """One unit's line in the report: its numbers, percentages and flags."""

    id: int
    code: str
    name: str
    kind: str
    group: Optional[str]
    pilot: bool
    party_members: int
    congress_date: Optional[date]
    status: str
    held: bool
    dissemination: Optional[dict] = None
    congress: Optional[dict] = None
    first_session: Optional[dict] = None
    custom: dict[int, int] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)
    reach_pct: Optional[float] = None
    surplus_pct: Optional[float] = None
    flags: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def missing_results(self) -> bool:
        """The congress stage is done but its results are not entered yet."""
        return self.held and self.congress is None


HEAD = ("id", "code", "name", "kind", "pilot", "party_members", "congress_date", "group_code", "status", "held",
        "d_id", "c_id", "f_id")
_D = len(HEAD)                              # where each part's columns start in a row
_C = _D + len(DISSEMINATION_COUNTS)
_F = _C + len(CONGRESS_FIELDS)
_E = _F + len(FIRST_SESSION_FIELDS)          # the last column: the unit is an exempted sub-cell


def _rows_query(scope: list, today: date):
    """Every unit in scope with its congress status and its three result rows, as plain columns, by code."""
    congress, held = _congress_stage(scope, today)
    cols = [Unit.id, Unit.code, Unit.name, Unit.kind, Unit.pilot, Unit.party_members, Unit.congress_date,
            WorkingGroup.code.label("group_code"), congress.c.status.label("status"), held.label("held"),
            DisseminationResult.id.label("d_id"), CongressResult.id.label("c_id"), FirstSessionResult.id.label("f_id")]
    cols += [getattr(DisseminationResult, n).label(f"d_{n}") for n in DISSEMINATION_COUNTS]
    cols += [getattr(CongressResult, n).label(f"c_{n}") for n in CONGRESS_FIELDS]
    cols += [getattr(FirstSessionResult, n).label(f"f_{n}") for n in FIRST_SESSION_FIELDS]
    cols.append(exempted().label("exempt"))
    query = select(*cols).select_from(Unit).outerjoin(WorkingGroup, WorkingGroup.id == Unit.group_id)
    return _joined(query, congress).where(*scope).order_by(Unit.code, Unit.id)


def _parts(t: tuple) -> tuple[Optional[dict], Optional[dict], Optional[dict]]:
    # by position: a row's attributes cost a lookup each, and an export reads some 40 per unit
    return (None if t[10] is None else dict(zip(DISSEMINATION_COUNTS, t[_D:_C], strict=True)),
            None if t[11] is None else dict(zip(CONGRESS_FIELDS, t[_C:_F], strict=True)),
            None if t[12] is None else dict(zip(FIRST_SESSION_FIELDS, t[_F:_E], strict=True)))


class _Rules:
    """The campaign's rounding and targets, applied to one unit's stored numbers."""

    def __init__(self, campaign: Campaign, today: date):
        self.mode: str = rounding_of(campaign)
        self.targets: Targets = targets_of(campaign)
        # the entry rules' dates: stored rows are judged as entry would judge them today
        self.today, self.earliest = today, campaign_earliest_congress(campaign)
        self.deadline = campaign.final_deadline
        self._percents: dict[tuple[int, int], float] = {}

    def percent(self, part: int, whole: int) -> float:
        """workflow.rounding.percent, remembered: committees repeat the same few sizes and counts."""
        key = (part, whole)
        value = self._percents.get(key)
        if value is None:
            if len(self._percents) > 100_000:  # bounded, whatever the data
                self._percents.clear()
            value = self._percents[key] = percent(part, whole, self.mode)
        return value

    def row(self, r: Any, custom: Optional[dict[int, int]] = None) -> UnitRow:
        """The whole UnitRow of a result row: numbers, percentages, flags and problems."""
        t = tuple(r)
        dis, con, fs = _parts(t)
        members, held = t[5], bool(t[9])
        row = UnitRow(t[0], t[1], t[2], t[3], t[7], bool(t[4]), members, t[6], t[8] or "not_started", held,
                      dis, con, fs, custom or {})
        if dis is not None:
            row.reach_pct = self.percent(dis["members_reached"], members)
        if con is not None:
            elected = con["committee_elected"]
            row.shares = {n: self.percent(con[n], elected) for n in SHARES}
            row.surplus_pct = surplus_percent(con["seats"], con["candidates"], self.mode)
            row.flags = target_flags(con, self.targets, self.mode) + held_on_flags(con["held_on"], self.deadline)
        row.problems = stored_problems(t[3], members, dis, con, fs, held, self.today, self.earliest)
        return row

    def marks(self, r: Any) -> tuple[bool, bool]:
        """(cannot be right, below a target) without building the whole row: the rules only."""
        t = tuple(r)
        dis, con, fs = _parts(t)
        held = bool(t[9])
        wrong = (held and con is None) or bool(
            stored_problems(t[3], t[5], dis, con, fs, held, self.today, self.earliest))
        return wrong, con is not None and bool(target_flags(con, self.targets, self.mode)
                                               or held_on_flags(con["held_on"], self.deadline))


def _custom_values(scope: list, ids: Optional[list[int]] = None):
    """(unit_id, field_id, value) of the units in scope (or of these ids), ordered as the unit rows."""
    query = (select(CustomValue.unit_id, CustomValue.field_id, CustomValue.value)
             .join(Unit, Unit.id == CustomValue.unit_id).where(*scope))
    if ids is not None:
        query = query.where(Unit.id.in_(ids))
    return query.order_by(Unit.code, Unit.id)


def iter_unit_rows(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None,
                   with_custom: bool = True) -> Iterator[UnitRow]:
    """Every unit in scope, by code, streamed (two queries whatever the number of units, bounded memory)."""
    rules, scope = _Rules(campaign, today), _scope(campaign, group)
    rows = db.session.execute(_rows_query(scope, today).execution_options(yield_per=BATCH))
    if not with_custom:
        for r in rows:
            yield rules.row(r)
        return
    # both streams are ordered by unit code: each unit's custom values are the next ones in the second
    values = iter(db.session.execute(_custom_values(scope).execution_options(yield_per=BATCH)))
    pending = next(values, None)
    for r in rows:
        custom = {}
        while pending is not None and pending.unit_id == r.id:
            custom[pending.field_id] = pending.value
            pending = next(values, None)
        yield rules.row(r, custom)


def unit_page(campaign: Campaign, today: date, group: Optional[WorkingGroup], page: Page,
              with_custom: bool = True) -> list[UnitRow]:
    """One page of the per-unit table, by code (two queries)."""
    rules, scope = _Rules(campaign, today), _scope(campaign, group)
    # the page's units first (by code, from the units table alone), so statuses are computed for them only
    ids = select(Unit.id).where(*scope).order_by(Unit.code, Unit.id).offset(page.offset).limit(page.per_page)
    rows = list(db.session.execute(_rows_query([*scope, Unit.id.in_(ids.scalar_subquery())], today)))
    custom: dict[int, dict[int, int]] = {r.id: {} for r in rows}
    if with_custom and rows:
        for unit_id, field_id, value in db.session.execute(_custom_values(scope, list(custom))):
            custom[unit_id][field_id] = value
    return [rules.row(r, custom[r.id]) for r in rows]


def unit_rows(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None) -> list[UnitRow]:
    """Every unit in scope with its numbers and flags, as a list (small scopes and tests)."""
    return list(iter_unit_rows(campaign, today, group))


@dataclass
class Checks:
    """What the report lists by name: counts over every unit, and the first units of each list."""

    not_done: list[UnitRow] = field(default_factory=list)
    not_done_count: int = 0
    below_target: list[UnitRow] = field(default_factory=list)
    below_target_count: int = 0
    cannot_be_right: list[UnitRow] = field(default_factory=list)
    cannot_be_right_count: int = 0


def checks(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None,
           limit: int = LIST_LIMIT) -> Checks:
    """One streamed pass over every unit in scope: the rules applied to each, at most `limit` kept per list."""
    rules, out, late = _Rules(campaign, today), Checks(), _Earliest(limit)
    for r in db.session.execute(_rows_query(_scope(campaign, group), today).execution_options(yield_per=BATCH)):
        if not r[9] and not r[_E]:  # neither held nor exempted (an exempted cell holds no congress: never late)
            out.not_done_count += 1
            late.add((r[6] is None, r[6] or date.min, r[1]), r)  # by planned congress date, then code
        wrong, below = rules.marks(r)
        if wrong:
            out.cannot_be_right_count += 1
            if len(out.cannot_be_right) < limit:
                out.cannot_be_right.append(rules.row(r))
        if below:
            out.below_target_count += 1
            if len(out.below_target) < limit:
                out.below_target.append(rules.row(r))
    out.not_done = [rules.row(r) for r in late.items()]
    return out


class _Earliest:
    """The `limit` values with the smallest keys seen so far, in bounded memory (a heap of the largest kept)."""

    def __init__(self, limit: int):
        self.limit, self.heap, self.n = limit, [], 0

    def add(self, key: tuple, value: Any) -> None:
        """Keep the value when its key is among the `limit` smallest so far."""
        self.n += 1  # ties never reach the values: the counter decides
        entry = (_Desc(key), -self.n, value)
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, entry)
        elif key < self.heap[0][0].key:
            heapq.heapreplace(self.heap, entry)

    def items(self) -> list:
        """The kept values, smallest key first."""
        return [value for _key, _n, value in sorted(self.heap, reverse=True)]


class _Desc:
    """A key that sorts backwards (heapq keeps the smallest on top; here that is the largest key)."""

    __slots__ = ("key",)

    def __init__(self, key: tuple):
        self.key = key

    def __lt__(self, other: _Desc) -> bool:
        return self.key > other.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.key == other.key


# ---- the whole report --------------------------------------------------------------------------

@dataclass
class Report:
    """Everything the report page and the exports show (the page's units and lists, bounded)."""

    campaign: Campaign
    group: Optional[WorkingGroup]
    today: date
    summary: dict[str, Any]
    by_kind: list[tuple[str, dict[str, Any]]]
    fields: list[CustomField]
    page: Page
    rows: list[UnitRow] = field(default_factory=list)
    checks: Checks = field(default_factory=Checks)

    @property
    def not_done(self) -> list[UnitRow]:
        """Units whose congress stage is not done yet, earliest planned date first (the first LIST_LIMIT)."""
        return self.checks.not_done

    @property
    def below_target(self) -> list[UnitRow]:
        """Units below a composition target or with a surplus outside the range (the first LIST_LIMIT)."""
        return self.checks.below_target

    @property
    def cannot_be_right(self) -> list[UnitRow]:
        """Units whose stored counts break a rule, or that are done without results (the first LIST_LIMIT)."""
        return self.checks.cannot_be_right


def campaign_fields(campaign: Campaign) -> list[CustomField]:
    """The campaign's custom result fields, in order (one query)."""
    return list(db.session.scalars(select(CustomField).where(CustomField.campaign_id == campaign.id)
                                   .order_by(CustomField.position, CustomField.id)))


def build_report(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None, page: int = 1,
                 per_page: int = PER_PAGE, details: bool = True) -> Report:
    """The report: totals, per kind, one page of units and the lists (details=False: totals only, for exports)."""
    mode = rounding_of(campaign)
    kinds = _kind_totals(campaign, group, today)
    by_kind = {t["kind"]: shape(t, mode) for t in kinds}
    fields = campaign_fields(campaign)
    data = _summary_of(kinds, mode, _custom_totals(campaign, group) if fields else [], group)
    units = sum(int(t["units"]) for t in kinds)
    report = Report(campaign, group, today, data, [(k, by_kind[k]) for k in KINDS if k in by_kind], fields,
                    Page.window(page, units, per_page))
    if details:
        report.rows = unit_page(campaign, today, group, report.page, with_custom=bool(fields))
        report.checks = checks(campaign, today, group)
    return report


def congress_held_ids(unit_ids: list[int], today: date) -> set[int]:
    """The ids, among these, of the units whose congress stage is done or verified (one query)."""
    if not unit_ids:
        return set()
    scope = [Unit.id.in_(unit_ids)]
    congress, _held = _congress_stage(scope, today)
    query = select(congress.c.unit_id).where(congress.c.status.in_(FINISHED))
    return set(db.session.scalars(query))
