"""A stage's status, computed from its items and the working group's review; never stored."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Optional


@dataclass(frozen=True)
class ItemFacts:
    """What the status rule needs of an item."""

    required: bool
    done: bool
    due_on: Optional[date]


def is_complete(items: Iterable[ItemFacts]) -> bool:
    """All required items ticked (a stage with no required item is complete once any item is)."""
    items = list(items)
    required = [i for i in items if i.required]
    if required:
        return all(i.done for i in required)
    return bool(items) and any(i.done for i in items)


def stage_due_on(items: Iterable[ItemFacts]) -> Optional[date]:
    """The stage's due date: the latest due date of its required items (of all, if none is required)."""
    items = list(items)
    pool = [i for i in items if i.required] or items
    dates = [i.due_on for i in pool if i.due_on]
    return max(dates) if dates else None


def stage_status(items: Iterable[ItemFacts], review: Optional[str], today: date, exempted: bool = False) -> str:
    """not_started, in_progress, done, verified, returned or overdue (never for an exempted sub-cell,
    which holds no congress of its own)."""
    items = list(items)
    complete = is_complete(items)
    if review == "returned":
        return "returned"
    if complete:
        return "verified" if review == "verified" else "done"
    if not exempted and any(i.required and not i.done and i.due_on and i.due_on < today for i in items):
        return "overdue"
    return "in_progress" if any(i.done for i in items) else "not_started"
