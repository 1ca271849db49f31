"""Admin pages: a unit's code, kind, archive and delete; a working group's archive and delete.

Every page and POST here is the organisation office's (one before_request guard, as in the admin area).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..campaigns.scope import group_by_code, unit_by_code
from ..clock import utcnow
from ..edge import EmptyForm, act, admins_only, attempt, commit_or_refuse, invalid_form, refuse, saved
from ..labels import kind_label
from ..models import Unit, WorkingGroup
from ..services import unit_changes
from ..services.errors import DomainError
from ..workflow import KINDS
from . import service
from .forms import CodeChangeForm, KindChoiceForm, KindConfirmForm
from .holds import group_holds, unit_holds

bp = Blueprint("edits", __name__, url_prefix="/admin")
bp.before_request(admins_only)


def _unit_or_404(code: str) -> Unit:
    unit = unit_by_code(code)
    if unit is None:
        abort(404)
    return unit


def _group_or_404(code: str) -> WorkingGroup:
    group = group_by_code(code)
    if group is None:
        abort(404)
    return group


def _kind_form(unit: Unit) -> KindChoiceForm:
    form = KindChoiceForm(formdata=None)
    form.kind.choices = [(k, kind_label(k)) for k in KINDS if k != unit.kind]
    return form


# ---- a unit ------------------------------------------------------------------------------------

def _unit_page(unit: Unit, status: int = 200, code_form=None, kind_form=None):
    return render_template("edits/unit.html", unit=unit, holds=unit_holds(unit),
                           code_form=code_form or CodeChangeForm(formdata=None),
                           kind_form=kind_form or _kind_form(unit), post=EmptyForm()), status


@bp.get("/units/<code>/manage")
def unit(code: str):
    """A unit's code, kind, archive and delete: what can be done and, when it cannot be deleted, why."""
    return _unit_page(_unit_or_404(code))


@bp.post("/units/<code>/code")
def unit_code(code: str):
    """Give the unit a new code (journalled); the answer goes to the new code's page."""
    unit = _unit_or_404(code)
    form = CodeChangeForm()
    if not form.validate_on_submit():
        return _unit_page(unit, invalid_form(), code_form=form)
    changed, status = attempt(form, lambda: unit_changes.change_code(unit, form.code.data, current_user, utcnow()),
                              field="code")
    if status is not None:
        return _unit_page(_unit_or_404(code), status, code_form=form)
    return saved(_("The unit's code is now %(code)s; the journal keeps the old one (%(old)s).",
                   code=changed.code, old=code), url_for("edits.unit", code=changed.code))


@bp.get("/units/<code>/kind")
def unit_kind(code: str):
    """What a kind change would do to the checklist (added, removed, ticked items removed), to confirm."""
    unit = _unit_or_404(code)
    kind = request.args.get("kind", "")
    if kind not in KINDS or kind == unit.kind:
        return redirect(url_for("edits.unit", code=code))
    try:
        unit_changes.check_kind_change(unit, kind)
        refusal = None
    except DomainError as exc:
        refusal = exc
    plan = unit_changes.plan_kind_change(unit, kind)
    form = KindConfirmForm(formdata=None, kind=kind)
    return render_template("edits/kind.html", unit=unit, plan=plan, form=form, refusal=refusal,
                           locale=str(get_locale() or "vi"))


@bp.post("/units/<code>/kind")
def unit_kind_confirm(code: str):
    """Apply the confirmed kind change: the checklist follows the new kind's template (journalled)."""
    unit = _unit_or_404(code)
    form = KindConfirmForm()
    if not form.validate_on_submit() or form.kind.data not in KINDS:
        abort(400)
    new = form.kind.data
    plan, refusal = commit_or_refuse(lambda: unit_changes.change_kind(unit, new, current_user, utcnow(), confirm=True))
    if refusal is not None:
        refuse(refusal)
        for text in refusal.fields.values():  # the marked fields are on another page: say them here
            flash(text, "danger")
        return redirect(url_for("edits.unit", code=code))
    return saved(_("The unit is now a %(kind)s: %(added)s checklist items added, %(removed)s removed.",
                   kind=kind_label(new), added=len(plan.added), removed=len(plan.removed)),
                 url_for("edits.unit", code=code))


@bp.post("/units/<code>/archive")
def unit_archive(code: str):
    """Archive the unit (archived=1) or restore it (archived=0)."""
    unit = _unit_or_404(code)
    archived = _flag()
    return act(lambda: service.set_unit_archived(unit, archived, current_user, utcnow()),
               _("The unit was archived: it can be read, not changed, and is left out of the dashboard, the "
                 "report and the reminders.") if archived else _("The unit was restored."),
               url_for("edits.unit", code=code))


@bp.post("/units/<code>/delete")
def unit_delete(code: str):
    """Delete the unit when nothing hangs on it; else say why and stay on its page (archive instead)."""
    unit = _unit_or_404(code)
    return act(lambda: service.delete_unit(unit, current_user, utcnow()),
               _("The unit %(code)s was deleted.", code=code), url_for("admin.units"),
               failed_target=url_for("edits.unit", code=code))


def _flag() -> bool:
    value = request.form.get("archived")
    if value not in ("0", "1"):
        abort(400)
    return value == "1"


# ---- a working group ---------------------------------------------------------------------------

@bp.get("/groups/<code>/manage")
def group(code: str):
    """A working group's archive and delete, with what keeps it from being deleted."""
    group = _group_or_404(code)
    return render_template("edits/group.html", group=group, holds=group_holds(group), post=EmptyForm())


@bp.post("/groups/<code>/archive")
def group_archive(code: str):
    """Archive the working group (archived=1) or restore it (archived=0)."""
    group = _group_or_404(code)
    archived = _flag()
    return act(lambda: service.set_group_archived(group, archived, current_user, utcnow()),
               _("The working group was archived: it is no longer offered in forms and filters.") if archived
               else _("The working group was restored."), url_for("edits.group", code=code))


@bp.post("/groups/<code>/delete")
def group_delete(code: str):
    """Delete the working group when no unit and no member is in it; else say why."""
    group = _group_or_404(code)
    return act(lambda: service.delete_group(group, current_user, utcnow()),
               _("The working group %(code)s was deleted.", code=code), url_for("admin.groups"),
               failed_target=url_for("edits.group", code=code))
