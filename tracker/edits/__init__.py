"""Edits that stick (issue 10): delete units and working groups nothing hangs on, archive and restore the
others, change a unit's code and kind. Admins only; pages under /admin, API under /api/v1."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the admin pages and the API endpoints (after the API itself is initialised)."""
    from ..api import api
    from ..extensions import csrf
    from . import api as edits_api
    from . import views

    app.register_blueprint(views.bp)
    csrf.exempt(edits_api.blp)  # bearer tokens, not cookies
    api.register_blueprint(edits_api.blp, url_prefix="/api/v1")
