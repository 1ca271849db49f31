"""API: delete, archive and restore units and working groups (admins). Code and kind: PATCH /units/{code}."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_babel import gettext as _

from ..api import schemas as s
from ..api.common import Blueprint, admin_only, authenticated
from ..api.present import unit_json
from ..api.units import CODE, errors, group_json, load_unit
from ..campaigns.scope import campaign_id_in_view
from ..models import Unit
from ..readmodel import stage_cells
from ..services.units import get_group
from . import service

blp = Blueprint("api_edits", __name__, description="Delete, archive and restore units and working groups (admins)")


def _unit_out(unit: Unit) -> dict:
    return unit_json(unit, stage_cells([unit.id], g.today)[unit.id])


@blp.route("/units/<code>", parameters=[CODE])
class UnitDelete(MethodView):
    @authenticated
    @admin_only(lambda: _("Only the organisation office deletes units."))
    @blp.response(204)
    @errors(401, 403, 404, 422)
    def delete(self, code):
        """Delete a unit nothing hangs on; else 422 `in_use`, the message saying what holds it (archive it
        instead) and `fields` counting it (ticked, reviews, results, blockers, news, secretaries, sub_cells,
        journal)."""
        service.delete_unit(load_unit(code), g.api_user, g.now)
        return None


@blp.route("/units/<code>/archive", parameters=[CODE])
class UnitArchive(MethodView):
    @authenticated
    @admin_only(lambda: _("Only the organisation office archives units."))
    @blp.response(200, s.UnitOut)
    @errors(401, 403, 404)
    def post(self, code):
        """Archive a unit: still readable; left out of lists (`GET /units?archived=true` lists them), the
        report and the reminders; every change to it answers 422 `archived` until it is restored."""
        return _unit_out(service.set_unit_archived(load_unit(code), True, g.api_user, g.now))


@blp.route("/units/<code>/restore", parameters=[CODE])
class UnitRestore(MethodView):
    @authenticated
    @admin_only(lambda: _("Only the organisation office archives units."))
    @blp.response(200, s.UnitOut)
    @errors(401, 403, 404)
    def post(self, code):
        """Restore an archived unit."""
        return _unit_out(service.set_unit_archived(load_unit(code), False, g.api_user, g.now))


@blp.route("/groups/<code>", parameters=[CODE])
class GroupDelete(MethodView):
    @authenticated
    @admin_only(lambda: _("Only the organisation office deletes working groups."))
    @blp.response(204)
    @errors(401, 403, 404, 422)
    def delete(self, code):
        """Delete a working group with no unit and no member; else 422 `in_use` (archive it instead)."""
        service.delete_group(get_group(code, campaign_id_in_view()), g.api_user, g.now)
        return None


@blp.route("/groups/<code>/archive", parameters=[CODE])
class GroupArchive(MethodView):
    @authenticated
    @admin_only(lambda: _("Only the organisation office archives working groups."))
    @blp.response(200, s.GroupOut)
    @errors(401, 403, 404)
    def post(self, code):
        """Archive a working group: no longer offered in forms and filters; takes no new units or members."""
        return group_json(service.set_group_archived(get_group(code, campaign_id_in_view()), True, g.api_user, g.now))


@blp.route("/groups/<code>/restore", parameters=[CODE])
class GroupRestore(MethodView):
    @authenticated
    @admin_only(lambda: _("Only the organisation office archives working groups."))
    @blp.response(200, s.GroupOut)
    @errors(401, 403, 404)
    def post(self, code):
        """Restore an archived working group."""
        return group_json(service.set_group_archived(get_group(code, campaign_id_in_view()), False, g.api_user, g.now))
