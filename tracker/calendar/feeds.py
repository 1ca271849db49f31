"""The iCalendar feeds (RFC 5545, written with the icalendar library): congresses and stage deadlines.

One event per unit and day: its congress (Unit.congress_date) and each stage's due date as
readmodel.stage_rows computes it. UIDs are stable per unit and stage, so calendar apps update an event
when a date moves instead of adding a second one. Events carry the unit, the stage and a link, never
personnel or complaint content.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import Select, select

from ..extensions import db
from ..labels import stage_label
from ..models import Unit
from ..readmodel import as_date, stage_rows
from ..workflow import STAGES

PRODID = "-//congress-tracker//lich-dai-hoi//VI"


def uid(unit_id: int, stage: str, host: str) -> str:
    """The event's UID: one per unit and stage (the congress day itself is the stage "congress-day")."""
    return f"unit-{unit_id}-{stage}@{host}"


def build(ids: Select, name: str, now: datetime, today: date, host: str) -> bytes:
    """The feed of the selected units: their congresses and stage due dates (two queries)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    rows = stage_rows(ids, today)
    due = db.session.execute(select(rows.c.unit_id, rows.c.stage, rows.c.due_on)
                             .where(rows.c.due_on.is_not(None))).all()
    with force_locale("vi"):  # the feed is read by calendar apps: in the users' language
        for unit in sorted(units.values(), key=lambda u: u.code):
            if unit.congress_date:
                title = _("Congress: %(unit)s", unit=unit.name)
                if unit.pilot:
                    title += " " + _("(pilot congress)")
                cal.add_component(_event(uid(unit.id, "congress-day", host), unit.congress_date, title, unit, now))
        for unit_id, stage, due_on in sorted(due, key=lambda r: (units[r[0]].code, STAGES.index(r[1]))):
            unit = units[unit_id]
            title = _("Due: %(stage)s — %(unit)s", stage=stage_label(stage), unit=unit.name)
            cal.add_component(_event(uid(unit.id, stage, host), as_date(due_on), title, unit, now))
    return cal.to_ical()


def _event(event_uid: str, day: date, summary: str, unit: Unit, now: datetime) -> Event:
    link = url_for("units.show", code=unit.code, _external=True)
    event = Event()
    event.add("uid", event_uid)
    event.add("dtstamp", now)
    event.add("dtstart", day)  # a whole day: VALUE=DATE
    event.add("summary", summary)
    event.add("url", link)
    event.add("description", f"{unit.code} · {link}")
    event.add("transp", "TRANSPARENT")
    return event
