"""The sweep's heartbeat said in the reader's language (issue 8: no English summary on a Vietnamese page)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..clock import utcnow
from ..extensions import db
from .digest import number
from .scheduler import interval_minutes
from .sweep import last_beat


def heartbeat_state(now: Optional[datetime] = None) -> dict:
    """When the sweep last ran, and whether that is longer ago than the scheduler's rhythm allows
    (the admins' warning and /healthz's `stale` both read it here)."""
    row = last_beat(db.session)
    expected = interval_minutes(current_app)
    allowed = timedelta(minutes=max(15, 3 * expected))
    now = now or utcnow()
    late = row is None or now - row.at > allowed
    return {"at": row.at if row else None, "detail": describe_beat(row.detail) if row else "", "late": late,
            "expected": expected, "allowed_minutes": int(allowed.total_seconds() // 60)}


def describe_beat(detail: str) -> str:
    """"Đã xếp 3 bản tin, bỏ qua 1 (đã gửi hôm nay), 5 nhắc việc mới" from the JSON the sweep stored."""
    try:
        facts = json.loads(detail or "")
    except ValueError:
        return detail or ""  # a heartbeat written before the counts were stored as JSON
    if not isinstance(facts, dict):
        return str(detail)
    queued, skipped, new = (int(facts.get(k) or 0) for k in ("queued", "skipped", "reminders"))
    line = ", ".join([
        ngettext("%(n)s digest queued", "%(n)s digests queued", queued, n=number(queued)),
        ngettext("%(n)s skipped (already sent today)", "%(n)s skipped (already sent today)", skipped,
                 n=number(skipped)),
        ngettext("%(n)s new reminder", "%(n)s new reminders", new, n=number(new)),
    ])
    news = int(facts.get("news") or 0)  # news that matters given to today's digests (services/news.py)
    if news:
        line += ", " + ngettext("%(n)s piece of news", "%(n)s pieces of news", news, n=number(news))
    note = facts.get("note") or ""
    if note == "no_campaign":
        line += "; " + _("no active campaign")
    elif note == "before_hour":
        line += "; " + _("before the send hour (%(hour)s:00 local time)", hour=f"{int(facts.get('hour') or 0):02d}")
    elif note == "not_working_day":
        line += "; " + _("not a working day")
    if facts.get("at"):
        line += " " + _("(run by hand as of %(moment)s)", moment=facts["at"])
    return line
