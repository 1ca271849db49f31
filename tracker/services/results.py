"""Recording a unit's numbers: dissemination, congress results, first session and custom fields.

Every use case checks permission and the rules first and changes nothing when one is broken; a change
is journalled with its before and after. Entering numbers never ticks or unticks an item.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..formatting import fmt_number as number_text
from ..models import (
    Campaign,
    CongressResult,
    CustomField,
    CustomValue,
    DisseminationResult,
    FirstSessionResult,
    ReferenceDocument,
    Unit,
    User,
)
from ..parsing import parse_day
from ..permissions import can_change_unit, can_read_unit
from ..readmodel import FINISHED
from ..workflow.result_rules import (
    CONGRESS_COUNTS,
    CONGRESS_OPTIONAL,
    DISSEMINATION_COUNTS,
    FIRST_SESSION_COUNTS,
    FIRST_SESSION_FLAGS,
    Problem,
    check_congress,
    check_dissemination,
    check_first_session,
    check_held_on,
    check_range,
    earliest_congress,
    held_on_flags,
)
from . import journal
from .errors import Conflict, Forbidden, Invalid
from .live import refuse_if_archived, require_live
from .progress import unit_statuses

_DIGITS = re.compile(r"^-?[0-9]{1,12}$")


def field_label(name: str) -> str:
    """A result field's name in the reader's language."""
    labels = {
        "sessions": _("Sessions held"), "attendees": _("Attendances"),
        "members_reached": _("Members reached"), "held_on": _("Date held"),
        "seats": _("Committee seats"), "candidates": _("Candidates on the ballot"),
        "committee_elected": _("Committee members elected"), "re_elected": _("Re-elected"),
        "first_time": _("First-time"), "women": _("Women"), "young": _("Young"),
        "ethnic_minority": _("Ethnic minority"), "delegates_official": _("Official delegates"),
        "delegates_alternate": _("Alternate delegates"), "standing_committee": _("Standing committee members"),
        "secretary_elected": _("Secretary elected"), "deputy_secretaries": _("Deputy secretaries"),
        "inspection_committee": _("Inspection committee members"),
        "inspection_chair_elected": _("Inspection committee chair elected"),
        "congress": _("Congress held"),
    }
    return labels.get(name, name)


def _param_text(value: Any) -> Any:
    # numbers and dates in a message read as on the rest of the page: 1.000.000, 01/04/2030
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return number_text(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def problem_message(p: Problem) -> str:
    """The message for a broken rule, in the reader's language (numbers and dates in its format)."""
    params = {k: _param_text(v) for k, v in p.params.items()}
    messages = {
        "negative": lambda: _("Must be zero or more."),
        "too_large": lambda: _("At most %(max)s.", max=params.get("max")),
        "above_members": lambda: _("At most the unit's party members (%(members)s).", members=params.get("members")),
        "below_reached": lambda: _("Fewer attendances than members reached (%(reached)s): each member reached "
                                   "attended at least once.", reached=params.get("reached")),
        "sum_mismatch": lambda: _("Re-elected (%(re)s) plus first-time (%(ft)s) must equal the members "
                                  "elected (%(elected)s).", **params),
        "above_elected": lambda: _("At most the committee members elected (%(elected)s).",
                                   elected=params.get("elected")),
        "seats_zero": lambda: _("A committee has at least one seat."),
        "below_seats": lambda: _("Fewer candidates than seats: the ballot needs at least %(seats)s.",
                                 seats=params.get("seats")),
        "below_elected": lambda: _("Fewer candidates than members elected (%(elected)s).",
                                   elected=params.get("elected")),
        "delegates_above_members": lambda: _("Official (%(official)s) plus alternate (%(alternate)s) delegates "
                                             "exceed the unit's party members (%(members)s).", **params),
        "cell_no_standing": lambda: _("A cell has no standing committee: enter 0."),
        "above_committee": lambda: _("At most the committee members elected (%(elected)s).",
                                     elected=params.get("elected")),
        "above_seats": lambda: _("More members elected than the committee's seats (%(seats)s).",
                                 seats=params.get("seats")),
        "after_today": lambda: _("The congress cannot have been held after today (%(today)s).",
                                 today=params.get("today")),
        "before_start": lambda: _("Before this campaign could start (%(start)s): check the year.",
                                  start=params.get("start")),
        "results_without_congress": lambda: _("Results are entered but the congress stage is not done."),
    }
    return messages[p.code]() if p.code in messages else p.code


def campaign_earliest_congress(campaign: Campaign) -> date:
    """The first date a congress of the campaign can have been held on (its term, or its documents)."""
    documents = db.session.scalars(select(ReferenceDocument.issued_on)
                                   .where(ReferenceDocument.campaign_id == campaign.id))
    return earliest_congress(campaign.term, documents)


def held_after_deadline(unit: Unit, congress: Optional[CongressResult]) -> bool:
    """True when the unit's congress was held after the campaign's final deadline (accepted, flagged)."""
    held_on = congress.held_on if congress is not None else None
    return bool(held_on_flags(held_on, unit.campaign.final_deadline))


def _fields(problems: list[Problem]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in problems:
        out.setdefault(p.field, problem_message(p))
    return out


def parse_count(raw: Any, name: str, errors: dict[str, str], required: bool = True) -> Optional[int]:
    """A whole number from the API (int) or a form (digits); records a message in errors when bad."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors[name] = _("This field is required.")
        return None
    if isinstance(raw, bool):
        errors[name] = _("A whole number (digits only).")
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _DIGITS.match(raw.strip()):  # a minus sign passes here; the range check refuses it
        value = int(raw.strip())
    else:
        errors[name] = _("A whole number (digits only).")
        return None
    return value


def parse_flag(raw: Any, name: str, errors: dict[str, str]) -> Optional[bool]:
    """A yes/no from the API (bool) or a form (on/1/true, off/0/false)."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if raw is not None else None
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no", ""):
        return False
    errors[name] = _("This field is required.") if raw is None else _("Yes or no.")
    return None


def parse_date(raw: Any, name: str, errors: dict[str, str]) -> Optional[date]:
    """A date from the API (ISO) or a form (ISO or dd/mm/yyyy)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    if not text:
        errors[name] = _("This field is required.")
        return None
    day = parse_day(text, any_year=True)  # check_held_on says which years are taken
    if day is not None:
        return day
    errors[name] = _("A date, dd/mm/yyyy.")
    return None


def _require_change(unit: Unit, user: User) -> None:
    refuse_if_archived(unit.campaign)
    if not can_read_unit(user, unit):
        raise Forbidden(_("You may not see this unit."))
    if not can_change_unit(user, unit):
        raise Forbidden(_("You may not change this unit."))
    require_live(unit)


def congress_done(unit: Unit, today: date) -> bool:
    """True when the unit's congress stage is done or verified."""
    return unit_statuses(unit.id, today)["congress"] in FINISHED


def _require_congress_done(unit: Unit, today: date) -> None:
    if not congress_done(unit, today):
        raise Invalid(_("Results are entered once the congress stage is done (all its required steps "
                        "ticked)."), {"congress": _("The congress stage is not done yet.")},
                      code="congress_not_done")


def campaign_fields(campaign_id: int, stage: Optional[str] = None) -> list[CustomField]:
    """The campaign's custom result fields (of one stage, if given), in order."""
    query = select(CustomField).where(CustomField.campaign_id == campaign_id)
    if stage:
        query = query.where(CustomField.stage == stage)
    return list(db.session.scalars(query.order_by(CustomField.position, CustomField.id)))


def _parse_custom(unit: Unit, stage: str, raw: Any, errors: dict[str, str]) -> dict[CustomField, Optional[int]]:
    """{field: value or None (clear)} for the custom values given with a stage's numbers."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors["custom"] = _("An object of field keys and whole numbers.")
        return {}
    by_key = {f.key: f for f in campaign_fields(unit.campaign_id)}
    out: dict[CustomField, Optional[int]] = {}
    for key, value in raw.items():
        name = f"custom.{key}"
        cf = by_key.get(key)
        if cf is None:
            errors[name] = _("No custom field %(key)s in this campaign.", key=key)
            continue
        if cf.stage != stage:
            errors[name] = _("This field is entered with another stage.")
            continue
        number = parse_count(value, name, errors, required=False)
        if number is not None:
            for p in check_range({name: number}):
                errors[name] = problem_message(p)
        if name not in errors:
            out[cf] = number
    return out


def _snapshot(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    if row is None:
        return {}
    out = {}
    for n in names:
        value = getattr(row, n)
        out[n] = value.isoformat() if isinstance(value, date) else value
    return out


def _journal_change(unit: Unit, user: User, now: datetime, stage: str, before: dict, after: dict) -> None:
    if before != after:
        journal.record(unit.id, user, "results_changed", now, stage=stage,
                       before=json.dumps(before, ensure_ascii=False, sort_keys=True) if before else "",
                       after=json.dumps(after, ensure_ascii=False, sort_keys=True))


def _save_custom(unit: Unit, values: dict[CustomField, Optional[int]], user: User, now: datetime,
                 stage: str) -> None:
    if not values:
        return
    ids = [f.id for f in values]
    existing = {v.field_id: v for v in db.session.scalars(
        select(CustomValue).where(CustomValue.unit_id == unit.id, CustomValue.field_id.in_(ids)))}
    before, after = {}, {}
    for cf, value in values.items():
        row = existing.get(cf.id)
        old = row.value if row else None
        if old == value:
            continue
        before[cf.key], after[cf.key] = old, value
        if value is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(CustomValue(unit_id=unit.id, field_id=cf.id, value=value))
        else:
            row.value = value
    if after:
        journal.record(unit.id, user, "custom_changed", now, stage=stage,
                       before=json.dumps(before, ensure_ascii=False, sort_keys=True),
                       after=json.dumps(after, ensure_ascii=False, sort_keys=True))


def _flush() -> None:
    # two first entries for the same unit at the same moment: the unique unit_id keeps one, the other retries
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(_("Someone saved these numbers at the same time; reload and try again.")) from None


def _fail(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(_("Nothing was saved: check the marked fields."), errors)


def _store(model: Any, unit: Unit, stage: str, names: tuple[str, ...], values: Mapping[str, Any],
           custom: dict[CustomField, Optional[int]], user: User, now: datetime) -> Any:
    """Create or update the unit's row of model with values; journal the change and save the custom values."""
    row = db.session.scalar(select(model).where(model.unit_id == unit.id))
    before = _snapshot(row, names)
    if row is None:
        row = model(unit_id=unit.id)
        db.session.add(row)
    for n, v in values.items():
        setattr(row, n, v)
    _journal_change(unit, user, now, stage, before, _snapshot(row, names))
    _save_custom(unit, custom, user, now, stage)
    _flush()
    return row


def record_dissemination(unit: Unit, data: Mapping[str, Any], user: User, now: datetime,
                         today: date) -> DisseminationResult:
    """Set a unit's dissemination numbers (allowed at any time)."""
    _require_change(unit, user)
    errors: dict[str, str] = {}
    values = {n: parse_count(data.get(n), n, errors) for n in DISSEMINATION_COUNTS}
    custom = _parse_custom(unit, "dissemination", data.get("custom"), errors)
    if not errors:
        errors.update(_fields(check_dissemination(values, unit.party_members)))
    _fail(errors)
    return _store(DisseminationResult, unit, "dissemination", DISSEMINATION_COUNTS, values, custom, user, now)


CONGRESS_NAMES = ("held_on",) + CONGRESS_COUNTS + CONGRESS_OPTIONAL


def record_congress(unit: Unit, data: Mapping[str, Any], user: User, now: datetime, today: date) -> CongressResult:
    """Set what a unit's congress elected; only once its congress stage is done or verified."""
    _require_change(unit, user)
    _require_congress_done(unit, today)
    errors: dict[str, str] = {}
    held_on = parse_date(data.get("held_on"), "held_on", errors)
    errors.update(_fields(check_held_on(held_on, today, campaign_earliest_congress(unit.campaign))))
    values: dict[str, Optional[int]] = {n: parse_count(data.get(n), n, errors) for n in CONGRESS_COUNTS}
    values.update({n: parse_count(data.get(n), n, errors, required=False) for n in CONGRESS_OPTIONAL})
    custom = _parse_custom(unit, "congress", data.get("custom"), errors)
    if not any(n in errors for n in values):
        errors.update(_fields(check_congress(values, unit.party_members)))
    _fail(errors)
    return _store(CongressResult, unit, "congress", CONGRESS_NAMES, {"held_on": held_on, **values}, custom, user, now)


FIRST_SESSION_NAMES = FIRST_SESSION_COUNTS + FIRST_SESSION_FLAGS


def record_first_session(unit: Unit, data: Mapping[str, Any], user: User, now: datetime,
                         today: date) -> FirstSessionResult:
    """Set what the new committee's first session elected; only once the congress stage is done."""
    _require_change(unit, user)
    _require_congress_done(unit, today)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {n: parse_count(data.get(n), n, errors) for n in FIRST_SESSION_COUNTS}
    values.update({n: parse_flag(data.get(n), n, errors) for n in FIRST_SESSION_FLAGS})
    custom = _parse_custom(unit, "first_session", data.get("custom"), errors)
    if not errors:
        elected = db.session.scalar(select(CongressResult.committee_elected)
                                    .where(CongressResult.unit_id == unit.id))
        errors.update(_fields(check_first_session(values, unit.kind, elected)))
    _fail(errors)
    return _store(FirstSessionResult, unit, "first_session", FIRST_SESSION_NAMES, values, custom, user, now)


def unit_results(unit: Unit) -> dict[str, Any]:
    """A unit's stored numbers: {dissemination, congress, first_session: row or None, custom: {key: value}}."""
    rows = {
        "dissemination": db.session.scalar(select(DisseminationResult)
                                           .where(DisseminationResult.unit_id == unit.id)),
        "congress": db.session.scalar(select(CongressResult).where(CongressResult.unit_id == unit.id)),
        "first_session": db.session.scalar(select(FirstSessionResult)
                                           .where(FirstSessionResult.unit_id == unit.id)),
    }
    values = db.session.execute(select(CustomField.key, CustomValue.value).join(
        CustomValue, CustomValue.field_id == CustomField.id).where(CustomValue.unit_id == unit.id)).all()
    rows["custom"] = {k: v for k, v in values}
    return rows
