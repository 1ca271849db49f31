"""A unit's new code or kind: the checklist follows the new kind's template; both journalled (admins only).

Core use cases (services.units.update_unit and the edits pages call them); they flush and journal, the edge
commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..extensions import db
from ..models import Item, ItemTemplate, ReminderLedger, StageReview, Unit, User
from ..permissions import require_admin
from ..workflow import KINDS, STAGES
from ..workflow.stages import COMMITTEE_KINDS  # the kinds that may have cells under them
from . import journal
from .calendar import load_calendar
from .campaigns import templates
from .errors import Conflict, Invalid
from .live import refuse_if_archived, require_live
from .unit_data import item_values, validate_unit_data

# ---- code --------------------------------------------------------------------------------------

def change_code(unit: Unit, new: str, user: Optional[User], now: datetime) -> Unit:
    """Give a unit a new code (valid as any unit code, unused): the journal keeps the old one."""
    require_admin(user, _("Only the organisation office changes a unit's code."))
    refuse_if_archived(unit.campaign)
    require_live(unit)
    errors = validate_unit_data({"code": new}, partial=True)
    if errors:
        raise Invalid(_("The code was not changed: check the marked field."), errors)
    new = str(new).strip()
    if new == unit.code:
        return unit
    taken = db.session.scalar(select(Unit.id).where(Unit.code == new, Unit.campaign_id == unit.campaign_id,
                                                        Unit.id != unit.id))
    if taken is not None:
        raise Conflict(_("A unit with code %(code)s already exists.", code=new), {"code": _("Already in use.")},
                       code="duplicate")
    journal.record(unit.id, user, "code_changed", now, before=unit.code, after=new, note="code")
    unit.code = new
    db.session.flush()
    return unit


# ---- kind --------------------------------------------------------------------------------------

@dataclass
class KindPlan:
    """What a kind change does to a unit's checklist: the template items added, the unit's items removed
    (ticked ones among them) and how many stay as they are (ticks kept)."""

    old: str
    new: str
    added: list[ItemTemplate] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    kept: int = 0

    @property
    def removed_ticked(self) -> list[Item]:
        """The removed items that were ticked: named on the confirmation page and in the refusal."""
        return [i for i in self.removed if i.done]


def plan_kind_change(unit: Unit, kind: str) -> KindPlan:
    """The checklist of `kind` (the campaign's template) against the unit's items, without changing anything.

    An item whose template applies to the new kind stays with its tick; an item whose template does not
    is removed; an item no template describes any more (kept when its template was removed) stays.
    """
    by_key = {(t.stage, t.key): t for t in templates(unit.campaign)}
    mine = {(i.stage, i.key): i for i in unit.items}
    plan = KindPlan(unit.kind, kind)
    plan.added = [t for key, t in by_key.items() if t.applies_to(kind) and key not in mine]
    for key, item in mine.items():
        t = by_key.get(key)
        if t is not None and not t.applies_to(kind):
            plan.removed.append(item)
        else:
            plan.kept += 1
    plan.removed.sort(key=lambda i: (STAGES.index(i.stage), i.position))
    return plan


def check_kind_change(unit: Unit, kind: str) -> None:
    """Invalid unless the unit may become of that kind (a known kind; a cell under a committee needs its
    committee; a unit with cells under it stays a committee)."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("Unknown kind; one of: %(kinds)s.", kinds=", ".join(KINDS))
    elif kind == "sub_cell" and unit.parent is None:
        errors["parent"] = _("A cell under a committee needs the committee's code.")
    elif kind not in COMMITTEE_KINDS and db.session.scalar(select(Unit.id).where(Unit.parent_id == unit.id).limit(1)):
        errors["kind"] = _("Cells are under this unit: it stays a committee.")
    if errors:
        raise Invalid(_("The kind was not changed: check the marked fields."), errors)


def change_kind(unit: Unit, kind: str, user: Optional[User], now: datetime, *, confirm: bool) -> KindPlan:
    """Change a unit's kind; its checklist follows the new kind's template (plan_kind_change).

    Removing ticked items needs `confirm` (the confirmation page, or `confirm_kind` in the API), else
    Invalid naming them. Every added and removed item and the kind itself are journalled.
    """
    require_admin(user, _("Only the organisation office changes a unit's kind."))
    refuse_if_archived(unit.campaign)
    require_live(unit)
    check_kind_change(unit, kind)
    if kind == unit.kind:
        return KindPlan(kind, kind, kept=len(unit.items))
    plan = plan_kind_change(unit, kind)
    if plan.removed_ticked and not confirm:
        names = "; ".join(i.title_vi for i in plan.removed_ticked)
        raise Invalid(_("The new kind's checklist has no place for %(n)s ticked items: %(names)s. Confirm to "
                        "change the kind and remove them.", n=len(plan.removed_ticked), names=names),
                      {"confirm_kind": _("Confirm that the ticked items go.")}, code="kind_unconfirmed")
    journal.record(unit.id, user, "kind_changed", now, before=unit.kind, after=kind,
                   note=_("%(added)s items added, %(removed)s removed", added=len(plan.added),
                          removed=len(plan.removed)))
    for item in plan.removed:
        journal.record(unit.id, user, "item_removed", now, stage=item.stage, item_key=item.key,
                       before="done" if item.done else "", note=item.title_vi)
        db.session.execute(delete(ReminderLedger).where(ReminderLedger.item_id == item.id))
        unit.items.remove(item)  # delete-orphan: the row goes at the flush
    unit.kind = kind
    calendar = load_calendar()
    for t in plan.added:
        unit.items.append(Item(**item_values(t, unit.congress_date, unit.campaign, calendar)))
        journal.record(unit.id, user, "item_added", now, stage=t.stage, item_key=t.key, note=t.title_vi)
    _withdraw_verifications(unit, {t.stage for t in plan.added if t.required}, user, now)
    db.session.flush()
    return plan


def _withdraw_verifications(unit: Unit, stages: set[str], user: Optional[User], now: datetime) -> None:
    # a verified stage that gains an open required item is no longer what was verified (as in template_changes)
    if not stages:
        return
    for review in db.session.scalars(select(StageReview).where(
            StageReview.unit_id == unit.id, StageReview.stage.in_(stages), StageReview.state == "verified")):
        journal.record(unit.id, user, "review_cleared", now, stage=review.stage, before="verified")
        review.state = None
