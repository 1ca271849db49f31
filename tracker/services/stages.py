"""Ticking items, verifying and returning stages, moving deadlines, blockers."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import hooks
from ..extensions import db
from ..labels import stage_label, status_label
from ..models import Blocker, Item, StageReview, Unit, User
from ..permissions import can_change_unit, can_oversee, can_read_unit, can_review, can_tick
from ..workflow import STAGES, GateClosed, check_gate
from ..workflow.gates import SUB_CELL_GATED_STAGE, SubCellGateClosed, check_sub_cell_gate
from ..workflow.stages import COMMITTEE_KINDS, FINISHED
from . import journal, news
from .errors import Conflict, Forbidden, GateRefused, Invalid, NotFound
from .live import refuse_if_archived, require_live
from .progress import unit_statuses

SHOWN_CODES = 30  # a refusal names at most this many cells, then "and N more"


def check_stage(stage: str) -> str:
    """The stage key, or NotFound."""
    if stage not in STAGES:
        raise NotFound(_("No stage %(stage)s.", stage=stage))
    return stage


def get_item(unit: Unit, stage: str, key: str) -> Item:
    """One item of a unit, or NotFound."""
    check_stage(stage)
    item = db.session.scalar(select(Item).where(Item.unit_id == unit.id, Item.stage == stage, Item.key == key))
    if item is None:
        raise NotFound(_("No item %(key)s in this stage.", key=key))
    return item


def require_read(user: User, unit: Unit) -> None:
    """Forbidden unless the user may see this unit."""
    if not can_read_unit(user, unit):
        raise Forbidden(_("You may not see this unit."))


def set_item_done(unit: Unit, item: Item, done: bool, version: Optional[int], user: User, now: datetime,
                  today: date, note: str = "") -> Item:
    """Tick or untick an item: permission, stale version (409), gate (422); journalled."""
    refuse_if_archived(unit.campaign)
    if not can_read_unit(user, unit):
        raise Forbidden(_("You may not see this unit."))
    if not can_tick(user, item, unit):
        if item.superior_only and can_change_unit(user, unit):
            raise Forbidden(_("This item records the superior's decision: the working group or the "
                              "organisation office ticks it."))
        raise Forbidden(_("You may not change this unit."))
    require_live(unit)
    db.session.refresh(item)  # the row as committed now: a stale version is a 409 before any other rule
    if version is None:
        version = item.version
    if version != item.version:
        raise _stale(item.version)
    note = (note or "").strip()
    if len(note) > 2000:
        raise Invalid(_("The note is too long."), {"note": _("At most 2000 characters.")})
    if done == item.done:
        if note and note != item.note:
            write_item(item, version, note=note)
            journal.record(unit.id, user, "note", now, stage=item.stage, item_key=item.key, after=note)
        return item
    if done:
        statuses = unit_statuses(unit.id, today)
        try:
            check_gate(item.stage, statuses)
        except GateClosed as gate:
            names = ", ".join(stage_label(s) for s in gate.missing)
            raise GateRefused(
                _("Gate %(stage)s: not before %(missing)s is done.", stage=stage_label(gate.stage),
                  missing=names), {"gate": gate.stage, "missing": ",".join(gate.missing)}) from gate
        check_sub_cells(unit, item.stage, today)
    # a tick clears a return ("returned until ticked again"); an untick withdraws a verification
    review = db.session.scalar(select(StageReview).where(StageReview.unit_id == unit.id,
                                                         StageReview.stage == item.stage))
    if review and ((done and review.state == "returned") or (not done and review.state == "verified")):
        journal.record(unit.id, user, "review_cleared", now, stage=item.stage, before=review.state)
        review.state = None
    write_item(item, version, done=done, done_at=now if done else None, done_by_id=user.id if done else None,
               **({"note": note} if note else {}))
    journal.record(unit.id, user, "tick" if done else "untick", now, stage=item.stage, item_key=item.key,
                   before=not done, after=done, note=note)
    db.session.flush()
    return item


def _stale(current: int) -> Conflict:
    return Conflict(_("Someone changed this item in the meantime; reload and try again."),
                    {"version": _("Stale: the current version is %(v)s.", v=current)})


def write_item(item: Item, version: int, **values) -> None:
    """THE versioned write of an item: one conditional `UPDATE … WHERE version = :v` setting values and the
    next version. Its rowcount decides, on PostgreSQL and SQLite alike (a row lock alone is no lock on
    SQLite): of requests holding the same version exactly one writes, the others get Conflict (409)."""
    result = db.session.execute(
        update(Item).where(Item.id == item.id, Item.version == version)
        .values(**values, version=version + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise _stale(db.session.scalar(select(Item.version).where(Item.id == item.id)))
    db.session.expire(item, [*values, "version", *(["done_by"] if "done_by_id" in values else [])])


def sub_cell_gate_on(unit: Unit) -> bool:
    """The campaign setting `sub_cell_gate` (on by default)."""
    return unit.campaign is None or bool(unit.campaign.sub_cell_gate)


def check_sub_cells(unit: Unit, stage: str, today: date) -> None:
    """Refuse (GateRefused, 422) a committee's congress tick while a cell under it has not held its congress
    and is not exempted: workflow.gates' rule over the cells the subcells package provides (tracker.hooks)."""
    if unit.kind not in COMMITTEE_KINDS or stage != SUB_CELL_GATED_STAGE or not sub_cell_gate_on(unit):
        return
    try:
        check_sub_cell_gate(stage, unit.kind, hooks.sub_cells_of(unit, today))
    except SubCellGateClosed as gate:
        shown = ", ".join(gate.cells[:SHOWN_CODES])
        if len(gate.cells) > SHOWN_CODES:
            shown += " " + _("and %(n)s more", n=len(gate.cells) - SHOWN_CODES)
        raise GateRefused(
            _("Gate %(stage)s (cells under the committee): not before these cells have held their congress "
              "or are exempted: %(cells)s.", stage=stage_label(gate.stage), cells=shown),
            {"gate": "sub_cells", "cells": ",".join(gate.cells)}) from gate


def _review(unit: Unit, stage: str) -> StageReview:
    review = db.session.scalar(select(StageReview).where(StageReview.unit_id == unit.id,
                                                         StageReview.stage == stage))
    if review is None:
        review = StageReview(unit_id=unit.id, stage=stage)
        db.session.add(review)
    return review


def verify_stage(unit: Unit, stage: str, user: User, now: datetime, today: date) -> StageReview:
    """A working-group member or admin confirms a done stage."""
    refuse_if_archived(unit.campaign)
    check_stage(stage)
    if not can_oversee(user, unit):
        raise Forbidden(_("Only the unit's working group or the organisation office verifies stages."))
    require_live(unit)
    status = unit_statuses(unit.id, today)[stage]
    if status != "done":
        raise Invalid(_("Only a done stage can be verified (this one is %(status)s).", status=status_label(status)),
                      {"stage": status})
    review = _review(unit, stage)
    review.state, review.comment, review.by_id, review.at = "verified", "", user.id, now
    journal.record(unit.id, user, "verify", now, stage=stage, before=status, after="verified")
    news.record_stage_verified(unit, stage, user, now)
    db.session.flush()
    return review


def return_stage(unit: Unit, stage: str, comment: str, user: User, now: datetime, today: date) -> StageReview:
    """Send a done (or verified) stage back to the unit with a comment."""
    refuse_if_archived(unit.campaign)
    check_stage(stage)
    if not can_oversee(user, unit):
        raise Forbidden(_("Only the unit's working group or the organisation office returns stages."))
    require_live(unit)
    comment = (comment or "").strip()
    if not comment:
        raise Invalid(_("Say why the stage goes back."), {"comment": _("This field is required.")})
    status = unit_statuses(unit.id, today)[stage]
    if status not in FINISHED:
        raise Invalid(_("Only a done stage can be returned (this one is %(status)s).", status=status_label(status)),
                      {"stage": status})
    review = _review(unit, stage)
    review.state, review.comment, review.by_id, review.at = "returned", comment, user.id, now
    journal.record(unit.id, user, "return", now, stage=stage, before=status, after="returned", note=comment)
    news.record_stage_returned(unit, stage, comment, user, now)
    db.session.flush()
    return review


def move_deadline(unit: Unit, item: Item, new_due: date, reason: str, user: User, now: datetime,
                  today: date, confirm_past: bool = False) -> Item:
    """Set an item's due date by hand, with a reason; it then no longer follows the congress date.

    A date before today (local) makes the item overdue at once: it is set only when confirm_past says
    the person means it.
    """
    refuse_if_archived(unit.campaign)
    if not can_review(user, unit):
        raise Forbidden(_("Only the unit's working group or the organisation office moves deadlines."))
    require_live(unit)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for the new date."), {"reason": _("This field is required.")})
    if new_due < today and not confirm_past:
        raise Invalid(_("The new due date is already past: the item becomes overdue at once. Tick the "
                        "confirmation to set it anyway."),
                      {"confirm_past": _("Confirm that you are setting a date already past.")},
                      code="past_date_unconfirmed")
    old = item.due_on
    write_item(item, item.version, due_on=new_due, due_manual=True, due_reason=reason)
    journal.record(unit.id, user, "deadline_moved", now, stage=item.stage, item_key=item.key, before=old,
                   after=new_due, note=reason)
    db.session.flush()
    return item


def raise_blocker(unit: Unit, stage: str, text: str, user: User, now: datetime) -> Blocker:
    """A unit raises a difficulty on a stage."""
    refuse_if_archived(unit.campaign)
    check_stage(stage)
    if not can_change_unit(user, unit):
        raise Forbidden(_("You may not change this unit."))
    require_live(unit)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Describe the difficulty."), {"text": _("This field is required.")})
    blocker = Blocker(unit_id=unit.id, stage=stage, text=text, raised_by_id=user.id, raised_at=now)
    db.session.add(blocker)
    journal.record(unit.id, user, "blocker_raised", now, stage=stage, note=text)
    news.record_blocker_raised(blocker, unit, user, now)
    db.session.flush()
    return blocker


def answer_blocker(blocker: Blocker, answer: str, resolve: bool, user: User, now: datetime) -> Blocker:
    """The working group answers a blocker and, if it says so, resolves it."""
    refuse_if_archived(blocker.unit.campaign)
    if not can_oversee(user, blocker.unit):
        raise Forbidden(_("Only the unit's working group or the organisation office answers blockers."))
    require_live(blocker.unit)
    answer = (answer or "").strip()
    if not answer and not resolve:
        raise Invalid(_("Write an answer."), {"answer": _("This field is required.")})
    if answer:
        blocker.answer, blocker.answered_by_id, blocker.answered_at = answer, user.id, now
    if resolve:
        blocker.resolved_at = now
    journal.record(blocker.unit_id, user, "blocker_resolved" if resolve else "blocker_answered", now,
                   stage=blocker.stage, note=answer)
    news.record_blocker_answered(blocker, answer, resolve, user, now)
    db.session.flush()
    return blocker
