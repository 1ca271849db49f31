"""Marshmallow schemas of the JSON API: strict input types, translated messages, documented output."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from ..codes import CODE_HELP, CODE_PATTERN
from ..parsing import ID_MAX
from ..services.unit_data import MAX_MEMBERS
from ..text import one_line, text_problem
from ..workflow import KINDS, STAGES, STATUSES
from ..workflow.deadlines import FIRST_YEAR, LAST_YEAR

ITEM_KEY_MAX = 50
CODE_MAX, NAME_MAX, NOTE_MAX, COMMENT_MAX = 30, 200, 2000, 2000

# Field-level messages shared by every field, in the reader's language.
_COMMON = {
    "required": _l("This field is required."),
    "null": _l("This field may not be null."),
    "validator_failed": _l("Invalid value."),
}


def plain_text(value: str) -> bool:
    """Refuse control characters (but tab and line breaks) and lone surrogates: tracker.text's one rule (NUL
    included: PostgreSQL cannot store it, so it must never reach a query)."""
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem)
    return True


class Str(fields.String):
    """A JSON string of plain text (tracker.text), trimmed of surrounding spaces; `one_line=True` (names,
    codes) turns line breaks into spaces."""

    default_error_messages = {**_COMMON, "invalid": _l("Not a valid string."),
                              "invalid_utf8": _l("Not a valid utf-8 string.")}

    def __init__(self, *, validate=(), one_line: bool = False, **kwargs):
        extra = list(validate) if isinstance(validate, (list, tuple)) else [validate]
        self.one_line = one_line
        super().__init__(validate=[plain_text, *extra], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return one_line(text) if self.one_line else text.strip()


class Int(fields.Integer):
    """A JSON integer: "30" and 30.5 are refused, true is refused."""

    default_error_messages = {**_COMMON, "invalid": _l("Not a valid whole number."),
                              "too_large": _l("Number too large.")}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):  # bool is an int in Python, not in JSON
            raise self.make_error("invalid")
        return super()._validated(value)


class Bool(fields.Boolean):
    """A JSON true or false only: "yes", 1 and "true" are refused."""

    default_error_messages = {**_COMMON, "invalid": _l("Must be true or false.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class QueryBool(fields.Boolean):
    """A query-string flag: true/false (also 1/0)."""

    default_error_messages = {**_COMMON, "invalid": _l("Must be true or false.")}
    truthy = {"true", "True", "1"}
    falsy = {"false", "False", "0"}


class Day(fields.Date):
    """An ISO date YYYY-MM-DD."""

    default_error_messages = {**_COMMON, "invalid": _l("Not a valid date: use YYYY-MM-DD."),
                              "format": _l("Not a valid date: use YYYY-MM-DD.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or "\x00" in value:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


# The years the app plans for (workflow.deadlines.plausible), stated in the document as a pattern: OpenAPI 3.0
# has no date range. Built from the same two constants.
PLANNED_DATE = {"pattern": "^(" + "|".join(str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1))
                + r")-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                "description": f"a date in the years {FIRST_YEAR} to {LAST_YEAR}"}


def planned_day(**kwargs) -> Day:
    """A date the app plans with: the years FIRST_YEAR to LAST_YEAR (the services refuse others with 422)."""
    return Day(metadata={**PLANNED_DATE, **kwargs.pop("metadata", {})}, **kwargs)


class Email(fields.Email):
    """An email address."""

    default_error_messages = {**_COMMON, "invalid": _l("Not a valid email address.")}

    def __init__(self, **kwargs):
        super().__init__(validate=[plain_text], **kwargs)


class EmailList(fields.List):
    """A list of email addresses."""

    default_error_messages = {**_COMMON, "invalid": _l("Not a valid list.")}

    def __init__(self, **kwargs):
        super().__init__(Email(), validate=validate.Length(max=500, error=_l("At most 500 members.")), **kwargs)


def _code(**kwargs):
    # the pattern of tracker/codes.py, so the OpenAPI document states it too
    return Str(validate=[validate.Length(min=1, max=CODE_MAX, error=_l("A code is 1 to 30 characters.")),
                        validate.Regexp(CODE_PATTERN, error=CODE_HELP)], one_line=True, **kwargs)


code_field = _code  # a unit's or working group's code, as every schema of the API takes it


def path_param(name: str, kind: str = "") -> dict:
    """The OpenAPI document of a path parameter (`code`, `stage`, `item`, `id`), from the constants the
    server checks it with (a value outside answers 404)."""
    schema = {"code": {"type": "string", "minLength": 1, "maxLength": CODE_MAX, "pattern": CODE_PATTERN},
              "stage": {"type": "string", "enum": list(STAGES)},
              "item": {"type": "string", "minLength": 1, "maxLength": ITEM_KEY_MAX},
              "id": {"type": "integer", "minimum": 1, "maximum": ID_MAX}}[kind or name]
    return {"in": "path", "name": name, "required": True, "schema": schema}


def _name(**kwargs):
    return Str(validate=validate.Length(min=1, max=NAME_MAX, error=_l("1 to 200 characters.")), one_line=True,
               **kwargs)


def _members(**kwargs):
    return Int(validate=validate.Range(min=0, max=MAX_MEMBERS, error=_l("Must be zero or more.")), **kwargs)


class ApiSchema(Schema):
    """Base: unknown fields and non-object bodies are refused with translated messages."""

    error_messages = {"unknown": _l("Unknown field."),
                      "type": _l("Invalid input type: a JSON object is expected.")}


# ---- input -------------------------------------------------------------------------------------

class PageQuery(ApiSchema):
    """page and per_page (default 100, at most 1000)."""

    page = Int(load_default=1, validate=validate.Range(min=1, max=10_000_000,
                                                       error=_l("A whole number, 1 or more.")),
               metadata={"description": "page number, from 1"})
    per_page = Int(load_default=100, validate=validate.Range(min=1, max=1000,
                                                             error=_l("A whole number from 1 to 1000.")),
                   metadata={"description": "items per page, 1 to 1000 (default 100)"})

    class Meta:
        unknown = "exclude"

    def on_bind_field(self, field_name, field_obj):
        # query strings are text: accept "5" for the page numbers (JSON bodies stay strict)
        field_obj.strict = False


class CampaignQuery(ApiSchema):
    """`?campaign=ID`: the campaign a list or the summary reads (default: the active one). campaigns.scope reads
    and checks it (anything but a known id → 404), so the schema only documents it."""

    campaign = Str(metadata={"type": "integer", "minimum": 1, "maximum": ID_MAX,
                             "description": "a campaign's id (default: the active campaign); unknown → 404"})

    class Meta:
        unknown = "exclude"


class ListQuery(PageQuery, CampaignQuery):
    """A list's page and campaign."""


class UnitQuery(ListQuery):
    """Filters of GET /units."""

    group = _code(metadata={"description": "working group code"})
    kind = Str(validate=validate.OneOf(KINDS, error=_l("Unknown kind; one of: {choices}.")))
    pilot = QueryBool()
    overdue = QueryBool(metadata={"description": "true: only units with an overdue item"})
    archived = QueryBool(load_default=False,
                         metadata={"description": "true: only archived units (default: the live ones)"})


class OverdueQuery(ListQuery):
    """Filters of GET /overdue."""

    group = _code(metadata={"description": "working group code"})


class UnitCreate(ApiSchema):
    """POST /units."""

    code = _code(required=True)
    name = _name(required=True)
    kind = Str(required=True, validate=validate.OneOf(KINDS, error=_l("Unknown kind; one of: {choices}.")))
    party_members = _members(load_default=0)
    pilot = Bool(load_default=False)
    group = _code(allow_none=True, load_default=None)
    congress_date = planned_day(allow_none=True, load_default=None)
    parent = _code(allow_none=True, load_default=None)


class UnitPatch(ApiSchema):
    """PATCH /units/{code}: any of the unit's fields; `code` and `kind` are the admins' (a kind change that
    would remove ticked items needs `confirm_kind: true`)."""

    code = _code()
    name = _name()
    kind = Str(validate=validate.OneOf(KINDS, error=_l("Unknown kind; one of: {choices}.")))
    party_members = _members()
    pilot = Bool()
    group = _code(allow_none=True)
    congress_date = planned_day(allow_none=True)
    parent = _code(allow_none=True)
    confirm_kind = Bool(load_default=False, metadata={
        "description": "true: change the kind even though ticked items of the old kind's checklist go"})


class GroupCreate(ApiSchema):
    """POST /groups."""

    code = _code(required=True)
    name = _name(required=True)
    members = EmailList(load_default=list)


class ItemPatch(ApiSchema):
    """PATCH an item: tick or untick, with the version read."""

    done = Bool(required=True)
    version = Int(required=True, validate=validate.Range(min=0, max=2_000_000_000, error=_l("Invalid value.")))
    note = Str(validate=validate.Length(max=NOTE_MAX, error=_l("At most 2000 characters.")))


class ReturnBody(ApiSchema):
    """POST .../return: why the stage goes back."""

    comment = Str(required=True, validate=validate.Length(min=1, max=COMMENT_MAX,
                                                          error=_l("1 to 2000 characters.")))


class DeadlineBody(ApiSchema):
    """POST .../items/{item}/deadline: the new due date, why, and confirm_past for a date already past."""

    due_on = planned_day(required=True, validate=validate.Range(min=date(FIRST_YEAR, 1, 1), max=date(LAST_YEAR, 12, 31),
                                                        error=_l("A date between the years 2000 and 2100.")))
    reason = Str(required=True, validate=validate.Length(min=1, max=COMMENT_MAX, error=_l("1 to 2000 characters.")))
    confirm_past = Bool(load_default=False, metadata={
        "description": "true to set a due date before today (the item is then overdue at once); "
                       "without it such a date answers 422 naming confirm_past"})


# ---- output ------------------------------------------------------------------------------------

class ApiErrorBody(Schema):
    """What went wrong: a machine code, a message for people, per-field messages."""

    code = fields.String()
    message = fields.String()
    fields_ = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")


class ApiError(Schema):
    """The contract's error shape."""

    error = fields.Nested(ApiErrorBody)


class UnitOut(Schema):
    """A unit, with its stages' statuses."""

    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    party_members = fields.Integer()
    pilot = fields.Boolean()
    group = fields.String(allow_none=True)
    congress_date = fields.Date(allow_none=True)
    parent = fields.String(allow_none=True)
    archived = fields.Boolean(metadata={"description": "archived: readable, not in lists, reports or reminders"})
    secretaries = fields.List(fields.String(), metadata={"description": "emails of the unit's secretaries"})
    flags = fields.List(fields.String(), metadata={
        "description": "congress_after_deadline: the congress date is after the campaign's final deadline; "
                       "no_congress_date: none planned yet"})
    stages = fields.Dict(keys=fields.String(metadata={"enum": list(STAGES)}),
                         values=fields.String(metadata={"enum": list(STATUSES)}))


class UnitPage(Schema):
    items = fields.List(fields.Nested(UnitOut))
    total = fields.Integer()


class GroupOut(Schema):
    code = fields.String()
    name = fields.String()
    members = fields.List(fields.String())
    archived = fields.Boolean()


class GroupPage(Schema):
    items = fields.List(fields.Nested(GroupOut))
    total = fields.Integer()


class ItemOut(Schema):
    """One checklist item."""

    key = fields.String()
    stage = fields.String()
    title = fields.String(metadata={"description": "in the reader's language"})
    required = fields.Boolean()
    superior_only = fields.Boolean(metadata={"description": "ticked by the working group or an admin only"})
    due_on = fields.Date(allow_none=True)
    due_manual = fields.Boolean()
    due_reason = fields.String()
    done = fields.Boolean()
    done_at = fields.AwareDateTime(allow_none=True)
    done_by = fields.String(allow_none=True, metadata={"description": "email of who ticked it"})
    note = fields.String()
    version = fields.Integer()


class ItemResult(ItemOut):
    stage_status = fields.String(metadata={"enum": list(STATUSES)})


class ReviewOut(Schema):
    state = fields.String(allow_none=True)
    comment = fields.String()
    by = fields.String(allow_none=True)
    at = fields.AwareDateTime(allow_none=True)


class StageOut(Schema):
    key = fields.String(metadata={"enum": list(STAGES)})
    label = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    due_on = fields.Date(allow_none=True)
    review = fields.Nested(ReviewOut, allow_none=True)
    items = fields.List(fields.Nested(ItemOut))


class OverdueOut(Schema):
    unit = fields.String()
    unit_name = fields.String()
    group = fields.String(allow_none=True)
    stage = fields.String(metadata={"enum": list(STAGES)})
    item = fields.String()
    title = fields.String()
    due_on = fields.Date()
    days_overdue = fields.Integer()


class OverduePage(Schema):
    items = fields.List(fields.Nested(OverdueOut))
    total = fields.Integer()
