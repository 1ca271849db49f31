"""The report against the campaign this one was copied from: each committee composition indicator's
previous value and its change in points. The previous numbers are that campaign's own summary."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from flask_babel import gettext as _

from ..campaigns.scope import group_by_code
from ..extensions import db
from ..formatting import current_format
from ..models import Campaign, WorkingGroup
from .query import summary
from .text import ethnic_words

INDICATORS = ("re_elected", "first_time", "women", "young", "ethnic_minority")


@dataclass(frozen=True)
class Change:
    """One indicator now and in the previous term, in percent, and the change in points."""

    key: str
    percent: float
    previous: float
    points: float


def previous_summary(campaign: Campaign, today: date, group: Optional[WorkingGroup] = None) -> Optional[dict]:
    """The summary of the campaign this one was copied from (the same group by code), or None when there
    is none or it has no committee results."""
    if campaign.copied_from_id is None:
        return None
    source = db.session.get(Campaign, campaign.copied_from_id)
    if source is None:
        return None
    old_group = None
    if group is not None:
        old_group = group_by_code(group.code, source.id)
        if old_group is None:
            return None
    previous = summary(source, today, old_group)
    return previous if previous["committee"]["elected"] else None


def changes(current: dict[str, Any], previous: Optional[dict[str, Any]]) -> list[Change]:
    """Each indicator's change; none when there is nothing to compare (no previous, or no results now)."""
    if previous is None or not current["committee"]["elected"]:
        return []
    out = []
    for key in INDICATORS:
        now, before = current["committee"][key]["percent"], previous["committee"][key]["percent"]
        out.append(Change(key, now, before, round(now - before, 2)))  # both already rounded to 2 decimals
    return out


def label(key: str, ethnic_group: str) -> str:
    """An indicator's name as the report writes it."""
    return {"re_elected": _("re-elected"), "first_time": _("first-time members"), "women": _("women"),
            "young": _("young members"), "ethnic_minority": ethnic_words(ethnic_group)}[key]


def sentence(rows: list[Change], ethnic_group: str = "") -> Optional[str]:
    """'Compared with the previous term: women 23,09%, up 2,10 points on the previous term (20,99%); …'"""
    if not rows:
        return None
    p = current_format().percent
    parts = []
    for r in rows:
        points = p(abs(r.points))[:-1]  # the same two-decimal format, without the % sign
        if r.points > 0:
            text = _("%(label)s %(pct)s, up %(points)s points on the previous term (%(prev)s)",
                     label=label(r.key, ethnic_group), pct=p(r.percent), points=points, prev=p(r.previous))
        elif r.points < 0:
            text = _("%(label)s %(pct)s, down %(points)s points on the previous term (%(prev)s)",
                     label=label(r.key, ethnic_group), pct=p(r.percent), points=points, prev=p(r.previous))
        else:
            text = _("%(label)s %(pct)s, as in the previous term", label=label(r.key, ethnic_group),
                     pct=p(r.percent))
        parts.append(text)
    return _("Compared with the previous term: %(changes)s.", changes="; ".join(parts))
