"""The report as a spreadsheet (XLSX, openpyxl) and as CSV: the same numbers as the page."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any, Optional

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ..labels import status_label
from ..services.result_fields import targets_of
from ..services.results import field_label
from .query import Report, UnitRow
from .text import flag_texts, headline, kind_label, problem_texts

INT, PCT, TEXT = "int", "pct", "text"


def _get(part: str, name: str) -> Callable[[UnitRow], Any]:
    return lambda r: (getattr(r, part) or {}).get(name)


def columns(report: Report, locale: str) -> list[tuple[str, str, Callable[[UnitRow], Any], Callable[[dict], Any]]]:
    """(heading, type, value of a unit row, value of the totals) for every exported column."""
    s = report.summary
    share = lambda n: (lambda r: r.shares.get(n), lambda t: t["committee"][n]["percent"])  # noqa: E731
    count = lambda n: (lambda r: (r.congress or {}).get(n), lambda t: t["committee"][n]["count"])  # noqa: E731
    cols = [
        (_("Code"), TEXT, lambda r: r.code, lambda t: _("Total")),
        (_("Unit"), TEXT, lambda r: r.name, lambda t: ""),
        (_("Kind"), TEXT, lambda r: kind_label(r.kind), lambda t: ""),
        (_("Working group"), TEXT, lambda r: r.group or "", lambda t: ""),
        (_("Pilot congress"), INT, lambda r: 1 if r.pilot else 0, lambda t: t["units"]["pilot"]),
        (_("Party members"), INT, lambda r: r.party_members, lambda t: t["dissemination"]["members_total"]),
        (_("Congress stage"), TEXT, lambda r: status_label(r.status), lambda t: ""),
        (_("Congress held"), INT, lambda r: 1 if r.held else 0, lambda t: t["units"]["congress_held"]),
        (field_label("held_on"), TEXT, lambda r: (r.congress or {}).get("held_on") and
         r.congress["held_on"].strftime("%d/%m/%Y"), lambda t: ""),
        (field_label("sessions"), INT, _get("dissemination", "sessions"), lambda t: t["dissemination"]["sessions"]),
        (field_label("attendees"), INT, _get("dissemination", "attendees"),
         lambda t: t["dissemination"]["attendees"]),
        (field_label("members_reached"), INT, _get("dissemination", "members_reached"),
         lambda t: t["dissemination"]["members_reached"]),
        (_("% of members reached"), PCT, lambda r: r.reach_pct, lambda t: t["dissemination"]["percent_reached"]),
        (field_label("seats"), INT, _get("congress", "seats"), lambda t: None),
        (field_label("candidates"), INT, _get("congress", "candidates"), lambda t: None),
        (_("Surplus %"), PCT, lambda r: r.surplus_pct, lambda t: None),
        (field_label("committee_elected"), INT, _get("congress", "committee_elected"),
         lambda t: t["committee"]["elected"]),
    ]
    for name in ("re_elected", "first_time", "women", "young", "ethnic_minority"):
        get_count, total_count = count(name)
        get_pct, total_pct = share(name)
        cols.append((field_label(name), INT, get_count, total_count))
        cols.append((_("%(field)s %%", field=field_label(name)), PCT, get_pct, total_pct))
    cols += [
        (field_label("delegates_official"), INT, _get("congress", "delegates_official"),
         lambda t: t["delegates"]["official"]),
        (field_label("delegates_alternate"), INT, _get("congress", "delegates_alternate"),
         lambda t: t["delegates"]["alternate"]),
        (field_label("standing_committee"), INT, _get("first_session", "standing_committee"),
         lambda t: t["first_session"]["standing_committee"]),
        (field_label("secretary_elected"), INT, lambda r: _flag(r, "secretary_elected"),
         lambda t: t["first_session"]["secretaries"]),
        (field_label("deputy_secretaries"), INT, _get("first_session", "deputy_secretaries"),
         lambda t: t["first_session"]["deputy_secretaries"]),
        (field_label("inspection_committee"), INT, _get("first_session", "inspection_committee"),
         lambda t: t["first_session"]["inspection_committee"]),
        (field_label("inspection_chair_elected"), INT, lambda r: _flag(r, "inspection_chair_elected"),
         lambda t: t["first_session"]["inspection_chairs"]),
    ]
    totals = {c["key"]: c["total"] for c in s.get("custom", [])}
    for cf in report.fields:
        label = cf.label_en if locale == "en" else cf.label_vi
        cols.append((label, INT, (lambda fid: lambda r: r.custom.get(fid))(cf.id),
                     (lambda key: lambda t: totals.get(key, 0))(cf.key)))
    cols.append((_("Flags"), TEXT, lambda r: "; ".join(_row_flags(report, r)), lambda t: ""))
    return cols


def _flag(row: UnitRow, name: str) -> Optional[int]:
    if row.first_session is None:
        return None
    return 1 if row.first_session[name] else 0


def _row_flags(report: Report, row: UnitRow) -> list[str]:
    return flag_texts(row, targets_of(report.campaign), report.summary["rounding"]) + problem_texts(row)


def table(report: Report, locale: str) -> tuple[list[str], list[tuple[str, ...]], list[list[Any]], list[Any]]:
    """(headings, types, unit rows, totals row): the one table both exports write."""
    cols = columns(report, locale)
    rows = [[get(r) for _h, _t, get, _tot in cols] for r in report.rows]
    totals = [tot(report.summary) for _h, _t, _g, tot in cols]
    return [c[0] for c in cols], [c[1] for c in cols], rows, totals


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Text a spreadsheet will not run as a formula (units name themselves; a name is not code)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(report: Report, locale: str) -> bytes:
    """UTF-8 CSV (with a byte-order mark so spreadsheet programs read the Vietnamese letters)."""
    headings, _types, rows, totals = table(report, locale)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(h) for h in headings])
    for row in rows + [totals]:
        writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else safe_text(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Report, locale: str) -> bytes:
    """A workbook: the summary with its headline, the per-unit table with totals, the per-kind table."""
    headings, types, rows, totals = table(report, locale)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")[:31]
    ws.append([safe_text(report.campaign.name)])
    ws.append([safe_text(report.campaign.organiser or _("the superior committee"))])
    for sentence in headline(report.summary, report.campaign.youth_age):
        ws.append([sentence])
    ws["A1"].font = Font(bold=True)
    units = wb.create_sheet(_("Units")[:31])
    _write(units, headings, types, rows + [totals])
    kinds = wb.create_sheet(_("By kind")[:31])
    kind_heads = [_("Kind"), _("Units"), _("Congress held"), field_label("committee_elected"),
                  field_label("re_elected"), "%", field_label("first_time"), "%", field_label("women"), "%",
                  field_label("young"), "%", field_label("ethnic_minority"), "%", field_label("delegates_official"),
                  field_label("delegates_alternate")]
    kind_types = [TEXT, INT, INT, INT] + [INT, PCT] * 5 + [INT, INT]
    kind_rows = []
    for kind, s in report.by_kind + [("", report.summary)]:
        c = s["committee"]
        line = [kind_label(kind) if kind else _("Total"), s["units"]["total"], s["units"]["congress_held"],
                c["elected"]]
        for n in ("re_elected", "first_time", "women", "young", "ethnic_minority"):
            line += [c[n]["count"], c[n]["percent"]]
        kind_rows.append(line + [s["delegates"]["official"], s["delegates"]["alternate"]])
    _write(kinds, kind_heads, kind_types, kind_rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write(ws, headings: list[str], types: list[str], rows: list[list[Any]]) -> None:
    ws.append([safe_text(h) for h in headings])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_text(v) for v in row])
        for cell, kind in zip(ws[ws.max_row], types, strict=False):
            if kind == PCT and cell.value is not None:
                cell.number_format = "0.00"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise store a leading "=" as a formula
    ws.freeze_panes = "C2"
