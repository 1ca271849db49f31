"""The working calendar: the holidays package plus the days an admin adds."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import CalendarDay
from ..workflow import WorkCalendar


def load_calendar() -> WorkCalendar:
    """The calendar with the admin's days off and make-up working days."""
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.working)).all()
    return WorkCalendar(days_off=frozenset(d for d, w in rows if not w),
                        working_days=frozenset(d for d, w in rows if w))
