"""Importing working groups: code and name; an existing code gets the new name."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from ..campaigns.scope import groups_in_view, require_campaign_in_view
from ..extensions import db
from ..models import User, WorkingGroup
from . import values as v
from .plan import Change, Plan, bad, read_rows
from .reading import Table
from .units import code_text


def plan_groups(table: Table) -> Plan:
    """Every change and every error importing this table of working groups would make."""
    plan = Plan("groups")
    rows = read_rows("groups", table, plan, {"code": code_text, "name": v.limited(200)})
    existing = {v.fold(code): (gid, code, name) for gid, code, name in db.session.execute(
        select(WorkingGroup.id, WorkingGroup.code, WorkingGroup.name).where(groups_in_view()))}
    seen: dict[str, int] = {}
    new, renamed = [], []
    for row in rows:
        code, name = row.values.get("code"), row.values.get("name")
        key = plan.code_key(row, seen)
        if key is None:
            continue
        old = existing.get(key)
        if bad(name):
            continue
        if (old is None or "name" in row.values) and not bad(name) and not name:
            plan.error(row, "name", _("This field is required."))
            continue
        if old is None:
            new.append({"code": code, "name": name})
            plan.changes.append(Change(row.line, code, "create", [("name", "", name)]))
        elif "name" in row.values and name != old[2]:
            renamed.append({"id": old[0], "name": name})
            plan.changes.append(Change(row.line, old[1], "update", [("name", old[2], name)]))
        else:
            plan.changes.append(Change(row.line, old[1], "unchanged"))
    plan.errors.sort(key=lambda e: e.line)
    plan.work = {"new": new, "renamed": renamed}
    return plan


def apply_groups(plan: Plan, actor: Optional[User], now: datetime) -> None:
    """Carry out a plan without errors; flush, never commit."""
    if plan.work["new"]:
        campaign_id = require_campaign_in_view().id
        db.session.execute(insert(WorkingGroup), [row | {"campaign_id": campaign_id} for row in plan.work["new"]])
    if plan.work["renamed"]:
        db.session.execute(update(WorkingGroup), plan.work["renamed"])
    db.session.flush()
    db.session.expire_all()
