"""Gates: a stage's items may be ticked only when the stages it depends on are done."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from .stages import COMMITTEE_KINDS, FINISHED

# The only gates (CONTRACT.md). Keep them here and nowhere else.
GATES: dict[str, tuple[str, ...]] = {
    "congress": ("documents", "personnel", "rehearsal"),
    "first_session": ("congress",),
}


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


# ---- the sub-cell gate (the third gate; a campaign setting, on by default) -----------------------
# A committee's `congress` items wait for every sub-cell under it to have held its own congress
# (its `congress` stage done or verified), unless the cell is exempted with a reason.
SUB_CELL_GATED_STAGE = "congress"


class SubCellGateClosed(GateClosed):
    """A committee's congress tick refused: these sub-cells (by code) have not held their congress."""

    def __init__(self, stage: str, cells: tuple[str, ...]):
        super().__init__(stage, ("sub_cells",))
        self.cells = cells


def sub_cell_held(congress_status: str, exempted: bool) -> bool:
    """A sub-cell no longer holds its committee back: its congress is done or verified, or it is exempted."""
    return congress_status in FINISHED or exempted


def pending_sub_cells(cells: Iterable[tuple[str, str, bool]]) -> tuple[str, ...]:
    """The codes, in order, of the (code, congress status, exempted) cells that still hold their committee back."""
    return tuple(sorted(code for code, status, exempted in cells if not sub_cell_held(status, exempted)))


def check_sub_cell_gate(stage: str, unit_kind: str, cells: Iterable[tuple[str, str, bool]],
                        enabled: bool = True) -> None:
    """Raise SubCellGateClosed when a committee's congress item is ticked before its sub-cells held theirs."""
    if not enabled or stage != SUB_CELL_GATED_STAGE or unit_kind not in COMMITTEE_KINDS:
        return
    pending = pending_sub_cells(cells)
    if pending:
        raise SubCellGateClosed(stage, pending)


def sub_cell_rollup(cells: Iterable[tuple[str, str, bool]]) -> dict[str, int]:
    """{total, held, exempted, pending} over a committee's (code, congress status, exempted) cells."""
    cells = list(cells)
    held = sum(1 for _c, status, _e in cells if status in FINISHED)
    exempted = sum(1 for _c, status, e in cells if e and status not in FINISHED)
    return {"total": len(cells), "held": held, "exempted": exempted, "pending": len(cells) - held - exempted}
