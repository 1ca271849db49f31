"""The report in words: the headline paragraph, labels and flags, in the reader's language and locale.

`Words` looks every label up once per request (a page of thousands of cells asks a dict, never
gettext); the headline and the flags are written as the organisation office writes its reports.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from flask_babel import gettext as _

from ..formatting import NumberFormat, current_format, fmt_date
from ..labels import status_label
from ..services.results import field_label, problem_message
from ..workflow import STATUSES
from ..workflow.stages import KINDS
from .query import UnitRow

RESULT_FIELDS = ("sessions", "attendees", "members_reached", "held_on", "seats", "candidates",
                 "committee_elected", "re_elected", "first_time", "women", "young", "ethnic_minority",
                 "delegates_official", "delegates_alternate", "standing_committee", "secretary_elected",
                 "deputy_secretaries", "inspection_committee", "inspection_chair_elected")


def kind_label(kind: str) -> str:
    """A unit kind in the reader's language (plural, as a table heading)."""
    return {
        "commune_committee": _("Commune/town Party committees"),
        "sector_committee": _("Sector Party committees"),
        "grassroots_cell": _("Grassroots cells"),
        "sub_cell": _("Cells under a grassroots committee"),
    }.get(kind, kind)


def stage_name(stage: str) -> str:
    """The stage a custom field is entered with."""
    return {"dissemination": _("Dissemination"), "congress": _("Congress held"),
            "first_session": _("First session")}.get(stage, stage)


def rounding_label(mode: str) -> str:
    """The rounding mode in words."""
    return _("truncated") if mode == "truncate" else _("rounded half-up")


class Words:
    """Every label and number format of one report, looked up once (per request, per export)."""

    def __init__(self, fmt: Optional[NumberFormat] = None):
        self.fmt = fmt or current_format()
        self.number, self.percent = self.fmt.number, self.fmt.percent
        self.kinds = {k: kind_label(k) for k in KINDS}
        self.statuses = {s: status_label(s) for s in STATUSES}
        self.fields = {n: field_label(n) for n in RESULT_FIELDS}
        # raw translations, their %(…)s left in: formatted per row without asking gettext again
        self._delegates = _("%(official)s official, %(alternate)s alternate")
        self._flags = {"women_below": _("Women %(value)s, below the %(target)s target."),
                       "young_below": _("Young %(value)s, below the %(target)s target."),
                       "surplus_outside": _("Surplus %(value)s, outside %(min)s–%(max)s."),
                       "held_after_deadline": _("Congress held on %(date)s, after the campaign's final deadline.")}
        self._missing = _("The congress stage is done but its results are not entered.")

    def kind(self, kind: str) -> str:
        """A unit kind (plural heading)."""
        return self.kinds.get(kind, kind)

    def status(self, status: str) -> str:
        """A stage status."""
        return self.statuses.get(status, status)

    def field(self, name: str) -> str:
        """A result field's name."""
        return self.fields.get(name) or field_label(name)

    def delegates(self, official: Optional[int], alternate: Optional[int]) -> str:
        """'2 chính thức, 0 dự khuyết'."""
        return self._delegates % {"official": self.number(official or 0), "alternate": self.number(alternate or 0)}


    def flag_texts(self, row: UnitRow, targets: Any) -> list[str]:
        """Why a unit is flagged against the composition targets, in words."""
        p, texts = self.percent, []
        if "women_below" in row.flags:
            texts.append(self._flags["women_below"] % {"value": p(row.shares["women"]),
                                                       "target": p(float(targets.women_min))})
        if "young_below" in row.flags:
            texts.append(self._flags["young_below"] % {"value": p(row.shares["young"]),
                                                       "target": p(float(targets.young_min))})
        if "held_after_deadline" in row.flags:
            texts.append(self._flags["held_after_deadline"] % {"date": fmt_date(row.congress["held_on"])})
        if "surplus_outside" in row.flags:
            texts.append(self._flags["surplus_outside"] % {"value": p(row.surplus_pct),
                                                           "min": p(float(targets.surplus_min)),
                                                           "max": p(float(targets.surplus_max))})
        return texts

    def problem_texts(self, row: UnitRow) -> list[str]:
        """Why a unit's stored counts cannot be right, in words (field: reason)."""
        texts = [f"{self.field(p.field)}: {problem_message(p)}" for p in row.problems]
        if row.missing_results:
            texts.append(self._missing)
        return texts


def _reach(pct: float, n=None) -> str:
    # the real reports say "over 98%": a whole percentage, or "over" the whole part below it
    n = n or current_format().number
    if pct == int(pct):
        return f"{n(int(pct))}%"
    return _("over %(pct)s", pct=f"{n(int(pct))}%")


def ethnic_words(ethnic_group: str = "") -> str:
    """'dân tộc thiểu số', or 'dân tộc Khmer' when the campaign names the ethnic group it counts."""
    name = (ethnic_group or "").strip()
    return _("ethnic %(name)s", name=name) if name else _("ethnic minority")


def headline(s: dict[str, Any], youth_age: int, today: Optional[date] = None, ethnic_group: str = "") -> list[str]:
    """The report's opening sentences, as of `today` (the date the page's subtitle shows too)."""
    fmt = current_format()
    n, p = fmt.number, fmt.percent
    units, c = s["units"], s["committee"]
    as_of = fmt_date(today) if today else fmt_date(date.fromisoformat(s["held_by"])) if s.get("held_by") else ""
    sentences = []
    if units["results_entered"]:
        sentences.append(_(
            "As of %(date)s, %(held)s/%(total)s units held their congress, electing %(elected)s committee members, "
            "of whom %(re)s re-elected (%(re_pct)s), %(ft)s first-time (%(ft_pct)s), %(women)s women "
            "(%(women_pct)s), %(young)s young members under %(age)s (%(young_pct)s), %(ethnic)s %(ethnic_group)s "
            "(%(ethnic_pct)s); %(official)s official and %(alternate)s alternate delegates to the superior "
            "congress; the first sessions elected %(standing)s standing committee members and %(secretaries)s "
            "secretaries.",
            date=as_of, held=n(units["congress_held"]), total=n(units["total"]), elected=n(c["elected"]),
            re=n(c["re_elected"]["count"]), re_pct=p(c["re_elected"]["percent"]),
            ft=n(c["first_time"]["count"]), ft_pct=p(c["first_time"]["percent"]),
            women=n(c["women"]["count"]), women_pct=p(c["women"]["percent"]),
            young=n(c["young"]["count"]), age=youth_age, young_pct=p(c["young"]["percent"]),
            ethnic=n(c["ethnic_minority"]["count"]), ethnic_group=ethnic_words(ethnic_group),
            ethnic_pct=p(c["ethnic_minority"]["percent"]),
            official=n(s["delegates"]["official"]), alternate=n(s["delegates"]["alternate"]),
            standing=n(s["first_session"]["standing_committee"]), secretaries=n(s["first_session"]["secretaries"])))
    else:
        sentences.append(_("As of %(date)s, %(held)s/%(total)s units held their congress; no results have been "
                           "entered yet.", date=as_of, held=n(units["congress_held"]), total=n(units["total"])))
    cells = s.get("sub_cells") or {}
    if cells.get("total"):
        # the cells under the committees are counted apart (CONTRACT.md), in a sentence of their own
        sentences.append(_("%(held)s/%(total)s cells under the committees held their congress.",
                           held=n(cells["congress_held"]), total=n(cells["total"])))
    d = s["dissemination"]
    if d["sessions"] or d["attendees"] or d["members_reached"]:
        sentences.append(_("Dissemination: %(sessions)s sessions, %(attendees)s attendances, %(reach)s of "
                           "members reached.", sessions=n(d["sessions"]), attendees=n(d["attendees"]),
                           reach=_reach(d["percent_reached"], n)))
    return sentences


def flag_texts(row: UnitRow, targets: Any, mode: str = "") -> list[str]:
    """Why a unit is flagged against the composition targets, in words (a few rows; see Words for many)."""
    return Words().flag_texts(row, targets)


def problem_texts(row: UnitRow) -> list[str]:
    """Why a unit's stored counts cannot be right, in words (a few rows; see Words for many)."""
    return Words().problem_texts(row)
