"""Sign-in throttling, counted in the database so every worker and server sees the same numbers.

Failures (FAILURES) are counted per (account, client address) and per client address over a sliding
window. An account is the resolved user when the typed login names one (so 0912… and +84 912… are one
account), else the typed login itself. Refused (throttled) attempts are logged but not counted, so the
window does pass for whoever keeps trying; the real owner at another address is never counted with them.

Counting is atomic: an attempt's line (CHECKING) is committed before it counts the others, and the
attempts still being checked count as failures. Of a burst, the attempts committed after the first
`limit` all see at least `limit` others, so at most `limit` passwords are checked, whatever the timing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .events import COUNTED
from .models import SignInEvent


@dataclass(frozen=True)
class Limits:
    """Failures allowed per (account, address) and per address within the window."""

    per_account: int = 10
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls) -> Limits:
        """TRACKER_LOGIN_MAX_PER_ACCOUNT, TRACKER_LOGIN_MAX_PER_ADDRESS, TRACKER_LOGIN_WINDOW_MINUTES."""
        cfg = current_app.config
        return cls(int(cfg["LOGIN_MAX_PER_ACCOUNT"]), int(cfg["LOGIN_MAX_PER_ADDRESS"]),
                   timedelta(minutes=float(cfg["LOGIN_WINDOW_MINUTES"])))


def _slot_frees_in(where: list, limit: int, now: datetime, window: timedelta) -> int:
    """Seconds until fewer than `limit` failures (or attempts being checked) matching `where` remain in the
    window; 0 when already fewer.

    The limit-th newest failure in the window is the one whose ageing out frees a slot: one indexed read."""
    if limit < 1:
        return 0
    oldest_counted = db.session.scalar(
        select(SignInEvent.at).where(SignInEvent.outcome.in_(COUNTED), SignInEvent.at > now - window, *where)
        .order_by(SignInEvent.at.desc()).offset(limit - 1).limit(1))
    if oldest_counted is None:
        return 0
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))


def retry_after(user_id: Optional[int], login: str, address: str, now: datetime, limits: Limits,
                own_line: Optional[int] = None) -> int:
    """Seconds before this (account, address) may try again; 0 when it may try now. own_line: the
    attempt's own committed line, left out of the count."""
    account = [SignInEvent.user_id == user_id] if user_id is not None else \
        [SignInEvent.user_id.is_(None), SignInEvent.login == login]
    others = [SignInEvent.id != own_line] if own_line is not None else []
    return max(_slot_frees_in([SignInEvent.address == address, *account, *others], limits.per_account, now,
                              limits.window),
               _slot_frees_in([SignInEvent.address == address, *others], limits.per_address, now, limits.window))
