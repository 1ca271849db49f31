"""API: units, working groups, stages and their items, and the overdue list."""
from __future__ import annotations

import functools

from flask import g
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..campaigns.scope import campaign_id_in_view, campaign_in_view, groups_in_view, units_in_view
from ..models import Item, Unit, WorkingGroup
from ..paging import Page, paginate
from ..permissions import (
    can_change_unit,
    can_list_groups,
    can_oversee,
    can_read_unit,
    can_review,
    in_working_groups,
    readable_units,
)
from ..readmodel import live_unit, overdue_item, stage_cells, unit_overdue
from ..services.accounts import create_group
from ..services.errors import Forbidden, NotFound
from ..services.progress import unit_stage_views
from ..services.stages import get_item, move_deadline, return_stage, set_item_done, verify_stage
from ..services.units import create_unit, get_unit, update_unit
from . import schemas as s
from .common import Blueprint, admin_only, authenticated, documented_errors
from .present import UNIT_LOADS, item_json, stages_json, unit_json, units_json

blp = Blueprint("api_units", __name__, description="Units, working groups, stages, checklist items, overdue items")

CODE, STAGE, ITEM = s.path_param("code"), s.path_param("stage"), s.path_param("item")


def errors(*codes):
    """This blueprint's documented error answers (a JSON body adds 415: not application/json)."""
    return documented_errors(blp, *codes)


def load_unit(code: str) -> Unit:
    """The unit a path names, or NotFound (odd codes never reach the database)."""
    if not code or len(code) > s.CODE_MAX or "\x00" in code:
        raise NotFound(_("No unit with code %(code)s.", code=code[:40].replace("\x00", "")))
    return get_unit(code, campaign_id_in_view())


def unit_access(need: str):
    """Load the path's unit into g.unit and refuse (403) unless the caller may read/change/review it.

    It runs before the body is parsed, so a refused caller learns nothing from validation errors.
    """
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user, unit = g.api_user, load_unit(kwargs["code"])
            if not can_read_unit(user, unit):
                raise Forbidden(_("You may not see this unit."))
            if need == "change" and not can_change_unit(user, unit):
                raise Forbidden(_("You may not change this unit."))
            if need == "tick" and not (can_change_unit(user, unit) or can_oversee(user, unit)):
                raise Forbidden(_("You may not change this unit."))
            if need == "oversee" and not can_oversee(user, unit):
                raise Forbidden(_("Only the unit's working group or the organisation office verifies or "
                                  "returns stages."))
            if need == "review" and not can_review(user, unit):
                raise Forbidden(_("Only the unit's working group or the organisation office verifies or "
                                  "returns stages."))
            g.unit = unit
            return view(*args, **kwargs)
        return wrapper
    return decorate


def _page(query, args, order_by=(), *options, rows=False) -> Page:
    """The page of query that the request's page and per_page ask for (past the end: no items)."""
    return paginate(query, args["page"], args["per_page"], order_by=order_by, options=options, rows=rows)


def _visible(query, user):
    """The query narrowed to the campaign in view and to the units the caller reads (a secretary: own unit,
    a committee's sub-cells)."""
    query = query.where(units_in_view())
    cond = readable_units(user)
    return query if cond is None else query.where(cond)


def _unit_out(unit: Unit) -> dict:
    """A unit with its stages' statuses today."""
    return unit_json(unit, stage_cells([unit.id], g.today)[unit.id])


# ---- units -------------------------------------------------------------------------------------

@blp.route("/units")
class Units(MethodView):
    @authenticated
    @blp.arguments(s.UnitQuery, location="query")
    @blp.response(200, s.UnitPage)
    @errors(401, 422)
    def get(self, args):
        """Units the caller may see, paginated, with their stages' statuses."""
        query = _visible(select(Unit), g.api_user)
        query = query.where(~live_unit() if args["archived"] else live_unit())
        if args.get("group"):
            query = query.where(in_working_groups(select(WorkingGroup.id).where(
                WorkingGroup.code == args["group"], groups_in_view())))
        if args.get("kind"):
            query = query.where(Unit.kind == args["kind"])
        if args.get("pilot") is not None:
            query = query.where(Unit.pilot.is_(args["pilot"]))
        if args.get("overdue") is not None:
            late = unit_overdue(g.today)
            query = query.where(late if args["overdue"] else ~late)
        page = _page(query, args, (Unit.code,), *UNIT_LOADS)
        return {"items": units_json(page.items, g.today), "total": page.total}

    @authenticated
    @admin_only(lambda: _("Only the organisation office adds units."))
    @blp.arguments(s.UnitCreate)
    @blp.response(201, s.UnitOut)
    @errors(400, 401, 403, 409, 415, 422)
    def post(self, data):
        """Add a unit with its checklist (admins)."""
        return _unit_out(create_unit(data, g.api_user, g.now, campaign_in_view()))


@blp.route("/units/<code>", parameters=[CODE])
class UnitById(MethodView):
    @authenticated
    @unit_access("read")
    @blp.response(200, s.UnitOut)
    @errors(401, 403, 404)
    def get(self, code):
        """One unit with its stages' statuses."""
        return _unit_out(g.unit)

    @authenticated
    @unit_access("change")
    @blp.arguments(s.UnitPatch)
    @blp.response(200, s.UnitOut)
    @errors(400, 401, 403, 404, 409, 415, 422)
    def patch(self, data, code):
        """Change a unit's fields; a new congress date moves every open due date that follows it."""
        unit, user = g.unit, g.api_user
        update_unit(unit, data, user, g.now)
        return _unit_out(unit)


# ---- working groups ----------------------------------------------------------------------------

@blp.route("/groups")
class Groups(MethodView):
    @authenticated
    @blp.arguments(s.ListQuery, location="query")
    @blp.response(200, s.GroupPage)
    @errors(401, 403, 422)
    def get(self, args):
        """The working groups and their members' emails (admins, working groups, viewers; secretaries get 403)."""
        if not can_list_groups(g.api_user):
            raise Forbidden(_("Only the organisation office, the working groups and the leadership see the "
                              "working groups' members."))
        page = _page(select(WorkingGroup).where(groups_in_view()), args, (WorkingGroup.code,),
                     selectinload(WorkingGroup.members))
        return {"items": [group_json(g_) for g_ in page.items], "total": page.total}

    @authenticated
    @admin_only(lambda: _("Only the organisation office adds working groups."))
    @blp.arguments(s.GroupCreate)
    @blp.response(201, s.GroupOut)
    @errors(400, 401, 403, 409, 415, 422)
    def post(self, data):
        """Add a working group (admins); members are given by email."""
        return group_json(create_group(data["code"], data["name"], data["members"], actor=g.api_user,
                                       campaign=campaign_in_view()))


def group_json(group: WorkingGroup) -> dict:
    """A working group with its members' emails."""
    return {"code": group.code, "name": group.name, "members": [u.login for u in group.members],
            "archived": group.archived}


# ---- stages and items --------------------------------------------------------------------------

@blp.route("/units/<code>/stages", parameters=[CODE])
class Stages(MethodView):
    @authenticated
    @unit_access("read")
    @blp.response(200, s.StageOut(many=True))
    @errors(401, 403, 404)
    def get(self, code):
        """The unit's six stages in order, with status, due date and checklist items."""
        return stages_json(unit_stage_views(g.unit.id, g.today))


def _path_key(key: str) -> str:
    if not key or len(key) > s.ITEM_KEY_MAX or "\x00" in key:
        raise NotFound(_("No item %(key)s in this stage.", key=key[:50].replace("\x00", "")))
    return key


@blp.route("/units/<code>/stages/<stage>/items/<item>", parameters=[CODE, STAGE, ITEM])
class ItemById(MethodView):
    @authenticated
    @unit_access("tick")
    @blp.arguments(s.ItemPatch)
    @blp.response(200, s.ItemResult)
    @errors(400, 401, 403, 404, 409, 415, 422)
    def patch(self, data, code, stage, item):
        """Tick or untick an item: 409 when `version` is stale, 422 when a gate forbids it."""
        unit = g.unit
        row = get_item(unit, stage, _path_key(item))  # set_item_done re-reads it under a lock
        set_item_done(unit, row, data["done"], data["version"], g.api_user, g.now, g.today,
                      data.get("note", ""))
        out = item_json(row)
        out["stage_status"] = stage_cells([unit.id], g.today)[unit.id][stage].status
        return out


def _stage_json(unit: Unit, stage: str) -> dict:
    return stages_json({stage: unit_stage_views(unit.id, g.today)[stage]})[0]


@blp.route("/units/<code>/stages/<stage>/verify", parameters=[CODE, STAGE])
class VerifyStage(MethodView):
    @authenticated
    @unit_access("oversee")
    @blp.response(200, s.StageOut)
    @errors(401, 403, 404, 422)
    def post(self, code, stage):
        """A working-group member or admin confirms a done stage: it becomes `verified`."""
        verify_stage(g.unit, stage, g.api_user, g.now, g.today)
        return _stage_json(g.unit, stage)


@blp.route("/units/<code>/stages/<stage>/return", parameters=[CODE, STAGE])
class ReturnStage(MethodView):
    @authenticated
    @unit_access("oversee")
    @blp.arguments(s.ReturnBody)
    @blp.response(200, s.StageOut)
    @errors(400, 401, 403, 404, 415, 422)
    def post(self, data, code, stage):
        """Send a done stage back to the unit with a comment: it becomes `returned`."""
        return_stage(g.unit, stage, data["comment"], g.api_user, g.now, g.today)
        return _stage_json(g.unit, stage)


@blp.route("/units/<code>/stages/<stage>/items/<item>/deadline",
           parameters=[CODE, STAGE, ITEM])
class ItemDeadline(MethodView):
    @authenticated
    @unit_access("review")
    @blp.arguments(s.DeadlineBody)
    @blp.response(200, s.ItemOut)
    @errors(400, 401, 403, 404, 415, 422)
    def post(self, data, code, stage, item):
        """Move an item's due date by hand with a reason (working group, admins); a date before today needs
        `confirm_past: true`, else 422 naming `confirm_past`."""
        row = get_item(g.unit, stage, _path_key(item))
        move_deadline(g.unit, row, data["due_on"], data["reason"], g.api_user, g.now, g.today,
                      data["confirm_past"])
        return item_json(row)


# ---- overdue -----------------------------------------------------------------------------------

@blp.route("/overdue")
class Overdue(MethodView):
    @authenticated
    @blp.arguments(s.OverdueQuery, location="query")
    @blp.response(200, s.OverduePage)
    @errors(401, 422)
    def get(self, args):
        """Overdue items (required, not ticked, past due) of the units the caller may see, oldest first."""
        today = g.today
        query = (select(Item.key, Item.stage, Item.title_vi, Item.title_en, Item.due_on, Unit.code, Unit.name,
                        WorkingGroup.code.label("group_code"))
                 .join(Unit, Item.unit_id == Unit.id)
                 .outerjoin(WorkingGroup, Unit.group_id == WorkingGroup.id)
                 .where(overdue_item(today), live_unit()))
        query = _visible(query, g.api_user)
        if args.get("group"):
            query = query.where(in_working_groups(select(WorkingGroup.id).where(
                WorkingGroup.code == args["group"], groups_in_view())))
        page = _page(query, args, (Item.due_on, Unit.code, Item.position), rows=True)
        english = str(get_locale() or "vi") == "en"
        return {"total": page.total, "items": [
            {"unit": r.code, "unit_name": r.name, "group": r.group_code, "stage": r.stage, "item": r.key,
             "title": r.title_en if english else r.title_vi, "due_on": r.due_on,
             "days_overdue": (today - r.due_on).days} for r in page.items]}
