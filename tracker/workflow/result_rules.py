"""Rules for congress results, pure and framework-free: which counts are impossible, which are off target.

Each check returns Problems (field, code, params); the service turns them into messages in the
reader's language, and the report reuses the same checks to flag stored counts that cannot be right.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Optional

from .deadlines import FIRST_YEAR
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
    """Members reached at most the unit's party members; attendances at least the members reached."""
    out = check_range(values)
    reached = values.get("members_reached")
    if reached is not None and reached > party_members:
        out.append(Problem("members_reached", "above_members", {"members": party_members}))
    attendees = values.get("attendees")
    # every member reached attended at least once: attendances (lượt) count each attendance
    if reached is not None and attendees is not None and attendees < reached:
        out.append(Problem("attendees", "below_reached", {"reached": reached}))
    return out


def check_congress(values: Mapping[str, Optional[int]], party_members: Optional[int] = None) -> list[Problem]:
    """Re-elected + first-time = elected; composition at most elected; elected at most the seats, the
    candidates and the unit's members; delegates at most the members; ballot at least the seats."""
    out = check_range({k: v for k, v in values.items() if k != "held_on"})
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
    if candidates is not None:
        if seats and candidates < seats:
            out.append(Problem("candidates", "below_seats", {"seats": seats}))
        elif candidates < elected:  # nobody is elected who was not on the ballot
            out.append(Problem("candidates", "below_elected", {"elected": elected}))
    if seats and elected > seats:
        out.append(Problem("committee_elected", "above_seats", {"seats": seats}))
    if party_members is not None:
        if elected > party_members:
            out.append(Problem("committee_elected", "above_members", {"members": party_members}))
        official, alternate = values.get("delegates_official") or 0, values.get("delegates_alternate") or 0
        if official + alternate > party_members:
            params = {"official": official, "alternate": alternate, "members": party_members}
            out += [Problem("delegates_official", "delegates_above_members", params),
                    Problem("delegates_alternate", "delegates_above_members", params)]
    return out


_YEAR = re.compile(r"(19|20|21)[0-9]{2}")


def earliest_congress(term: str, documents: Iterable[date] = ()) -> date:
    """The first date a congress of this campaign can have been held on.

    The year before the term's first year when the term names one (grassroots congresses open the
    term, and the directive that starts them comes the year before), else the earliest reference
    document, else the first year the app plans for.
    """
    match = _YEAR.search(term or "")
    if match:
        return date(max(FIRST_YEAR, int(match.group(0)) - 1), 1, 1)
    dated = [d for d in documents if d is not None]
    return max(min(dated), date(FIRST_YEAR, 1, 1)) if dated else date(FIRST_YEAR, 1, 1)


def check_held_on(held_on: Optional[date], today: date, earliest: date) -> list[Problem]:
    """The congress was held neither after today (local date) nor before the campaign can have started."""
    if held_on is None:
        return []
    if held_on > today:
        return [Problem("held_on", "after_today", {"today": today})]
    if held_on < earliest:
        return [Problem("held_on", "before_start", {"start": earliest})]
    return []


def held_on_flags(held_on: Optional[date], deadline: Optional[date]) -> list[str]:
    """A congress held after the campaign's final deadline is accepted and flagged, never refused."""
    if held_on is not None and deadline is not None and held_on > deadline:
        return ["held_after_deadline"]
    return []


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
                    congress_done: bool, today: Optional[date] = None,
                    earliest: Optional[date] = None) -> list[Problem]:
    """Everything about a unit's stored numbers that cannot be right (the report flags, never hides, them).

    The same checks as entry, so numbers saved before a rule existed are counted too.
    """
    out: list[Problem] = []
    if dissemination is not None:
        out += check_dissemination(dissemination, party_members)
    elected = None
    if congress is not None:
        out += check_congress(congress, party_members)
        elected = congress.get("committee_elected")
        if today is not None:
            out += check_held_on(congress.get("held_on"), today, earliest or date(FIRST_YEAR, 1, 1))
        if not congress_done:
            out.append(Problem("congress", "results_without_congress"))
    if first_session is not None:
        out += check_first_session(first_session, kind, elected)
    return out
