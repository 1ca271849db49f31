"""Due dates from offsets relative to an anchor (the unit's congress date or the campaign deadline)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Optional

from .calendar import WorkCalendar

# Dates outside these years are typing errors, and offsets from them would overflow.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def plausible(day: date) -> bool:
    """True for a date in the years the app plans for (2000–2100)."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def due_date(anchor: Optional[date], offset_days: int, working_days: bool,
             calendar: Optional[WorkCalendar] = None) -> Optional[date]:
    """The due date offset_days from anchor, counted in working or calendar days; None without anchor."""
    if anchor is None:
        return None
    if working_days:
        return (calendar or WorkCalendar()).add_working_days(anchor, offset_days)
    return anchor + timedelta(days=offset_days)
