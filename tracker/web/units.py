"""Pages: units."""
from flask import Blueprint

bp = Blueprint("units", __name__)


@bp.route("/units/<code>")
def show(code):
    """A unit's page."""
    return code
