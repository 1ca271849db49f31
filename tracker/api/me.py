"""API: `GET /api/v1/me`, the caller as the tracker knows them (identity, unit, groups, reminder channels)."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from ..calendar import calendar_url
from ..campaigns.scope import campaign_id_in_view
from ..reminders.channels import CHANNELS
from ..reminders.preferences import channel_list
from ..workflow.stages import ROLES
from .common import Blueprint, authenticated
from .schemas import ApiError

blp = Blueprint("api_me", __name__, description="The caller")


class MeOut(Schema):
    """The caller."""

    email = fields.String(allow_none=True, metadata={"description": "null for a user who signs in by phone"})
    name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    unit = fields.String(allow_none=True, metadata={"description": "the code of a secretary's unit, else null"})
    groups = fields.List(fields.String(), metadata={"description": "codes of the caller's working groups"})
    phone = fields.String(allow_none=True, metadata={"description": "normalised, e.g. 0912345678; or null"})
    channels = fields.List(fields.String(metadata={"enum": list(CHANNELS)}), metadata={
        "description": "the reminder channels the caller chose; the in-app inbox is always among them"})
    calendar_url = fields.String(allow_none=True, metadata={
        "description": "the caller's secret iCalendar feed, absolute; null when the caller revoked it"})


def me_json(user) -> dict:
    """The API form of a user as `/me` gives it."""
    # a member keeps the earlier terms' groups too (campaigns copy their members): the campaign in view's only
    campaign_id = campaign_id_in_view()
    return {"email": user.email, "name": user.name, "role": user.role,
            "unit": user.unit.code if user.unit is not None else None,
            "groups": sorted(gr.code for gr in user.groups if gr.campaign_id == campaign_id), "phone": user.phone,
            "channels": channel_list(user),
            "calendar_url": calendar_url(user) or None}  # may create the feed's key: the edge commits


@blp.route("/me", methods=["GET"])
@authenticated
@blp.response(200, MeOut)
@blp.alt_response(401, schema=ApiError, description="no or bad token")
def me():
    """The caller: email, name, role, unit code, group codes, phone, reminder channels, calendar feed."""
    return me_json(g.api_user)
