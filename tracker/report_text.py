"""The report in words: the headline paragraph, labels and flags, in the reader's language and locale."""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from flask_babel import gettext as _

from .reports import UnitRow
from .services.results import field_label, problem_message
from .web.filters import fmt_date, fmt_number, fmt_percent


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


def _reach(pct: float) -> str:
    # the real reports say "over 98%": a whole percentage, or "over" the whole part below it
    if pct == int(pct):
        return f"{fmt_number(int(pct))}%"
    return _("over %(pct)s", pct=f"{fmt_number(int(pct))}%")


def headline(s: dict[str, Any], youth_age: int) -> list[str]:
    """The report's opening sentences, read like the paper report (numbers in the reader's locale)."""
    n = fmt_number
    units, c = s["units"], s["committee"]
    sentences = []
    if units["results_entered"]:
        held_by = fmt_date(date.fromisoformat(s["held_by"])) if s.get("held_by") else ""
        sentences.append(_(
            "%(held)s/%(total)s units held their congress (by %(date)s), electing %(elected)s committee members, "
            "of whom %(re)s re-elected (%(re_pct)s), %(ft)s first-time (%(ft_pct)s), %(women)s women "
            "(%(women_pct)s), %(young)s under %(age)s (%(young_pct)s), %(ethnic)s ethnic minority "
            "(%(ethnic_pct)s); %(official)s official and %(alternate)s alternate delegates to the superior "
            "congress; the first sessions elected %(standing)s standing committee members and %(secretaries)s "
            "secretaries.",
            held=n(units["congress_held"]), total=n(units["total"]), date=held_by, elected=n(c["elected"]),
            re=n(c["re_elected"]["count"]), re_pct=fmt_percent(c["re_elected"]["percent"]),
            ft=n(c["first_time"]["count"]), ft_pct=fmt_percent(c["first_time"]["percent"]),
            women=n(c["women"]["count"]), women_pct=fmt_percent(c["women"]["percent"]),
            young=n(c["young"]["count"]), age=youth_age, young_pct=fmt_percent(c["young"]["percent"]),
            ethnic=n(c["ethnic_minority"]["count"]), ethnic_pct=fmt_percent(c["ethnic_minority"]["percent"]),
            official=n(s["delegates"]["official"]), alternate=n(s["delegates"]["alternate"]),
            standing=n(s["first_session"]["standing_committee"]), secretaries=n(s["first_session"]["secretaries"])))
    else:
        sentences.append(_("%(held)s/%(total)s units held their congress; no results have been entered yet.",
                           held=n(units["congress_held"]), total=n(units["total"])))
    d = s["dissemination"]
    if d["sessions"] or d["attendees"] or d["members_reached"]:
        sentences.append(_("Dissemination: %(sessions)s sessions, %(attendees)s attendances, %(reach)s of "
                           "members reached.", sessions=n(d["sessions"]), attendees=n(d["attendees"]),
                           reach=_reach(d["percent_reached"])))
    return sentences


def flag_texts(row: UnitRow, targets: Any, mode: str) -> list[str]:
    """Why a unit is flagged against the composition targets, in words."""
    texts = []
    if "women_below" in row.flags:
        texts.append(_("Women %(value)s, below the %(target)s target.", value=fmt_percent(row.shares["women"]),
                       target=fmt_percent(float(targets.women_min))))
    if "young_below" in row.flags:
        texts.append(_("Young %(value)s, below the %(target)s target.", value=fmt_percent(row.shares["young"]),
                       target=fmt_percent(float(targets.young_min))))
    if "held_after_deadline" in row.flags:
        texts.append(_("Congress held on %(date)s, after the campaign's final deadline.",
                       date=fmt_date(row.congress["held_on"])))
    if "surplus_outside" in row.flags:
        texts.append(_("Surplus %(value)s, outside %(min)s–%(max)s.", value=fmt_percent(row.surplus_pct),
                       min=fmt_percent(float(targets.surplus_min)), max=fmt_percent(float(targets.surplus_max))))
    return texts


def problem_texts(row: UnitRow) -> list[str]:
    """Why a unit's stored counts cannot be right, in words (field: reason)."""
    texts = [f"{field_label(p.field)}: {problem_message(p)}" for p in row.problems]
    if row.missing_results:
        texts.append(_("The congress stage is done but its results are not entered."))
    return texts


def group_title(group: Optional[Any]) -> str:
    """The report's scope in words."""
    return group.name if group is not None else _("All units")
