"""The home page: the units × stages dashboard (secretaries go to their unit)."""
from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
def home():
    """The signed-in user's home."""
    if current_user.role == "secretary" and current_user.unit:
        return redirect(url_for("units.show", code=current_user.unit.code))
    return "dashboard"
