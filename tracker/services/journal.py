"""Writing the append-only journal of a unit."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from ..extensions import db
from ..models import JournalEntry, User


def record(unit_id: Optional[int], user: Optional[User], action: str, now: datetime, *, stage: Optional[str] = None,
           item_key: Optional[str] = None, before: object = "", after: object = "", note: str = "") -> JournalEntry:
    """Append one journal line (who, when, what, before, after); no unit for a campaign-wide setting."""
    entry = JournalEntry(unit_id=unit_id, user_id=user.id if user else None, action=action, at=now,
                         stage=stage, item_key=item_key, before=_text(before), after=_text(after),
                         note=note or "")
    db.session.add(entry)
    return entry


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
