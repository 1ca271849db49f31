"""Files as offices save them: CSV (BOM or not, `,` or `;`) and .xlsx with real date cells."""
from __future__ import annotations

import io

import openpyxl

UNIT_FIELDS = ["code", "name", "kind", "party_members", "pilot", "group", "congress_date", "parent"]


def csv_bytes(header, rows, sep=",", bom=False) -> bytes:
    """A CSV file's bytes; cells with the separator or a quote are quoted."""
    def q(v):
        v = "" if v is None else str(v)
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in (sep, '"', "\n")) else v
    text = "".join(sep.join(q(v) for v in r) + "\r\n" for r in [header] + list(rows))
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def xlsx_bytes(header, rows, date_format="dd/mm/yyyy") -> bytes:
    """An .xlsx whose first sheet has header and rows (dates stay date cells)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.is_date:
                cell.number_format = date_format
    book.create_sheet("Other").append(["not", "read"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
