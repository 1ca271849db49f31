"""A unit's data: the rules its fields keep and the columns of an item made from a template item.

Shared by the use cases that create units (services.units, imports) and change them (services.unit_changes).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from flask_babel import gettext as _

from ..codes import code_problem
from ..models import Campaign, Item, ItemTemplate, Unit
from ..workflow import KINDS, WorkCalendar, due_date
from ..workflow.deadlines import FIRST_YEAR, LAST_YEAR, plausible


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
