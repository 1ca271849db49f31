"""Importing units: plan every row against the active campaign's units, then apply the plan set-based
(one INSERT for the units, one for their checklists, one UPDATE batch, one for the journal)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update

from ..campaigns.scope import groups_in_view, require_campaign_in_view, units_in_view
from ..codes import code_problem
from ..extensions import db
from ..labels import kind_label
from ..models import Item, JournalEntry, Unit, User, WorkingGroup
from ..readmodel import live_group
from ..services.calendar import load_calendar
from ..services.campaigns import templates
from ..services.unit_data import MAX_MEMBERS, anchor_date, item_values
from ..workflow import KINDS, due_date
from . import values as v
from .plan import Change, Plan, Row, bad, read_rows, shown
from .reading import Table

FIELDS = ("name", "kind", "party_members", "pilot", "group", "congress_date", "parent")


def code_text(value: object) -> str:
    """A record's code: trimmed; the one rule of tracker/codes.py (empty stays empty: "required" is said elsewhere)."""
    code = v.text(value)
    if code and code_problem(code):
        raise v.BadCell(code_problem(code))
    return code


def _parsers() -> dict[str, Any]:
    kinds = v.vocabulary(KINDS, kind_label)
    return {
        "code": code_text,
        "name": v.limited(200),
        "kind": lambda x: v.choose(x, kinds, _("Unknown kind; one of: %(kinds)s.", kinds=", ".join(KINDS))),
        "party_members": lambda x: v.whole(x, MAX_MEMBERS),
        "pilot": v.yes_no,
        "group": code_text,
        "congress_date": v.day,
        "parent": code_text,
    }


def plan_units(table: Table) -> Plan:
    """Every change and every error importing this table of units would make; changes nothing."""
    plan = Plan("units")
    rows = read_rows("units", table, plan, _parsers())
    campaign = require_campaign_in_view()
    existing = {v.fold(u.code): u for u in db.session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.party_members, Unit.pilot, Unit.group_id,
               Unit.congress_date, Unit.parent_id, Unit.archived_at).where(units_in_view(campaign.id)))}
    code_of = {u.id: u.code for u in existing.values()}
    groups = {v.fold(code): (gid, code) for gid, code in db.session.execute(
        select(WorkingGroup.id, WorkingGroup.code).where(groups_in_view(campaign.id)))}
    archived_groups = set(db.session.scalars(select(WorkingGroup.id).where(groups_in_view(campaign.id), ~live_group())))
    group_code = {gid: code for gid, code in groups.values()}
    in_file: dict[str, Row] = {}
    lines: dict[str, int] = {}
    for row in rows:
        key = plan.code_key(row, lines)
        if key is not None:
            in_file[key] = row
    creates, updates = [], []
    for key, row in in_file.items():
        val = row.values
        old = existing.get(key)
        kind = None if bad(val.get("kind")) else val.get("kind")
        if old is None:
            for name in ("name", "kind"):
                if not bad(val.get(name)) and not val.get(name):
                    plan.error(row, name, _("This field is required."))
        else:
            if "name" in val and not val["name"]:
                plan.error(row, "name", _("This field is required."))
            if kind and kind != old.kind:
                plan.error(row, "kind", _("A unit's kind cannot be changed once its checklist exists."))
            kind = old.kind
        group_id = _group(plan, row, groups)
        if group_id in archived_groups and (old is None or group_id != old.group_id):
            plan.error(row, "group", _("The working group %(code)s is archived: it takes no new units or members, "
                                       "and its name does not change. An admin can restore it.", code=val["group"]))
        parent = val.get("parent")
        if parent and not bad(parent):
            if v.fold(parent) == key:
                plan.error(row, "parent", _("A unit cannot be its own parent."))
            elif v.fold(parent) not in existing and v.fold(parent) not in in_file:
                plan.error(row, "parent", _("No unit with code %(code)s.", code=parent))
        has_parent = bool(parent) if "parent" in val else bool(old and old.parent_id)
        if kind == "sub_cell" and not has_parent and not bad(parent):
            plan.error(row, "parent", _("A cell under a committee needs the committee's code."))
        if old is None:
            creates.append((row, group_id))
        else:
            updates.append((row, old, group_id))
    if plan.errors:
        plan.errors.sort(key=lambda e: e.line)
        return plan
    # every row is valid: say what each will do
    new_units = []
    for row, group_id in creates:
        val = row.values
        unit = {"code": val["code"], "name": val["name"], "kind": val["kind"],
                "party_members": val.get("party_members") or 0, "pilot": bool(val.get("pilot")),
                "group_id": group_id, "congress_date": val.get("congress_date"),
                "parent": v.fold(val.get("parent")) or None}
        new_units.append((row.line, unit))
        plan.changes.append(Change(row.line, unit["code"], "create", [
            (name, "", _display(name, val, group_code, group_id, in_file, existing))
            for name in FIELDS if name in val]))
    changed_units = []
    for row, old, group_id in updates:
        val = row.values
        diff: dict[str, Any] = {}
        shown_diff = []
        for name in ("name", "party_members", "pilot", "congress_date"):
            if name in val and val[name] != getattr(old, name):
                diff[name] = val[name]
                shown_diff.append((name, shown(getattr(old, name)), shown(val[name])))
        if "group" in val and group_id != old.group_id:
            diff["group_id"] = group_id
            shown_diff.append(("group", group_code.get(old.group_id, ""), group_code.get(group_id, "")))
        if "parent" in val:
            parent = v.fold(val["parent"]) or None
            old_parent = v.fold(code_of[old.parent_id]) if old.parent_id in code_of else None
            if parent != old_parent:
                diff["parent"] = parent
                shown_diff.append(("parent", code_of.get(old.parent_id, ""),
                                   _display_code(parent, in_file, existing)))
        if diff and old.archived_at is not None:  # an archived unit is read, not changed (tracker/edits)
            plan.error(row, "code", _("The unit %(code)s is archived: it can be read but not changed. An admin can "
                                      "restore it.", code=old.code))
        plan.changes.append(Change(row.line, old.code, "update" if diff else "unchanged", shown_diff))
        if diff:
            changed_units.append((old, diff))
    if plan.errors:
        plan.errors.sort(key=lambda e: e.line)
        return plan
    plan.changes.sort(key=lambda c: c.line)
    plan.work = {"campaign_id": campaign.id, "new": new_units, "changed": changed_units,
                 "existing_ids": {k: u.id for k, u in existing.items()}, "group_code": group_code}
    return plan


def _display(name, val, group_code, group_id, in_file, existing) -> str:
    if name == "group":
        return group_code.get(group_id, "")
    if name == "parent":
        return _display_code(v.fold(val.get("parent")), in_file, existing)
    return shown(val.get(name))


def _display_code(key: Optional[str], in_file: dict[str, Row], existing: dict) -> str:
    if not key:
        return ""
    if key in existing:
        return existing[key].code
    if key in in_file:
        return in_file[key].values["code"]
    return key


def _group(plan: Plan, row: Row, groups: dict) -> Optional[int]:
    code = row.values.get("group")
    if not code or bad(code):
        return None
    if v.fold(code) not in groups:
        plan.error(row, "group", _("No working group with code %(code)s.", code=code))
        return None
    return groups[v.fold(code)][0]


def apply_units(plan: Plan, actor: Optional[User], now: datetime) -> None:
    """Carry out a plan without errors: a few statements whatever the number of rows; flush, never commit."""
    work = plan.work
    campaign = require_campaign_in_view()
    calendar = load_calendar()
    actor_id = actor.id if actor else None
    ids: dict[str, int] = dict(work["existing_ids"])
    journal: list[dict[str, Any]] = []
    if work["new"]:
        rows = [{k: u[k] for k in ("code", "name", "kind", "party_members", "pilot", "group_id", "congress_date")}
                | {"campaign_id": campaign.id, "notes": "", "created_at": now} for _line, u in work["new"]]
        # matched back by code: asking for RETURNING in parameter order makes SQLite insert row by row
        # Core, not the ORM, which would split the rows by their None columns
        table = Unit.__table__
        returned = dict(db.session.execute(table.insert().returning(table.c.code, table.c.id), rows).all())
        for _line, u in work["new"]:
            u["id"] = ids[v.fold(u["code"])] = returned[u["code"]]
        by_kind: dict[str, list] = {}
        for t in templates(campaign):
            for kind in KINDS:
                if t.applies_to(kind):
                    by_kind.setdefault(kind, []).append(t)
        items = [item_values(t, u["congress_date"], campaign, calendar) | {"unit_id": u["id"]}
                 for _line, u in work["new"] for t in by_kind.get(u["kind"], [])]
        if items:
            db.session.execute(Item.__table__.insert(), items)  # Core: a third of the ORM's bulk time
        parents = [{"id": u["id"], "parent_id": ids[u["parent"]]} for _line, u in work["new"] if u["parent"]]
        if parents:
            db.session.execute(update(Unit), parents)
        journal += [{"unit_id": u["id"], "user_id": actor_id, "action": "unit_created", "at": now,
                     "after": u["code"]} for _line, u in work["new"]]
    changes, moved_units = [], {}
    for old, diff in work["changed"]:
        values = {"id": old.id}
        for name, new in diff.items():
            if name == "parent":
                values["parent_id"] = ids[new] if new else None
                continue
            values[name] = new
            if name == "congress_date":
                moved_units[old.id] = new
            elif name == "group_id":
                journal.append({"unit_id": old.id, "user_id": actor_id, "action": "unit_changed", "at": now,
                                "before": work["group_code"].get(old.group_id, ""),
                                "after": work["group_code"].get(new, ""), "note": "group"})
            else:
                journal.append({"unit_id": old.id, "user_id": actor_id, "action": "unit_changed", "at": now,
                                "before": _journal_text(getattr(old, name)), "after": _journal_text(new),
                                "note": name})
        changes.append(values)
    if changes:
        db.session.execute(update(Unit), changes)
    if moved_units:
        journal += _move_due_dates(moved_units, {o.id: o.congress_date for o, _d in work["changed"]},
                                   campaign, calendar, actor_id, now)
    if journal:
        blank = {"stage": None, "item_key": None, "before": "", "after": "", "note": ""}
        db.session.execute(JournalEntry.__table__.insert(), [blank | j for j in journal])
    db.session.flush()
    db.session.expire_all()


def _journal_text(value: Any) -> str:
    # the journal's own spelling of values (services/journal.py): 1/0 for flags
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _move_due_dates(moved: dict[int, Any], before: dict[int, Any], campaign, calendar, actor_id, now) -> list[dict]:
    """Recompute the open, not hand-set due dates of units whose congress date changed; journal lines."""
    rows = db.session.execute(select(Item.id, Item.unit_id, Item.anchor, Item.offset_days, Item.working_days,
                                     Item.due_on, Item.version)
                              .where(Item.unit_id.in_(list(moved)), Item.done.is_(False),
                                     Item.due_manual.is_(False))).all()
    changes, count = [], dict.fromkeys(moved, 0)
    for r in rows:
        new = due_date(anchor_date(r.anchor, moved[r.unit_id], campaign), r.offset_days, r.working_days, calendar)
        if new != r.due_on:
            changes.append({"row_id": r.id, "new_due": new})
            count[r.unit_id] += 1
    if changes:
        # the version steps in SQL (version + 1), so a tick committed meanwhile keeps its own step
        db.session.execute(update(Item.__table__).where(Item.__table__.c.id == bindparam("row_id"))
                           .values(due_on=bindparam("new_due"), version=Item.__table__.c.version + 1), changes)
    return [{"unit_id": uid, "user_id": actor_id, "action": "congress_date_moved", "at": now,
             "before": before[uid].isoformat() if before[uid] else "", "after": new.isoformat() if new else "",
             "note": _("%(n)s open due dates moved", n=count[uid])} for uid, new in moved.items()]
