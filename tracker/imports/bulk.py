"""Changes to many records at once on the pages, and a user's own details: set-based, journalled,
flushed, never committed (the view commits)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update

from ..campaigns.scope import group_by_code, groups_in_view, require_campaign_in_view, unit_by_code, units_in_view
from ..clock import utcnow
from ..extensions import db
from ..models import JournalEntry, Unit, User, WorkingGroup, group_members
from ..services import sessions
from ..services.accounts import find_user, normalise_email, normalise_phone
from ..services.errors import Conflict, Invalid, NotFound
from ..services.live import Archived, refuse_if_archived, require_live_group
from ..workflow.stages import ROLES


def assign_units_to_group(codes: list[str], group_code: Optional[str], actor: Optional[User], now: datetime) -> int:
    """Put the units with these codes in the working group (None: in no group); how many moved."""
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    if not codes:
        raise Invalid(_("Choose at least one unit."), {"codes": _("Choose at least one unit.")})
    campaign = require_campaign_in_view()
    refuse_if_archived(campaign)
    group = None
    if group_code:
        group = group_by_code(group_code, campaign.id)
        if group is None:
            raise NotFound(_("No working group with code %(code)s.", code=group_code))
        require_live_group(group)
    rows = db.session.execute(select(Unit.id, Unit.code, Unit.group_id, Unit.archived_at).where(
        units_in_view(campaign.id), Unit.code.in_(codes))).all()
    missing = set(codes) - {r.code for r in rows}
    if missing:
        raise NotFound(_("No unit with code %(code)s.", code=", ".join(sorted(missing))))
    target = group.id if group else None
    moving = [r for r in rows if r.group_id != target]
    archived = sorted(r.code for r in moving if r.archived_at is not None)
    if archived:  # an archived unit is read, not changed (tracker/edits)
        raise Archived(_("The unit %(code)s is archived: it can be read but not changed. An admin can restore it.",
                         code=", ".join(archived)))
    if not moving:
        return 0
    old_codes = dict(db.session.execute(select(WorkingGroup.id, WorkingGroup.code)
                                 .where(groups_in_view(campaign.id))).all())
    db.session.execute(update(Unit).where(Unit.id.in_([r.id for r in moving])).values(group_id=target)
                       .execution_options(synchronize_session=False))
    db.session.execute(insert(JournalEntry), [
        {"unit_id": r.id, "user_id": actor.id if actor else None, "action": "unit_changed", "at": now,
         "stage": None, "item_key": None, "before": old_codes.get(r.group_id, ""),
         "after": group.code if group else "", "note": "group"} for r in moving])
    db.session.flush()
    db.session.expire_all()
    return len(moving)


def set_users_active(user_ids: list[int], active: bool, actor: User, now: Optional[datetime] = None) -> int:
    """Deactivate (or reactivate) these accounts at once, never one's own; deactivation revokes their API
    tokens. How many changed."""
    ids = sorted(set(user_ids))
    if not ids:
        raise Invalid(_("Choose at least one user."), {"ids": _("Choose at least one user.")})
    if not active and actor.id in ids:
        raise Invalid(_("You cannot deactivate your own account."), {"ids": _("This is you.")})
    found = db.session.scalar(select(func.count(User.id)).where(User.id.in_(ids)))
    if found != len(ids):
        raise NotFound(_("No such user."))
    result = db.session.execute(update(User).where(User.id.in_(ids), User.active.is_not(active))
                                .values(active=active).execution_options(synchronize_session=False))
    if not active:
        sessions.end_sessions(ids, sessions.DEACTIVATED, now or utcnow(), actor)
    db.session.flush()
    db.session.expire_all()
    return result.rowcount


def update_profile(user: User, data: dict[str, Any], actor: User, now: datetime) -> User:
    """Change a user's name, email, phone and role (a secretary names a unit); per-field errors."""
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 200:
        errors["name"] = _("At most %(n)s characters.", n=200)
    email = phone = None
    if (data.get("email") or "").strip():
        try:
            email = normalise_email(data["email"])
        except Invalid as exc:
            errors.update(exc.fields)
    if (data.get("phone") or "").strip():
        phone = normalise_phone(data["phone"])
        if phone is None:
            errors["phone"] = _("Not a Vietnamese phone number (e.g. 0912 345 678).")
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = _("An email or a phone number is needed to sign in.")
    role = data.get("role")
    if role not in ROLES:
        errors["role"] = _("Unknown role; one of: %(roles)s.", roles=", ".join(ROLES))
    elif role != user.role and user.id == actor.id:
        errors["role"] = _("You cannot change your own role.")
    unit = user.unit
    code = (data.get("unit") or "").strip()
    if role == "secretary":
        if code:
            unit = unit_by_code(code)
            if unit is None:
                errors["unit"] = _("No unit with code %(code)s.", code=code)
        elif unit is None:
            errors["unit"] = _("A secretary needs the unit's code.")
    if errors:
        raise Invalid(_("The user was not saved: check the marked fields."), errors)
    for value, field in ((email, "email"), (phone, "phone")):
        other = find_user(value) if value else None
        if other is not None and other.id != user.id:
            raise Conflict(_("Another user already signs in with this."), {field: _("Already in use.")},
                           code="duplicate")
    login = email or phone
    new_unit = unit if role == "secretary" else None
    if new_unit is not user.unit:
        if user.unit is not None:
            db.session.add(JournalEntry(unit_id=user.unit.id, user_id=actor.id, action="secretary_removed", at=now,
                                        before=user.login))
        if new_unit is not None:
            db.session.add(JournalEntry(unit_id=new_unit.id, user_id=actor.id, action="secretary_assigned",
                                        at=now, after=login))
    if role != "group" and user.role == "group":
        db.session.execute(delete(group_members).where(group_members.c.user_id == user.id))
        db.session.expire(user, ["groups"])
    user.name, user.email, user.phone, user.role, user.unit = name, email, phone, role, new_unit
    db.session.flush()
    return user
