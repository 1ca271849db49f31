"""Edits that stick: delete what nothing hangs on, archive and restore the rest (a unit's code and kind change
in the core, services/unit_changes.py).

Admins only (permissions.require_admin); each use case flushes and journals, the edge commits. A deleted
unit or group leaves one campaign-wide journal line (no unit: the unit's own lines go with it).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..extensions import db
from ..models import Campaign, Item, JournalEntry, ReminderLedger, StageReview, Unit, User, WorkingGroup
from ..permissions import require_admin
from ..services import journal
from ..services.errors import Invalid
from ..services.live import refuse_if_archived
from .holds import group_holds, unit_holds


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
