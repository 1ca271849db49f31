"""A unit's page: its six stages, ticks, reviews, deadlines, blockers and journal."""
from __future__ import annotations

import logging
from datetime import date
from typing import Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import form_state
from ..campaigns.scope import campaign_id_in_view, unit_by_code
from ..clock import local_today, utcnow
from ..edge import form_text
from ..extensions import db
from ..models import Blocker, JournalEntry, Unit, User
from ..models.subcells import EXEMPTION_REASONS
from ..paging import page_number, paginate
from ..parsing import parse_day, whole_number
from ..permissions import can_change_unit, can_oversee, can_read_unit, can_review, can_tick
from ..services import stages as stage_service
from ..services.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ..services.progress import unit_stage_views
from ..services.units import get_unit
from ..subcells import service as subcell_service
from ..workflow import GATES, STAGES, STATUSES, GateClosed, check_gate
from ..workflow.stages import FINISHED
from . import error_page

log = logging.getLogger(__name__)
bp = Blueprint("units", __name__)

MAX_TEXT = 2000
JOURNAL_ON_PAGE = 10
JOURNAL_PER_PAGE = 50


def action_label(action: str) -> str:
    """A journal action in the reader's language."""
    labels = {
        "tick": _("Ticked"),
        "untick": _("Unticked"),
        "note": _("Note changed"),
        "review_cleared": _("Review withdrawn"),
        "verify": _("Stage verified"),
        "return": _("Stage returned"),
        "deadline_moved": _("Deadline moved"),
        "blocker_raised": _("Difficulty raised"),
        "blocker_answered": _("Difficulty answered"),
        "blocker_resolved": _("Difficulty resolved"),
        "unit_created": _("Unit created"),
        "unit_changed": _("Unit changed"),
        "congress_date_moved": _("Congress date moved"),
        "results_changed": _("Results changed"),
        "custom_changed": _("Other counts changed"),
        "reminded": _("Reminded"),
        "item_added": _("Checklist item added"),
        "item_removed": _("Checklist item removed"),
        "template_removed": _("Item kept, removed from the template"),
        "template_changed": _("Checklist item changed"),
        "due_recomputed": _("Due date recomputed"),
        "secretary_assigned": _("Secretary assigned"),
        "secretary_removed": _("Secretary removed"),
        "sub_cell_exempted": _("Exempted from the committee's sub-cell gate"),
        "sub_cell_exemption_cleared": _("Sub-cell gate exemption withdrawn"),
        "sub_cell_gate": _("Sub-cell gate setting changed"),
        "code_changed": _("Code changed"),
        "kind_changed": _("Kind changed"),
        "unit_archived": _("Unit archived"),
        "unit_restored": _("Unit restored"),
    }
    return labels.get(action, action)


def field_label(name: str) -> Optional[str]:
    """The label of a form field named in a refusal, or None for machine-only fields."""
    labels = {
        "note": _("Note"),
        "comment": _("Comment"),
        "reason": _("Reason"),
        "due_on": _("New due date"),
        "text": _("Difficulty"),
        "answer": _("Answer"),
        "confirm_past": _("Confirmation"),
        # machine fields (version, done, stage, gate): the message above them already says what to do
    }
    return labels.get(name)


# ---- reading the unit and its form input -------------------------------------------------------

def _readable_unit(code: str) -> Unit:
    """The unit, or 404; 403 unless the signed-in user may see it."""
    unit = get_unit(code, campaign_id_in_view())
    stage_service.require_read(current_user, unit)
    return unit


def _text(name: str, max_len: int = MAX_TEXT) -> str:
    # emptiness is the service's rule (it says why the field is needed); length and characters the edge's
    return form_text(name, max_len)


def _version() -> int:
    raw = (request.form.get("version") or "").strip()
    if whole_number(raw) is None:
        raise Invalid(_("The form is incomplete: reload the page and try again."),
                      {"version": _("Missing or not a number.")})
    return int(raw)


def _done_flag() -> bool:
    raw = request.form.get("done")
    if raw not in ("0", "1"):
        raise Invalid(_("The form is incomplete: reload the page and try again."),
                      {"done": _("Must be 0 or 1.")})
    return raw == "1"


def parse_date(raw: str) -> date:
    """A date typed as dd/mm/yyyy or sent by a date picker as yyyy-mm-dd; Invalid otherwise."""
    value = parse_day(raw)
    if value is not None:
        return value
    raise Invalid(_("The date is not valid."), {"due_on": _("Enter a date as dd/mm/yyyy.")})


def _unit_for(code: str, may, refusal: str) -> Unit:
    """The readable unit when may(current_user, unit); Forbidden(refusal) otherwise."""
    unit = _readable_unit(code)
    # checked before any input is parsed: someone who may not change the unit always gets 403
    if not may(current_user, unit):
        raise Forbidden(refusal)
    return unit


def _may_tick(user, unit: Unit) -> bool:
    # the unit's own side, or its superior (who ticks only the superior's decisions: the service checks)
    return can_change_unit(user, unit) or can_oversee(user, unit)


# ---- pages ---------------------------------------------------------------------------------------

def _shown_unit(code: str) -> Unit:
    """The unit for a page, or the HTTP error saying why not."""
    try:
        return _readable_unit(code)
    except DomainError as exc:
        abort(exc.status)


def _journal_newest_first(unit: Unit):
    return (select(JournalEntry).where(JournalEntry.unit_id == unit.id)
            .order_by(JournalEntry.at.desc(), JournalEntry.id.desc()))


def _people(ids: set[Optional[int]]) -> dict[int, User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _gate_notes(views) -> dict[str, list[str]]:
    statuses = {k: v.status for k, v in views.items()}
    notes = {}
    for stage in GATES:
        try:
            check_gate(stage, statuses)
        except GateClosed as gate:
            notes[stage] = list(gate.missing)
    return notes


def _containers(views, blockers, may_change: bool) -> set[str]:
    """The ids of the page's places where a form's answer is shown (items, stages, difficulties)."""
    out = {f"stage-{s}" for s in STAGES} | {f"item-{i.stage}-{i.key}" for v in views.values() for i in v.items}
    out |= {f"blocker-{b.id}" for b in blockers}
    out |= {f"blockers-{s}" for s in STAGES if may_change or any(b.stage == s for b in blockers)}
    out.add("sub-cells")  # a committee's list of sub-cells shows its exemption forms' answers itself
    return out


def _render_unit(unit: Unit, status: int = 200, open_stage: Optional[str] = None):
    now = utcnow()
    state = form_state.take() if status == 200 else None
    today = local_today(now)
    views = unit_stage_views(unit.id, today)
    blockers = list(db.session.scalars(
        select(Blocker).where(Blocker.unit_id == unit.id)
        .order_by(Blocker.resolved_at.is_not(None), Blocker.raised_at.desc(), Blocker.id.desc())))
    journal = list(db.session.scalars(_journal_newest_first(unit).limit(JOURNAL_ON_PAGE)))
    ids = {i.done_by_id for v in views.values() for i in v.items}
    ids |= {v.review.by_id for v in views.values() if v.review}
    ids |= {b.raised_by_id for b in blockers} | {b.answered_by_id for b in blockers}
    ids |= {e.user_id for e in journal}
    if open_stage not in STAGES:
        # a phone shows the first stage still to do, not six long lists
        open_stage = next((k for k, v in views.items() if v.status not in FINISHED), None)
    # read only, no edit buttons: an archived campaign's units and an archived unit (tracker/edits)
    open_ = not unit.campaign.archived and not unit.archived
    may_change = open_ and can_change_unit(current_user, unit)
    sub_cells = subcell_service.committee_view(unit, today)
    return render_template(
        "units/show.html", unit=unit, views=views, blockers=blockers, journal=journal,
        people=_people(ids), items_by_key=_items_by_key(views), gate_notes=_gate_notes(views),
        open_stage=open_stage, locale=str(get_locale() or "vi"), today=today,
        may_change=may_change, may_review=open_ and can_review(current_user, unit),
        may_oversee=open_ and can_oversee(current_user, unit),
        can_tick=lambda item: open_ and can_tick(current_user, item, unit),
        open_blockers={s: sum(1 for b in blockers if b.stage == s and b.resolved_at is None) for s in STAGES},
        state=state, state_at_top=state is not None and state.at not in _containers(views, blockers, may_change),
        has_items=any(v.items for v in views.values()),
        sub_cells=sub_cells, may_exempt=lambda cell: open_ and not cell.archived and can_oversee(current_user, cell),
        exemption_reasons=[(r, subcell_service.reason_label(r)) for r in EXEMPTION_REASONS],
        reason_label=subcell_service.reason_label,
    ), status


def _items_by_key(views) -> dict[tuple[str, str], object]:
    return {(i.stage, i.key): i for v in views.values() for i in v.items}


@bp.route("/units/<code>")
@login_required
def show(code: str):
    """A unit's six stages, its blockers and the latest journal lines."""
    return _render_unit(_shown_unit(code), open_stage=request.args.get("stage"))


@bp.route("/units/<code>/journal")
@login_required
def journal(code: str):
    """Who did what and when on this unit, newest first, paginated."""
    unit = _shown_unit(code)
    pager = paginate(_journal_newest_first(unit), page_number(request.args.get("page")), JOURNAL_PER_PAGE,
                     last_page=True)
    entries = pager.items
    today = local_today(utcnow())
    views = unit_stage_views(unit.id, today)
    return render_template("units/journal.html", unit=unit, entries=entries, page=pager.page, pages=pager.pages,
                           total=pager.total, people=_people({e.user_id for e in entries}),
                           items_by_key=_items_by_key(views),
                           locale=str(get_locale() or "vi"))


# ---- changes -------------------------------------------------------------------------------------
# Every form answers with a redirect to the unit's page at the form's place (post/redirect/get): the
# message, the field errors and what was typed come back there once (form_state), so a reload never
# re-posts and the address in the browser is always one that opens by GET.

def _answer(code: str, form: str, message: str, category: str = "success", stage: Optional[str] = None,
            errors: Optional[dict] = None, names: tuple[str, ...] = ()):
    """Keep the form's answer for the unit's page and go back there, to the form's place."""
    form_state.keep(url_for("units.show", code=code), form, message, category, errors, request.form, names)
    at = form.partition(":")[0]
    return redirect(url_for("units.show", code=code, stage=stage if stage in STAGES else None, _anchor=at),
                    303 if category == "danger" else 302)


def _refused(exc: DomainError, code: str, form: str, stage: Optional[str] = None, names: tuple[str, ...] = ()):
    """Undo everything and say why: 403/404 answer at once; a broken rule goes back to the form."""
    db.session.rollback()
    if exc.status in (403, 404):
        flash(exc.message, "danger")
        unit = unit_by_code(code)
        if unit is None or not can_read_unit(current_user, unit):
            return error_page(None, exc.status)
        return _render_unit(unit, exc.status, open_stage=stage)
    if isinstance(exc, Conflict):
        # the page the user comes back to is already the fresh one: say so, not "version 2"
        message = _("Someone has just updated this item. The page was reloaded with the new data; "
                    "please do it again.")
        return _answer(code, form, message, "danger", stage)
    errors = {name: text for name, text in exc.fields.items() if field_label(name)}
    return _answer(code, form, exc.message, "danger", stage, errors, names)


def _done(code: str, form: str, message: str, stage: Optional[str] = None):
    db.session.commit()
    return _answer(code, form, message, "success", stage)


def _item_form(stage: str, key: str, kind: str) -> str:
    return f"item-{stage}-{key}:{kind}"


@bp.route("/units/<code>/items/<stage>/<key>", methods=["POST"])
@login_required
def tick(code: str, stage: str, key: str):
    """Tick or untick an item (with the version the form was built from, and an optional note)."""
    now = utcnow()
    note_form = request.form.get("form") == "note"
    form = _item_form(stage, key, "note" if note_form else "tick")
    try:
        unit = _unit_for(code, _may_tick, _("You may not change this unit."))
        item = stage_service.get_item(unit, stage, key)
        was_done, old_note = item.done, item.note
        done, version, note = _done_flag(), _version(), _text("note")
        stage_service.set_item_done(unit, item, done, version, current_user, now, local_today(now), note)
    except DomainError as exc:
        return _refused(exc, code, form, stage, ("note",))
    if done != was_done:
        message = _("Ticked.") if done else _("Tick removed.")
    elif item.note != old_note:
        message = _("Note saved.")
    else:
        message = _("Nothing changed.")
    return _done(code, form, message, stage)


@bp.route("/units/<code>/stages/<stage>/verify", methods=["POST"])
@login_required
def verify(code: str, stage: str):
    """The working group or the organisation office confirms a done stage."""
    now = utcnow()
    form = f"stage-{stage}:verify"
    try:
        unit = _unit_for(code, can_oversee,
                         _("Only the unit's working group or the organisation office verifies stages."))
        stage_service.verify_stage(unit, stage, current_user, now, local_today(now))
    except DomainError as exc:
        return _refused(exc, code, form, stage)
    return _done(code, form, _("Stage verified."), stage)


@bp.route("/units/<code>/stages/<stage>/return", methods=["POST"])
@login_required
def return_stage(code: str, stage: str):
    """Send a done stage back to the unit with a comment."""
    now = utcnow()
    form = f"stage-{stage}:return"
    try:
        unit = _unit_for(code, can_oversee,
                         _("Only the unit's working group or the organisation office returns stages."))
        comment = _text("comment")
        stage_service.return_stage(unit, stage, comment, current_user, now, local_today(now))
    except DomainError as exc:
        return _refused(exc, code, form, stage, ("comment",))
    return _done(code, form, _("Stage returned to the unit."), stage)


@bp.route("/units/<code>/items/<stage>/<key>/deadline", methods=["POST"])
@login_required
def deadline(code: str, stage: str, key: str):
    """Move an item's due date by hand, with a reason (a date already past only when confirmed)."""
    now = utcnow()
    form = _item_form(stage, key, "deadline")
    try:
        unit = _unit_for(code, can_review,
                         _("Only the unit's working group or the organisation office moves deadlines."))
        item = stage_service.get_item(unit, stage, key)
        new_due = parse_date(request.form.get("due_on", ""))
        reason = _text("reason")
        confirm_past = request.form.get("confirm_past") in ("1", "on", "true")
        stage_service.move_deadline(unit, item, new_due, reason, current_user, now, local_today(now),
                                    confirm_past)
    except DomainError as exc:
        return _refused(exc, code, form, stage, ("due_on", "reason", "confirm_past"))
    return _done(code, form, _("Deadline moved."), stage)


@bp.route("/units/<code>/blockers", methods=["POST"])
@login_required
def raise_blocker(code: str):
    """The unit (or its working group) raises a difficulty on a stage."""
    now = utcnow()
    stage = request.form.get("stage")
    form = f"blockers-{stage}:raise"
    try:
        unit = _unit_for(code, can_change_unit, _("You may not change this unit."))
        if stage not in STAGES:
            raise Invalid(_("Choose the stage the difficulty is about."))
        text = _text("text")
        stage_service.raise_blocker(unit, stage, text, current_user, now)
    except DomainError as exc:
        return _refused(exc, code, form, stage, ("text",))
    return _done(code, form, _("The difficulty was recorded."), stage)


@bp.route("/units/<code>/blockers/<int:blocker_id>", methods=["POST"])
@login_required
def answer_blocker(code: str, blocker_id: int):
    """The working group answers a difficulty and, when it says so, resolves it."""
    now = utcnow()
    stage = None
    form = f"blocker-{blocker_id}:answer"
    try:
        unit = _unit_for(code, can_oversee,
                         _("Only the unit's working group or the organisation office answers blockers."))
        blocker = db.session.get(Blocker, blocker_id)
        if blocker is None or blocker.unit_id != unit.id:
            raise NotFound(_("No such difficulty on this unit."))
        stage = blocker.stage
        if blocker.resolved_at is not None:
            raise Invalid(_("This difficulty is already resolved."))
        answer = _text("answer")
        resolve = request.form.get("resolve") in ("1", "on", "true")
        stage_service.answer_blocker(blocker, answer, resolve, current_user, now)
    except DomainError as exc:
        return _refused(exc, code, form, stage, ("answer", "resolve"))
    return _done(code, form, _("The difficulty is resolved.") if resolve else _("The answer was saved."), stage)


# A form's address opened by GET (a restored tab, a bookmark, the language switch after an old
# refusal) goes to the page that holds the form instead of answering "405 Method Not Allowed".

@bp.get("/units/<code>/items/<stage>/<key>")
@bp.get("/units/<code>/items/<stage>/<key>/deadline")
@login_required
def item_form_by_get(code: str, stage: str, key: str):
    """The unit's page at the item."""
    return redirect(url_for("units.show", code=code, stage=stage if stage in STAGES else None,
                            _anchor=f"item-{stage}-{key}"))


@bp.get("/units/<code>/stages/<stage>/verify")
@bp.get("/units/<code>/stages/<stage>/return")
@login_required
def stage_form_by_get(code: str, stage: str):
    """The unit's page at the stage."""
    return redirect(url_for("units.show", code=code, stage=stage if stage in STAGES else None,
                            _anchor=f"stage-{stage}"))


@bp.get("/units/<code>/blockers")
@bp.get("/units/<code>/blockers/<int:blocker_id>")
@login_required
def blocker_form_by_get(code: str, blocker_id: Optional[int] = None):
    """The unit's page (at the difficulty when one is named)."""
    return redirect(url_for("units.show", code=code, _anchor=f"blocker-{blocker_id}" if blocker_id else None))


def journal_value(value: str) -> str:
    """A journal before/after value for people: dates as dd/mm/yyyy, statuses translated."""
    from ..formatting import fmt_date
    from ..labels import status_label
    if value in STATUSES:
        return status_label(value)
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return fmt_date(date.fromisoformat(value))
        except ValueError:
            pass
    return value

