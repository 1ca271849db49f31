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
from datetime import date
from typing import IO, Any, Optional

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..services.result_fields import targets_of
from ..text import printable
from .query import SHARES, Report, UnitRow
from .text import Words, headline

INT, PCT, TEXT, DATE, BOOL = "int", "pct", "text", "date", "bool"
FORMATS = {INT: "#,##0", PCT: "0.00%", DATE: "dd/mm/yyyy"}  # Excel's own codes: the reader's Excel localises them
WIDTHS = {TEXT: 14, INT: 11, PCT: 10, DATE: 12, BOOL: 9}     # column widths in characters, by type
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
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
        (_("Pilot congress"), BOOL, lambda r: r.pilot, lambda t: t["units"]["pilot"]),
        (_("Party members"), INT, lambda r: r.party_members, lambda t: t["dissemination"]["members_total"]),
        (_("Congress stage"), TEXT, lambda r: w.status(r.status), lambda t: ""),
        (_("Congress held"), BOOL, lambda r: r.held, lambda t: t["units"]["congress_held"]),
        (f("held_on"), DATE, lambda r: (r.congress or {}).get("held_on"), lambda t: None),
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
        (f("secretary_elected"), BOOL, lambda r: _flag(r, "secretary_elected"),
         lambda t: t["first_session"]["secretaries"]),
        (f("deputy_secretaries"), INT, _get("first_session", "deputy_secretaries"),
         lambda t: t["first_session"]["deputy_secretaries"]),
        (f("inspection_committee"), INT, _get("first_session", "inspection_committee"),
         lambda t: t["first_session"]["inspection_committee"]),
        (f("inspection_chair_elected"), BOOL, lambda r: _flag(r, "inspection_chair_elected"),
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


def _flag(row: UnitRow, name: str) -> Optional[bool]:
    if row.first_session is None:
        return None
    return bool(row.first_session[name])


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Text every spreadsheet reads: no control characters (tracker.text.printable: one odd name in the
    database must not break the file) and nothing run as a formula (units name themselves; a name is not code)."""
    value = printable(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvStyle:
    """How a spreadsheet of the reader's locale opens a CSV as columns and numbers.

    Vietnamese Excel reads "," as the decimal mark and ";" as the list separator, so a Vietnamese
    reader gets `;` between columns and `79,16` for a percentage; English keeps `,` and `79.16`.
    Whole numbers carry no group separator (Excel would read "1.234" as a decimal); dates are dd/mm/yyyy.
    """

    def __init__(self, locale: str):
        self.vietnamese = not locale.startswith("en")
        self.delimiter = ";" if self.vietnamese else ","
        self.yes, self.no = _("Yes"), _("No")

    def value(self, v: Any, kind: str) -> Any:
        """One cell's text."""
        if v is None:
            return ""
        if kind == BOOL:
            return self.yes if v else self.no
        if isinstance(v, float):
            text = f"{v:.2f}"
            return text.replace(".", ",") if self.vietnamese else text
        if isinstance(v, date):
            return v.strftime("%d/%m/%Y")
        return safe_text(v)


def csv_chunks(report: Report, rows: Iterable[UnitRow], locale: str, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV in chunks (a byte-order mark first, so spreadsheet programs read the Vietnamese letters)."""
    cols = columns(report, locale)
    style = CsvStyle(locale)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=style.delimiter)
    writer.writerow([safe_text(c[0]) for c in cols])
    n = 0
    for row in rows:
        writer.writerow([style.value(get(row), kind) for _h, kind, get, _tot in cols])
        n += 1
        if n % rows_per_chunk == 0:
            yield _drain(out, n == rows_per_chunk)
    # the totals row counts the yes cells: a number, not "Có"
    writer.writerow([style.value(tot(report.summary), INT if kind == BOOL else kind) for _h, kind, _g, tot in cols])
    yield _drain(out, n < rows_per_chunk)


def _drain(buf: io.StringIO, first: bool) -> bytes:
    text = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return (("\ufeff" if first else "") + text).encode("utf-8")


def write_xlsx(report: Report, rows: Iterable[UnitRow], locale: str, out: IO[bytes]) -> None:
    """A write-only workbook: the summary with its headline, the per-unit table with totals, the per-kind table.

    Dates are date cells (dd/mm/yyyy), percentages fractions shown as 0.00%, yes/no "Có"/"Không", the
    header rows frozen, widths set. Per-unit whole numbers stay plain (General shows them as integers, and
    a styled cell per number would slow the nation-scale export); the totals and the per-kind sheet carry
    the integer format with its thousands separator.
    """
    words = Words()
    cols = columns(report, locale, words)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    yes_no = (_("Yes"), _("No"))
    summary = wb.create_sheet(_("Summary")[:31])
    units = wb.create_sheet(_("Units")[:31])
    kinds = wb.create_sheet(_("By kind")[:31])
    summary.column_dimensions["A"].width = 120
    summary.append([_cell(summary, safe_text(report.campaign.name), font=bold)])
    summary.append([safe_text(report.campaign.organiser or _("the superior committee"))])
    for sentence in headline(report.summary, report.campaign.youth_age, report.today,
                             report.campaign.ethnic_group):
        summary.append([safe_text(sentence)])
    types = [c[1] for c in cols]
    _widths(units, types, {1: 32, 3: 16})  # the unit's name and the working group read wider
    units.freeze_panes = "C2"  # the header row and the code and name columns stay in view
    units.append([_cell(units, safe_text(c[0]), font=bold, wrap=True) for c in cols])
    for row in rows:
        units.append(_line(units, [get(row) for _h, _t, get, _tot in cols], types, yes_no))
    # the totals count the yes cells: numbers, in the integer format
    units.append(_line(units, [tot(report.summary) for _h, _t, _g, tot in cols],
                       [INT if t == BOOL else t for t in types], yes_no, totals=True))
    f = words.field
    kind_heads = [_("Kind"), _("Units"), _("Congress held"), f("committee_elected")]
    for n in SHARES:
        kind_heads += [f(n), _("%(field)s %%", field=f(n))]
    kind_heads += [f("delegates_official"), f("delegates_alternate"), f("standing_committee"), _("Secretaries"),
                   f("sessions"), f("attendees"), f("members_reached"), _("% of members reached")]
    kind_types = [TEXT, INT, INT, INT] + [INT, PCT] * len(SHARES) + [INT] * 7 + [PCT]
    _widths(kinds, kind_types, {0: 30})
    kinds.freeze_panes = "B2"
    kinds.append([_cell(kinds, safe_text(h), font=bold, wrap=True) for h in kind_heads])
    for kind, s in report.by_kind + [("", report.summary)]:
        c, d, fs = s["committee"], s["dissemination"], s["first_session"]
        line = [words.kind(kind) if kind else _("Total"), s["units"]["total"], s["units"]["congress_held"],
                c["elected"]]
        for n in SHARES:
            line += [c[n]["count"], c[n]["percent"]]
        line += [s["delegates"]["official"], s["delegates"]["alternate"], fs["standing_committee"],
                 fs["secretaries"], d["sessions"], d["attendees"], d["members_reached"], d["percent_reached"]]
        kinds.append(_line(kinds, line, kind_types, yes_no, totals=True))
    wb.save(out)


def _widths(ws, types: list[str], wider: dict[int, int]) -> None:
    for i, kind in enumerate(types):
        ws.column_dimensions[get_column_letter(i + 1)].width = wider.get(i, WIDTHS[kind])


def _cell(ws, value: Any, font: Optional[Font] = None, number_format: Optional[str] = None,
          wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if wrap:
        cell.alignment = WRAP
    if number_format is not None:
        cell.number_format = number_format
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store a leading "=" as a formula
    return cell


def _line(ws, values: list[Any], types: list[str], yes_no: tuple[str, str], totals: bool = False) -> list[Any]:
    # plain values cost least; a cell object only where a format is needed or text could look like a formula
    out: list[Any] = []
    for value, kind in zip(values, types, strict=False):
        if value is None:
            out.append(None)
        elif kind == PCT:
            out.append(_cell(ws, value / 100, number_format=FORMATS[PCT], font=BOLD if totals else None))
        elif kind == DATE:
            out.append(_cell(ws, value, number_format=FORMATS[DATE]))
        elif kind == BOOL:
            out.append(yes_no[0] if value else yes_no[1])
        elif isinstance(value, str):
            out.append(safe_text(value) if not totals else _cell(ws, safe_text(value), font=BOLD))
        elif totals and kind == INT:
            out.append(_cell(ws, value, number_format=FORMATS[INT], font=BOLD))
        else:
            out.append(value)
    return out


def to_xlsx_file(report: Report, rows: Iterable[UnitRow], locale: str) -> IO[bytes]:
    """The workbook in a temporary file (on disk past a few MB), rewound, for a streamed response."""
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    write_xlsx(report, rows, locale, out)
    out.seek(0)
    return out
