"""Units: create, change, instantiate the checklist, set or move the congress date."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from flask_babel import gettext as _

from ..campaigns.scope import group_by_code, unit_by_code
from ..codes import code_problem
from ..edits.live import require_live, require_live_group
from ..extensions import db
from ..models import Campaign, Item, ItemTemplate, Unit, User, WorkingGroup
from ..permissions import can_admin, can_change_unit, can_read_unit, require_admin
from ..workflow import KINDS, WorkCalendar, due_date
from ..workflow.deadlines import FIRST_YEAR, LAST_YEAR, plausible
from . import journal
from .calendar import load_calendar
from .campaigns import refuse_if_archived, require_campaign, templates
from .errors import Conflict, Forbidden, Invalid, NotFound


def get_unit(code: str) -> Unit:
    """The unit with that code, or NotFound."""
    unit = unit_by_code(code)
    if unit is None:
        raise NotFound(_("No unit with code %(code)s.", code=code))
    return unit


def get_group(code: str) -> WorkingGroup:
    """The working group with that code, or NotFound."""
    group = group_by_code(code)
    if group is None:
        raise NotFound(_("No working group with code %(code)s.", code=code))
    return group


def anchor_date(anchor: str, congress_date: Optional[date], campaign: Campaign) -> Optional[date]:
    """The date an item's deadline counts from: the campaign's final deadline or the unit's congress."""
    return campaign.final_deadline if anchor == "deadline" else congress_date


def _anchor(item: Item | ItemTemplate, unit: Unit, campaign: Campaign) -> Optional[date]:
    return anchor_date(item.anchor, unit.congress_date, campaign)


def item_values(t: ItemTemplate, congress_date: Optional[date], campaign: Campaign,
                calendar: WorkCalendar) -> dict[str, Any]:
    """The columns of a new unit's item made from template item t (the one recipe; imports use it in bulk)."""
    return dict(template_id=t.id, stage=t.stage, key=t.key, position=t.position, title_vi=t.title_vi,
                title_en=t.title_en, required=t.required, superior_only=t.superior_only,
                offset_days=t.offset_days, working_days=t.working_days, anchor=t.anchor,
                due_on=due_date(anchor_date(t.anchor, congress_date, campaign), t.offset_days, t.working_days,
                                calendar))


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


MAX_MEMBERS = 10_000_000  # far above any real organisation; keeps integers inside the database's range
UNIT_FIELDS = ("code", "name", "kind", "party_members", "pilot", "group", "congress_date", "parent")


def validate_unit_data(data: dict[str, Any], *, partial: bool) -> dict[str, str]:
    """Per-field messages for unit data that breaks a rule (types are checked by the schema)."""
    errors: dict[str, str] = {}
    if not partial:
        for name in ("code", "name", "kind"):
            if not data.get(name):
                errors[name] = _("This field is required.")
    if "code" in data and data["code"] is not None:
        problem = code_problem(str(data["code"]).strip())
        if problem:
            errors["code"] = problem
    if "name" in data and data["name"] is not None and not str(data["name"]).strip():
        errors["name"] = _("This field is required.")
    if data.get("kind") and data["kind"] not in KINDS:
        errors["kind"] = _("Unknown kind; one of: %(kinds)s.", kinds=", ".join(KINDS))
    if data.get("party_members") is not None and not 0 <= data["party_members"] <= MAX_MEMBERS:
        errors["party_members"] = _("A whole number from 0 to %(n)s.", n=MAX_MEMBERS)
    if data.get("congress_date") is not None and not plausible(data["congress_date"]):
        errors["congress_date"] = _("A date between the years %(first)s and %(last)s.", first=FIRST_YEAR,
                                    last=LAST_YEAR)
    return errors


def create_unit(data: dict[str, Any], user: Optional[User], now: datetime) -> Unit:
    """A new unit with its checklist (admins); raises Forbidden, Invalid or Conflict and changes nothing then."""
    require_admin(user, _("Only the organisation office adds units."))
    campaign = require_campaign()
    refuse_if_archived(campaign)
    errors = validate_unit_data(data, partial=False)
    group = parent = None
    if data.get("group"):
        group = group_by_code(data["group"], campaign.id)
        if group is None:
            errors["group"] = _("No working group with code %(code)s.", code=data["group"])
    if data.get("parent"):
        parent = unit_by_code(data["parent"], campaign.id)
        if parent is None:
            errors["parent"] = _("No unit with code %(code)s.", code=data["parent"])
    if data.get("kind") == "sub_cell" and not data.get("parent"):
        errors.setdefault("parent", _("A cell under a committee needs the committee's code."))
    if errors:
        raise Invalid(_("The unit was not saved: check the marked fields."), errors)
    require_live_group(group)  # an archived group takes no new units (as update_unit refuses to move one in)
    code = str(data["code"]).strip()
    if unit_by_code(code, campaign.id) is not None:
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
    from ..edits import service as edits

    _require_update(unit, data, user)
    require_live(unit)
    errors = validate_unit_data(data, partial=True)
    group = unit.group
    if "group" in data:
        group = None
        if data["group"]:
            group = group_by_code(data["group"], unit.campaign_id)
            if group is None:
                errors["group"] = _("No working group with code %(code)s.", code=data["group"])
            elif group != unit.group:
                require_live_group(group)
    parent = unit.parent
    if "parent" in data:
        parent = None
        if data["parent"]:
            parent = unit_by_code(data["parent"], unit.campaign_id)
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
        edits.change_kind(unit, data["kind"], user, now, confirm=bool(data.get("confirm_kind")))
    if data.get("code") and str(data["code"]).strip() != unit.code:
        edits.change_code(unit, data["code"], user, now)
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
