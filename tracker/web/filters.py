"""Jinja filters: dates dd/mm/yyyy in local time, numbers and percentages in the reader's locale."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_decimal, get_locale

from ..clock import local_zone
from ..labels import number_text


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
    return number_text(value)


def fmt_percent(value) -> str:
    """A percentage with two decimals in the reader's locale (79,23% in Vietnamese)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00") + "%"


def register_filters(app: Flask) -> None:
    """Make the filters and the current language available to every template."""
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_datetime, "datetime")
    app.add_template_filter(fmt_number, "number")
    app.add_template_filter(fmt_percent, "percent")

    @app.context_processor
    def _locale():
        return {"current_locale": str(get_locale() or "vi")}
