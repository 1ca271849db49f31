"""Start a new term or round from an existing campaign: settings, template, fields, groups and units,
never progress, reviews, results, blockers, journal or notifications. Flushes, never commits."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from ..extensions import db
from ..models import Campaign, CustomField, Item, ItemTemplate, ReferenceDocument, Unit, User, WorkingGroup
from ..parsing import record_id
from ..permissions import require_admin
from ..readmodel import live_group, live_unit
from ..services.calendar import load_calendar
from ..services.campaigns import templates
from ..services.errors import Invalid, NotFound
from ..services.unit_data import item_values
from ..workflow.deadlines import plausible

# the campaign's settings a new round keeps (policy, targets, rounding, the report's ethnic group)
SETTINGS = ("organiser", "due_soon_days", "overdue_repeat_days", "escalation_days", "send_hour",
            "working_days_only", "women_min_pct", "young_min_pct", "youth_age", "surplus_min_pct",
            "surplus_max_pct", "rounding", "ethnic_group")
TEMPLATE_COLUMNS = ("stage", "key", "position", "title_vi", "title_en", "required", "kinds", "offset_days",
                    "working_days", "anchor", "superior_only")
MAX_SHIFT = 3660  # ten years either way


def get_campaign(campaign_id: Any) -> Campaign:
    """The campaign with that id, or NotFound."""
    number = record_id(campaign_id)  # "٣", "²", 10**20: no such campaign, never an exception
    campaign = db.session.get(Campaign, number) if number is not None else None
    if campaign is None:
        raise NotFound(_("No campaign with id %(id)s.", id=campaign_id), {"campaign": _("Unknown campaign.")})
    return campaign


def all_campaigns() -> list[Campaign]:
    """Every campaign, the newest first (the switcher's and the admin list's order)."""
    return list(db.session.scalars(select(Campaign).order_by(Campaign.id.desc())))


def _shifted(day: Optional[date], shift_days: Optional[int]) -> Optional[date]:
    """A date moved by shift_days; None when no shift was given (dates are cleared then)."""
    return day + timedelta(days=shift_days) if day is not None and shift_days is not None else None


def _check(name: str, term: str, start: Optional[date], deadline: Optional[date],
           shift_days: Optional[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 200:
        errors["name"] = _("At most %(n)s characters.", n=200)
    if not term:
        errors["term"] = _("This field is required.")
    elif len(term) > 50:
        errors["term"] = _("At most %(n)s characters.", n=50)
    for field, day in (("start", start), ("deadline", deadline)):
        if day is not None and not plausible(day):
            errors[field] = _("This date is not plausible.")
    if start and deadline and deadline < start:
        errors["deadline"] = _("The deadline comes before the start.")
    if shift_days is not None and abs(shift_days) > MAX_SHIFT:
        errors["shift_days"] = _("At most %(n)s days either way.", n=MAX_SHIFT)
    return errors


def copy_campaign(source: Campaign, name: str, term: str, start: Optional[date] = None,
                  deadline: Optional[date] = None, shift_days: Optional[int] = None, *,
                  actor: Optional[User] = None) -> Campaign:
    """A new campaign from source, any campaign, an archived one included: the new one becomes the one active
    campaign (every other is archived) and the secretaries follow to its units; Invalid, nothing written."""
    require_admin(actor, _("Only the organisation office starts a new term."))
    name, term = (name or "").strip(), (term or "").strip()
    errors = _check(name, term, start, deadline, shift_days)
    if errors:
        raise Invalid(_("The new campaign was not created: check the marked fields."), errors)
    # the secretaries sit in the active campaign's units, which may not be source's (an archived source)
    was_active = set(db.session.scalars(select(Campaign.id).where(Campaign.active)))
    new = Campaign(name=name, term=term, starts_on=start, copied_from_id=source.id, active=True,
                   final_deadline=deadline or _shifted(source.final_deadline, shift_days),
                   **{k: getattr(source, k) for k in SETTINGS})
    new.documents = [ReferenceDocument(number=d.number, issued_on=d.issued_on, title=d.title)
                     for d in source.documents]
    db.session.add(new)
    db.session.flush()
    for t in templates(source):
        db.session.add(ItemTemplate(campaign_id=new.id, **{k: getattr(t, k) for k in TEMPLATE_COLUMNS}))
    fields = db.session.scalars(select(CustomField).where(CustomField.campaign_id == source.id))
    for f in fields:
        db.session.add(CustomField(campaign_id=new.id, key=f.key, stage=f.stage, label_vi=f.label_vi,
                                   label_en=f.label_en, position=f.position))
    group_of = _copy_groups(source, new)
    _copy_units(source, new, group_of, shift_days, was_active | {source.id})
    # one active campaign: the contract's "the active campaign" is the default of every list and command
    db.session.execute(update(Campaign).where(Campaign.id != new.id, Campaign.active).values(active=False)
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    db.session.flush()
    return new


def _copy_groups(source: Campaign, new: Campaign) -> dict[int, int]:
    """Each working group again in the new campaign, with the same members; old id → new id."""
    # archived groups and units (merged, dissolved) stay behind in the old campaign
    old = db.session.scalars(select(WorkingGroup).where(WorkingGroup.campaign_id == source.id, live_group())).all()
    copies = {g.id: WorkingGroup(campaign_id=new.id, code=g.code, name=g.name) for g in old}
    db.session.add_all(copies.values())
    for g in old:
        copies[g.id].members = list(g.members)
    db.session.flush()
    return {old_id: g.id for old_id, g in copies.items()}


def _copy_units(source: Campaign, new: Campaign, group_of: dict[int, int], shift_days: Optional[int],
                secretaries_from: set[int]) -> None:
    """The units (same codes, parents re-pointed, congress dates shifted or cleared), their checklists
    fresh from the new template, and the secretaries of the units with those codes in the campaigns
    secretaries_from moved along; a few statements in all."""
    old = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.parent_id, Unit.party_members,
                                    Unit.group_id, Unit.pilot, Unit.congress_date)
                             .where(Unit.campaign_id == source.id, live_unit()).order_by(Unit.id)).all()
    if not old:
        return
    db.session.execute(insert(Unit), [
        {"campaign_id": new.id, "code": u.code, "name": u.name, "kind": u.kind, "party_members": u.party_members,
         "group_id": group_of.get(u.group_id), "pilot": u.pilot, "notes": "",
         "congress_date": _shifted(u.congress_date, shift_days)} for u in old])
    new_id = dict(db.session.execute(select(Unit.code, Unit.id).where(Unit.campaign_id == new.id)).all())
    copy_of = {u.id: new_id[u.code] for u in old}
    parents = [{"id": copy_of[u.id], "parent_id": copy_of[u.parent_id]} for u in old if u.parent_id in copy_of]
    if parents:
        db.session.execute(update(Unit), parents)
    calendar, tpl = load_calendar(), templates(new)
    rows = [{"unit_id": copy_of[u.id], **item_values(t, _shifted(u.congress_date, shift_days), new, calendar)}
            for u in old for t in tpl if t.applies_to(u.kind)]
    if rows:
        db.session.execute(insert(Item), rows)
    secretaries = db.session.execute(
        select(User.id, Unit.code).join(Unit, User.unit_id == Unit.id)
        .where(Unit.campaign_id.in_(sorted(secretaries_from)), Unit.code.in_(list(new_id)))).all()
    if secretaries:
        db.session.execute(update(User), [{"id": s.id, "unit_id": new_id[s.code]} for s in secretaries])
    db.session.expire_all()
