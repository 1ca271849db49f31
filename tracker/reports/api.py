"""API: a unit's dissemination numbers, congress results and first session; the summary report."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..api.common import authenticated, iso
from ..permissions import can_read_report
from ..services import results as service
from ..services.campaigns import current_campaign
from ..services.errors import Forbidden, NotFound
from ..services.units import get_group, get_unit
from . import query

blp = Blueprint("api_results", __name__, description="Dissemination numbers, congress results, the summary report")


def _count(required: bool = True):
    return fields.Integer(required=required, strict=True, allow_none=not required)


class Custom(fields.Dict):
    """Campaign-defined fields of the stage: {key: whole number, or null to clear}."""

    def __init__(self):
        super().__init__(keys=fields.String(), values=fields.Integer(strict=True, allow_none=True),
                         required=False)


class DisseminationIn(Schema):
    """PUT /units/{code}/dissemination."""

    sessions = _count()
    attendees = _count()
    members_reached = _count()
    custom = Custom()


class ResultsIn(Schema):
    """PUT /units/{code}/results: held_on and counts; seats and candidates optional (for the surplus)."""

    held_on = fields.Date(required=True)
    committee_elected = _count()
    re_elected = _count()
    first_time = _count()
    women = _count()
    young = _count()
    ethnic_minority = _count()
    delegates_official = _count()
    delegates_alternate = _count()
    seats = _count(required=False)
    candidates = _count(required=False)
    custom = Custom()


class FirstSessionIn(Schema):
    """PUT /units/{code}/first-session (a cell sends standing_committee 0)."""

    standing_committee = _count()
    secretary_elected = fields.Boolean(required=True)
    deputy_secretaries = _count()
    inspection_committee = _count()
    inspection_chair_elected = fields.Boolean(required=True)
    custom = Custom()


def _record(record, code: str, data: dict, names: tuple[str, ...], extra=None) -> dict:
    """Record numbers for the path's unit with the service's record function; the stored values and custom
    (and what extra(unit, row) adds)."""
    unit = get_unit(code)
    row = record(unit, data, g.api_user, g.now, g.today)
    custom = service.unit_results(unit)["custom"]
    return {"unit": unit.code, **{n: iso(getattr(row, n)) for n in names}, "custom": custom,
            **(extra(unit, row) if extra else {})}


@blp.route("/units/<code>/dissemination", methods=["PUT"])
@authenticated
@blp.arguments(DisseminationIn)
def put_dissemination(data, code):
    """Set a unit's dissemination numbers: sessions held, attendances, members reached."""
    return _record(service.record_dissemination, code, data, ("sessions", "attendees", "members_reached"))


@blp.route("/units/<code>/results", methods=["PUT"])
@authenticated
@blp.arguments(ResultsIn)
def put_results(data, code):
    """Set what a unit's congress elected (once its congress stage is done or verified).

    `flags` adds `held_after_deadline` when `held_on` is after the campaign's final deadline: accepted, flagged.
    """
    return _record(service.record_congress, code, data, service.CONGRESS_NAMES,
                   lambda unit, row: {"flags": ["held_after_deadline"] if service.held_after_deadline(unit, row)
                                      else []})


@blp.route("/units/<code>/first-session", methods=["PUT"])
@authenticated
@blp.arguments(FirstSessionIn)
def put_first_session(data, code):
    """Set what the new committee's first session elected."""
    return _record(service.record_first_session, code, data, service.FIRST_SESSION_NAMES)


@blp.route("/reports/summary", methods=["GET"])
@authenticated
def get_summary():
    """The report as numbers, for the whole campaign or one working group (`group`)."""
    if not can_read_report(g.api_user):
        raise Forbidden(_("The report covers other units: the working groups and the organisation office "
                          "read it."))
    campaign = current_campaign()
    if campaign is None:
        raise NotFound(_("There is no campaign yet."))
    code = request.args.get("group")
    group = get_group(code) if code else None
    return query.summary(campaign, g.today, group)
