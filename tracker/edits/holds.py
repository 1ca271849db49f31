"""What hangs on a unit or a working group, counted in one query and said in words.

A unit can be deleted only when nothing of the campaign's work hangs on it (DESIGN: the journal is
append-only, so a unit with history is archived, never deleted):
- no ticked item, no stage review (verified or returned), no results (dissemination, congress, first
  session, the campaign's own counts), no difficulty (blocker), no news about it;
- no secretary (a user whose unit it is) and no cell under it (sub-cell);
- no journal line beyond the office's own set-up of the unit (SETUP_ACTIONS: creating it, changing its
  fields, code, kind, congress date, secretaries, and the checklist maintenance a template change
  writes). Ticks, reviews, deadlines moved by hand, difficulties, results and reminders are work.
A working group can be deleted when no unit (archived ones included) is in it and it has no member.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Blocker,
    CongressResult,
    CustomValue,
    DisseminationResult,
    FirstSessionResult,
    Item,
    JournalEntry,
    NewsItem,
    StageReview,
    Unit,
    User,
    WorkingGroup,
    group_members,
)

# journal actions that record the office setting a unit up, not work done on it (see the docstring)
SETUP_ACTIONS = ("unit_created", "unit_changed", "code_changed", "kind_changed", "congress_date_moved",
                 "secretary_assigned", "secretary_removed", "item_added", "item_removed", "template_changed",
                 "due_recomputed", "unit_archived", "unit_restored")


@dataclass(frozen=True)
class Holds:
    """Counts of what hangs on a unit or group, in the order they are said; empty when it can be deleted."""

    counts: dict[str, int]

    def __bool__(self) -> bool:
        return any(self.counts.values())

    def words(self) -> str:
        """"12 ticked steps and 1 user", in the reader's language (work lines only when nothing else holds:
        ticks, reviews and difficulties write journal lines of their own)."""
        shown = {k: n for k, n in self.counts.items() if n and k != "journal"}
        if not shown and self.counts.get("journal"):
            shown = {"journal": self.counts["journal"]}
        parts = [_PHRASES[k](n) for k, n in shown.items()]
        if len(parts) <= 1:
            return "".join(parts)
        return _("%(list)s and %(last)s", list=", ".join(parts[:-1]), last=parts[-1])


_PHRASES = {
    "ticked": lambda n: ngettext("%(num)d ticked step", "%(num)d ticked steps", n),
    "reviews": lambda n: ngettext("%(num)d verified or returned stage", "%(num)d verified or returned stages", n),
    "results": lambda n: ngettext("%(num)d set of results", "%(num)d sets of results", n),
    "blockers": lambda n: ngettext("%(num)d difficulty", "%(num)d difficulties", n),
    "news": lambda n: ngettext("%(num)d piece of news", "%(num)d pieces of news", n),
    "secretaries": lambda n: ngettext("%(num)d user", "%(num)d users", n),
    "sub_cells": lambda n: ngettext("%(num)d cell under it", "%(num)d cells under it", n),
    "journal": lambda n: ngettext("%(num)d line of work in its journal", "%(num)d lines of work in its journal", n),
    "units": lambda n: ngettext("%(num)d unit", "%(num)d units", n),
    "members": lambda n: ngettext("%(num)d member", "%(num)d members", n),
}


def _n(model, *where):
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def unit_holds(unit: Unit) -> Holds:
    """What hangs on the unit (one query)."""
    uid = unit.id
    results = (_n(DisseminationResult, DisseminationResult.unit_id == uid)
               + _n(CongressResult, CongressResult.unit_id == uid)
               + _n(FirstSessionResult, FirstSessionResult.unit_id == uid)
               + _n(CustomValue, CustomValue.unit_id == uid))
    row = db.session.execute(select(
        _n(Item, Item.unit_id == uid, Item.done.is_(True)).label("ticked"),
        _n(StageReview, StageReview.unit_id == uid, StageReview.state.is_not(None)).label("reviews"),
        results.label("results"),
        _n(Blocker, Blocker.unit_id == uid).label("blockers"),
        _n(NewsItem, NewsItem.unit_id == uid).label("news"),
        _n(User, User.unit_id == uid).label("secretaries"),
        _n(Unit, Unit.parent_id == uid).label("sub_cells"),
        _n(JournalEntry, JournalEntry.unit_id == uid, JournalEntry.action.not_in(SETUP_ACTIONS)).label("journal"),
    )).one()
    return Holds({k: int(v or 0) for k, v in row._mapping.items()})


def group_holds(group: WorkingGroup) -> Holds:
    """What hangs on the working group: its units (archived ones too) and its members (one query)."""
    row = db.session.execute(select(
        _n(Unit, Unit.group_id == group.id).label("units"),
        select(func.count()).select_from(group_members).where(group_members.c.group_id == group.id)
        .scalar_subquery().label("members"),
    )).one()
    return Holds({k: int(v or 0) for k, v in row._mapping.items()})
