"""What every template may use, registered in one place: the filters and the page-wide helpers."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from ..formatting import fmt_date, fmt_datetime, fmt_number, fmt_percent
from ..permissions import can_read_report
from .units import action_label, journal_value


def register_globals(app: Flask) -> None:
    """Register the template filters, globals and per-request values (called once by create_app)."""
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_datetime, "datetime")
    app.add_template_filter(fmt_number, "number")
    app.add_template_filter(fmt_percent, "percent")
    # plain functions: globals, so imported macros (the journal table) see them too
    app.add_template_global(action_label, "action_label")
    app.add_template_global(journal_value, "journal_value")
    app.add_template_global(can_read_report, "can_read_report")
    app.context_processor(_per_request)


def _per_request() -> dict:
    return {"current_locale": str(get_locale() or "vi")}
