"""Jinja filters: dates dd/mm/yyyy in local time, numbers and percentages in the reader's locale
(defined in tracker/formatting.py, which the report's text and exports use too)."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from ..formatting import fmt_date, fmt_datetime, fmt_number, fmt_percent
from ..permissions import can_read_report

__all__ = ["fmt_date", "fmt_datetime", "fmt_number", "fmt_percent", "register_filters"]


def register_filters(app: Flask) -> None:
    """Make the filters and the current language available to every template."""
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_datetime, "datetime")
    app.add_template_filter(fmt_number, "number")
    app.add_template_filter(fmt_percent, "percent")

    @app.context_processor
    def _locale():
        return {"current_locale": str(get_locale() or "vi"), "can_read_report": can_read_report}
