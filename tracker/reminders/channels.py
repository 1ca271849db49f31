"""The channels a digest goes out through, and who gets which: one rule, in Python and in SQL.

inbox    the Notification row itself (the in-app inbox, also the history): always on, never switched off,
         because it is the one record every other channel is delivered from and the fallback when no
         other channel reaches the person
email    an outbox row sent with SMTP (outbox.EmailChannel)
webhook  an outbox row POSTed as signed JSON to TRACKER_WEBHOOK_URL (outbox.WebhookChannel), e.g. an SMS
         gateway or a Zalo OA bridge

A user's choice is stored as a comma-separated list on users.channels (default "inbox,email"). Who gets
an outbox row for a channel is `delivers()` in Python and `delivers_sql()` for the sweep; a test compares
them. A user without an email address who chose email gets the webhook instead (by phone) when the
webhook is configured, else the inbox only.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import and_, false, func, literal, or_

CHANNELS = ("inbox", "email", "webhook")
OUTBOX_CHANNELS = ("email", "webhook")  # the ones delivered through the outbox
DEFAULT = "inbox,email"


def parse_channels(text: Optional[str]) -> tuple[str, ...]:
    """The channels named in a comma-separated list, in CHANNELS order, inbox always included.

    ValueError (naming the unknown words) for a name that is not a channel; "" and None give the default.
    """
    words = [w.strip().lower() for w in (text or "").split(",") if w.strip()]
    if not words:
        words = DEFAULT.split(",")
    unknown = [w for w in words if w not in CHANNELS]
    if unknown:
        raise ValueError(f"unknown channel {', '.join(unknown)}; choose from {', '.join(CHANNELS)}")
    chosen = set(words) | {"inbox"}
    return tuple(c for c in CHANNELS if c in chosen)


def stored(channels) -> str:
    """The stored form of a list of channels (validated, inbox included)."""
    return ",".join(parse_channels(",".join(channels)))


def chosen(user_channels: Optional[str]) -> tuple[str, ...]:
    """A stored list read back; anything unreadable counts as the default."""
    try:
        return parse_channels(user_channels)
    except ValueError:
        return parse_channels(DEFAULT)


def delivers(channel: str, user_channels: Optional[str], email: Optional[str], phone: Optional[str],
             webhook_on: bool) -> bool:
    """Whether a digest of this user gets an outbox row for `channel` ("email" or "webhook")."""
    mine = ("," + (user_channels or "") + ",")
    has_email = bool(email)
    if channel == "email":
        return ",email," in mine and has_email
    if channel == "webhook":
        wants = ",webhook," in mine or (",email," in mine and not has_email and bool(phone))
        return webhook_on and wants
    return False


def delivers_sql(channel: str, user, webhook_on: bool):
    """The SQL twin of delivers() over the users table (`user` is the User entity or an alias)."""
    mine = literal(",") + func.coalesce(user.channels, "") + literal(",")
    has_email = func.coalesce(user.email, "") != ""
    if channel == "email":
        return and_(mine.like("%,email,%"), has_email)
    if channel == "webhook":
        if not webhook_on:
            return false()
        return or_(mine.like("%,webhook,%"),
                   and_(mine.like("%,email,%"), ~has_email, func.coalesce(user.phone, "") != ""))
    return false()
