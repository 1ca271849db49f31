"""The organiser's report: the summary of results, tables per unit and per kind, flags.

Everything is read with set-based aggregate queries (a fixed number whatever the number of units);
percentages are computed here, at read time, from the stored counts, in the campaign's rounding mode.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from sqlalchemy import case, func, select

from .extensions import db
from .models import (
    Campaign,
    CongressResult,
    CustomField,
    CustomValue,
    DisseminationResult,
    FirstSessionResult,
    Unit,
    WorkingGroup,
)
from .readmodel import FINISHED, stage_rows
from .services.result_fields import rounding_of, targets_of
from .services.results import campaign_earliest_congress
from .workflow.result_rules import (
    CONGRESS_COUNTS,
    CONGRESS_OPTIONAL,
    DISSEMINATION_COUNTS,
    FIRST_SESSION_COUNTS,
    FIRST_SESSION_FLAGS,
    Problem,
    held_on_flags,
    stored_problems,
    surplus_percent,
    target_flags,
)
from .workflow.rounding import percent
from .workflow.stages import KINDS

SHARES = ("re_elected", "first_time", "women", "young", "ethnic_minority")


def _scope(campaign: Campaign, group: Optional[WorkingGroup]) -> list:
    where = [Unit.campaign_id == campaign.id]
    if group is not None:
        where.append(Unit.group_id == group.id)
    return where


def _congress_stage(scope: list, today: date):
    """(subquery of each unit's congress stage status — readmodel's rule —, held expression)."""
    rows = stage_rows(select(Unit.id).where(*scope), today, stages=("congress",))
    return rows, case((rows.c.status.in_(FINISHED), 1), else_=0)


def _joined(query, congress):
    return (query.outerjoin(congress, congress.c.unit_id == Unit.id)
            .outerjoin(DisseminationResult, DisseminationResult.unit_id == Unit.id)
            .outerjoin(CongressResult, CongressResult.unit_id == Unit.id)
            .outerjoin(FirstSessionResult, FirstSessionResult.unit_id == Unit.id))


def _totals(campaign: Campaign, group: Optional[WorkingGroup], today: date, by_kind: bool) -> list[dict]:
    """One aggregate query: the sums for all units in scope, or per kind."""
    scope = _scope(campaign, group)
    congress, held = _congress_stage(scope, today)
    total = lambda col: func.coalesce(func.sum(col), 0)  # noqa: E731
    flag = lambda col: total(case((col, 1), else_=0))  # noqa: E731
    cols = [func.count(Unit.id).label("units"), flag(Unit.pilot).label("pilot"),
            total(Unit.party_members).label("members_total"), total(held).label("congress_held"),
            func.count(CongressResult.id).label("results_entered"),
            func.max(CongressResult.held_on).label("held_by")]
    cols += [total(getattr(DisseminationResult, n)).label(n) for n in DISSEMINATION_COUNTS]
    cols += [total(getattr(CongressResult, n)).label(n) for n in CONGRESS_COUNTS]
    cols += [total(getattr(FirstSessionResult, n)).label(n) for n in FIRST_SESSION_COUNTS]
    cols += [flag(getattr(FirstSessionResult, n)).label(n) for n in FIRST_SESSION_FLAGS]
    query = _joined(select(*cols).select_from(Unit), congress).where(*scope)
    if by_kind:
        query = query.add_columns(Unit.kind).group_by(Unit.kind)
    return [dict(r._mapping) for r in db.session.execute(query)]


def shape(t: dict, mode: str, custom: Optional[list[dict]] = None) -> dict[str, Any]:
    """The contract's summary shape from a row of sums; percentages computed here."""
    elected = int(t["committee_elected"])
    members_total = int(t["members_total"])
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
        "held_by": t["held_by"].isoformat() if t.get("held_by") else None,
        "rounding": mode,
    }
    for name in SHARES:
        count = int(t[name])
        out["committee"][name] = {"count": count, "percent": percent(count, elected, mode)}
    if custom is not None:
        out["custom"] = custom
    return out


def _custom_totals(campaign: Campaign, group: Optional[WorkingGroup]) -> list[dict]:
    """Each custom field of the campaign with its sum over the units in scope (two queries)."""
    fields = list(db.session.scalars(select(CustomField).where(CustomField.campaign_id == campaign.id)
                                     .order_by(CustomField.position, CustomField.id)))
    sums = dict(db.session.execute(
        select(CustomValue.field_id, func.sum(CustomValue.value)).join(Unit, Unit.id == CustomValue.unit_id)
        .where(*_scope(campaign, group)).group_by(CustomValue.field_id)).all()) if fields else {}
    return [{"key": f.key, "stage": f.stage, "label_vi": f.label_vi, "label_en": f.label_en,
             "total": int(sums.get(f.id) or 0)} for f in fields]


def summary(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None) -> dict[str, Any]:
    """The contract's `GET /reports/summary` for the campaign, or one working group's units."""
    mode = rounding_of(campaign)
    data = shape(_totals(campaign, group, today, by_kind=False)[0], mode, _custom_totals(campaign, group))
    data["group"] = group.code if group else None
    return data


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


@dataclass
class Report:
    """Everything the report page and the exports show."""

    campaign: Campaign
    group: Optional[WorkingGroup]
    today: date
    summary: dict[str, Any]
    by_kind: list[tuple[str, dict[str, Any]]]
    rows: list[UnitRow]
    fields: list[CustomField]

    @property
    def not_done(self) -> list[UnitRow]:
        """Units whose congress stage is not done yet, earliest planned date first."""
        return sorted((r for r in self.rows if not r.held),
                      key=lambda r: (r.congress_date or date.max, r.code))

    @property
    def below_target(self) -> list[UnitRow]:
        """Units below a composition target or with a surplus outside the range."""
        return [r for r in self.rows if r.flags]

    @property
    def cannot_be_right(self) -> list[UnitRow]:
        """Units whose stored counts break a rule, or that are done without results."""
        return [r for r in self.rows if r.problems or r.missing_results]


def _values(row: Any, names: tuple[str, ...]) -> Optional[dict]:
    return None if row is None else {n: getattr(row, n) for n in names}


def unit_rows(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None) -> list[UnitRow]:
    """Every unit in scope with its numbers and flags: two queries whatever the number of units."""
    mode, targets = rounding_of(campaign), targets_of(campaign)
    earliest = campaign_earliest_congress(campaign)
    scope = _scope(campaign, group)
    congress, held = _congress_stage(scope, today)
    query = _joined(select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.pilot, Unit.party_members,
                           Unit.congress_date, WorkingGroup.code.label("group_code"),
                           congress.c.status.label("status"),
                           held.label("held"), DisseminationResult, CongressResult, FirstSessionResult)
                    .select_from(Unit).outerjoin(WorkingGroup, WorkingGroup.id == Unit.group_id),
                    congress).where(*scope).order_by(Unit.code)
    custom: dict[int, dict[int, int]] = defaultdict(dict)
    for unit_id, field_id, value in db.session.execute(
            select(CustomValue.unit_id, CustomValue.field_id, CustomValue.value)
            .join(Unit, Unit.id == CustomValue.unit_id).where(*scope)):
        custom[unit_id][field_id] = value
    rows = []
    for r in db.session.execute(query):
        dis = _values(r.DisseminationResult, DISSEMINATION_COUNTS)
        con = _values(r.CongressResult, ("held_on",) + CONGRESS_COUNTS + CONGRESS_OPTIONAL)
        fs = _values(r.FirstSessionResult, FIRST_SESSION_COUNTS + FIRST_SESSION_FLAGS)
        row = UnitRow(r.id, r.code, r.name, r.kind, r.group_code, bool(r.pilot), r.party_members,
                      r.congress_date, r.status, bool(r.held), dis, con, fs, custom.get(r.id, {}))
        if dis is not None:
            row.reach_pct = percent(dis["members_reached"], r.party_members, mode)
        if con is not None:
            row.shares = {n: percent(con[n], con["committee_elected"], mode) for n in SHARES}
            row.surplus_pct = surplus_percent(con["seats"], con["candidates"], mode)
            row.flags = target_flags(con, targets, mode) + held_on_flags(con["held_on"], campaign.final_deadline)
        row.problems = stored_problems(r.kind, r.party_members, dis, con, fs, row.held, today, earliest)
        rows.append(row)
    return rows


def build_report(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None) -> Report:
    """The whole report (summary, per kind, per unit) in a fixed number of queries."""
    mode = rounding_of(campaign)
    by_kind = {t["kind"]: shape(t, mode) for t in _totals(campaign, group, today, by_kind=True)}
    ordered = [(k, by_kind[k]) for k in KINDS if k in by_kind]
    fields = list(db.session.scalars(select(CustomField).where(CustomField.campaign_id == campaign.id)
                                     .order_by(CustomField.position, CustomField.id)))
    return Report(campaign, group, today, summary(campaign, today, group), ordered,
                  unit_rows(campaign, today, group), fields)


def congress_held_ids(unit_ids: list[int], today: date) -> set[int]:
    """The ids, among these, of the units whose congress stage is done or verified (one query)."""
    if not unit_ids:
        return set()
    scope = [Unit.id.in_(unit_ids)]
    congress, _held = _congress_stage(scope, today)
    query = select(congress.c.unit_id).where(congress.c.status.in_(FINISHED))
    return set(db.session.scalars(query))
