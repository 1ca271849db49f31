"""Percentages computed at read time, to two decimals, half-up or truncated."""
from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

MODES = {"half_up": ROUND_HALF_UP, "truncate": ROUND_DOWN}


def percent(part: int, whole: int, mode: str = "half_up") -> float:
    """part/whole as a percentage with two decimals; 0.0 when whole is 0."""
    if not whole:
        return 0.0
    value = Decimal(part) * 100 / Decimal(whole)
    return float(value.quantize(Decimal("0.01"), rounding=MODES[mode]))
