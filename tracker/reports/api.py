"""API: a unit's dissemination numbers, congress results and first session; the summary report."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_babel import gettext as _
from marshmallow import Schema, fields

from ..api import schemas as s
from ..api.common import Blueprint, authenticated, documented_errors
from ..campaigns.scope import campaign_id_in_view, campaign_in_view
from ..permissions import can_read_report
from ..services import results as service
from ..services.errors import Forbidden, NotFound
from ..services.units import get_group, get_unit
from ..workflow.result_rules import (
    CONGRESS_COUNTS,
    CONGRESS_OPTIONAL,
    DISSEMINATION_COUNTS,
    FIRST_SESSION_COUNTS,
    FIRST_SESSION_FLAGS,
    MAX_COUNT,
)
from ..workflow.rounding import MODES
from . import query

blp = Blueprint("api_results", __name__, description="Dissemination numbers, congress results, the summary report")

# The range of a count is checked once, by workflow.result_rules.check_range (422 naming the field); the
# document states it from the same constant.
COUNT_RANGE = {"minimum": 0, "maximum": MAX_COUNT}


def errors(*codes):
    """This blueprint's documented error answers."""
    return documented_errors(blp, *codes)


def _count(required: bool = True):
    return s.Int(required=required, allow_none=not required, metadata=COUNT_RANGE)


class Custom(fields.Dict):
    """Campaign-defined fields of the stage: {key: whole number, or null to clear}."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=s.Int(allow_none=True, metadata=COUNT_RANGE), **kwargs)


def _numbers(name: str, counts: tuple[str, ...], optional: tuple[str, ...] = (), booleans: tuple[str, ...] = (),
             **extra) -> type[Schema]:
    """An input schema from the stage's field names (workflow.result_rules holds them once)."""
    spec = {n: _count() for n in counts} | {n: _count(required=False) for n in optional}
    spec |= {n: s.Bool(required=True) for n in booleans} | {"custom": Custom(required=False)} | extra
    return type(name, (s.ApiSchema,), spec)


def _stored(name: str, counts: tuple[str, ...], optional: tuple[str, ...] = (), booleans: tuple[str, ...] = (),
            **extra) -> type[Schema]:
    """The output schema of a stage's stored numbers."""
    spec = {"unit": fields.String()} | {n: fields.Integer(metadata=COUNT_RANGE) for n in counts}
    spec |= {n: fields.Integer(allow_none=True, metadata=COUNT_RANGE) for n in optional}
    spec |= {n: fields.Boolean() for n in booleans} | {"custom": Custom()} | extra
    return type(name, (Schema,), spec)


DisseminationIn = _numbers("DisseminationIn", DISSEMINATION_COUNTS)
ResultsIn = _numbers("ResultsIn", CONGRESS_COUNTS, CONGRESS_OPTIONAL, held_on=s.Day(required=True, metadata={
    "description": "the day the congress was held: not after today, not before the campaign's start"}))
FirstSessionIn = _numbers("FirstSessionIn", FIRST_SESSION_COUNTS, booleans=FIRST_SESSION_FLAGS)
DisseminationOut = _stored("DisseminationOut", DISSEMINATION_COUNTS)
ResultsOut = _stored("ResultsOut", CONGRESS_COUNTS, CONGRESS_OPTIONAL, held_on=fields.Date(), flags=fields.List(
    fields.String(metadata={"enum": ["held_after_deadline"]}),
    metadata={"description": "held_after_deadline: held_on is after the campaign's final deadline"}))
FirstSessionOut = _stored("FirstSessionOut", FIRST_SESSION_COUNTS, booleans=FIRST_SESSION_FLAGS)


def _record(record, code: str, data: dict, names: tuple[str, ...], extra=None) -> dict:
    """Record numbers for the path's unit with the service's record function; the stored values and custom
    (and what extra(unit, row) adds)."""
    unit = get_unit(code, campaign_id_in_view())
    row = record(unit, data, g.api_user, g.now, g.today)
    custom = service.unit_results(unit)["custom"]
    return {"unit": unit.code, **{n: getattr(row, n) for n in names}, "custom": custom,
            **(extra(unit, row) if extra else {})}


UNIT_PATH = [s.path_param("code")]


@blp.route("/units/<code>/dissemination", parameters=UNIT_PATH)
class Dissemination(MethodView):
    @authenticated
    @blp.arguments(DisseminationIn)
    @blp.response(200, DisseminationOut)
    @errors(400, 401, 403, 404, 409, 415, 422)
    def put(self, data, code):
        """Set a unit's dissemination numbers: sessions held, attendances, members reached."""
        return _record(service.record_dissemination, code, data, DISSEMINATION_COUNTS)


@blp.route("/units/<code>/results", parameters=UNIT_PATH)
class Results(MethodView):
    @authenticated
    @blp.arguments(ResultsIn)
    @blp.response(200, ResultsOut)
    @errors(400, 401, 403, 404, 409, 415, 422)
    def put(self, data, code):
        """Set what a unit's congress elected (once its congress stage is done or verified).

        `flags` adds `held_after_deadline` when `held_on` is after the campaign's final deadline: accepted,
        flagged.
        """
        return _record(service.record_congress, code, data, service.CONGRESS_NAMES,
                       lambda unit, row: {"flags": ["held_after_deadline"]
                                          if service.held_after_deadline(unit, row) else []})


@blp.route("/units/<code>/first-session", parameters=UNIT_PATH)
class FirstSession(MethodView):
    @authenticated
    @blp.arguments(FirstSessionIn)
    @blp.response(200, FirstSessionOut)
    @errors(400, 401, 403, 404, 409, 415, 422)
    def put(self, data, code):
        """Set what the new committee's first session elected."""
        return _record(service.record_first_session, code, data, service.FIRST_SESSION_NAMES)


# ---- the summary (CONTRACT.md) -----------------------------------------------------------------

def _ints(name: str, *names: str) -> type[Schema]:
    return Schema.from_dict({n: fields.Integer() for n in names}, name=name)


Share = Schema.from_dict({"count": fields.Integer(), "percent": fields.Float()}, name="Share")
Committee = Schema.from_dict({"elected": fields.Integer(), **{n: fields.Nested(Share) for n in query.SHARES}},
                             name="Committee")


class CustomTotal(Schema):
    key = fields.String()
    stage = fields.String()
    label_vi = fields.String()
    label_en = fields.String()
    total = fields.Integer()


class SummaryOut(Schema):
    """The district report as numbers (percentages of committee.elected, of members_total for reach)."""

    units = fields.Nested(_ints("SummaryUnits", "total", "congress_held", "pilot", "results_entered"))
    dissemination = fields.Nested(Schema.from_dict(
        {**{n: fields.Integer() for n in (*DISSEMINATION_COUNTS, "members_total")},
         "percent_reached": fields.Float()}, name="SummaryDissemination"))
    committee = fields.Nested(Committee)
    delegates = fields.Nested(_ints("SummaryDelegates", "official", "alternate"))
    first_session = fields.Nested(_ints("SummaryFirstSession", "standing_committee", "secretaries",
                                        "deputy_secretaries", "inspection_committee", "inspection_chairs"))
    held_by = fields.String(allow_none=True, metadata={"format": "date", "description": "the last congress held"})
    rounding = fields.String(metadata={"enum": list(MODES)})
    custom = fields.List(fields.Nested(CustomTotal))
    sub_cells = fields.Nested(_ints("SummarySubCells", "total", "congress_held"))
    group = fields.String(allow_none=True)


class SummaryQuery(s.CampaignQuery):
    """Filters of GET /reports/summary."""

    group = s.code_field(metadata={"description": "working group code"})


@blp.route("/reports/summary")
class Summary(MethodView):
    @authenticated
    @blp.arguments(SummaryQuery, location="query")
    @blp.response(200, SummaryOut)
    @errors(401, 403, 404, 422)
    def get(self, args):
        """The report as numbers, for the whole campaign or one working group (`group`)."""
        if not can_read_report(g.api_user):
            raise Forbidden(_("The report covers other units: the working groups and the organisation office "
                              "read it."))
        campaign = campaign_in_view()
        if campaign is None:
            raise NotFound(_("There is no campaign yet."))
        group = get_group(args["group"], campaign.id) if args.get("group") else None
        return query.summary(campaign, g.today, group)
