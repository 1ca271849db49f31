"""Who may read and change what: one place for the role rules of DESIGN.md.

`can_*` answer a question (for links, filters and early refusals); `require_*` refuse with Forbidden,
which services raise and every edge maps to its answer (403 page, JSON error, command-line message).
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import and_, case, false, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from .models import Item, Unit, User
from .services.errors import Forbidden
from .workflow.stages import COMMITTEE_KINDS, SUB_CELL


def working_group_id(unit: Unit) -> Optional[int]:
    """The working group that follows a unit: its own, or (a sub-cell without one) its committee's."""
    if unit.group_id is None and unit.kind == SUB_CELL and unit.parent is not None:
        return unit.parent.group_id
    return unit.group_id


def in_working_groups(group_ids):
    """working_group_id(Unit) IN group_ids, as a SQL condition (lists filtered by working group)."""
    parent = aliased(Unit)
    follows_parent = and_(Unit.group_id.is_(None), Unit.kind == SUB_CELL,
                          Unit.parent_id.in_(select(parent.id).where(parent.group_id.in_(group_ids))))
    return or_(Unit.group_id.in_(group_ids), follows_parent)


def is_superior(user: User, unit: Unit) -> bool:
    """A secretary of the committee a sub-cell belongs to: that cell's superior (CONTRACT.md)."""
    return (getattr(user, "role", None) == "secretary" and unit.kind == SUB_CELL and unit.parent_id is not None
            and user.unit_id == unit.parent_id and unit.parent.kind in COMMITTEE_KINDS)


def can_read_unit(user: User, unit: Unit) -> bool:
    """Secretaries read their own unit and, for a committee, its sub-cells; every other role reads all."""
    if user.role == "secretary":
        return user.unit_id == unit.id or is_superior(user, unit)
    return user.role in ("admin", "group", "viewer")


def readable_units(user: User):
    """can_read_unit as a SQL condition on `Unit` (lists, the overdue list): None when the user reads all."""
    if user.role != "secretary":
        return None if user.role in ("admin", "group", "viewer") else false()
    own = Unit.id == user.unit_id
    if user.unit is None or user.unit.kind not in COMMITTEE_KINDS:
        return own
    return or_(own, and_(Unit.kind == SUB_CELL, Unit.parent_id == user.unit_id))


def can_change_unit(user: User, unit: Unit) -> bool:
    """Admins change all units, group members their group's units, secretaries their own unit."""
    if user.role == "admin":
        return True
    if user.role == "group":
        group_id = working_group_id(unit)
        return group_id is not None and group_id in user.group_ids
    if user.role == "secretary":
        return user.unit_id == unit.id
    return False


def can_review(user: User, unit: Unit) -> bool:
    """Move deadlines (and all of can_oversee): the district side of this unit."""
    return user.role == "admin" or (user.role == "group" and working_group_id(unit) in user.group_ids)


def can_oversee(user: User, unit: Unit) -> bool:
    """Verify or return stages, answer blockers, tick the superior's decisions, exempt a sub-cell from
    the sub-cell gate: the district side, and for a sub-cell also its committee's secretaries."""
    return can_review(user, unit) or is_superior(user, unit)


def can_tick(user: User, item: Item, unit: Unit) -> bool:
    """Items recording the superior's decision are ticked by the superior (district side or committee)."""
    if item.superior_only:
        return can_oversee(user, unit)
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


def can_switch_campaign(user: Optional[User]) -> bool:
    """Admins and viewers read any campaign, archived ones included; everyone else works in the active one."""
    return getattr(user, "role", None) in ("admin", "viewer")


def can_read_report(user: User) -> bool:
    """The report covers every unit: the organisation office, working groups and leadership read it,
    secretaries (who see their own unit only) do not."""
    return getattr(user, "role", None) in ("admin", "group", "viewer")


def can_list_blockers(user: User) -> bool:
    """The list of open blockers: the district side (admins, working groups) and leadership, who read all."""
    return getattr(user, "role", None) in ("admin", "group", "viewer")


def can_set_channels(user: Optional[User], person: User) -> bool:
    """Which channels a person's digests go out through: the person themself, or an admin (None: the operator)."""
    return user is None or can_admin(user) or user.id == person.id


def can_list_groups(user: User) -> bool:
    """The working groups with their members' emails and phone numbers (personal data): the district side
    and leadership; a unit's secretary needs none of it (docs/personal-data.md)."""
    return getattr(user, "role", None) in ("admin", "group", "viewer")


def working_group_sql(parent) -> ColumnElement:
    """working_group_id(Unit) as a SQL expression; `parent` is an aliased Unit outer-joined on Unit.parent_id."""
    return case((and_(Unit.group_id.is_(None), Unit.kind == SUB_CELL), parent.group_id), else_=Unit.group_id)


def calendar_scope(user: User):
    """The units a user's own calendar feed covers, as a SQL condition on `Unit` (None: all of them):
    a secretary's readable units, a group member's groups' units, everything for admins and viewers."""
    if user.role == "group":
        return in_working_groups(sorted(user.group_ids)) if user.group_ids else false()
    return readable_units(user)


def can_filter_calendar_by_group(user: User) -> bool:
    """Everyone who reads all units sees the whole calendar and may narrow it to one working group."""
    return getattr(user, "role", None) in ("admin", "group", "viewer")


def can_read_group_feed(user: User) -> bool:
    """A working group's calendar feed: those who read all units (admins, group members, viewers)."""
    return can_filter_calendar_by_group(user)


def can_read_campaign_feed(user: User) -> bool:
    """The whole campaign's calendar feed: the organisation office and leadership."""
    return getattr(user, "role", None) in ("admin", "viewer")
