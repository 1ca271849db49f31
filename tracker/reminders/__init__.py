"""Reminders, one feature in one package.

policy     the campaign's reminder policy: thresholds, send hour; changing it (validated, journalled)
sweep      the sweep, a function of (session, now): ledger, the day's news, digests and outbox rows, set-based
digest     a digest's words, rendered from the ledger and the news when sent or shown; bounded to a screenful
outbox     delivery (SMTP lives only here): claim in batches, send by channel, retry with backoff
channels   the digest channels (inbox, email, webhook) and who gets which: one rule, Python and SQL
webhook    the webhook channel: the signed JSON body, the POST, the start-up check of its settings
preferences a person's channels: choosing them (the person or an admin), what they amount to
forms      the channels form of the account page and the admin's user page
inbox      the in-app inbox: a user's digests and news (services/news.py), unread count, marking read
scheduler  APScheduler wiring: wake the sweep and the outbox every few minutes
commands   `flask reminders sweep|deliver`, `flask scheduler`
views      the inbox pages, the delivery log, the policy page (blueprint "inbox")
api        `GET /api/v1/notifications`, marking one read
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach the reminders' pages, API endpoints and commands (the app factory calls this; never the scheduler)."""
    from ..api import api
    from ..extensions import csrf
    from . import api as notifications_api
    from . import commands, views

    app.register_blueprint(views.bp)
    csrf.exempt(notifications_api.blp)  # bearer tokens, not cookies
    api.register_blueprint(notifications_api.blp, url_prefix="/api/v1")
    commands.register(app)
