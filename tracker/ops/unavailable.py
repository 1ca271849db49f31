"""While the database is away, every request answers 503 with Retry-After (a page or the API's JSON),
never a 500 with a traceback; the pool's pre-ping (config.py) reconnects by itself once it is back."""
from __future__ import annotations

import logging

from flask import Flask, request
from flask_babel import gettext as _
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import db, login_manager

log = logging.getLogger(__name__)
RETRY_AFTER = 30  # seconds; a restarted PostgreSQL is usually back well within a minute
# connection refused or lost, server shutting down, pool exhausted; SQLite's "database is locked" too
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def database_unavailable(error: Exception):
    """503: the database cannot be reached now; nothing was saved."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path,
                str(getattr(error, "orig", None) or error).splitlines()[0][:300])
    try:
        db.session.rollback()
    except Exception:
        log.debug("rollback after a lost connection failed", exc_info=True)
    # the answer must not touch the database again (the locale selector and the page's header read the
    # signed-in user): treat the visitor as signed out for this one answer
    login_manager._update_request_context_with_user(None)
    if request.endpoint == "ops.healthz":  # a hook before the view needed the database
        from .health import unreachable
        return unreachable()
    retry = {"Retry-After": str(_retry_after())}
    if request.path.startswith("/api/"):
        from ..api.common import error_json
        resp = error_json(503, "unavailable", _("The database cannot be reached just now; nothing was changed. "
                                                "Try again in a moment."))
        resp.headers.update(retry)
        return resp
    from ..web import error_page
    return (*error_page(error, 503), retry)


def too_large(error: RequestEntityTooLarge):
    """413 as a page (the API's JSON answer comes from its own error handler)."""
    if request.path.startswith("/api/"):
        from ..api.common import error_response
        return error_response(error)
    from ..web import error_page
    return error_page(error, 413)


def _retry_after() -> int:
    from flask import current_app
    return int(current_app.config.get("RETRY_AFTER", RETRY_AFTER))


def init_app(app: Flask) -> None:
    """Answer database outages with 503 and oversized bodies (MAX_CONTENT_LENGTH) with 413."""
    for exc in UNAVAILABLE:
        app.register_error_handler(exc, database_unavailable)
    app.register_error_handler(413, too_large)
