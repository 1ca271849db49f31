"""Pages of the organisation office (role admin): campaign, checklist template, units, working groups,
users and the working calendar. Every page and POST here is refused to every other role."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from ..campaigns.scope import groups_in_view, require_campaign_in_view, units_in_view
from ..edge import admins_only
from ..extensions import db
from ..models import CalendarDay, ItemTemplate, Unit, User, WorkingGroup

bp = Blueprint("admin", __name__, url_prefix="/admin")


# one guard for the whole blueprint, so no admin page or POST can forget its check
bp.before_request(admins_only)


@bp.route("/")
@bp.route("")
def index():
    """The office's start page: what there is and where to change it."""
    campaign = require_campaign_in_view()
    db.session.commit()  # the default campaign, if it was just created
    counts = {
        # the campaign in view's units and groups (after a new term the old ones stay in their own campaign)
        "units": db.session.scalar(select(func.count(Unit.id)).where(units_in_view(campaign.id))),
        "groups": db.session.scalar(select(func.count(WorkingGroup.id)).where(groups_in_view(campaign.id))),
        "users": db.session.scalar(select(func.count(User.id))),
        "inactive": db.session.scalar(select(func.count(User.id)).where(User.active.is_(False))),
        "templates": db.session.scalar(select(func.count(ItemTemplate.id))
                                       .where(ItemTemplate.campaign_id == campaign.id)),
        "days": db.session.scalar(select(func.count(CalendarDay.id))),
    }
    return render_template("admin/index.html", campaign=campaign, counts=counts)


from . import admin_campaign, admin_people  # noqa: E402,F401  (they add their routes to bp)
