"""The campaign in view for a request, and the one filter every unit and group lookup goes through.

`?campaign=ID` first (lists, the summary, pages); else, for admins and viewers, the campaign they
switched to (kept in the session); else the active campaign. Outside a request (commands, the
scheduler) it is the active campaign.
"""
from __future__ import annotations

from typing import Any, Optional

from flask import abort, g, has_request_context, request, session
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import Campaign, Unit, WorkingGroup
from ..parsing import record_id
from ..permissions import can_switch_campaign
from ..services.campaigns import active_campaign, find_group, find_unit
from ..services.errors import Forbidden, NotFound

SESSION_KEY = "campaign_id"


def _viewer() -> Any:
    user = g.get("api_user")
    if user is not None:
        return user
    return current_user if current_user and current_user.is_authenticated else None


def _refuse(error: Exception) -> None:
    # the API edge maps a DomainError to its JSON answer; pages answer with the HTML error page
    if g.get("api_user") is not None:
        raise error
    abort(getattr(error, "status", 404), getattr(error, "message", None))


def _asked_for() -> Optional[Campaign]:
    if g.get("error_page"):
        # the error page of this request never reads its input again: the campaign it shows is the
        # session's (or the active one), whatever ?campaign= said
        return None
    raw = request.args.get("campaign")
    if raw is None:
        return None
    campaign_id = record_id(raw)
    campaign = db.session.get(Campaign, campaign_id) if campaign_id is not None else None
    if campaign is None:
        _refuse(NotFound(_("No campaign with id %(id)s.", id=raw), {"campaign": _("Unknown campaign.")}))
    return campaign


def _resolve() -> Optional[Campaign]:
    active = active_campaign()
    user = _viewer()
    asked = _asked_for()
    if asked is not None:
        if asked is not active and not can_switch_campaign(user):
            _refuse(Forbidden(_("You work in the active campaign only.")))
        return asked
    chosen_id = record_id(session.get(SESSION_KEY)) if can_switch_campaign(user) else None
    if chosen_id is not None:
        chosen = db.session.get(Campaign, chosen_id)
        if chosen is not None:
            return chosen
        session.pop(SESSION_KEY, None)  # the campaign was deleted since
    return active


def campaign_in_view() -> Optional[Campaign]:
    """The campaign this request reads and changes (see the module docstring)."""
    if not has_request_context():
        return active_campaign()
    cached = g.get("campaign_in_view")
    if cached is not None and cached in db.session:
        return cached
    campaign = _resolve()
    if campaign is not None:
        g.campaign_in_view = campaign
    return campaign


def campaign_id_in_view() -> Optional[int]:
    """The id of the campaign in view (None when there is no campaign yet)."""
    campaign = campaign_in_view()
    return campaign.id if campaign is not None else None


def units_in_view(campaign_id: Optional[int] = None) -> Any:
    """The WHERE clause keeping units of the campaign in view (or of campaign_id): the one filter of
    every unit list and lookup."""
    return Unit.campaign_id == (campaign_id if campaign_id is not None else campaign_id_in_view())


def groups_in_view(campaign_id: Optional[int] = None) -> Any:
    """The WHERE clause keeping working groups of the campaign in view (or of campaign_id)."""
    return WorkingGroup.campaign_id == (campaign_id if campaign_id is not None else campaign_id_in_view())


def unit_by_code(code: str, campaign_id: Optional[int] = None) -> Optional[Unit]:
    """The unit with that code in the campaign in view (or campaign_id), or None."""
    cid = campaign_id if campaign_id is not None else campaign_id_in_view()
    return find_unit(code, cid) if cid is not None else None


def group_by_code(code: str, campaign_id: Optional[int] = None) -> Optional[WorkingGroup]:
    """The working group with that code in the campaign in view (or campaign_id), or None."""
    cid = campaign_id if campaign_id is not None else campaign_id_in_view()
    return find_group(code, cid) if cid is not None else None


def require_campaign_in_view() -> Campaign:
    """The campaign in view, or NotFound when there is none yet (nothing is created on a request)."""
    campaign = campaign_in_view()
    if campaign is None:
        raise NotFound(_("There is no campaign yet: the operator runs `flask init-db`."))
    return campaign


def switch_to(campaign_id: Optional[int]) -> None:
    """Remember the campaign an admin or viewer chose for the rest of the session (None: the active one)."""
    g.pop("campaign_in_view", None)
    if campaign_id is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = campaign_id
