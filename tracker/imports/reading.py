"""A file as people save it from Excel: the first sheet of an .xlsx, or a .csv in UTF-8 (BOM or not,
`,` or `;`), turned into a header and numbered rows of raw cell values."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _

MAX_ROWS = 100_000  # far above a province; a bigger file is a mistake, not a register


class FileRefused(Exception):
    """The file cannot be read at all (not the errors of its rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The header row and the data rows, each with its line number in the file (the header is line 1)."""

    header: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)


def read_table(content: bytes, file_name: str) -> Table:
    """The table in an .xlsx or .csv file; FileRefused when it is neither or is empty."""
    name = (file_name or "").lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        lines = _xlsx_lines(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        lines = _csv_lines(content)
    else:
        raise FileRefused(_("Only .xlsx or .csv files can be imported."))
    numbered = [(n, row) for n, row in enumerate(lines, start=1)]
    # blank rows (trailing ones above all) are no records; line numbers stay those of the file
    numbered = [(n, row) for n, row in numbered if any(_filled(v) for v in row)]
    if not numbered:
        raise FileRefused(_("The file is empty."))
    if len(numbered) > MAX_ROWS + 1:
        raise FileRefused(_("The file has more than %(n)s rows.", n=MAX_ROWS))
    _first_line, header = numbered[0]  # the first row with anything in it; errors keep the file's numbering
    width = max(i + 1 for i, v in enumerate(header) if _filled(v))
    header_text = [str(v).strip() if v is not None else "" for v in header[:width]]
    rows = [(n, list(row[:width]) + [None] * (width - len(row))) for n, row in numbered[1:]]
    return Table(header=header_text, rows=rows)


def _filled(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def _xlsx_lines(content: bytes) -> list[list[object]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise FileRefused(_("This is not an Excel (.xlsx) file that can be read.")) from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _csv_lines(content: bytes) -> list[list[object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(_("The CSV file is not in UTF-8: in Excel, save it as “CSV UTF-8”.")) from None
    if "\x00" in text:
        raise FileRefused(_("The CSV file is not in UTF-8: in Excel, save it as “CSV UTF-8”."))
    first = text.split("\n", 1)[0]
    # Excel writes `;` where the decimal mark is a comma (Vietnamese settings), `,` elsewhere
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
