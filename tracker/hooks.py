"""The core's hooks: the signals it sends and the providers it asks, so that features take part in core
actions without the core importing them (DESIGN.md: the core knows no feature).

A feature connects to a signal, or registers a provider, in its `init_app`. With nothing registered the
core still works: a signal nobody listens to is a no-op, and a provider not registered answers "none".
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from blinker import Namespace

_signals = Namespace()

#: Every session of these users has ended (their session generation moved on). Sent with
#: user_ids (list[int]), outcome (str: why), now (datetime) and actor (User or None); the sender is None.
sessions_ended = _signals.signal("sessions-ended")

# (code, congress status, exempted) of each live cell under a committee: what the sub-cell gate needs
CellFacts = tuple[str, str, bool]
_providers: dict[str, Callable[..., Any]] = {}


def provide_sub_cells(provider: Callable[[Any, date], list[CellFacts]]) -> None:
    """Register the function that lists a committee's cells for the sub-cell gate (the subcells package)."""
    _providers["sub_cells"] = provider


def sub_cells_of(committee: Any, today: date) -> list[CellFacts]:
    """The committee's cells as the registered provider gives them (none when nothing is registered)."""
    provider = _providers.get("sub_cells")
    return provider(committee, today) if provider is not None else []
