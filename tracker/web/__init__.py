"""The server-rendered pages: one blueprint per area."""
from __future__ import annotations

import importlib

from flask import Flask, abort, g, render_template, request

from ..extensions import db, login_manager

# Each area keeps its pages in its own module exposing `bp` (feature packages, tracker/reports and
# tracker/reminders, register their own from the app factory).
WEB_MODULES = ("auth", "dashboard", "units", "admin", "help", "news", "account")


def register_web(app: Flask) -> None:
    """Attach the page blueprints, the login manager's loader and the HTML error pages."""
    for name in WEB_MODULES:
        app.register_blueprint(importlib.import_module(f"{__name__}.{name}").bp)

    app.before_request(_refuse_nul_bytes)

    @login_manager.user_loader
    def load_user(session_id: str):
        from ..signin.sessions import load_user as live_session_user
        return live_session_user(session_id)

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page explains itself

    for status in (400, 403, 404, 405, 409, 422, 500):
        app.register_error_handler(status, _html_error)


def _refuse_nul_bytes():
    """400 for a NUL byte in the path, query or form: no text column takes one (PostgreSQL fails)."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in v for v in values):
        abort(400)


def error_page(error, code: int):
    """THE HTML error page: rendered without reading the request's input again (g.error_page tells the
    campaign in view to ignore ?campaign=, which may be what failed), so it cannot fail the same way twice."""
    g.error_page = True
    return render_template("error.html", error=error, code=code), code


def _html_error(error):
    code = getattr(error, "code", 500) or 500
    if request.path.startswith("/api/"):
        from ..api.common import error_response
        return error_response(error)
    if code == 500:
        db.session.rollback()
    return error_page(error, code)
