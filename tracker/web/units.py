"""A unit's page: its six stages, ticks, reviews, deadlines, blockers and journal."""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Optional

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..clock import local_today, utcnow
from ..extensions import db
from ..models import Blocker, JournalEntry, Unit, User
from ..paging import page_number, paginate
from ..parsing import whole_number
from ..permissions import can_change_unit, can_read_unit, can_review, can_tick
from ..services import stages as stage_service
from ..services.errors import DomainError, Forbidden, Invalid, NotFound
from ..services.progress import unit_stage_views
from ..services.units import get_unit
from ..workflow import GATES, STAGES, STATUSES, GateClosed, check_gate
from .edge import commit_or_refuse, refuse, saved

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
        "version": _("Version"),
        "done": _("Done"),
        "stage": None,  # carries a status key, not a message
    }
    return labels.get(name)


# ---- reading the unit and its form input -------------------------------------------------------

def _readable_unit(code: str) -> Unit:
    """The unit, or 404; 403 unless the signed-in user may see it."""
    unit = get_unit(code)
    stage_service.require_read(current_user, unit)
    return unit


def _text(name: str, max_len: int = MAX_TEXT) -> str:
    # emptiness is the service's rule (it says why the field is needed); length is the page's
    value = (request.form.get(name) or "").strip()
    if len(value) > max_len:
        raise Invalid(_("The text is too long."), {name: _("At most %(n)s characters.", n=max_len)})
    return value


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
    raw = (raw or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            value = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if 2000 <= value.year <= 2100:
            return value
        break
    raise Invalid(_("The date is not valid."), {"due_on": _("Enter a date as dd/mm/yyyy.")})


def _unit_for(code: str, may, refusal: str) -> Unit:
    """The readable unit when may(current_user, unit); Forbidden(refusal) otherwise."""
    unit = _readable_unit(code)
    # checked before any input is parsed: someone who may not change the unit always gets 403
    if not may(current_user, unit):
        raise Forbidden(refusal)
    return unit


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


def _render_unit(unit: Unit, status: int = 200, open_stage: Optional[str] = None):
    now = utcnow()
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
        open_stage = next((k for k, v in views.items() if v.status not in ("done", "verified")), None)
    return render_template(
        "units/show.html", unit=unit, views=views, blockers=blockers, journal=journal,
        people=_people(ids), items_by_key=_items_by_key(views), gate_notes=_gate_notes(views),
        open_stage=open_stage, locale=str(get_locale() or "vi"), today=today,
        may_change=can_change_unit(current_user, unit), may_review=can_review(current_user, unit),
        can_tick=lambda item: can_tick(current_user, item, unit),
        open_blockers={s: sum(1 for b in blockers if b.stage == s and b.resolved_at is None) for s in STAGES},
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

def _refused(exc: DomainError, code: str, stage: Optional[str] = None):
    """Say why (nothing was kept) and answer with the error's status: the page again when readable."""
    refuse(exc, label=field_label)
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or not can_read_unit(current_user, unit):
        return render_template("error.html", error=None, code=exc.status), exc.status
    return _render_unit(unit, exc.status, open_stage=stage)


def _change(code: str, stage: Optional[str], change):
    """Run change() (it returns what to tell the user) with one commit, then back to the stage; or refuse."""
    message, refusal = commit_or_refuse(change)
    if refusal is not None:
        return _refused(refusal, code, stage() if callable(stage) else stage)
    stage = stage() if callable(stage) else stage
    return saved(message, url_for("units.show", code=code, stage=stage, _anchor=f"stage-{stage}" if stage else None))


@bp.route("/units/<code>/items/<stage>/<key>", methods=["POST"])
@login_required
def tick(code: str, stage: str, key: str):
    """Tick or untick an item (with the version the form was built from, and an optional note)."""
    def change():
        now = utcnow()
        unit = _unit_for(code, can_change_unit, _("You may not change this unit."))
        item = stage_service.get_item(unit, stage, key)
        done, version, note = _done_flag(), _version(), _text("note")
        stage_service.set_item_done(unit, item, done, version, current_user, now, local_today(now), note)
        return _("Ticked.") if done else _("Tick removed.")
    return _change(code, stage, change)


@bp.route("/units/<code>/stages/<stage>/verify", methods=["POST"])
@login_required
def verify(code: str, stage: str):
    """The working group or the organisation office confirms a done stage."""
    def change():
        now = utcnow()
        unit = _unit_for(code, can_review,
                         _("Only the unit's working group or the organisation office verifies stages."))
        stage_service.verify_stage(unit, stage, current_user, now, local_today(now))
        return _("Stage verified.")
    return _change(code, stage, change)


@bp.route("/units/<code>/stages/<stage>/return", methods=["POST"])
@login_required
def return_stage(code: str, stage: str):
    """Send a done stage back to the unit with a comment."""
    def change():
        now = utcnow()
        unit = _unit_for(code, can_review,
                         _("Only the unit's working group or the organisation office returns stages."))
        comment = _text("comment")
        stage_service.return_stage(unit, stage, comment, current_user, now, local_today(now))
        return _("Stage returned to the unit.")
    return _change(code, stage, change)


@bp.route("/units/<code>/items/<stage>/<key>/deadline", methods=["POST"])
@login_required
def deadline(code: str, stage: str, key: str):
    """Move an item's due date by hand, with a reason."""
    def change():
        unit = _unit_for(code, can_review,
                         _("Only the unit's working group or the organisation office moves deadlines."))
        item = stage_service.get_item(unit, stage, key)
        new_due = parse_date(request.form.get("due_on", ""))
        reason = _text("reason")
        stage_service.move_deadline(unit, item, new_due, reason, current_user, utcnow())
        return _("Deadline moved.")
    return _change(code, stage, change)


@bp.route("/units/<code>/blockers", methods=["POST"])
@login_required
def raise_blocker(code: str):
    """The unit (or its working group) raises a difficulty on a stage."""
    stage = request.form.get("stage")

    def change():
        unit = _unit_for(code, can_change_unit, _("You may not change this unit."))
        if stage not in STAGES:
            raise Invalid(_("Choose the stage the difficulty is about."))
        text = _text("text")
        stage_service.raise_blocker(unit, stage, text, current_user, utcnow())
        return _("The difficulty was recorded.")
    return _change(code, stage, change)


@bp.route("/units/<code>/blockers/<int:blocker_id>", methods=["POST"])
@login_required
def answer_blocker(code: str, blocker_id: int):
    """The working group answers a difficulty and, when it says so, resolves it."""
    found: dict[str, str] = {}  # the blocker's stage, once it is known to be this unit's

    def change():
        unit = _unit_for(code, can_review,
                         _("Only the unit's working group or the organisation office answers blockers."))
        blocker = db.session.get(Blocker, blocker_id)
        if blocker is None or blocker.unit_id != unit.id:
            raise NotFound(_("No such difficulty on this unit."))
        found["stage"] = blocker.stage
        if blocker.resolved_at is not None:
            raise Invalid(_("This difficulty is already resolved."))
        answer = _text("answer")
        resolve = request.form.get("resolve") in ("1", "on", "true")
        stage_service.answer_blocker(blocker, answer, resolve, current_user, utcnow())
        return _("The difficulty is resolved.") if resolve else _("The answer was saved.")
    return _change(code, lambda: found.get("stage"), change)


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
