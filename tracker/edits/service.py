"""Edits that stick: delete what nothing hangs on, archive and restore the rest, change a unit's code and kind.

Admins only (permissions.require_admin); each use case flushes and journals, the edge commits. A deleted
unit or group leaves one campaign-wide journal line (no unit: the unit's own lines go with it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..extensions import db
from ..models import Campaign, Item, ItemTemplate, JournalEntry, ReminderLedger, StageReview, Unit, User, WorkingGroup
from ..permissions import require_admin
from ..services import journal
from ..services.calendar import load_calendar
from ..services.campaigns import refuse_if_archived, templates
from ..services.errors import Conflict, Invalid
from ..services.units import item_values, validate_unit_data
from ..workflow import KINDS, STAGES
from ..workflow.stages import COMMITTEE_KINDS  # the kinds that may have cells under them
from .holds import group_holds, unit_holds
from .live import require_live


class InUse(Invalid):
    """A delete refused because something hangs on the unit or group (422, code `in_use`)."""

    code = "in_use"


def _refuse_if_campaign_archived(group: WorkingGroup) -> None:
    # an archived campaign (an earlier term) is read, never changed: its groups neither go nor get archived
    refuse_if_archived(db.session.get(Campaign, group.campaign_id))


# ---- delete ------------------------------------------------------------------------------------

def delete_unit(unit: Unit, user: Optional[User], now: datetime) -> str:
    """Delete a unit nothing hangs on (holds.py says what that means); else InUse naming what holds it."""
    require_admin(user, _("Only the organisation office deletes units."))
    refuse_if_archived(unit.campaign)
    holds = unit_holds(unit)
    if holds:
        raise InUse(_("The unit %(code)s cannot be deleted: it has %(what)s. Archive it instead: it then "
                      "leaves the lists, the report and the reminders and keeps its history.",
                      code=unit.code, what=holds.words()), {k: str(n) for k, n in holds.counts.items() if n})
    code, name = unit.code, unit.name
    items = select(Item.id).where(Item.unit_id == unit.id)
    db.session.execute(delete(ReminderLedger).where(ReminderLedger.item_id.in_(items)))
    db.session.execute(delete(StageReview).where(StageReview.unit_id == unit.id))
    db.session.execute(delete(JournalEntry).where(JournalEntry.unit_id == unit.id))
    db.session.delete(unit)  # its items go with it (cascade)
    journal.record(None, user, "unit_deleted", now, before=code, note=name)
    db.session.flush()
    return code


def delete_group(group: WorkingGroup, user: Optional[User], now: datetime) -> str:
    """Delete a working group with no unit and no member; else InUse naming them."""
    require_admin(user, _("Only the organisation office deletes working groups."))
    _refuse_if_campaign_archived(group)
    holds = group_holds(group)
    if holds:
        raise InUse(_("The working group %(code)s cannot be deleted: it has %(what)s. Archive it instead: it is "
                      "then no longer offered in forms and filters.", code=group.code, what=holds.words()),
                    {k: str(n) for k, n in holds.counts.items() if n})
    code, name = group.code, group.name
    db.session.delete(group)
    journal.record(None, user, "group_deleted", now, before=code, note=name)
    db.session.flush()
    return code


# ---- archive and restore -----------------------------------------------------------------------

def set_unit_archived(unit: Unit, archived: bool, user: Optional[User], now: datetime) -> Unit:
    """Archive (or restore) a unit: archived, it is read but not changed and leaves the dashboard, the lists,
    the report and the reminder sweep (readmodel.live_unit)."""
    require_admin(user, _("Only the organisation office archives units."))
    refuse_if_archived(unit.campaign)
    if archived != unit.archived:
        unit.archived_at = now if archived else None
        unit.archived_by_id = user.id if (archived and user) else None
        journal.record(unit.id, user, "unit_archived" if archived else "unit_restored", now)
        db.session.flush()
    return unit


def set_group_archived(group: WorkingGroup, archived: bool, user: Optional[User], now: datetime) -> WorkingGroup:
    """Archive (or restore) a working group: archived, it is no longer offered in forms and filters and takes
    no new units or members; its units and members stay as they are."""
    require_admin(user, _("Only the organisation office archives working groups."))
    _refuse_if_campaign_archived(group)
    if archived != group.archived:
        group.archived_at = now if archived else None
        group.archived_by_id = user.id if (archived and user) else None
        journal.record(None, user, "group_archived" if archived else "group_restored", now, before=group.code)
        db.session.flush()
    return group


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
