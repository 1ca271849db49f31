"""One import, the same for the command and the page: read the file, plan every row, and — only when
no row has an error and it is not a dry run — apply the plan and journal the import (flush, never commit)."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..campaigns.scope import campaign_in_view
from ..extensions import db
from ..models import User
from .groups import apply_groups, plan_groups
from .models import ImportRun
from .plan import Plan, RowError
from .reading import FileRefused, read_table
from .units import apply_units, plan_units
from .users import apply_users, plan_users

PLANNERS = {"units": (plan_units, apply_units), "groups": (plan_groups, apply_groups),
            "users": (plan_users, apply_users)}


def prepare(kind: str, content: bytes, file_name: str, actor: Optional[User] = None) -> Plan:
    """The plan for a file: what it would change and every error, changing nothing."""
    try:
        table = read_table(content, file_name)
    except FileRefused as exc:
        return Plan(kind, errors=[RowError(1, "-", exc.message)])
    planner = PLANNERS[kind][0]
    return planner(table, actor) if kind == "users" else planner(table)


def run_import(kind: str, content: bytes, file_name: str, actor: Optional[User], actor_label: str,
               now: datetime, dry_run: bool = False) -> Plan:
    """Plan the file and, when it has no error and this is no dry run, apply it (all rows or none)."""
    plan = prepare(kind, content, file_name, actor)
    campaign = campaign_in_view()
    if campaign is not None and campaign.archived:  # an archived campaign is read, never changed
        plan.errors.insert(0, RowError(1, "-", _("Campaign %(name)s is archived: it can be read, not changed.",
                                                 name=campaign.name)))
    if plan.errors or dry_run:
        return plan
    try:
        PLANNERS[kind][1](plan, actor, now)
    except IntegrityError:
        # another import or page saved the same code between the check and the write: undo it all
        db.session.rollback()
        plan.errors.append(RowError(1, "-", _("Someone saved the same records meanwhile; nothing was "
                                              "imported. Run the import again.")))
        return plan
    created, updated, unchanged = plan.counts()
    db.session.add(ImportRun(kind=kind, file_name=file_name[:255], sha256=hashlib.sha256(content).hexdigest(),
                             user_id=actor.id if actor else None, actor=actor_label[:254], at=now,
                             created=created, updated=updated, unchanged=unchanged))
    db.session.flush()
    return plan
