"""Whole numbers, ids and days typed by people or put in URLs: ASCII digits only, bounded, never an exception."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Optional

from flask_babel import gettext as _

from .workflow.deadlines import FIRST_YEAR, LAST_YEAR, plausible

ID_MAX = 2**31 - 1  # the largest id a database `integer` column holds (every id column is one)
_WHOLE = re.compile(r"[0-9]{1,18}")  # str.isdigit() accepts "²", which int() refuses


def whole_number(raw: object, low: int = 0, high: int = 10**9) -> Optional[int]:
    """The number raw spells in ASCII digits when low <= it <= high, else None."""
    text = str(raw).strip() if raw is not None else ""
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def page_number(raw: object) -> int:
    """A ?page= value: 1 when missing or odd."""
    return whole_number(raw, 1, 10**6) or 1


def record_id(raw: object) -> Optional[int]:
    """THE id parser for ids in a path, query or form: 1 to ID_MAX in ASCII digits, else None (the caller's 404).

    "²" and "٣" pass str.isdigit() but not int(); 10**20 passes int() but overflows the database's integer.
    """
    return whole_number(raw, 1, ID_MAX)


_DAY = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")


def parse_day(raw: object, any_year: bool = False) -> Optional[date]:
    """THE day parser for pages and URLs: yyyy-mm-dd (a date input, a link) or dd/mm/yyyy (typed); None when it
    is neither, or (unless any_year) outside the years the app plans for (workflow.deadlines.plausible:
    2000–2100), so 9999-12-31 never reaches date arithmetic that overflows."""
    text = str(raw).strip() if raw is not None else ""
    if not _DAY.fullmatch(text):
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d" if "-" in text else "%d/%m/%Y").date()
    except ValueError:
        return None
    return day if any_year or plausible(day) else None


def day_help() -> str:
    """What parse_day takes, for the message of a page that refused a day."""
    return _("The date is not valid: write it as dd/mm/yyyy, a day in the years %(first)s to %(last)s.",
             first=FIRST_YEAR, last=LAST_YEAR)
