"""Post/redirect/get for page forms: what a form answered survives exactly one redirect.

A refused POST must not leave the browser on the POST URL (a reload re-posts it, a restored tab or
the language switch opens it by GET), so the view keeps the message, the field errors and the
submitted values in the session and redirects to the form's own page, which takes them back once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Optional

from flask import current_app, request, session

KEY = "_form_state"
COOKIE_BUDGET = 3000  # bytes of signed session cookie we allow ourselves (browsers drop cookies over ~4 KB)


@dataclass
class FormState:
    """One form's answer: where it is shown, its message (success or not), field errors, typed values."""

    form: str
    message: str = ""
    category: str = "danger"
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def at(self) -> str:
        """The id of the page element the answer is shown in (the part of `form` before a colon)."""
        return self.form.partition(":")[0]

    def is_for(self, form: str) -> bool:
        """True when this answer belongs to that form (then it is opened and refilled)."""
        return self.form == form

    @property
    def refused(self) -> bool:
        """True when the form was refused (its values are shown again, its errors beside the fields)."""
        return self.category == "danger"


def _cookie_size() -> int:
    serializer = current_app.session_interface.get_signing_serializer(current_app)
    return len(serializer.dumps(dict(session))) if serializer else 0


def keep(page: str, form: str, message: str, category: str = "danger",
         errors: Optional[Mapping[str, str]] = None, values: Optional[Mapping[str, str]] = None,
         names: Optional[Iterable[str]] = None) -> None:
    """Remember a form's answer for the page at path `page`; values only of names, never the CSRF token."""
    wanted = set(names) if names is not None else None
    kept = {k: str(v) for k, v in (values or {}).items()
            if k != "csrf_token" and (wanted is None or k in wanted)}
    state = {"page": page, "form": form, "message": message, "category": category,
             "errors": dict(errors or {}), "values": kept}
    session[KEY] = state
    # a long text typed in a refused form must not push the cookie past what browsers keep:
    # shorten the typed values (the errors and the message always stay) until it fits
    while kept and _cookie_size() > COOKIE_BUDGET:
        longest = max(kept, key=lambda k: len(kept[k]))
        if len(kept[longest]) <= 20:
            kept.clear()
        else:
            kept[longest] = kept[longest][: len(kept[longest]) // 2]
        session[KEY] = state


def take() -> Optional[FormState]:
    """The answer kept for this page, once; None when there is none (one kept for another page is dropped)."""
    raw = session.pop(KEY, None)
    if not isinstance(raw, dict) or not isinstance(raw.get("form"), str) or raw.get("page") != request.path:
        return None
    return FormState(raw["form"], str(raw.get("message") or ""), str(raw.get("category") or "danger"),
                     dict(raw.get("errors") or {}), dict(raw.get("values") or {}))
