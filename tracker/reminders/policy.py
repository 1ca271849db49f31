"""The campaign's reminder policy: reading it (thresholds, send hour) and changing it (validated, journalled)."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Optional

from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..models import Campaign, User
from ..parsing import whole_number
from ..services import journal
from ..services.errors import Invalid
from ..services.live import refuse_if_archived

log = logging.getLogger(__name__)

# the settings an admin may change, in the order the page shows them
POLICY_FIELDS = ("due_soon_days", "overdue_repeat_days", "escalation_days", "send_hour", "working_days_only")


def parse_due_soon_days(value: str) -> list[int]:
    """"3,1" -> [3, 1]: distinct whole days from 0 to 90, largest first, at most five; ValueError when bad."""
    parts = [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]
    days = sorted({int(p) for p in parts}, reverse=True)  # int() raises ValueError on anything else
    if not days or len(days) > 5 or any(d < 0 or d > 90 for d in days):
        raise ValueError(value)
    return days


def due_soon_thresholds(campaign: Campaign) -> list[int]:
    """The campaign's due-soon days; the default 3 and 1 when the stored text cannot be read."""
    try:
        return parse_due_soon_days(campaign.due_soon_days or "")
    except ValueError:
        log.warning("campaign %s: unreadable due-soon days %r; using 3,1", campaign.id, campaign.due_soon_days)
        return [3, 1]


def send_hour(campaign: Campaign) -> int:
    """The local hour from which digests go out: the campaign's, else TRACKER_REMINDER_HOUR."""
    if campaign.send_hour is not None:
        return int(campaign.send_hour)
    return _int_setting("REMINDER_HOUR", 7)


def _int_setting(name: str, default: int) -> int:
    # from_prefixed_env parses "7" as JSON (int) but keeps "07" or " 7" as strings
    try:
        return int(str(current_app.config.get(name, default)).strip())
    except (TypeError, ValueError):
        return default


def _whole(value: Any, low: int, high: int, errors: dict, name: str, blank_ok: bool = False) -> Optional[int]:
    if value is None or (isinstance(value, str) and not value.strip()):
        if not blank_ok:
            errors[name] = _("Required.")
        return None
    number = whole_number(value, low, high)  # ASCII digits only: "٣" and "²" are refused like "x"
    if number is None:
        errors[name] = _("A whole number from %(low)s to %(high)s.", low=low, high=high)
    return number


def validate_policy(data: dict[str, Any]) -> dict[str, Any]:
    """The policy values from a form or request, checked; Invalid naming the fields when any is bad."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values["due_soon_days"] = ",".join(str(n) for n in parse_due_soon_days(data.get("due_soon_days") or ""))
    except ValueError:
        errors["due_soon_days"] = _("Whole numbers of days from 0 to 90, separated by commas (e.g. 3,1).")
    values["overdue_repeat_days"] = _whole(data.get("overdue_repeat_days"), 1, 60, errors, "overdue_repeat_days")
    values["escalation_days"] = _whole(data.get("escalation_days"), 0, 365, errors, "escalation_days")
    values["send_hour"] = _whole(data.get("send_hour"), 0, 23, errors, "send_hour", blank_ok=True)
    values["working_days_only"] = bool(data.get("working_days_only"))
    if errors:
        raise Invalid(_("The settings were not saved: check the marked fields."), errors)
    return values


def save_policy(campaign: Campaign, data: dict[str, Any], user: Optional[User], now: datetime) -> dict[str, tuple]:
    """Check and apply the policy; one journal line per changed setting (who, which, before, after); flush.

    Returns {setting: (before, after)} of what changed. The caller checks that `user` may do it
    (admins only) and commits.
    """
    refuse_if_archived(campaign)
    values = validate_policy(data)
    changed = {name: (getattr(campaign, name), values[name]) for name in POLICY_FIELDS
               if getattr(campaign, name) != values[name]}
    for name, (before, after) in changed.items():
        setattr(campaign, name, after)
        # a campaign-wide line: it belongs to no unit, so unit_id stays empty; item_key names the setting
        journal.record(None, user, "reminder_policy", now, item_key=name, before=before, after=after,
                       note=f"campaign {campaign.id}")
    db.session.flush()
    if changed:
        log.info("reminder policy of campaign %s changed by user %s: %s", campaign.id,
                 user.id if user else None, ", ".join(changed))
    return changed
