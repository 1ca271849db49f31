"""Pages: exempt a sub-cell from its committee's gate, or withdraw the exemption (forms on the committee's page)."""
from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import form_state
from ..campaigns.scope import campaign_id_in_view
from ..clock import utcnow
from ..edge import commit_or_refuse, form_text
from ..services.errors import DomainError
from ..services.stages import require_read
from ..services.units import get_unit
from . import service

bp = Blueprint("subcells", __name__)
AT = "sub-cells"


def register(app: Flask) -> None:
    """Add the sub-cell pages to the app."""
    app.register_blueprint(bp)


def _back(cell_code: str, form: str, message: str, category: str, errors=None):
    """Back to the committee's page, at its list of sub-cells, with the form's answer (post/redirect/get)."""
    try:
        cell = get_unit(cell_code, campaign_id_in_view())
        page_code = cell.parent.code if cell.parent is not None else cell.code
    except DomainError:
        page_code = cell_code
    page = url_for("units.show", code=page_code)
    form_state.keep(page, form, message, category, errors, request.form, ("reason", "note"))
    return redirect(f"{page}#{AT}", 303 if category == "danger" else 302)


def _change(code: str, form: str, change, done: str):
    def run():
        cell = get_unit(code, campaign_id_in_view())
        require_read(current_user, cell)
        return change(cell)
    result, refusal = commit_or_refuse(run)
    if refusal is not None:
        if refusal.status == 404:
            return refusal.message, 404
        return _back(code, form, refusal.message, "danger", refusal.fields)
    return _back(code, form, done if result is not False else _("Nothing changed."), "success")


@bp.route("/units/<code>/exemption", methods=["POST"])
@login_required
def exempt(code: str):
    """Exempt a sub-cell from its committee's sub-cell gate, with a reason and a note."""
    reason = request.form.get("reason", "")
    return _change(code, f"{AT}:exempt-{code}",  # the service says how long a note may be
                   lambda cell: service.exempt(cell, reason, form_text("note", service.MAX_NOTE * 2), current_user,
                                               utcnow()),
                   _("The cell is exempted: its committee no longer waits for its congress."))


@bp.route("/units/<code>/exemption/clear", methods=["POST"])
@login_required
def clear(code: str):
    """Withdraw a sub-cell's exemption."""
    return _change(code, f"{AT}:clear-{code}", lambda cell: service.clear(cell, current_user, utcnow()),
                   _("The exemption was withdrawn: the committee waits for this cell's congress again."))


@bp.get("/units/<code>/exemption")
@bp.get("/units/<code>/exemption/clear")
@login_required
def by_get(code: str):
    """A form's address opened by GET: the unit's page."""
    return redirect(url_for("units.show", code=code))



