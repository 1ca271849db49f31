"""The progress report's numbers on any date: units by stage, overdue units, open blockers, coming congresses.

Every status and "overdue" comes from tracker/readmodel.py (its stage_rows and stage_totals); this
module only selects and counts. A fixed number of queries whatever the number of units; the lists
are bounded (the counts are complete).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from sqlalchemy import and_, case, func, select

from ..clock import local_zone
from ..extensions import db
from ..models import Blocker, Campaign, Unit, WorkingGroup
from ..readmodel import FINISHED, as_date, stage_rows, stage_totals
from ..scope import Scope, exempted
from ..workflow import STAGES

LIST_LIMIT = 100   # units named in each list
AHEAD_DAYS = 14    # "the congresses of the coming two weeks"


@dataclass(frozen=True)
class LateStage:
    """An overdue stage of a unit: how many days since its oldest late item fell due."""

    code: str
    name: str
    stage: str
    days_late: int


@dataclass(frozen=True)
class Congress:
    """A congress planned in the coming days, with the unit's congress stage status."""

    day: date
    code: str
    name: str
    status: str


@dataclass(frozen=True)
class OpenBlocker:
    """A unit with an unresolved blocker on a stage: the unit and the stage only, never the blocker's text."""

    code: str
    name: str
    stage: str
    since: date


@dataclass
class Progress:
    """Everything the progress report says, as of `on`."""

    campaign: Campaign
    group: Optional[WorkingGroup]
    on: date
    units: int = 0
    by_stage: dict[str, dict[str, int]] = field(default_factory=dict)
    overdue: list[LateStage] = field(default_factory=list)
    overdue_count: int = 0
    blockers_by_stage: dict[str, int] = field(default_factory=dict)
    blockers: list[OpenBlocker] = field(default_factory=list)
    blockers_count: int = 0
    coming: list[Congress] = field(default_factory=list)
    coming_count: int = 0
    cells: dict[str, int] = field(default_factory=dict)  # the cells under committees: total, held, exempted


def progress(campaign: Campaign, on: date, group: Optional[WorkingGroup] = None,
             limit: int = LIST_LIMIT) -> Progress:
    """The progress report's numbers on the day `on` (local date), for the campaign or one working group."""
    # the summary's figures (tracker.scope): the organiser's direct units; the cells under committees apart
    scope = Scope.of(campaign, group).where()
    ids = select(Unit.id).where(*scope)
    out = Progress(campaign, group, on)
    out.cells = cell_figures(Scope.of(campaign, group).cells(), on)
    out.units = db.session.scalar(select(func.count()).select_from(Unit).where(*scope)) or 0
    out.by_stage = stage_totals(ids, on)
    out.overdue_count = sum(out.by_stage[s]["overdue"] for s in STAGES)
    rows = stage_rows(ids, on)
    late = (select(Unit.code, Unit.name, rows.c.stage, rows.c.late_since).join(Unit, Unit.id == rows.c.unit_id)
            .where(rows.c.status == "overdue").order_by(rows.c.late_since, Unit.code, rows.c.stage).limit(limit))
    out.overdue = [LateStage(code, name, stage, (on - as_date(since)).days if since else 0)
                   for code, name, stage, since in db.session.execute(late)]
    open_ = [Blocker.resolved_at.is_(None), Unit.id == Blocker.unit_id, *scope]
    counts = select(Blocker.stage, func.count()).select_from(Blocker).join(Unit, Unit.id == Blocker.unit_id) \
        .where(*open_).group_by(Blocker.stage)
    out.blockers_by_stage = {s: 0 for s in STAGES} | {s: n for s, n in db.session.execute(counts)}
    out.blockers_count = sum(out.blockers_by_stage.values())
    listed = (select(Unit.code, Unit.name, Blocker.stage, Blocker.raised_at).join(Unit, Unit.id == Blocker.unit_id)
              .where(*open_).order_by(Blocker.raised_at, Blocker.id).limit(limit))
    out.blockers = [OpenBlocker(code, name, stage, _local_day(at))
                    for code, name, stage, at in db.session.execute(listed)]
    until = on + timedelta(days=AHEAD_DAYS)
    soon = [*scope, Unit.congress_date.is_not(None), Unit.congress_date >= on, Unit.congress_date <= until]
    out.coming_count = db.session.scalar(select(func.count()).select_from(Unit).where(*soon)) or 0
    congress = stage_rows(select(Unit.id).where(*soon), on, stages=("congress",))
    coming = (select(Unit.congress_date, Unit.code, Unit.name, congress.c.status)
              .join(congress, congress.c.unit_id == Unit.id).where(*soon)
              .order_by(Unit.congress_date, Unit.code).limit(limit))
    out.coming = [Congress(as_date(day), code, name, status) for day, code, name, status in db.session.execute(coming)]
    return out


def cell_figures(scope: Scope, on: date) -> dict[str, int]:
    """{total, held, exempted} of the cells in scope on the day `on` (one query; exempted: not held)."""
    rows = stage_rows(scope.unit_ids(), on, stages=("congress",))
    held = rows.c.status.in_(FINISHED)
    count = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    total, n_held, n_exempt = db.session.execute(
        select(func.count(), count(held), count(and_(~held, exempted(rows.c.unit_id))))).one()
    return {"total": int(total), "held": int(n_held), "exempted": int(n_exempt)}


def _local_day(moment) -> date:
    return moment.astimezone(local_zone()).date()
