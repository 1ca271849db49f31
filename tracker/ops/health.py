"""`GET /healthz` for load balancers and monitoring: no sign-in, no secrets, JSON only."""
from __future__ import annotations

import contextlib
import logging

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 {"database": "ok", "scheduler": {"last_run", "stale"}}; 503 with "unreachable" when the database is down."""
    from ..reminders.beat import heartbeat_state

    try:
        db.session.execute(text("SELECT 1"))
        beat = heartbeat_state()
    except SQLAlchemyError as exc:
        log.warning("healthz: database unreachable: %s", str(getattr(exc, "orig", None) or exc).splitlines()[0][:300])
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        return unreachable()
    db.session.rollback()  # read only: end the transaction at once
    last = beat["at"]
    body = {"database": "ok", "scheduler": {"last_run": last.isoformat() if last else None, "stale": beat["late"]}}
    return jsonify(body), 200, {"Cache-Control": "no-store"}


def unreachable():
    """The 503 answer of /healthz (also when a hook before the view already failed to reach the database)."""
    body = {"database": "unreachable", "scheduler": {"last_run": None, "stale": True}}
    return jsonify(body), 503, {"Retry-After": str(current_app.config.get("RETRY_AFTER", 30)),
                                "Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    """Attach /healthz."""
    app.register_blueprint(bp)
