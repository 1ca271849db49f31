"""The organisation office's use cases: campaign, reference documents, checklist template, calendar,
users and working groups. Each refuses anyone but an admin (require_admin), then validates, changes,
flushes and journals; the view commits."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..clock import utcnow
from ..extensions import db
from ..models import CalendarDay, Campaign, Item, ItemTemplate, ReferenceDocument, Unit, User, WorkingGroup
from ..permissions import require_admin
from ..workflow import KINDS, STAGES
from . import accounts, journal, sessions, template_changes
from .accounts import find_user
from .campaigns import active_or, find_unit
from .errors import Conflict, Invalid, NotFound
from .live import refuse_if_archived, require_live, require_live_group

KEY_RE = re.compile(r"^[a-z0-9_]{1,50}$")
ANCHORS = ("congress", "deadline")
MAX_OFFSET = 3650


def _text(raw: Optional[str], name: str, errors: dict, max_len: int, required: bool = True) -> str:
    """The stripped text; a message in errors[name] when it is missing (and required) or too long."""
    value = (raw or "").strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_len:
        errors[name] = _("At most %(n)s characters.", n=max_len)
    return value


def _required(data: dict, name: str, errors: dict, max_len: int) -> str:
    return _text(data.get(name), name, errors, max_len)


# --- campaign -------------------------------------------------------------------------------------

def update_campaign(campaign: Campaign, data: dict[str, Any], user: Optional[User], now: datetime) -> Campaign:
    """Change the campaign's name, organiser, term and final deadline; a new deadline moves the open
    due dates anchored to it."""
    refuse_if_archived(campaign)
    require_admin(user)
    errors: dict[str, str] = {}
    name = _required(data, "name", errors, 200)
    organiser = _text(data.get("organiser"), "organiser", errors, 200, required=False)
    term = _text(data.get("term"), "term", errors, 50, required=False)
    if errors:
        raise Invalid(_("The campaign was not saved: check the marked fields."), errors)
    campaign.name, campaign.organiser, campaign.term = name, organiser, term
    deadline = data.get("final_deadline", campaign.final_deadline)
    if deadline != campaign.final_deadline:
        campaign.final_deadline = deadline
        db.session.flush()
        template_changes.recompute_open_due_dates(campaign, user, now, anchor="deadline")
        db.session.expire_all()
    gate = data.get("sub_cell_gate")
    if gate is not None and bool(gate) != campaign.sub_cell_gate:
        journal.record(None, user, "sub_cell_gate", now, before=campaign.sub_cell_gate, after=bool(gate))
        campaign.sub_cell_gate = bool(gate)
    limit = data.get("congresses_per_day")
    if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 1000):
        raise Invalid(_("The campaign was not saved: check the marked fields."),
                      {"congresses_per_day": _("A whole number from 1 to 1000.")})
    if limit is not None and limit != campaign.congresses_per_day:
        journal.record(None, user, "congresses_per_day", now, before=campaign.congresses_per_day, after=limit)
        campaign.congresses_per_day = limit
    db.session.flush()
    return campaign


def add_document(campaign: Campaign, number: str, issued_on: Optional[date], title: str,
                 actor: Optional[User]) -> ReferenceDocument:
    """Add a reference document; (number, date) identifies it, since two directives can share a number."""
    refuse_if_archived(campaign)
    require_admin(actor)
    errors: dict[str, str] = {}
    number = _text(number, "number", errors, 50)
    if issued_on is None:
        errors["issued_on"] = _("This field is required.")
    title = _text(title, "title", errors, 300, required=False)
    if errors:
        raise Invalid(_("The document was not added: check the marked fields."), errors)
    exists = db.session.scalar(select(ReferenceDocument.id).where(
        ReferenceDocument.campaign_id == campaign.id, ReferenceDocument.number == number,
        ReferenceDocument.issued_on == issued_on))
    if exists is not None:
        raise Conflict(_("This document (same number and date) is already listed."),
                       {"number": _("Already listed with this date.")}, code="duplicate")
    doc = ReferenceDocument(campaign_id=campaign.id, number=number, issued_on=issued_on, title=title)
    db.session.add(doc)
    db.session.flush()
    return doc


def remove_document(campaign: Campaign, doc_id: int, actor: Optional[User]) -> None:
    """Remove one of the campaign's reference documents."""
    refuse_if_archived(campaign)
    require_admin(actor)
    doc = db.session.get(ReferenceDocument, doc_id)
    if doc is None or doc.campaign_id != campaign.id:
        raise NotFound(_("No such document."))
    db.session.delete(doc)
    db.session.flush()


# --- checklist template ---------------------------------------------------------------------------

def get_template(campaign: Campaign, template_id: int) -> ItemTemplate:
    """One item of the campaign's template, or NotFound."""
    t = db.session.get(ItemTemplate, template_id)
    if t is None or t.campaign_id != campaign.id:
        raise NotFound(_("No such checklist item."))
    return t


def _template_values(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    values["title_vi"] = _required(data, "title_vi", errors, 300)
    values["title_en"] = _required(data, "title_en", errors, 300)
    values["required"] = bool(data.get("required"))
    values["superior_only"] = bool(data.get("superior_only"))
    values["working_days"] = bool(data.get("working_days"))
    kinds = list(data.get("kinds") or [])
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        errors["kinds"] = _("Unknown kind; one of: %(kinds)s.", kinds=", ".join(KINDS))
    # all four kinds ticked means the same as none: every kind
    values["kinds"] = "" if set(kinds) >= set(KINDS) else ",".join(k for k in KINDS if k in kinds)
    offset = data.get("offset_days")
    if offset is None:
        errors["offset_days"] = _("This field is required.")
    elif not isinstance(offset, int) or abs(offset) > MAX_OFFSET:
        errors["offset_days"] = _("A whole number of days between -%(n)s and %(n)s.", n=MAX_OFFSET)
    values["offset_days"] = offset
    anchor = data.get("anchor") or "congress"
    if anchor not in ANCHORS:
        errors["anchor"] = _("Unknown anchor.")
    values["anchor"] = anchor
    return values


def create_template(campaign: Campaign, data: dict[str, Any], user: Optional[User], now: datetime) -> ItemTemplate:
    """A new checklist item; every existing unit of a matching kind gets it, with its due date."""
    refuse_if_archived(campaign)
    require_admin(user)
    errors: dict[str, str] = {}
    stage = data.get("stage")
    if stage not in STAGES:
        errors["stage"] = _("Unknown stage.")
    key = (data.get("key") or "").strip()
    if not KEY_RE.match(key):
        errors["key"] = _("1 to 50 lower-case letters, digits or underscores.")
    values = _template_values(data, errors)
    if errors:
        raise Invalid(_("The checklist item was not saved: check the marked fields."), errors)
    if db.session.scalar(select(ItemTemplate.id).where(ItemTemplate.campaign_id == campaign.id,
                                                       ItemTemplate.stage == stage,
                                                       ItemTemplate.key == key)) is not None:
        raise Conflict(_("This stage already has an item with key %(key)s.", key=key),
                       {"key": _("Already in use.")}, code="duplicate")
    position = db.session.scalar(select(func.coalesce(func.max(ItemTemplate.position), -1))
                                 .where(ItemTemplate.campaign_id == campaign.id)) + 1
    template = ItemTemplate(campaign_id=campaign.id, stage=stage, key=key, position=position, **values)
    db.session.add(template)
    db.session.flush()
    template_changes.add_missing_items(template, user, now)
    db.session.flush()
    db.session.expire_all()
    return template


PROPAGATED = ("title_vi", "title_en", "required", "superior_only", "offset_days", "working_days", "anchor")


def update_template(template: ItemTemplate, data: dict[str, Any], user: Optional[User], now: datetime) -> dict:
    """Change a checklist item (its stage and key stay) and carry the change to the units' open items:
    titles, required and superior-only are copied, a new deadline rule recomputes open due dates that
    were not set by hand, new kinds get the item, units of dropped kinds lose it unless it is done.
    Returns what changed."""
    refuse_if_archived(template.campaign)
    require_admin(user)
    errors: dict[str, str] = {}
    values = _template_values(data, errors)
    if errors:
        raise Invalid(_("The checklist item was not saved: check the marked fields."), errors)
    changed = {k: (getattr(template, k), v) for k, v in values.items() if getattr(template, k) != v}
    if not changed:
        return {}
    for k, (_old, new) in changed.items():
        setattr(template, k, new)
    db.session.flush()
    template_changes.propagate_fields(template, {k: v for k, v in changed.items() if k in PROPAGATED}, user, now)
    if {"offset_days", "working_days", "anchor"} & changed.keys():
        template_changes.recompute_open_due_dates(template.campaign, user, now, template_id=template.id)
    if "kinds" in changed:
        template_changes.remove_open_items(template, user, now, outside_kinds_only=True)
        template_changes.add_missing_items(template, user, now)
    db.session.flush()
    db.session.expire_all()
    return changed


def delete_template(template: ItemTemplate, user: Optional[User], now: datetime) -> None:
    """Remove a checklist item: units lose it where it is not done; done items stay (journalled)."""
    refuse_if_archived(template.campaign)
    require_admin(user)
    template_changes.remove_open_items(template, user, now, outside_kinds_only=False)
    template_changes.journal_kept_done_items(template, user, now)
    # done items outlive their template; detach them explicitly rather than rely on ON DELETE SET NULL
    db.session.execute(update(Item).where(Item.template_id == template.id).values(template_id=None)
                       .execution_options(synchronize_session=False))
    db.session.delete(template)
    db.session.flush()
    db.session.expire_all()


# --- calendar -------------------------------------------------------------------------------------

def add_calendar_day(day: Optional[date], working: bool, name: str, user: Optional[User],
                     now: datetime) -> CalendarDay:
    """Add a day off or a make-up working day; open working-day due dates of every live campaign are recomputed."""
    require_admin(user)
    errors: dict[str, str] = {}
    if day is None:
        errors["day"] = _("This field is required.")
    name = _text(name, "name", errors, 200, required=False)
    if errors:
        raise Invalid(_("The day was not added: check the marked fields."), errors)
    if db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == day)) is not None:
        raise Conflict(_("This day is already in the calendar."), {"day": _("Already listed.")}, code="duplicate")
    row = CalendarDay(day=day, working=bool(working), name=name)
    db.session.add(row)
    db.session.flush()
    _recompute_working(user, now)
    return row


def remove_calendar_day(day_id: int, user: Optional[User], now: datetime) -> None:
    """Remove an added day; open working-day due dates of every live campaign are recomputed."""
    require_admin(user)
    row = db.session.get(CalendarDay, day_id)
    if row is None:
        raise NotFound(_("No such day."))
    db.session.delete(row)
    db.session.flush()
    _recompute_working(user, now)


def _recompute_working(user: Optional[User], now: datetime) -> None:
    # the calendar is everyone's: every live campaign's dates move, whichever campaign is in view (an archived
    # campaign's dates stay as they were)
    live = db.session.scalars(select(Campaign).where(Campaign.active).order_by(Campaign.id)).all()
    for each in live:
        template_changes.recompute_open_due_dates(each, user, now, working_only=True)
    if live:
        db.session.flush()
        db.session.expire_all()


# --- users ----------------------------------------------------------------------------------------

def get_user(user_id: int) -> User:
    """The user with that id, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def reset_password(user: User, password: str, actor: Optional[User], now: Optional[datetime] = None) -> None:
    """The admin sets a new password for the user: every session and sign-in link of the user ends."""
    accounts.set_password(user, password, now or utcnow(), actor)


def set_active(user: User, active: bool, actor: Optional[User], now: Optional[datetime] = None) -> None:
    """Deactivate or reactivate an account; deactivation revokes the user's API tokens for good."""
    require_admin(actor)
    if not active and actor is not None and user.id == actor.id:
        raise Invalid(_("You cannot deactivate your own account."), {"active": _("This is you.")})
    user.active = active
    if not active:
        sessions.end_sessions([user.id], sessions.DEACTIVATED, now or utcnow(), actor)
    db.session.flush()


def assign_unit(user: User, unit_code: str, actor: Optional[User], now: datetime,
                campaign: Optional[Campaign] = None) -> Unit:
    """Make a secretary the secretary of a unit of that campaign (None: the active one; journalled on the unit)."""
    require_admin(actor)
    if user.role != "secretary":
        raise Invalid(_("Only a secretary can be assigned to a unit."), {"email": _("Not a secretary.")})
    campaign = active_or(campaign)
    unit = find_unit((unit_code or "").strip(), campaign.id) if campaign is not None else None
    if unit is None:
        raise Invalid(_("No unit with code %(code)s.", code=unit_code), {"unit": _("No such unit.")})
    refuse_if_archived(unit.campaign)
    require_live(unit)
    if user.unit_id == unit.id:
        return unit
    old = user.unit
    if old is not None:
        journal.record(old.id, actor, "secretary_removed", now, before=user.email)
    user.unit = unit
    journal.record(unit.id, actor, "secretary_assigned", now, after=user.email)
    db.session.flush()
    return unit


def assign_secretary(unit: Unit, email: str, actor: Optional[User], now: datetime) -> User:
    """Make the secretary with that email the secretary of the unit."""
    require_admin(actor)
    user = find_user(email)
    if user is None:
        raise Invalid(_("No user with email %(email)s.", email=email), {"email": _("No such user.")})
    assign_unit(user, unit.code, actor, now)
    return user


def unassign_secretary(unit: Unit, user: User, actor: Optional[User], now: datetime) -> None:
    """Take a secretary off a unit (they then see no unit until assigned again)."""
    require_admin(actor)
    if user.unit_id != unit.id:
        raise NotFound(_("This user is not a secretary of this unit."))
    user.unit = None
    journal.record(unit.id, actor, "secretary_removed", now, before=user.email)
    db.session.flush()


# --- working groups -------------------------------------------------------------------------------

def rename_group(group: WorkingGroup, name: str, actor: Optional[User]) -> None:
    """Give a working group a new name (its code stays)."""
    require_admin(actor)
    errors: dict[str, str] = {}
    name = _text(name, "name", errors, 200)
    if errors:
        raise Invalid(_("The working group was not saved: check the marked fields."), errors)
    refuse_if_archived(db.session.get(Campaign, group.campaign_id))
    require_live_group(group)
    group.name = name
    db.session.flush()


def add_member(group: WorkingGroup, email: str, actor: Optional[User]) -> User:
    """Add a group-role user to a working group."""
    require_admin(actor)
    refuse_if_archived(db.session.get(Campaign, group.campaign_id))
    require_live_group(group)
    user = find_user(email)
    if user is None:
        raise Invalid(_("No user with email %(email)s.", email=email), {"email": _("No such user.")})
    if user.role != "group":
        raise Invalid(_("Only working-group members (role group) can join a working group."),
                      {"email": _("Not a working-group member.")})
    if user in group.members:
        raise Conflict(_("%(email)s is already a member.", email=user.email), {"email": _("Already a member.")})
    group.members.append(user)
    db.session.flush()
    return user


def remove_member(group: WorkingGroup, user: User, actor: Optional[User]) -> None:
    """Take a user out of a working group."""
    require_admin(actor)
    if user not in group.members:
        raise NotFound(_("This user is not a member of this group."))
    group.members.remove(user)
    db.session.flush()
