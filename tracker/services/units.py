"""Units: create, change, instantiate the checklist, set or move the congress date."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from flask_babel import gettext as _

from ..extensions import db
from ..models import Campaign, Item, Unit, User, WorkingGroup
from ..permissions import can_admin, can_change_unit, can_read_unit, require_admin
from ..workflow import WorkCalendar, due_date
from . import journal
from .calendar import load_calendar
from .campaigns import active_campaign, active_or, find_group, find_unit, templates
from .errors import Conflict, Forbidden, Invalid, NotFound
from .live import refuse_if_archived, require_live, require_live_group
from .unit_changes import change_code, change_kind
from .unit_data import _anchor, item_values, validate_unit_data


def _active_id() -> Optional[int]:
    campaign = active_campaign()
    return campaign.id if campaign is not None else None


def get_unit(code: str, campaign_id: Optional[int] = None) -> Unit:
    """The unit with that code in that campaign (None: the active one), or NotFound."""
    campaign_id = campaign_id if campaign_id is not None else _active_id()
    unit = find_unit(code, campaign_id) if campaign_id is not None else None
    if unit is None:
        raise NotFound(_("No unit with code %(code)s.", code=code))
    return unit


def get_group(code: str, campaign_id: Optional[int] = None) -> WorkingGroup:
    """The working group with that code in that campaign (None: the active one), or NotFound."""
    campaign_id = campaign_id if campaign_id is not None else _active_id()
    group = find_group(code, campaign_id) if campaign_id is not None else None
    if group is None:
        raise NotFound(_("No working group with code %(code)s.", code=code))
    return group


def instantiate_items(unit: Unit, campaign: Campaign, calendar: Optional[WorkCalendar] = None) -> None:
    """Give a new unit the campaign template's items that apply to its kind."""
    calendar = calendar or load_calendar()
    for t in templates(campaign):
        if t.applies_to(unit.kind):
            unit.items.append(Item(**item_values(t, unit.congress_date, campaign, calendar)))


def recompute_due_dates(unit: Unit, calendar: Optional[WorkCalendar] = None) -> int:
    """Move every open due date that was not set by hand; return how many moved."""
    calendar = calendar or load_calendar()
    moved = 0
    for item in unit.items:
        if item.done or item.due_manual:
            continue
        new = due_date(_anchor(item, unit, unit.campaign), item.offset_days, item.working_days, calendar)
        if new != item.due_on:
            item.due_on = new
            item.version = Item.version + 1  # in SQL: a tick committed meanwhile keeps its own step
            moved += 1
    return moved


def create_unit(data: dict[str, Any], user: Optional[User], now: datetime, campaign: Optional[Campaign] = None) -> Unit:
    """A new unit with its checklist in that campaign (None: the active one; admins); raises Forbidden, Invalid or
    Conflict and changes nothing then."""
    require_admin(user, _("Only the organisation office adds units."))
    campaign = active_or(campaign)
    if campaign is None:
        raise NotFound(_("There is no campaign yet: the operator runs `flask init-db`."))
    refuse_if_archived(campaign)
    errors = validate_unit_data(data, partial=False)
    group = parent = None
    if data.get("group"):
        group = find_group(data["group"], campaign.id)
        if group is None:
            errors["group"] = _("No working group with code %(code)s.", code=data["group"])
    if data.get("parent"):
        parent = find_unit(data["parent"], campaign.id)
        if parent is None:
            errors["parent"] = _("No unit with code %(code)s.", code=data["parent"])
    if data.get("kind") == "sub_cell" and not data.get("parent"):
        errors.setdefault("parent", _("A cell under a committee needs the committee's code."))
    if errors:
        raise Invalid(_("The unit was not saved: check the marked fields."), errors)
    require_live_group(group)  # an archived group takes no new units (as update_unit refuses to move one in)
    code = str(data["code"]).strip()
    if find_unit(code, campaign.id) is not None:
        raise Conflict(_("A unit with code %(code)s already exists.", code=code), {"code": _("Already in use.")},
                       code="duplicate")
    unit = Unit(campaign=campaign, code=code, name=str(data["name"]).strip(), kind=data["kind"],
                party_members=data.get("party_members") or 0, pilot=bool(data.get("pilot")),
                group=group, parent=parent, congress_date=data.get("congress_date"))
    db.session.add(unit)
    instantiate_items(unit, campaign)
    db.session.flush()
    journal.record(unit.id, user, "unit_created", now, after=unit.code)
    return unit


# A unit's own fields are the organisation office's: they decide who follows a unit and how it is placed,
# the congress date moves every deadline and party_members is the base of the report's percentages.
ADMIN_ONLY_FIELDS = ("name", "party_members", "congress_date", "group", "pilot", "parent", "code", "kind")


def _require_update(unit: Unit, data: dict[str, Any], user: Optional[User]) -> None:
    """Forbidden unless the user may change the unit and, not being an admin, changes no admin-only field."""
    refuse_if_archived(unit.campaign)
    if user is None or can_admin(user):
        return
    if not can_read_unit(user, unit):
        raise Forbidden(_("You may not see this unit."))
    if not can_change_unit(user, unit):
        raise Forbidden(_("You may not change this unit."))
    current = {"name": unit.name, "party_members": unit.party_members, "congress_date": unit.congress_date,
               "group": unit.group.code if unit.group else None, "pilot": unit.pilot,
               "parent": unit.parent.code if unit.parent else None, "code": unit.code, "kind": unit.kind}
    refused = [f for f in ADMIN_ONLY_FIELDS if f in data and data[f] != current[f]]
    if refused:
        raise Forbidden(_("Only the organisation office changes these fields."),
                        {f: _("Only the organisation office changes this.") for f in refused})


def update_unit(unit: Unit, data: dict[str, Any], user: Optional[User], now: datetime) -> Unit:
    """Change a unit's fields (admin-only fields: admins); a new congress date moves every open, not
    hand-set due date; a new code or kind goes through tracker/edits (journalled, checklist follows)."""

    _require_update(unit, data, user)
    require_live(unit)
    errors = validate_unit_data(data, partial=True)
    group = unit.group
    if "group" in data:
        group = None
        if data["group"]:
            group = find_group(data["group"], unit.campaign_id)
            if group is None:
                errors["group"] = _("No working group with code %(code)s.", code=data["group"])
            elif group != unit.group:
                require_live_group(group)
    parent = unit.parent
    if "parent" in data:
        parent = None
        if data["parent"]:
            parent = find_unit(data["parent"], unit.campaign_id)
            if parent is None or parent.id == unit.id:
                errors["parent"] = _("No unit with code %(code)s.", code=data["parent"])
    if errors:
        raise Invalid(_("The unit was not saved: check the marked fields."), errors)
    for name in ("name", "party_members", "pilot"):
        if name in data and data[name] is not None and data[name] != getattr(unit, name):
            journal.record(unit.id, user, "unit_changed", now, before=getattr(unit, name), after=data[name],
                           note=name)
            setattr(unit, name, data[name])
    if group != unit.group:
        journal.record(unit.id, user, "unit_changed", now, before=unit.group.code if unit.group else "",
                       after=group.code if group else "", note="group")
        unit.group = group
    unit.parent = parent
    if "congress_date" in data and data["congress_date"] != unit.congress_date:
        set_congress_date(unit, data["congress_date"], user, now)
    if data.get("kind") and data["kind"] != unit.kind:
        change_kind(unit, data["kind"], user, now, confirm=bool(data.get("confirm_kind")))
    if data.get("code") and str(data["code"]).strip() != unit.code:
        change_code(unit, data["code"], user, now)
    db.session.flush()
    return unit


def set_congress_date(unit: Unit, new: Optional[date], user: Optional[User], now: datetime) -> int:
    """Set or move the congress date and every open due date that follows it; journal the move."""
    old = unit.congress_date
    unit.congress_date = new
    moved = recompute_due_dates(unit)
    journal.record(unit.id, user, "congress_date_moved", now, before=old, after=new,
                   note=_("%(n)s open due dates moved", n=moved))
    return moved
