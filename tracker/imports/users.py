"""Importing users: the key is the email, or the phone number when the email is blank. Imported users
get no password (see first_passwords.py): nothing slow runs per row."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update

from ..campaigns.scope import groups_in_view, require_campaign_in_view, units_in_view
from ..extensions import db
from ..labels import role_label
from ..models import JournalEntry, Unit, User, WorkingGroup, group_members
from ..services.accounts import normalise_email, normalise_phone
from ..services.errors import Invalid
from ..workflow.stages import ROLES
from . import values as v
from .plan import Change, Plan, Row, bad, read_rows
from .reading import Table
from .units import code_text

_LIST = re.compile(r"[,;\s]+")


def _email(value: object) -> Optional[str]:
    raw = v.text(value)
    if not raw:
        return None
    try:
        return normalise_email(raw)
    except Invalid:
        raise v.BadCell(_("Not a valid email address.")) from None


def _phone(value: object) -> Optional[str]:
    raw = v.text(value)
    if not raw:
        return None
    phone = normalise_phone(raw)
    if phone is None:
        raise v.BadCell(_("Not a Vietnamese phone number (e.g. 0912 345 678)."))
    return phone


def _codes(value: object) -> list[str]:
    return [code_text(c) for c in _LIST.split(v.text(value)) if c]


def _parsers() -> dict[str, Any]:
    roles = v.vocabulary(ROLES, role_label)
    return {
        "email": _email,
        "phone": _phone,
        "name": v.limited(200),
        "role": lambda x: v.choose(x, roles, _("Unknown role; one of: %(roles)s.", roles=", ".join(ROLES))),
        "unit": code_text,
        "groups": _codes,
    }


def plan_users(table: Table, actor: Optional[User] = None) -> Plan:
    """Every change and every error importing this table of users would make; changes nothing."""
    plan = Plan("users")
    rows = read_rows("users", table, plan, _parsers())
    people = db.session.execute(select(User.id, User.email, User.phone, User.name, User.role, User.unit_id)).all()
    by_email = {p.email.lower(): p for p in people if p.email}
    by_phone = {p.phone: p for p in people if p.phone}
    campaign = require_campaign_in_view()
    units = {v.fold(code): (uid, code) for uid, code in db.session.execute(
        select(Unit.id, Unit.code).where(units_in_view(campaign.id)))}
    unit_code = {uid: code for uid, code in units.values()}
    groups = {v.fold(code): (gid, code) for gid, code in db.session.execute(
        select(WorkingGroup.id, WorkingGroup.code).where(groups_in_view(campaign.id)))}
    group_code = {gid: code for gid, code in groups.values()}
    member_of: dict[int, set[int]] = {}
    for gid, uid in db.session.execute(
            select(group_members.c.group_id, group_members.c.user_id).where(
                group_members.c.group_id.in_(select(WorkingGroup.id).where(groups_in_view(campaign.id))))):
        member_of.setdefault(uid, set()).add(gid)
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    new: list[dict[str, Any]] = []
    changed: list[tuple[Any, dict[str, Any]]] = []
    for row in rows:
        val = row.values
        if any(bad(val.get(k)) for k in ("email", "phone")):
            continue
        email, phone = val.get("email"), val.get("phone")
        if not email and not phone:
            plan.error(row, "email" if "email" in val else "phone",
                       _("An email or a phone number is needed to sign in."))
            continue
        if email and email in seen_email:
            plan.error(row, "email", _("This email is already on line %(line)s.", line=seen_email[email]))
            continue
        if phone and phone in seen_phone:
            plan.error(row, "phone", _("This phone number is already on line %(line)s.", line=seen_phone[phone]))
            continue
        if email:
            seen_email[email] = row.line
        if phone:
            seen_phone[phone] = row.line
        old = by_email.get(email) if email else by_phone.get(phone)
        if old is None and email and phone and phone in by_phone and not by_phone[phone].email:
            old = by_phone[phone]  # known by phone until now: the sheet adds the email
        if phone and phone in by_phone and (old is None or by_phone[phone].id != old.id):
            plan.error(row, "phone", _("This phone number belongs to another user (%(who)s).",
                                       who=by_phone[phone].email or by_phone[phone].name))
            continue
        errors_before = len(plan.errors)
        role = val.get("role") if not bad(val.get("role")) else None
        if old is None:
            for name in ("name", "role"):
                if not bad(val.get(name)) and not val.get(name):
                    plan.error(row, name, _("This field is required."))
        else:
            if "name" in val and not val["name"]:
                plan.error(row, "name", _("This field is required."))
            if "role" in val and not val["role"] and not bad(val["role"]):
                plan.error(row, "role", _("This field is required."))
            if actor is not None and old.id == actor.id and role and role != old.role:
                plan.error(row, "role", _("You cannot change your own role."))
        final_role = role or (old.role if old else None)
        unit_id = _unit(plan, row, units, final_role, old)
        group_ids = _groups(plan, row, groups, final_role)
        if len(plan.errors) > errors_before or any(bad(x) for x in val.values()):
            continue
        if old is None:
            record = {"email": email, "phone": phone, "name": val["name"], "role": role, "unit_id": unit_id,
                      "groups": group_ids or set()}
            new.append(record)
            plan.changes.append(Change(row.line, email or phone, "create", [
                ("email", "", email or ""), ("phone", "", phone or ""), ("name", "", val["name"]),
                ("role", "", role), ("unit", "", unit_code.get(unit_id, "")),
                ("groups", "", ", ".join(sorted(group_code[g] for g in group_ids or ())))]))
            continue
        diff: dict[str, Any] = {}
        shown_diff = []
        for name, new_value, old_value in (("email", email, old.email), ("phone", phone, old.phone),
                                           ("name", val.get("name"), old.name), ("role", role, old.role)):
            if name in val and new_value != old_value and (name != "email" or new_value):
                diff[name] = new_value
                shown_diff.append((name, old_value or "", new_value or ""))
        if unit_id is not _KEEP and unit_id != old.unit_id:
            diff["unit_id"] = unit_id
            shown_diff.append(("unit", unit_code.get(old.unit_id, ""), unit_code.get(unit_id, "")))
        old_groups = member_of.get(old.id, set())
        if group_ids is not None and group_ids != old_groups:
            diff["groups"] = group_ids
            shown_diff.append(("groups", ", ".join(sorted(group_code[g] for g in old_groups)),
                               ", ".join(sorted(group_code[g] for g in group_ids))))
        plan.changes.append(Change(row.line, old.email or old.phone, "update" if diff else "unchanged", shown_diff))
        if diff:
            changed.append((old, diff))
    plan.errors.sort(key=lambda e: e.line)
    plan.changes.sort(key=lambda c: c.line)
    plan.work = {"new": new, "changed": changed, "unit_code": unit_code}
    return plan


_KEEP = object()  # the file says nothing about this user's unit


def _unit(plan: Plan, row: Row, units: dict, role: Optional[str], old) -> Any:
    """The unit id the row gives (None: no unit), _KEEP when it leaves it as is; errors to plan."""
    code = row.values.get("unit")
    if bad(code):
        return _KEEP
    if code:
        if role and role != "secretary":
            plan.error(row, "unit", _("Only a secretary has a unit; leave this blank."))
            return _KEEP
        if v.fold(code) not in units:
            plan.error(row, "unit", _("No unit with code %(code)s.", code=code))
            return _KEEP
        return units[v.fold(code)][0]
    if role == "secretary" and ("unit" in row.values or not (old and old.unit_id)):
        plan.error(row, "unit", _("A secretary needs the unit's code."))
        return _KEEP
    if role != "secretary":
        return None  # a new role without a unit: any old unit goes
    return _KEEP


def _groups(plan: Plan, row: Row, groups: dict, role: Optional[str]) -> Optional[set[int]]:
    """The working groups the row gives, or None when the file says nothing (and the role keeps them)."""
    codes = row.values.get("groups")
    if bad(codes):
        return None
    if codes is None:
        return None if role == "group" else set()
    found = set()
    for code in codes:
        if v.fold(code) not in groups:
            plan.error(row, "groups", _("No working group with code %(code)s.", code=code))
        else:
            found.add(groups[v.fold(code)][0])
    if found and role != "group":
        plan.error(row, "groups", _("Only working-group members (role group) can join a working group."))
    return found


def apply_users(plan: Plan, actor: Optional[User], now: datetime) -> None:
    """Carry out a plan without errors: users without a password, memberships, journal; flush only."""
    work = plan.work
    actor_id = actor.id if actor else None
    journal: list[dict[str, Any]] = []
    memberships: list[dict[str, int]] = []
    if work["new"]:
        rows = [{k: u[k] for k in ("email", "phone", "name", "role", "unit_id")}
                | {"password_hash": "", "must_change_password": False, "active": True, "created_at": now}
                for u in work["new"]]
        # Core, not the ORM (which splits the rows by their None columns), and matched back by key:
        # RETURNING in parameter order would make SQLite insert row by row
        table = User.__table__
        returned = {email or phone: uid for uid, email, phone in
                    db.session.execute(table.insert().returning(table.c.id, table.c.email, table.c.phone), rows)}
        for u in work["new"]:
            uid = returned[u["email"] or u["phone"]]
            memberships += [{"group_id": g, "user_id": uid} for g in u["groups"]]
            if u["unit_id"]:
                journal.append(_line(u["unit_id"], actor_id, "secretary_assigned", now, after=u["email"] or u["phone"]))
    updates, cleared = [], []
    for old, diff in work["changed"]:
        values = {"id": old.id} | {k: diff[k] for k in ("email", "phone", "name", "role", "unit_id") if k in diff}
        if len(values) > 1:
            updates.append(values)
        if "unit_id" in diff:
            login = diff.get("email") or old.email or diff.get("phone") or old.phone
            if old.unit_id:
                journal.append(_line(old.unit_id, actor_id, "secretary_removed", now, before=login))
            if diff["unit_id"]:
                journal.append(_line(diff["unit_id"], actor_id, "secretary_assigned", now, after=login))
        if "groups" in diff:
            cleared.append(old.id)
            memberships += [{"group_id": g, "user_id": old.id} for g in diff["groups"]]
    if updates:
        db.session.execute(update(User), updates)
    if cleared:
        db.session.execute(delete(group_members).where(group_members.c.user_id.in_(cleared)))
    if memberships:
        db.session.execute(insert(group_members), memberships)
    if journal:
        db.session.execute(insert(JournalEntry), journal)
    db.session.flush()
    db.session.expire_all()


def _line(unit_id: int, actor_id: Optional[int], action: str, now: datetime, before: str = "",
          after: str = "") -> dict[str, Any]:
    return {"unit_id": unit_id, "user_id": actor_id, "action": action, "at": now, "stage": None, "item_key": None,
            "before": before, "after": after, "note": ""}

