"""Who may read and change what: one place for the role rules of DESIGN.md.

`can_*` answer a question (for links, filters and early refusals); `require_*` refuse with Forbidden,
which services raise and every edge maps to its answer (403 page, JSON error, command-line message).
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from .models import Item, Unit, User
from .services.errors import Forbidden


def can_read_unit(user: User, unit: Unit) -> bool:
    """Secretaries read their own unit only; every other role reads all units."""
    if user.role == "secretary":
        return user.unit_id == unit.id
    return user.role in ("admin", "group", "viewer")


def can_change_unit(user: User, unit: Unit) -> bool:
    """Admins change all units, group members their group's units, secretaries their own unit."""
    if user.role == "admin":
        return True
    if user.role == "group":
        return unit.group_id is not None and unit.group_id in user.group_ids
    if user.role == "secretary":
        return user.unit_id == unit.id
    return False


def can_review(user: User, unit: Unit) -> bool:
    """Verify or return stages, answer blockers, move deadlines: the district side of this unit."""
    return user.role == "admin" or (user.role == "group" and unit.group_id in user.group_ids)


def can_tick(user: User, item: Item, unit: Unit) -> bool:
    """Items recording the superior's decision are ticked by the district side only."""
    if item.superior_only:
        return can_review(user, unit)
    return can_change_unit(user, unit)


def can_admin(user: User) -> bool:
    """Campaign, templates, units, groups and users are the admins' business."""
    return getattr(user, "role", None) == "admin"


def require_admin(user: Optional[User], message: Optional[str] = None) -> None:
    """The one admin guard: Forbidden unless the user is of the organisation office.

    None is the operator at the command line (`flask users create`, `flask demo`): whoever runs the
    commands already holds the database, so they pass.
    """
    if user is not None and not can_admin(user):
        raise Forbidden(message or _("You may not do this."))


def can_read_report(user: User) -> bool:
    """The report covers every unit: the organisation office, working groups and leadership read it,
    secretaries (who see their own unit only) do not."""
    return getattr(user, "role", None) in ("admin", "group", "viewer")


def can_list_blockers(user: User) -> bool:
    """The list of open blockers: the district side (admins, working groups) and leadership, who read all."""
    return getattr(user, "role", None) in ("admin", "group", "viewer")


def can_list_groups(user: User) -> bool:
    """The working groups with their members' emails and phone numbers (personal data): the district side
    and leadership; a unit's secretary needs none of it (docs/personal-data.md)."""
    return getattr(user, "role", None) in ("admin", "group", "viewer")
