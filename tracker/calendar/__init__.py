"""The congress calendar (issue 12), one feature in one folder.

- grid.py: the month and week pages' days (pure);
- query.py: the congresses and rehearsals of a period, and the clashes, in a fixed number of queries;
- tokens.py: the users' secret feed addresses (create, renew, revoke) and `calendar_url(user)`;
- feeds.py: the iCalendar feeds (icalendar library): a user's, a working group's, the campaign's;
- views.py: the pages (blueprint `calendar`) and the feeds, which need no sign-in (the token is the key).
"""
from __future__ import annotations

from flask import Flask

from .tokens import calendar_url

__all__ = ["calendar_url", "register"]


def register(app: Flask) -> None:
    """Attach the calendar's pages and feeds."""
    from . import views

    app.register_blueprint(views.bp)
