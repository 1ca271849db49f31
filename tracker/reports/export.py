"""The report as a spreadsheet (XLSX, openpyxl) and as CSV: the same numbers as the page.

Both read the units as a stream (`query.iter_unit_rows`) and write each row as it comes: the CSV is a
generator of byte chunks, the workbook is openpyxl's write-only kind spooled to a temporary file, so
time grows linearly and memory stays bounded whatever the number of units.
"""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Optional

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..services.result_fields import targets_of
from .query import SHARES, Report, UnitRow
from .text import Words, headline

INT, PCT, TEXT = "int", "pct", "text"
Column = tuple[str, str, Callable[[UnitRow], Any], Callable[[dict], Any]]


def _get(part: str, name: str) -> Callable[[UnitRow], Any]:
    return lambda r: (getattr(r, part) or {}).get(name)


def columns(report: Report, locale: str, words: Optional[Words] = None) -> list[Column]:
    """(heading, type, value of a unit row, value of the totals) for every exported column."""
    w = words or Words()
    f = w.field
    share = lambda n: (lambda r: r.shares.get(n), lambda t: t["committee"][n]["percent"])  # noqa: E731
    count = lambda n: (lambda r: (r.congress or {}).get(n), lambda t: t["committee"][n]["count"])  # noqa: E731
    cols: list[Column] = [
        (_("Code"), TEXT, lambda r: r.code, lambda t: _("Total")),
        (_("Unit"), TEXT, lambda r: r.name, lambda t: ""),
        (_("Kind"), TEXT, lambda r: w.kind(r.kind), lambda t: ""),
        (_("Working group"), TEXT, lambda r: r.group or "", lambda t: ""),
        (_("Pilot congress"), INT, lambda r: 1 if r.pilot else 0, lambda t: t["units"]["pilot"]),
        (_("Party members"), INT, lambda r: r.party_members, lambda t: t["dissemination"]["members_total"]),
        (_("Congress stage"), TEXT, lambda r: w.status(r.status), lambda t: ""),
        (_("Congress held"), INT, lambda r: 1 if r.held else 0, lambda t: t["units"]["congress_held"]),
        (f("held_on"), TEXT, lambda r: (r.congress or {}).get("held_on") and
         r.congress["held_on"].strftime("%d/%m/%Y"), lambda t: ""),
        (f("sessions"), INT, _get("dissemination", "sessions"), lambda t: t["dissemination"]["sessions"]),
        (f("attendees"), INT, _get("dissemination", "attendees"), lambda t: t["dissemination"]["attendees"]),
        (f("members_reached"), INT, _get("dissemination", "members_reached"),
         lambda t: t["dissemination"]["members_reached"]),
        (_("% of members reached"), PCT, lambda r: r.reach_pct, lambda t: t["dissemination"]["percent_reached"]),
        (f("seats"), INT, _get("congress", "seats"), lambda t: None),
        (f("candidates"), INT, _get("congress", "candidates"), lambda t: None),
        (_("Surplus %"), PCT, lambda r: r.surplus_pct, lambda t: None),
        (f("committee_elected"), INT, _get("congress", "committee_elected"), lambda t: t["committee"]["elected"]),
    ]
    for name in SHARES:
        get_count, total_count = count(name)
        get_pct, total_pct = share(name)
        cols.append((f(name), INT, get_count, total_count))
        cols.append((_("%(field)s %%", field=f(name)), PCT, get_pct, total_pct))
    cols += [
        (f("delegates_official"), INT, _get("congress", "delegates_official"), lambda t: t["delegates"]["official"]),
        (f("delegates_alternate"), INT, _get("congress", "delegates_alternate"),
         lambda t: t["delegates"]["alternate"]),
        (f("standing_committee"), INT, _get("first_session", "standing_committee"),
         lambda t: t["first_session"]["standing_committee"]),
        (f("secretary_elected"), INT, lambda r: _flag(r, "secretary_elected"),
         lambda t: t["first_session"]["secretaries"]),
        (f("deputy_secretaries"), INT, _get("first_session", "deputy_secretaries"),
         lambda t: t["first_session"]["deputy_secretaries"]),
        (f("inspection_committee"), INT, _get("first_session", "inspection_committee"),
         lambda t: t["first_session"]["inspection_committee"]),
        (f("inspection_chair_elected"), INT, lambda r: _flag(r, "inspection_chair_elected"),
         lambda t: t["first_session"]["inspection_chairs"]),
    ]
    totals = {c["key"]: c["total"] for c in report.summary.get("custom", [])}
    for cf in report.fields:
        label = cf.label_en if locale == "en" else cf.label_vi
        cols.append((label, INT, (lambda fid: lambda r: r.custom.get(fid))(cf.id),
                     (lambda key: lambda t: totals.get(key, 0))(cf.key)))
    targets = targets_of(report.campaign)
    cols.append((_("Flags"), TEXT, lambda r: "; ".join(w.flag_texts(r, targets) + w.problem_texts(r))
                 if r.flags or r.problems or r.missing_results else "", lambda t: ""))
    return cols


def _flag(row: UnitRow, name: str) -> Optional[int]:
    if row.first_session is None:
        return None
    return 1 if row.first_session[name] else 0


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Text a spreadsheet will not run as a formula (units name themselves; a name is not code)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(v: Any) -> Any:
    return "" if v is None else (f"{v:.2f}" if isinstance(v, float) else safe_text(v))


def csv_chunks(report: Report, rows: Iterable[UnitRow], locale: str, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV in chunks (a byte-order mark first, so spreadsheet programs read the Vietnamese letters)."""
    cols = columns(report, locale)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(c[0]) for c in cols])
    n = 0
    for row in rows:
        writer.writerow([_csv_value(get(row)) for _h, _t, get, _tot in cols])
        n += 1
        if n % rows_per_chunk == 0:
            yield _drain(out, n == rows_per_chunk)
    writer.writerow([_csv_value(tot(report.summary)) for _h, _t, _g, tot in cols])
    yield _drain(out, n < rows_per_chunk)


def _drain(buf: io.StringIO, first: bool) -> bytes:
    text = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return (("\ufeff" if first else "") + text).encode("utf-8")


def write_xlsx(report: Report, rows: Iterable[UnitRow], locale: str, out: IO[bytes]) -> None:
    """A write-only workbook: the summary with its headline, the per-unit table with totals, the per-kind table."""
    words = Words()
    cols = columns(report, locale, words)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    summary = wb.create_sheet(_("Summary")[:31])
    units = wb.create_sheet(_("Units")[:31])
    kinds = wb.create_sheet(_("By kind")[:31])
    summary.append([_cell(summary, safe_text(report.campaign.name), font=bold)])
    summary.append([safe_text(report.campaign.organiser or _("the superior committee"))])
    for sentence in headline(report.summary, report.campaign.youth_age, report.today,
                             report.campaign.ethnic_group):
        summary.append([sentence])
    units.freeze_panes = "C2"
    units.append([_cell(units, safe_text(c[0]), font=bold) for c in cols])
    types = [c[1] for c in cols]
    for row in rows:
        units.append(_line(units, [get(row) for _h, _t, get, _tot in cols], types))
    units.append(_line(units, [tot(report.summary) for _h, _t, _g, tot in cols], types))
    f = words.field
    kind_heads = [_("Kind"), _("Units"), _("Congress held"), f("committee_elected"),
                  f("re_elected"), "%", f("first_time"), "%", f("women"), "%",
                  f("young"), "%", f("ethnic_minority"), "%", f("delegates_official"), f("delegates_alternate")]
    kind_types = [TEXT, INT, INT, INT] + [INT, PCT] * 5 + [INT, INT]
    kinds.freeze_panes = "C2"
    kinds.append([_cell(kinds, h, font=bold) for h in kind_heads])
    for kind, s in report.by_kind + [("", report.summary)]:
        c = s["committee"]
        line = [words.kind(kind) if kind else _("Total"), s["units"]["total"], s["units"]["congress_held"],
                c["elected"]]
        for n in SHARES:
            line += [c[n]["count"], c[n]["percent"]]
        kinds.append(_line(kinds, line + [s["delegates"]["official"], s["delegates"]["alternate"]], kind_types))
    wb.save(out)


def _cell(ws, value: Any, font: Optional[Font] = None, number_format: Optional[str] = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store a leading "=" as a formula
    return cell


def _line(ws, values: list[Any], types: list[str]) -> list[Any]:
    # plain values cost least; a cell object only where a format is needed or text could look like a formula
    out: list[Any] = []
    for value, kind in zip(values, types, strict=False):
        if kind == PCT and value is not None:
            out.append(_cell(ws, value, number_format="0.00"))
        elif isinstance(value, str):
            out.append(safe_text(value))  # never starts with "=" now, so openpyxl stores it as text
        else:
            out.append(value)
    return out


def to_xlsx_file(report: Report, rows: Iterable[UnitRow], locale: str) -> IO[bytes]:
    """The workbook in a temporary file (on disk past a few MB), rewound, for a streamed response."""
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    write_xlsx(report, rows, locale, out)
    out.seek(0)
    return out
