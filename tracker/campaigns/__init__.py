"""Campaigns as terms and rounds: the campaign in view, archiving, copying into a new term, switching."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the campaigns' pages and `flask campaigns` (called once by create_app)."""
    from .commands import register as register_commands
    from .views import bp

    app.register_blueprint(bp)
    register_commands(app)
