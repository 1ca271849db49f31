"""The days a month or week page shows (pure: no Flask, no database)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

VIEWS = ("month", "week")


@dataclass(frozen=True)
class Period:
    """The days of one page: weeks of seven days (Monday first), its first and last day, and its neighbours."""

    view: str
    anchor: date
    weeks: list[list[date]]
    prev: date
    next: date

    @property
    def first(self) -> date:
        """The first day shown (a Monday)."""
        return self.weeks[0][0]

    @property
    def last(self) -> date:
        """The last day shown (a Sunday)."""
        return self.weeks[-1][-1]

    def in_month(self, day: date) -> bool:
        """A day of the month on view (a month grid also shows the edges of its neighbours)."""
        return self.view == "week" or day.month == self.anchor.month


def period(view: str, anchor: date) -> Period:
    """The month or week containing `anchor`, with the anchor days of the previous and next pages."""
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return Period("week", monday, [[monday + timedelta(days=i) for i in range(7)]],
                      monday - timedelta(days=7), monday + timedelta(days=7))
    first = anchor.replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev = (first - timedelta(days=1)).replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, weeks, prev, nxt)
