"""The sign-in log page (admins): every sign-in, failure, sign-out and password change, newest first."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..edge import admins_only
from ..models import User
from ..paging import page_number, paginate
from . import events
from .models import SignInEvent

bp = Blueprint("signin", __name__, url_prefix="/admin")
bp.before_request(admins_only)  # the whole log is the office's: everyone else gets 403
PER_PAGE = 50

OUTCOME_LABELS = {
    events.OK: _l("Signed in"), events.BAD_PASSWORD: _l("Wrong password"), events.UNKNOWN: _l("Unknown account"),
    events.INACTIVE: _l("Account deactivated"), events.THROTTLED: _l("Refused: too many failures"),
    events.CHECKING: _l("Password being checked"),
    events.SIGNED_OUT: _l("Signed out"), events.PASSWORD_CHANGED: _l("Changed own password"),
    events.PASSWORD_RESET: _l("Password reset"), events.DEACTIVATED: _l("Deactivated"),
}
FAILED = {events.BAD_PASSWORD, events.UNKNOWN, events.INACTIVE, events.THROTTLED}


@bp.route("/sign-ins")
def sign_in_log():
    """The sign-in log, 50 lines a page (paging.paginate: two statements, whatever its length)."""
    who, actor = aliased(User), aliased(User)
    query = (select(SignInEvent.at, SignInEvent.login, SignInEvent.address, SignInEvent.outcome,
                    SignInEvent.user_id, who.name.label("name"), actor.name.label("actor"))
             .outerjoin(who, who.id == SignInEvent.user_id).outerjoin(actor, actor.id == SignInEvent.actor_id))
    pager = paginate(query, page_number(request.args.get("page")), PER_PAGE,
                     order_by=(SignInEvent.at.desc(), SignInEvent.id.desc()), rows=True, last_page=True)
    return render_template("signin/log.html", pager=pager, labels=OUTCOME_LABELS, failed=FAILED)
