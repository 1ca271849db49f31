"""What a report (its page, exports, documents and charts) covers: the campaign in view and a working group."""
from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from ..campaigns.scope import campaign_in_view
from ..permissions import can_read_report
from ..services.errors import NotFound
from ..services.units import get_group


def report_scope():
    """The campaign and the working group asked for (?group=CODE); 403 for secretaries."""
    if not can_read_report(current_user):
        abort(403)
    campaign = campaign_in_view()
    if campaign is None:
        abort(404)
    code = (request.args.get("group") or "").strip()
    try:
        group = get_group(code, campaign.id) if code else None
    except NotFound:
        abort(404)
    return campaign, group
