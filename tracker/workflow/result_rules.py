"""Rules for congress results, pure and framework-free: which counts are impossible, which are off target.

Each check returns Problems (field, code, params); the service turns them into messages in the
reader's language, and the report reuses the same checks to flag stored counts that cannot be right.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from .rounding import percent
from .stages import COMMITTEE_KINDS

DISSEMINATION_COUNTS = ("sessions", "attendees", "members_reached")
CONGRESS_COUNTS = ("committee_elected", "re_elected", "first_time", "women", "young", "ethnic_minority",
                   "delegates_official", "delegates_alternate")
CONGRESS_OPTIONAL = ("seats", "candidates")
FIRST_SESSION_COUNTS = ("standing_committee", "deputy_secretaries", "inspection_committee")
FIRST_SESSION_FLAGS = ("secretary_elected", "inspection_chair_elected")
COMPOSITION = ("women", "young", "ethnic_minority")
RESULT_STAGES = ("dissemination", "congress", "first_session")
MAX_COUNT = 1_000_000  # far above any real unit; stops a typo from overflowing a column


@dataclass(frozen=True)
class Problem:
    """One broken rule: the field it concerns, a machine code, the numbers the message needs."""

    field: str
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)


def check_range(values: Mapping[str, Optional[int]]) -> list[Problem]:
    """Counts are whole numbers from 0 up to MAX_COUNT (None means not given)."""
    out = []
    for name, value in values.items():
        if value is None or not isinstance(value, int):
            continue
        if value < 0:
            out.append(Problem(name, "negative"))
        elif value > MAX_COUNT:
            out.append(Problem(name, "too_large", {"max": MAX_COUNT}))
    return out


def check_dissemination(values: Mapping[str, int], party_members: int) -> list[Problem]:
    """Members reached cannot exceed the unit's party members."""
    out = check_range(values)
    reached = values.get("members_reached")
    if reached is not None and reached > party_members:
        out.append(Problem("members_reached", "above_members", {"members": party_members}))
    return out


def check_congress(values: Mapping[str, Optional[int]]) -> list[Problem]:
    """Re-elected + first-time = elected; women, young, ethnic minority at most elected; ballot >= seats."""
    out = check_range(values)
    if out:
        return out
    elected = values.get("committee_elected") or 0
    re_elected, first_time = values.get("re_elected") or 0, values.get("first_time") or 0
    if re_elected + first_time != elected:
        params = {"re": re_elected, "ft": first_time, "elected": elected}
        out += [Problem("re_elected", "sum_mismatch", params), Problem("first_time", "sum_mismatch", params)]
    for name in COMPOSITION:
        if (values.get(name) or 0) > elected:
            out.append(Problem(name, "above_elected", {"elected": elected}))
    seats, candidates = values.get("seats"), values.get("candidates")
    if seats is not None and seats == 0:
        out.append(Problem("seats", "seats_zero"))
    elif seats is not None and candidates is not None and candidates < seats:
        out.append(Problem("candidates", "below_seats", {"seats": seats}))
    return out


def check_first_session(values: Mapping[str, int], kind: str, committee_elected: Optional[int]) -> list[Problem]:
    """A cell has no standing committee; standing committee and deputies come from the committee elected."""
    out = check_range({k: values.get(k) for k in FIRST_SESSION_COUNTS})
    if out:
        return out
    if kind not in COMMITTEE_KINDS and (values.get("standing_committee") or 0) > 0:
        out.append(Problem("standing_committee", "cell_no_standing"))
    if committee_elected is not None:
        for name in ("standing_committee", "deputy_secretaries"):
            if (values.get(name) or 0) > committee_elected:
                out.append(Problem(name, "above_committee", {"elected": committee_elected}))
    return out


def surplus_percent(seats: Optional[int], candidates: Optional[int], mode: str = "half_up") -> Optional[float]:
    """The candidate surplus (số dư) as a percentage of the seats, or None when it cannot be computed."""
    if not seats or candidates is None:
        return None
    return percent(candidates - seats, seats, mode)


@dataclass(frozen=True)
class Targets:
    """A campaign's composition targets (percentages)."""

    women_min: Decimal = Decimal(15)
    young_min: Decimal = Decimal(10)
    surplus_min: Decimal = Decimal(10)
    surplus_max: Decimal = Decimal(30)


def target_flags(values: Mapping[str, Optional[int]], targets: Targets, mode: str = "half_up") -> list[str]:
    """Codes for a unit's results below a composition target or with a surplus outside the range."""
    flags = []
    elected = values.get("committee_elected") or 0
    if elected:
        if percent(values.get("women") or 0, elected, mode) < float(targets.women_min):
            flags.append("women_below")
        if percent(values.get("young") or 0, elected, mode) < float(targets.young_min):
            flags.append("young_below")
    surplus = surplus_percent(values.get("seats"), values.get("candidates"), mode)
    if surplus is not None and not float(targets.surplus_min) <= surplus <= float(targets.surplus_max):
        flags.append("surplus_outside")
    return flags


def stored_problems(kind: str, party_members: int, dissemination: Optional[Mapping[str, int]],
                    congress: Optional[Mapping[str, Optional[int]]], first_session: Optional[Mapping[str, int]],
                    congress_done: bool) -> list[Problem]:
    """Everything about a unit's stored numbers that cannot be right (the report flags, never hides, them)."""
    out: list[Problem] = []
    if dissemination is not None:
        out += check_dissemination(dissemination, party_members)
    elected = None
    if congress is not None:
        out += check_congress(congress)
        elected = congress.get("committee_elected")
        seats = congress.get("seats")
        if seats and (elected or 0) > seats:
            out.append(Problem("committee_elected", "above_seats", {"seats": seats}))
        if not congress_done:
            out.append(Problem("congress", "results_without_congress"))
    if first_session is not None:
        out += check_first_session(first_session, kind, elected)
    return out
