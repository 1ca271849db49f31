"""Set-based changes to every unit's checklist when the campaign's template, deadline or calendar changes.

Every statement here touches all affected units at once (INSERT … SELECT, UPDATE … WHERE, or one
executemany over the distinct anchor dates), so the number of queries does not grow with the number
of units. Each change is journalled per item, in the same set-based way, before it is made.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import String, bindparam, cast, delete, false, func, insert, literal, select, true, update

from ..extensions import db
from ..models import Campaign, Item, ItemTemplate, JournalEntry, StageReview, Unit, User
from ..models._types import UTCDateTime
from ..workflow import due_date
from .calendar import load_calendar

ITEMS = Item.__table__
UNITS = Unit.__table__
JOURNAL = JournalEntry.__table__
REVIEWS = StageReview.__table__


def _journal_from(select_items, user: Optional[User], now: datetime, action: str, note: str,
                  after=None, params: Optional[list[dict]] = None) -> None:
    """Insert one journal line per item row the select yields (columns unit_id, stage, key, due_on)."""
    rows = select_items.subquery()
    src = select(
        rows.c.unit_id,
        literal(now, UTCDateTime()),
        literal(user.id if user else None, db.Integer),
        literal(action, String(30)),
        rows.c.stage,
        rows.c.key,
        func.coalesce(cast(rows.c.due_on, String), ""),
        after if after is not None else literal("", String),
        literal(note, String),
    )
    stmt = insert(JOURNAL).from_select(
        ["unit_id", "at", "user_id", "action", "stage", "item_key", "before", "after", "note"], src)
    if params:
        db.session.execute(stmt, params)
    else:
        db.session.execute(stmt)


def _campaign_units(campaign: Campaign):
    return select(UNITS.c.id).where(UNITS.c.campaign_id == campaign.id)


def _kind_filter(template: ItemTemplate):
    kinds = [k.strip() for k in template.kinds.split(",") if k.strip()]
    return UNITS.c.kind.in_(kinds) if kinds else true()


def add_missing_items(template: ItemTemplate, user: Optional[User], now: datetime) -> None:
    """Give every unit of a matching kind that lacks it the template's item (due date computed)."""
    has_item = select(ITEMS.c.id).where(ITEMS.c.unit_id == UNITS.c.id, ITEMS.c.stage == template.stage,
                                        ITEMS.c.key == template.key).exists()
    targets = select(UNITS.c.id).where(UNITS.c.campaign_id == template.campaign_id, _kind_filter(template),
                                       ~has_item)
    db.session.execute(insert(JOURNAL).from_select(
        ["unit_id", "at", "user_id", "action", "stage", "item_key", "before", "after", "note"],
        select(targets.subquery().c.id, literal(now, UTCDateTime()), literal(user.id if user else None, db.Integer),
               literal("item_added", String(30)), literal(template.stage, String), literal(template.key, String),
               literal("", String), literal("", String), literal(template.title_vi, String))))
    src = select(
        targets.subquery().c.id, literal(template.id, db.Integer), literal(template.stage, String),
        literal(template.key, String), literal(template.position, db.Integer),
        literal(template.title_vi, String), literal(template.title_en, String),
        literal(template.required, db.Boolean), literal(template.superior_only, db.Boolean),
        literal(template.offset_days, db.Integer), literal(template.working_days, db.Boolean),
        literal(template.anchor, String), literal(False, db.Boolean), literal("", String),
        literal(False, db.Boolean), literal("", String), literal(1, db.Integer))
    db.session.execute(insert(ITEMS).from_select(
        ["unit_id", "template_id", "stage", "key", "position", "title_vi", "title_en", "required",
         "superior_only", "offset_days", "working_days", "anchor", "due_manual", "due_reason", "done", "note",
         "version"], src))
    # the new items have no due date yet: compute them like any open item, without a second journal line
    recompute_open_due_dates(template.campaign, None, now, template_id=template.id, fresh=True)
    withdraw_verifications(template, user, now)


def withdraw_verifications(template: ItemTemplate, user: Optional[User], now: datetime) -> None:
    """A verified stage that gains an open required item is no longer what was verified: clear the verdict
    (journalled), as unticking an item does."""
    open_required = select(ITEMS.c.unit_id).where(ITEMS.c.template_id == template.id, ITEMS.c.done == false(),
                                                  ITEMS.c.required == true())
    cond = [REVIEWS.c.stage == template.stage, REVIEWS.c.state == "verified", REVIEWS.c.unit_id.in_(open_required)]
    db.session.execute(insert(JOURNAL).from_select(
        ["unit_id", "at", "user_id", "action", "stage", "before", "after", "note"],
        select(REVIEWS.c.unit_id, literal(now, UTCDateTime()), literal(user.id if user else None, db.Integer),
               literal("review_cleared", String(30)), REVIEWS.c.stage, literal("verified", String),
               literal("", String), literal(template.key, String)).where(*cond)))
    db.session.execute(update(REVIEWS).where(*cond).values(state=None))


def remove_open_items(template: ItemTemplate, user: Optional[User], now: datetime, *,
                      outside_kinds_only: bool) -> None:
    """Remove the template's not-done items (of units outside its kinds only, if asked); done items stay."""
    where = [ITEMS.c.template_id == template.id, ITEMS.c.done == false()]
    if outside_kinds_only:
        where.append(ITEMS.c.unit_id.in_(select(UNITS.c.id).where(~_kind_filter(template))))
    _journal_from(select(ITEMS.c.unit_id, ITEMS.c.stage, ITEMS.c.key, ITEMS.c.due_on).where(*where),
                  user, now, "item_removed", template.title_vi)
    db.session.execute(delete(ITEMS).where(*where))


def journal_kept_done_items(template: ItemTemplate, user: Optional[User], now: datetime) -> None:
    """One journal line per done item that stays with its unit when its template is removed."""
    _journal_from(select(ITEMS.c.unit_id, ITEMS.c.stage, ITEMS.c.key, ITEMS.c.due_on)
                  .where(ITEMS.c.template_id == template.id, ITEMS.c.done == true()),
                  user, now, "template_removed", "kept: done")


def propagate_fields(template: ItemTemplate, changed: dict[str, tuple], user: Optional[User],
                     now: datetime) -> None:
    """Copy changed titles, required, superior-only and deadline rule to the template's open items."""
    if not changed:
        return
    where = [ITEMS.c.template_id == template.id, ITEMS.c.done == false()]
    note = ", ".join(f"{k}: {_show(a)} → {_show(b)}" for k, (a, b) in changed.items())
    _journal_from(select(ITEMS.c.unit_id, ITEMS.c.stage, ITEMS.c.key, ITEMS.c.due_on).where(*where),
                  user, now, "template_changed", note[:2000])
    values = {k: new for k, (old, new) in changed.items()}
    values["version"] = ITEMS.c.version + 1
    db.session.execute(update(ITEMS).where(*where).values(**values))
    if changed.get("required", (None, False))[1]:
        withdraw_verifications(template, user, now)


def _show(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def recompute_open_due_dates(campaign: Campaign, user: Optional[User], now: datetime, *,
                             template_id: Optional[int] = None, anchor: Optional[str] = None,
                             working_only: bool = False, fresh: bool = False) -> None:
    """Recompute the due date of every open item not set by hand (optionally one template's, one anchor's
    or the working-day ones only), in one executemany over the distinct (anchor date, offset, calendar).
    `fresh` items were just added: their first due date is neither journalled nor a new version."""
    calendar = load_calendar()
    base = [ITEMS.c.done == false(), ITEMS.c.due_manual == false()]
    if template_id is not None:
        base.append(ITEMS.c.template_id == template_id)
    if working_only:
        base.append(ITEMS.c.working_days == true())
    params: list[dict] = []
    congress_units = select(UNITS.c.id).where(UNITS.c.campaign_id == campaign.id,
                                              UNITS.c.congress_date == bindparam("anchor_on"))
    deadline_units = _campaign_units(campaign)
    if anchor in (None, "congress"):
        combos = db.session.execute(
            select(ITEMS.c.offset_days, ITEMS.c.working_days, UNITS.c.congress_date).distinct()
            .join(UNITS, UNITS.c.id == ITEMS.c.unit_id)
            .where(*base, ITEMS.c.anchor == "congress", UNITS.c.campaign_id == campaign.id,
                   UNITS.c.congress_date.is_not(None))).all()
        params = [{"o": o, "w": w, "anchor_on": d, "due": due_date(d, o, w, calendar)} for o, w, d in combos]
        _apply(base + [ITEMS.c.anchor == "congress", ITEMS.c.unit_id.in_(congress_units)], params, user, now,
               fresh)
        # units without a congress date have no due date for congress-anchored items
        _clear(base + [ITEMS.c.anchor == "congress",
                       ITEMS.c.unit_id.in_(select(UNITS.c.id).where(UNITS.c.campaign_id == campaign.id,
                                                                    UNITS.c.congress_date.is_(None)))],
               user, now, fresh)
    if anchor in (None, "deadline"):
        where = base + [ITEMS.c.anchor == "deadline", ITEMS.c.unit_id.in_(deadline_units)]
        if campaign.final_deadline is None:
            _clear(where, user, now, fresh)
        else:
            combos = db.session.execute(select(ITEMS.c.offset_days, ITEMS.c.working_days).distinct()
                                        .where(*where)).all()
            params = [{"o": o, "w": w, "due": due_date(campaign.final_deadline, o, w, calendar)} for o, w in combos]
            _apply(where, params, user, now, fresh)


def _apply(where: list, params: list[dict], user: Optional[User], now: datetime, fresh: bool) -> None:
    if not params:
        return
    cond = where + [ITEMS.c.offset_days == bindparam("o"), ITEMS.c.working_days == bindparam("w"),
                    (ITEMS.c.due_on.is_(None)) | (ITEMS.c.due_on != bindparam("due"))]
    if not fresh:
        _journal_from(select(ITEMS.c.unit_id, ITEMS.c.stage, ITEMS.c.key, ITEMS.c.due_on).where(*cond),
                      user, now, "due_recomputed", "", after=cast(bindparam("due_text"), String),
                      params=[{**p, "due_text": p["due"].isoformat()} for p in params])
    version = ITEMS.c.version if fresh else ITEMS.c.version + 1
    db.session.execute(update(ITEMS).where(*cond).values(due_on=bindparam("due"), version=version), params)


def _clear(where: list, user: Optional[User], now: datetime, fresh: bool) -> None:
    cond = where + [ITEMS.c.due_on.is_not(None)]
    if not fresh:
        _journal_from(select(ITEMS.c.unit_id, ITEMS.c.stage, ITEMS.c.key, ITEMS.c.due_on).where(*cond),
                      user, now, "due_recomputed", "")
    db.session.execute(update(ITEMS).where(*cond).values(due_on=None, version=ITEMS.c.version + 1))

