"""What every template may use, registered in one place: the filters and the page-wide helpers."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import get_locale
from flask_login import current_user

from ..campaigns.views import switcher
from ..formatting import fmt_date, fmt_datetime, fmt_number, fmt_percent
from ..labels import kind_label, stage_label, status_label
from ..permissions import can_list_blockers, can_read_report
from ..reminders.inbox import unread_total
from ..workflow import KINDS, STAGES, STATUSES
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
    for name, value in {"has_endpoint": has_endpoint, "status_label": status_label, "stage_label": stage_label,
                        "kind_label": kind_label, "STAGES": STAGES, "STATUSES": STATUSES, "KINDS": KINDS,
                        "unread_notifications": unread_notifications,
                        "may_list_blockers": may_list_blockers, "campaign_switcher": switcher}.items():
        app.add_template_global(value, name)
    app.context_processor(_per_request)


def has_endpoint(name: str) -> bool:
    """True when a view with that endpoint is registered (the nav links only to pages that exist)."""
    return name in current_app.view_functions


def unread_notifications() -> int:
    """The signed-in user's unread digests and news, for the bell (one cheap statement)."""
    return unread_total(current_user.id) if current_user.is_authenticated else 0


def may_list_blockers() -> bool:
    """Whether the nav shows the open-blockers page."""
    return current_user.is_authenticated and can_list_blockers(current_user)


def _per_request() -> dict:
    return {"current_locale": str(get_locale() or "vi")}
