"""Turn units, stages and items into the API's JSON shapes, loading what they need in bulk."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..labels import stage_label
from ..models import Item, Unit, User
from ..readmodel import StageCell, stage_cells
from ..services.progress import StageView

# What a unit's JSON needs besides its own columns, loaded with one query each for a whole page.
UNIT_LOADS = (selectinload(Unit.group), selectinload(Unit.parent), selectinload(Unit.secretaries),
              selectinload(Unit.campaign))


def unit_flags(unit: Unit) -> list[str]:
    """Warnings about a unit that never block it: a congress date after the deadline, or none yet."""
    flags = []
    if unit.congress_date is None:
        flags.append("no_congress_date")
    elif unit.campaign.final_deadline and unit.congress_date > unit.campaign.final_deadline:
        flags.append("congress_after_deadline")
    return flags


def unit_json(unit: Unit, stages: dict[str, StageCell | StageView]) -> dict:
    """A unit with its stages' statuses."""
    return {
        "code": unit.code, "name": unit.name, "kind": unit.kind, "party_members": unit.party_members,
        "pilot": unit.pilot, "group": unit.group.code if unit.group else None,
        "congress_date": unit.congress_date, "parent": unit.parent.code if unit.parent else None,
        "archived": unit.archived,
        "secretaries": [u.login for u in unit.secretaries], "flags": unit_flags(unit),
        "stages": {key: view.status for key, view in stages.items()},
    }


def units_json(units: list[Unit], today: date) -> list[dict]:
    """Many units: the stage statuses of all of them come from two queries."""
    views = stage_cells([u.id for u in units], today)
    return [unit_json(u, views[u.id]) for u in units]


def _emails(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(wanted))).all())


def _locale() -> str:
    return str(get_locale() or "vi")


def item_json(item: Item, emails: dict[int, str] | None = None, locale: str | None = None) -> dict:
    """One checklist item."""
    if emails is None:
        emails = _emails([item.done_by_id])
    return {
        "key": item.key, "stage": item.stage, "title": item.title(locale or _locale()),
        "required": item.required, "superior_only": item.superior_only, "due_on": item.due_on,
        "due_manual": item.due_manual, "due_reason": item.due_reason or "", "done": item.done,
        "done_at": item.done_at, "done_by": emails.get(item.done_by_id) if item.done_by_id else None,
        "note": item.note or "", "version": item.version,
    }


def stages_json(views: dict[str, StageView]) -> list[dict]:
    """A unit's six stages, in order, with their items (one query for the people named)."""
    ids = [i.done_by_id for v in views.values() for i in v.items]
    ids += [v.review.by_id for v in views.values() if v.review]
    emails, locale = _emails(ids), _locale()
    out = []
    for key, view in views.items():
        review = None
        if view.review is not None and view.review.state:
            review = {"state": view.review.state, "comment": view.review.comment or "",
                      "by": emails.get(view.review.by_id), "at": view.review.at}
        out.append({"key": key, "label": stage_label(key), "status": view.status, "due_on": view.due_on,
                    "review": review, "items": [item_json(i, emails, locale) for i in view.items]})
    return out
