"""Dates dd/mm/yyyy in local time, numbers and percentages in the reader's locale (4.850 and 79,23% in
Vietnamese): the one home of display formats, for templates, the report's text and its exports.

Numbers are formatted with Python's own formatting and the locale's two symbols, looked up once per
locale: a page of thousands of numbers must not parse a Babel pattern for each (issue 7's profile:
315,000 Babel calls for one report). `tests/test_formatting.py` checks the result equals Babel's.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import get_locale

from .clock import local_zone


def fmt_date(value) -> str:
    """dd/mm/yyyy; a moment is first converted to local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(local_zone()).date()
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def fmt_datetime(value) -> str:
    """dd/mm/yyyy HH:MM in local time."""
    if value is None:
        return ""
    return value.astimezone(local_zone()).strftime("%d/%m/%Y %H:%M")


class NumberFormat:
    """Whole numbers and two-decimal percentages in one locale, without Babel in the loop."""

    def __init__(self, locale: str):
        self.locale = locale
        # Python writes "," and "."; swap them for the locale's group and decimal symbols in one pass
        self._table = str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})

    def number(self, value) -> str:
        """A whole number: 4.850 (vi), 4,850 (en); empty for None."""
        if value is None:
            return ""
        if isinstance(value, float):
            value = round(Decimal(repr(value)))  # Babel's "#,##0": half-even on the decimal value
        return format(value, ",").translate(self._table)

    def percent(self, value) -> str:
        """Two decimals and a percent sign: 79,23% (vi), 79.23% (en); empty for None."""
        if value is None:
            return ""
        # Decimal(repr(float)) as Babel does, so 0.125 and friends round the same way (half-even)
        return format(Decimal(repr(value)) if isinstance(value, float) else value, ",.2f").translate(self._table) + "%"


@lru_cache(maxsize=8)
def number_format(locale: str) -> NumberFormat:
    """The (cached) formatter for a locale name such as "vi" or "en"."""
    return NumberFormat(locale)


def current_format() -> NumberFormat:
    """The formatter for the reader's locale (one lookup; keep it for a whole page or file)."""
    return number_format(str(get_locale() or "vi"))


def fmt_number(value) -> str:
    """A whole number in the reader's locale (4.850 in Vietnamese, 4,850 in English)."""
    return current_format().number(value)


def fmt_percent(value) -> str:
    """A percentage with two decimals in the reader's locale (79,23% in Vietnamese)."""
    return current_format().percent(value)
