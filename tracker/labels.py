"""The fixed vocabulary in the reader's language: stages, statuses, unit kinds, numbers (one place for all pages)."""
from __future__ import annotations

from flask_babel import gettext as _


def stage_label(key: str) -> str:
    """The stage's name in the reader's language."""
    return {
        "dissemination": _("Dissemination"),
        "documents": _("Documents"),
        "personnel": _("Personnel"),
        "rehearsal": _("Rehearsal"),
        "congress": _("Congress held"),
        "first_session": _("First session"),
    }.get(key, key)


def status_label(status: str) -> str:
    """A stage status in the reader's language."""
    return {
        "not_started": _("Not started"),
        "in_progress": _("In progress"),
        "done": _("Done"),
        "verified": _("Verified"),
        "returned": _("Returned"),
        "overdue": _("Overdue"),
    }.get(status, status)


def kind_label(kind: str) -> str:
    """A unit kind in the reader's language."""
    return {
        "commune_committee": _("Commune/town Party committee"),
        "sector_committee": _("Sector Party committee"),
        "grassroots_cell": _("Grassroots cell"),
        "sub_cell": _("Cell under a grassroots committee"),
    }.get(kind, kind)


def stage_short_label(key: str) -> str:
    """A stage's abbreviation for the narrow header of the phone dashboard."""
    return {
        "dissemination": _("Dis"),
        "documents": _("Doc"),
        "personnel": _("Per"),
        "rehearsal": _("Reh"),
        "congress": _("Con"),
        "first_session": _("1st"),
    }.get(key, key)


def role_label(role: str) -> str:
    """A user role in the reader's language."""
    return {
        "admin": _("Organisation office"),
        "group": _("Working-group member"),
        "secretary": _("Unit secretary"),
        "viewer": _("Leadership (read only)"),
    }.get(role, role)
