"""The pages' edge, one way each: the page form (Form: tracker.text's rule on typed text), the CSRF-only form,
the admin guard, raw form text (form_text), and commit-or-refuse.

A page's change runs a service inside `commit_or_refuse`: the one commit of the request when it
succeeds; when the service refuses (DomainError), or the database's unique constraint does (a race),
nothing is kept and the refusal is said to the user.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Optional, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from .extensions import db
from .formatting import fmt_number
from .permissions import require_admin
from .services.errors import Conflict, DomainError, Invalid
from .text import one_line, text_problem

T = TypeVar("T")
log = logging.getLogger(__name__)


class Form(FlaskForm):
    """Every page form: FlaskForm plus tracker.text's rule on what people type. A one-line text field (an
    <input>, not a textarea) turns line breaks into spaces before its validators; any text field holding a
    control character (but tab and line breaks) or a lone surrogate gets a field error; passwords are left
    as typed (they are only hashed)."""

    def validate(self, extra_validators=None) -> bool:
        texts = [f for f in self if isinstance(f.data, str) and not isinstance(f, PasswordField)]
        for field in texts:
            if isinstance(field, StringField) and not isinstance(field, (TextAreaField, HiddenField)):
                field.data = one_line(field.data)
        valid = super().validate(extra_validators)
        for field in texts:
            problem = text_problem(field.data)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


class EmptyForm(Form):
    """Only the CSRF token: for buttons that post."""


def local_path(target: Optional[str]) -> Optional[str]:
    """The target when it is a path on this site, else None: the one check before redirecting to a `next`.

    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\host" and "/<tab>/host" lead
    to another site as surely as "//host" does: none of them passes.
    """
    if not target or not target.startswith("/") or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and not target.startswith("//") else None


def admins_only():
    """A blueprint's before_request: sign-in first, then 403 for anyone but the organisation office."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    admin_page()
    return None


def admin_page() -> None:
    """Inside a signed-in view: 403 for anyone but the organisation office (permissions.require_admin)."""
    try:
        require_admin(current_user)
    except DomainError as exc:
        abort(exc.status)


def commit_or_refuse(change: Callable[[], T]) -> tuple[Optional[T], Optional[DomainError]]:
    """Run change() and commit: (its result, None); or undo everything: (None, the service's refusal).

    Two requests may pass the same check at once (six "new unit N1" posts): the database's unique constraint
    refuses all but one (IntegrityError, on PostgreSQL and SQLite alike). The loser is run once more, now
    that the winner's row is there, so the service refuses it in its own words ("a unit with code N1 already
    exists", on the field); if it still breaks a constraint, a plain Conflict (409).
    """
    for attempt in (1, 2):
        try:
            result = change()
            db.session.commit()
            return result, None
        except DomainError as exc:
            db.session.rollback()
            return None, exc
        except IntegrityError:
            db.session.rollback()
            log.info("integrity conflict, attempt %s: another request saved the same row first", attempt)
    return None, Conflict(_("This was saved by someone else at the same moment; reload and try again."),
                          code="duplicate")


def refuse(exc: DomainError, form=None, field_map: Optional[dict[str, str]] = None,
           label: Optional[Callable[[str], Optional[str]]] = None) -> int:
    """Say why a change was refused: its per-field messages on the form's fields, or flashed with the
    field's label when the page has no form object; the HTTP status for the re-rendered page."""
    flash(exc.message, "danger")
    for name, message in exc.fields.items():
        if form is not None:
            field = getattr(form, (field_map or {}).get(name, name), None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
        elif label is not None and label(name):
            flash(f"{label(name)}: {message}", "danger")
    return exc.status


def invalid_form() -> int:
    """Tell the user the form has errors; the HTTP status for the re-rendered page."""
    flash(_("Nothing was saved: check the marked fields."), "danger")
    return 400


def attempt(form, change: Callable[[], T], field: Optional[str] = None) -> tuple[Optional[T], Optional[int]]:
    """commit_or_refuse(change): (its result, None), or (None, status) with the refusal on the form."""
    result, refusal = commit_or_refuse(change)
    if refusal is None:
        return result, None
    if field:
        # a refusal naming no field of this small form goes on its one field
        refusal.fields.setdefault(field, refusal.message)
    return None, refuse(refusal, form)


def submit(form, change: Callable[[], T], field: Optional[str] = None) -> tuple[Optional[T], Optional[int]]:
    """Validate the posted form, then attempt(form, change, field); (None, 400) when it does not validate."""
    if not form.validate_on_submit():
        return None, invalid_form()
    return attempt(form, change, field)


def saved(message: str, target: str):
    """Say what was saved and go to target."""
    flash(message, "success")
    return redirect(target)


def act(change: Callable[[], object], done: str, target: str, failed_target: Optional[str] = None):
    """A one-button change: commit and say done, or undo and say why; then go to target."""
    _result, refusal = commit_or_refuse(change)
    if refusal is not None:
        flash(refusal.message, "danger")
        return redirect(failed_target or target)
    return saved(done, target)


def form_text(name: str, max_len: int, *, line: bool = False) -> str:
    """A text field read straight from request.form (pages without a form class): trimmed, one line when
    `line`, tracker.text's rule and max_len checked; Invalid naming the field otherwise."""
    value = request.form.get(name) or ""
    value = one_line(value) if line else value.strip()
    problem = text_problem(value)
    if problem:
        raise Invalid(_("Nothing was saved: check the marked fields."), {name: problem})
    if len(value) > max_len:
        raise Invalid(_("The text is too long."), {name: _("At most %(n)s characters.", n=fmt_number(max_len))})
    return value
