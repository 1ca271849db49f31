"""The one place that reads the clock; rules take `now` as a parameter. Tests freeze time."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """The current moment, timezone-aware UTC."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The campaign's local time zone (TRACKER_TIMEZONE)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today(now: datetime | None = None) -> date:
    """The local calendar date at `now` (default: the current moment)."""
    return (now or utcnow()).astimezone(local_zone()).date()
