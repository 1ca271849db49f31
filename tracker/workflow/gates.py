"""Gates: a stage's items may be ticked only when the stages it depends on are done."""
from __future__ import annotations

from collections.abc import Mapping

# The only gates (CONTRACT.md). Keep them here and nowhere else.
GATES: dict[str, tuple[str, ...]] = {
    "congress": ("documents", "personnel", "rehearsal"),
    "first_session": ("congress",),
}
FINISHED = ("done", "verified")


class GateClosed(Exception):
    """A tick refused because a stage it depends on is not done."""

    def __init__(self, stage: str, missing: tuple[str, ...]):
        self.stage, self.missing = stage, missing
        super().__init__(f"gate {stage}: {', '.join(missing)} not done")


def check_gate(stage: str, statuses: Mapping[str, str]) -> None:
    """Raise GateClosed when a stage this one depends on is neither done nor verified."""
    missing = tuple(s for s in GATES.get(stage, ()) if statuses.get(s) not in FINISHED)
    if missing:
        raise GateClosed(stage, missing)
