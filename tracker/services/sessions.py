"""Ending a person's sessions: the core's part (their session generation moves on, so every signed cookie
and sign-in link of theirs stops working) and its signal, `hooks.sessions_ended`, which the sign-in log
(tracker/signin) records."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Optional

from sqlalchemy import update

from .. import hooks
from ..extensions import db
from ..models import User

# why sessions ended (the sign-in log shows it)
SIGNED_OUT, PASSWORD_CHANGED, PASSWORD_RESET, DEACTIVATED = "signed_out", "password_changed", "password_reset", \
    "deactivated"


def end_sessions(user_ids: Iterable[int], outcome: str, now: datetime, actor: Optional[User] = None) -> None:
    """End every session of these users and say so (hooks.sessions_ended); flush.

    One UPDATE whatever the number of users; objects already loaded are refreshed, so a caller that signs the
    user in again gets the new generation."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    db.session.execute(update(User).where(User.id.in_(ids))
                       .values(session_generation=User.session_generation + 1)
                       .execution_options(synchronize_session="fetch"))
    hooks.sessions_ended.send(None, user_ids=ids, outcome=outcome, now=now, actor=actor)
    db.session.flush()
