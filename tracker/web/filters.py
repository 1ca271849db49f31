"""Jinja filters (registered by web.globals): dates dd/mm/yyyy in local time, numbers and percentages
in the reader's locale."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_decimal

from ..clock import local_zone


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


def fmt_number(value) -> str:
    """A whole number in the reader's locale (4.850 in Vietnamese, 4,850 in English)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0")


def fmt_percent(value) -> str:
    """A percentage with two decimals in the reader's locale (79,23% in Vietnamese)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00") + "%"
