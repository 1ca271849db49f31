"""Pages of the organisation office (role admin): campaign, checklist template, units, working groups,
users and the working calendar. Every page and POST here is refused to every other role."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import CalendarDay, ItemTemplate, Unit, User, WorkingGroup
from ..permissions import can_admin
from ..services.campaigns import require_campaign
from ..services.errors import DomainError

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    # one guard for the whole blueprint, so no admin page or POST can forget its check
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can_admin(current_user):
        abort(403)
    return None


def refused(form, exc: DomainError, field_map: dict[str, str] | None = None) -> int:
    """Undo the request's changes, put the service's per-field messages on the form; the HTTP status."""
    db.session.rollback()
    for name, message in exc.fields.items():
        field = getattr(form, (field_map or {}).get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
    flash(exc.message, "danger")
    return exc.status


def invalid_form() -> int:
    """Tell the user the form has errors; the HTTP status for the re-rendered page."""
    flash(_("Nothing was saved: check the marked fields."), "danger")
    return 400


def attempt(form, change, field: str | None = None):
    """Run change(): (its result, None) once committed, or (None, status) with the refusal on the form."""
    try:
        result = change()
    except DomainError as exc:
        if field:
            # a refusal naming no field of this small form goes on its one field
            exc.fields.setdefault(field, exc.message)
        return None, refused(form, exc)
    db.session.commit()
    return result, None


def submit(form, change, field: str | None = None):
    """Validate the posted form, then attempt(form, change, field); (None, 400) when it does not validate."""
    if not form.validate_on_submit():
        return None, invalid_form()
    return attempt(form, change, field)


def saved(message: str, target: str):
    """Say what was saved and go to target."""
    flash(message, "success")
    return redirect(target)


def act(change, done: str, target: str, failed_target: str | None = None):
    """Run a one-button change: commit and say done, or undo and say why; then go to target."""
    try:
        change()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(failed_target or target)
    db.session.commit()
    return saved(done, target)


@bp.route("/")
@bp.route("")
def index():
    """The office's start page: what there is and where to change it."""
    campaign = require_campaign()
    db.session.commit()  # the default campaign, if it was just created
    counts = {
        "units": db.session.scalar(select(func.count(Unit.id))),
        "groups": db.session.scalar(select(func.count(WorkingGroup.id))),
        "users": db.session.scalar(select(func.count(User.id))),
        "inactive": db.session.scalar(select(func.count(User.id)).where(User.active.is_(False))),
        "templates": db.session.scalar(select(func.count(ItemTemplate.id))
                                       .where(ItemTemplate.campaign_id == campaign.id)),
        "days": db.session.scalar(select(func.count(CalendarDay.id))),
    }
    return render_template("admin/index.html", campaign=campaign, counts=counts)


from . import admin_campaign, admin_people  # noqa: E402,F401  (they add their routes to bp)
