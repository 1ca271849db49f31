"""The user guide ("Hướng dẫn sử dụng"): what each role does, one page, one click from every page."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required

bp = Blueprint("help", __name__)

ROLES = ("secretary", "group", "admin", "viewer")


@bp.route("/help")
@login_required
def index():
    """The guide in the reader's language, the reader's own role first."""
    locale = "en" if str(get_locale() or "vi") == "en" else "vi"
    role = current_user.role if current_user.role in ROLES else None
    order = ([role] if role else []) + [r for r in ROLES if r != role]
    return render_template("help/index.html", guide=f"help/guide_{locale}.html", order=order, role=role)
