"""Operations (issue 11): ids the database can hold, bounded JSON bodies, 503 while the database is away,
`/healthz`, one JSON log line per request, and the `flask doctor` and `flask backup` commands."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every operations piece; call it before the blueprints (the `int` converter is read as routes are
    added)."""
    from . import commands, health, ids, json_bounds, requestlog, unavailable

    ids.init_app(app)
    json_bounds.init_app(app)
    unavailable.init_app(app)
    requestlog.init_app(app)
    health.init_app(app)
    commands.init_app(app)
