"""A Party document (văn bản của Đảng) laid out as Hướng dẫn 36-HD/VPTW (2018) gives it, with python-docx.

The builder knows the format only: A4 with the guidance's margins, the two-column header (the issuing
committee and its number on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" with the place and date on the right),
the document's kind and title, body paragraphs and tables in Times New Roman 14 pt, and the closing
("Nơi nhận" on the left, the signature block on the right). What a report says lives in documents.py.
The format's own words (the Party's name, "Số", "Nơi nhận", "ngày … tháng … năm") are Vietnamese
whatever the reader's language: they are the form, not the interface.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Optional

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from ..text import printable

FONT = "Times New Roman"
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
BODY_PT, TABLE_PT, WIDE_TABLE_PT, KIND_PT, TITLE_PT, PARTY_PT = 14, 12, 11, 16, 14, 15
RECIPIENTS_HEAD_PT, RECIPIENTS_PT = 12, 11


@dataclass(frozen=True)
class Issuer:
    """Who issues the document and how it is numbered and signed (the campaign's settings)."""

    committee: str                 # "Huyện ủy Cầu Ngang" (written in capitals in the header)
    superior: str = ""             # "Đảng bộ tỉnh Trà Vinh": above the committee when set
    number_symbol: str = "BC/HU"
    number: str = ""               # blank: "Số     -BC/HU", for the office to fill in
    place: str = ""
    signing_authority: str = ""    # "T/M BAN THƯỜNG VỤ"
    signer_title: str = ""         # "PHÓ BÍ THƯ"
    signer_name: str = ""
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A picture the document carries (a chart as PNG), with its caption."""

    png: bytes
    caption: str = ""
    width_cm: float = 15.0
    after: str = ""  # the section it illustrates (documents.py names them); "" = after the tables, at the end


def number_line(issuer: Issuer) -> str:
    """'Số 12-BC/HU', or 'Số     -BC/HU' with room to write the number in."""
    return f"Số {issuer.number or '     '}-{issuer.number_symbol}"


def place_and_date(place: str, day: date) -> str:
    """'Cầu Ngang, ngày 05 tháng 6 năm 2020': days below 10 and months 1 and 2 take a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


class PartyDocument:
    """A document being written: header, body, tables, figures, closing; `save()` gives the .docx bytes."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
        # Word picks the font per script; name it for every script so nothing falls back to Calibri
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15

    @property
    def width(self):
        """The text width between the margins."""
        s = self.doc.sections[0]
        return s.page_width - s.left_margin - s.right_margin

    # ---- header --------------------------------------------------------------------------------
    def header(self, issuer: Issuer, day: date) -> None:
        """The two-column header without borders: issuer and number left, the Party's name and the date right."""
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        left, right = table.rows[0].cells
        self._widths(table, Cm(7.5))
        lines = []
        if issuer.superior:
            lines.append((issuer.superior.upper(), False))
        lines.append(((issuer.committee or "").upper(), True))
        first = True
        for text, bold in lines:
            p = left.paragraphs[0] if first else left.add_paragraph()
            first = False
            self._centred(p, text, bold=bold, size=BODY_PT)
        self._centred(left.add_paragraph(), "*", size=BODY_PT)
        self._centred(left.add_paragraph(), number_line(issuer), size=BODY_PT)
        party = self._centred(right.paragraphs[0], PARTY, bold=True, size=PARTY_PT)
        party.runs[0].underline = True
        self._centred(right.add_paragraph(), "", size=BODY_PT)
        self._centred(right.add_paragraph(), place_and_date(issuer.place, day), italic=True, size=BODY_PT)

    def title(self, kind: str, title: str) -> None:
        """'BÁO CÁO' and the title under it, centred and bold, and the short rule below."""
        self._centred(self.doc.add_paragraph(), "", size=BODY_PT)
        self._centred(self.doc.add_paragraph(), kind.upper(), bold=True, size=KIND_PT)
        self._centred(self.doc.add_paragraph(), title, bold=True, size=TITLE_PT)
        self._centred(self.doc.add_paragraph(), "-----", size=BODY_PT)

    def properties(self, title: str, author: str) -> None:
        """The file's own title and author (what a file manager or Word's Info pane shows)."""
        props = self.doc.core_properties
        title, author = printable(title), printable(author)
        props.title, props.author, props.last_modified_by, props.language = title, author, author, "vi-VN"

    # ---- body ----------------------------------------------------------------------------------
    def paragraph(self, text: str, bold: bool = False, italic: bool = False) -> None:
        """A body paragraph: 14 pt, justified, first line indented."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1.27)
        self._run(p, text, bold=bold, italic=italic, size=BODY_PT)

    def heading(self, text: str) -> None:
        """A section heading in the body (bold, indented like the text)."""
        self.paragraph(text, bold=True)

    def table(self, heads: Sequence[str], rows: Sequence[Sequence[str]], widths_cm: Optional[Sequence[float]] = None,
              numeric_from: int = 1, size: int = TABLE_PT) -> None:
        """A bordered table whose header row repeats on every page; columns from `numeric_from` align right."""
        table = self.doc.add_table(rows=1, cols=len(heads))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        repeat_header(header)
        for cell, text in zip(header.cells, heads, strict=True):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(p, text, bold=True, size=size)
        for values in rows:
            cells = table.add_row().cells
            for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if i >= numeric_from else WD_ALIGN_PARAGRAPH.LEFT
                self._run(p, str(text), size=size)
        if widths_cm:
            table.autofit = False
            for column, w in zip(table.columns, widths_cm, strict=True):
                column.width = Cm(w)  # the grid: LibreOffice lays columns out from it
            for row in table.rows:  # the cells: Word lays them out from these
                for cell, w in zip(row.cells, widths_cm, strict=True):
                    cell.width = Cm(w)
        for row in table.rows:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.space_after = Pt(0)
                cell.paragraphs[0].paragraph_format.first_line_indent = None
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    def figures(self, figures: Sequence[Figure] = ()) -> None:
        """Pictures (charts as PNG), centred, each with its caption in italics; nothing when there are none."""
        for fig in figures:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run()
            run.font.name = FONT  # every run of the document names the format's font, the picture's too
            run.add_picture(io.BytesIO(fig.png), width=Cm(fig.width_cm))
            if fig.caption:
                self._centred(self.doc.add_paragraph(), fig.caption, italic=True, size=TABLE_PT)

    # ---- closing -------------------------------------------------------------------------------
    def closing(self, issuer: Issuer) -> None:
        """'Nơi nhận' with its list on the left, the signature block on the right (a borderless table)."""
        table = self.doc.add_table(rows=1, cols=2)
        table.autofit = False
        left, right = table.rows[0].cells
        self._widths(table, Cm(7.5))
        head = left.paragraphs[0]
        self._run(head, "Nơi nhận:", bold=True, italic=True, size=RECIPIENTS_HEAD_PT)
        head.paragraph_format.space_after = Pt(0)
        for name in issuer.recipients:
            p = left.add_paragraph()
            p.paragraph_format.space_after = Pt(0)
            self._run(p, f"- {name}", size=RECIPIENTS_PT)
        first = right.paragraphs[0]
        if issuer.signing_authority:
            self._centred(first, issuer.signing_authority.upper(), bold=True, size=BODY_PT)
            first = right.add_paragraph()
        self._centred(first, issuer.signer_title.upper(), bold=True, size=BODY_PT)
        for _blank in range(4):  # room for the signature and the seal
            self._centred(right.add_paragraph(), "", size=BODY_PT)
        self._centred(right.add_paragraph(), issuer.signer_name, bold=True, size=BODY_PT)

    def save(self) -> bytes:
        """The document as .docx bytes."""
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def _widths(self, table, left) -> None:
        """A two-column borderless table: the left column `left` wide, the right one the rest."""
        right = self.width - left
        table.columns[0].width, table.columns[1].width = left, right
        table.rows[0].cells[0].width, table.rows[0].cells[1].width = left, right

    # ---- runs ----------------------------------------------------------------------------------
    @staticmethod
    def _run(p, text: str, bold: bool = False, italic: bool = False, size: int = BODY_PT):
        # every text of the document passes here: what XML cannot hold (tracker.text.printable) is dropped
        run = p.add_run(printable(text))
        run.bold, run.italic = bold or None, italic or None
        run.font.name, run.font.size = FONT, Pt(size)
        return run

    def _centred(self, p, text: str, bold: bool = False, italic: bool = False, size: int = BODY_PT):
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.first_line_indent = None
        self._run(p, text, bold=bold, italic=italic, size=size)
        return p


def repeat_header(row) -> None:
    """Mark a table row as a header row that Word repeats at the top of every page (w:tblHeader)."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def is_repeated_header(row) -> bool:
    """True when the row is marked to repeat on every page."""
    tr_pr = row._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
