"""The report and the progress report as Party-format Word documents (Hướng dẫn 36-HD/VPTW), read back
with python-docx: header texts, fonts, the numbers against GET /api/v1/reports/summary, repeated
table headers, permissions, and a PDF through LibreOffice when it is installed."""
import io
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from docx.shared import Pt
from sqlalchemy import select

from tests.conftest import NOW, csrf_of
from tests.reports.reports_helpers import three_units
from tracker.extensions import db
from tracker.formatting import fmt_number, number_format
from tracker.models import Campaign, Unit
from tracker.reports.models import ReportDocumentSettings
from tracker.reports.partydoc import FONT, is_repeated_header, place_and_date
from tracker.services.stages import raise_blocker

VI = number_format("vi")


def _settings(number="12"):
    campaign = db.session.scalar(select(Campaign))
    campaign.organiser = "Huyện ủy Cầu Ngang"
    campaign.term = "2025–2030"
    db.session.merge(ReportDocumentSettings(
        campaign_id=campaign.id, superior="Đảng bộ tỉnh Trà Vinh", number_symbol="BC/HU", number=number,
        place="Cầu Ngang", signing_authority="T/M BAN THƯỜNG VỤ", signer_title="Phó Bí thư",
        signer_name="Nguyễn Văn Minh", recipients="Ban Tổ chức Tỉnh ủy,\nCác đồng chí Huyện ủy viên,\nLưu VP."))
    db.session.commit()


@pytest.fixture
def district(campaign, make_user, frozen):
    with frozen(NOW):
        three_units(x02_kind="grassroots_cell", x02_women=1, x01_standing=5)
        _settings()
        return {"viewer": make_user("v@x.vn", "viewer"), "admin": make_user("a@x.vn", "admin"),
                "group": make_user("g@x.vn", "group", group="G1"),
                "secretary": make_user("s@x.vn", "secretary", unit="X03")}


def _open(response) -> Document:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response.headers["Content-Disposition"]
    return Document(io.BytesIO(response.get_data()))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _check_form(doc, number_line):
    """The 36-HD/VPTW form: A4 and margins, the header table, 'BÁO CÁO', fonts, the closing."""
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)  # stored in twips
    mm = lambda length: round(length.mm, 1)  # noqa: E731
    assert 20 <= mm(s.top_margin) <= 25 and 20 <= mm(s.bottom_margin) <= 25
    assert 30 <= mm(s.left_margin) <= 35 and 15 <= mm(s.right_margin) <= 20
    head = doc.tables[0]
    left, right = (cell.paragraphs for cell in head.rows[0].cells)
    assert [p.text for p in left] == ["ĐẢNG BỘ TỈNH TRÀ VINH", "HUYỆN ỦY CẦU NGANG", "*", number_line]
    assert left[1].runs[0].bold and not left[0].runs[0].bold
    party = right[0].runs[0]
    assert right[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM" and party.bold and party.underline
    assert right[-1].text.startswith("Cầu Ngang, ngày ") and right[-1].runs[0].italic
    assert head.style.name != "Table Grid"  # the header has no borders
    texts = _texts(doc)
    kind = doc.paragraphs[texts.index("BÁO CÁO")]
    assert kind.runs[0].bold and Pt(15) <= kind.runs[0].font.size <= Pt(16) and kind.alignment == 1  # centred
    title = doc.paragraphs[texts.index("BÁO CÁO") + 1]
    assert title.runs[0].bold and title.runs[0].font.size == Pt(14)
    body = [p for p in doc.paragraphs if p.alignment == 3 and p.text]  # justified
    assert body and all(r.font.size == Pt(14) for p in body for r in p.runs)
    assert all(p.paragraph_format.first_line_indent for p in body)
    runs = [r for p in doc.paragraphs for r in p.runs] + [
        r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and {r.font.name for r in runs} == {FONT}
    closing = doc.tables[-1].rows[0].cells
    recipients = closing[0].paragraphs
    assert recipients[0].text == "Nơi nhận:" and recipients[0].runs[0].bold and recipients[0].runs[0].italic
    assert recipients[0].runs[0].font.size == Pt(12)
    assert [p.text for p in recipients[1:]] == ["- Ban Tổ chức Tỉnh ủy,", "- Các đồng chí Huyện ủy viên,", "- Lưu VP."]
    assert all(p.runs[0].font.size == Pt(11) for p in recipients[1:])
    sign = [p for p in closing[1].paragraphs]
    assert sign[0].text == "T/M BAN THƯỜNG VỤ" and sign[0].runs[0].bold and sign[1].text == "PHÓ BÍ THƯ"
    assert sign[-1].text == "Nguyễn Văn Minh" and sign[-1].runs[0].bold and sign[-2].text == ""
    for table in doc.tables[1:-1]:  # every data table repeats its header row on each page
        assert is_repeated_header(table.rows[0]) and not any(is_repeated_header(r) for r in table.rows[1:])


def test_the_report_document_follows_the_form_and_the_summary(district, login, token_for, frozen):
    with frozen(NOW):
        client = login(district["viewer"])
        doc = _open(client.get("/reports/export.docx"))
        summary = client.get("/api/v1/reports/summary", headers=token_for(district["viewer"])).get_json()
    _check_form(doc, "Số 12-BC/HU")
    assert doc.tables[0].rows[0].cells[1].paragraphs[-1].text == "Cầu Ngang, ngày 01 tháng 4 năm 2030"
    texts = _texts(doc)
    assert texts[texts.index("BÁO CÁO") + 1] == \
        "Kết quả đại hội các tổ chức cơ sở đảng, nhiệm kỳ 2025–2030"
    composition, others = doc.tables[1], doc.tables[2]
    total = _cells(composition)[-1]
    s = summary
    n, p = VI.number, VI.percent
    assert total[:4] == ["Tổng cộng", n(s["units"]["total"]), n(s["units"]["congress_held"]),
                         n(s["committee"]["elected"])]
    shares = ("re_elected", "first_time", "women", "young", "ethnic_minority")
    assert total[4:] == [f"{n(s['committee'][k]['count'])}\n({p(s['committee'][k]['percent'])})" for k in shares]
    assert total[:4] == ["Tổng cộng", "3", "2", "24"] and total[6] == "4\n(16,67%)"
    other_total = _cells(others)[-1]
    assert other_total[1:5] == [n(s["delegates"]["official"]), n(s["delegates"]["alternate"]),
                                n(s["first_session"]["standing_committee"]), n(s["first_session"]["secretaries"])]
    assert other_total[-1] == f"{n(s['dissemination']['members_reached'])}\n({p(s['dissemination']['percent_reached'])})"
    assert any(t.startswith("Đến ngày 01/04/2030, 2/3 đơn vị đã tổ chức xong đại hội") for t in texts)
    not_done = doc.tables[3]
    assert [r[0] for r in _cells(not_done)[1:]] == ["X03"]
    below = doc.tables[4]   # women 1/9 = 11,11% is below the 15% target
    assert [r[0] for r in _cells(below)[1:]] == ["X02"] and "11,11%" in _cells(below)[1][2]


def test_the_group_filter_and_a_blank_number(district, login, frozen):
    with frozen(NOW):
        _settings(number="")
        doc = _open(login(district["admin"]).get("/reports/export.docx?group=G1"))
    _check_form(doc, "Số      -BC/HU")
    assert _cells(doc.tables[1])[-1][1] == "1"
    assert "tổ công tác" in _texts(doc)[_texts(doc).index("BÁO CÁO") + 1]


def test_who_may_download_the_documents(district, login, app, frozen):
    with frozen(NOW):
        # as /reports: the office, the working groups and the leadership; never a unit's secretary
        for role, code in (("admin", 200), ("viewer", 200), ("group", 200), ("secretary", 403)):
            client = login(district[role])
            assert client.get("/reports").status_code == code
            assert client.get("/reports/export.docx").status_code == code
            assert client.get("/reports/progress.docx").status_code == code
        assert app.test_client().get("/reports/export.docx").status_code == 302
        assert login(district["viewer"]).get("/reports/export.docx?group=NOPE").status_code == 404


def test_the_progress_report_on_a_day(district, make_unit, login, frozen):
    with frozen(NOW):
        on = date(2030, 5, 15)   # the early stages of X03, X04 and X05 are late by then
        make_unit("X04", congress_date=on + timedelta(days=10))
        make_unit("X05", congress_date=on + timedelta(days=30))
        x03 = db.session.scalar(select(Unit).where(Unit.code == "X03"))
        raise_blocker(x03, "documents", "Đồng chí Bí thư bị khiếu nại về đất đai", district["admin"], NOW)
        db.session.commit()
        client = login(district["viewer"])
        doc = _open(client.get(f"/reports/progress.docx?on={on.isoformat()}"))
        summary_page = client.get("/reports").get_data(as_text=True)
    _check_form(doc, "Số 12-BC/HU")
    texts = _texts(doc)
    assert texts[texts.index("BÁO CÁO") + 1] == "Tiến độ chuẩn bị đại hội, tính đến ngày 15/05/2030, nhiệm kỳ 2025–2030"
    # issued today (01/04/2030), as of the day asked for
    assert doc.tables[0].rows[0].cells[1].paragraphs[-1].text == "Cầu Ngang, ngày 01 tháng 4 năm 2030"
    assert doc.core_properties.title == texts[texts.index("BÁO CÁO") + 1]
    from tracker.readmodel import stage_totals
    totals = stage_totals(select(Unit.id), on)
    by_stage = _cells(doc.tables[1])
    assert by_stage[0][0] == "Giai đoạn" and len(by_stage) == 1 + 6
    assert [r[1:] for r in by_stage[1:]] == [[fmt_number(totals[s][st]) for st in totals[s]] for s in totals]
    overdue = _cells(doc.tables[2])[1:]
    late = {(r[0], r[2]): int(r[3]) for r in overdue}
    assert late and all(code in ("X03", "X04", "X05") for code, _stage in late)
    assert all(days > 0 for days in late.values())
    assert sum(totals[s]["overdue"] for s in totals) == len(overdue)
    blockers = _cells(doc.tables[3])
    assert blockers[1][:3] == ["X03", "Đơn vị X03", "Văn kiện"]
    everything = "\n".join(texts + [c for t in doc.tables for row in _cells(t) for c in row])
    assert "khiếu nại" not in everything   # counts and stages only, never what the blocker says
    coming = _cells(doc.tables[4])[1:]
    assert [r[1] for r in coming] == ["X01", "X02", "X03", "X04"]   # X05's is past the two weeks
    assert [r[0] for r in coming] == ["20/05/2030"] * 3 + ["25/05/2030"] and coming[0][3] == "Hoàn thành"
    assert "progress.docx" in summary_page


def test_a_bad_day_is_refused_clearly(district, login, frozen):
    with frozen(NOW):
        client = login(district["viewer"])
        r = client.get("/reports/progress.docx?on=31/02/2030")
        assert r.status_code == 303 and r.headers["Location"].endswith("/reports")
        assert "Ngày không hợp lệ" in client.get("/reports").get_data(as_text=True)
        assert client.get("/reports/progress.docx?on=15/05/2030").status_code == 200


def test_the_document_settings_form(district, login, frozen):
    with frozen(NOW):
        client = login(district["admin"])
        page = client.get("/reports/settings").get_data(as_text=True)
        assert 'name="signing_authority"' in page
        form = {"csrf_token": csrf_of(page), "superior": "Đảng bộ tỉnh Trà Vinh", "number_symbol": "BC/ĐU",
                "number": "7", "place": "Long Sơn", "signing_authority": "T/M ĐẢNG ỦY", "signer_title": "Bí thư",
                "signer_name": "Trần Thị B", "recipients": "Huyện ủy\n\n  Lưu  "}
        assert client.post("/reports/document-settings", data=form).status_code == 302
        row = db.session.get(ReportDocumentSettings, db.session.scalar(select(Campaign.id)))
        db.session.refresh(row)
        assert (row.number_symbol, row.number, row.recipient_lines) == ("BC/ĐU", "7", ["Huyện ủy", "Lưu"])
        bad = dict(form, csrf_token=csrf_of(client.get("/reports/settings").get_data(as_text=True)),
                   number_symbol="", place="x" * 101)
        r = client.post("/reports/document-settings", data=bad)
        assert r.status_code == 422 and "Tối đa 100 ký tự" in r.get_data(as_text=True)
        db.session.refresh(row)
        assert row.place == "Long Sơn"   # nothing was saved
        viewer = login(district["viewer"])
        token = csrf_of(viewer.get("/reports").get_data(as_text=True)) if 'csrf_token' in \
            viewer.get("/reports").get_data(as_text=True) else ""
        assert viewer.post("/reports/document-settings", data=dict(form, csrf_token=token)).status_code in (400, 403)


def test_place_and_date_as_the_guidance_writes_them():
    assert place_and_date("Cầu Ngang", date(2020, 6, 5)) == "Cầu Ngang, ngày 05 tháng 6 năm 2020"
    assert place_and_date("Cầu Ngang", date(2021, 2, 14)) == "Cầu Ngang, ngày 14 tháng 02 năm 2021"
    assert place_and_date("", date(2021, 12, 31)) == "Ngày 31 tháng 12 năm 2021"


@pytest.mark.slow
def test_the_demo_documents_open_in_libreoffice(app, login, make_user, tmp_path, samples):
    """The demo district's report: written to the `samples` folder (docs/samples/ for the README with
    SAMPLES=docs/samples), converted to PDF when LibreOffice is here."""
    from tracker.demo import load_demo

    now = datetime(2025, 6, 10, 2, 0, tzinfo=NOW.tzinfo)
    import time_machine
    with time_machine.travel(now, tick=False):
        load_demo(now)
        db.session.commit()
        _settings(number="")
        client = login(make_user("viewer-sample@x.vn", "viewer"))
        results = client.get("/reports/export.docx").get_data()
        progress = client.get("/reports/progress.docx").get_data()
    (samples / "bao-cao-ket-qua.docx").write_bytes(results)
    (samples / "bao-cao-tien-do.docx").write_bytes(progress)
    Document(io.BytesIO(results)), Document(io.BytesIO(progress))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    for name in ("bao-cao-ket-qua.docx", "bao-cao-tien-do.docx"):
        src = tmp_path / name
        src.write_bytes((samples / name).read_bytes())
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(src)], check=True, timeout=180, capture_output=True)
        pdf = (tmp_path / name).with_suffix(".pdf")
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


def _png() -> bytes:
    """A 1×1 white PNG, written by hand (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def test_figures_and_a_comparison_find_their_place(district, frozen):
    """The hooks the charts and the previous-term comparison use: pictures after the tables, a section 4."""
    from tracker.reports.compare import Change
    from tracker.reports.document_settings import document_settings
    from tracker.reports.documents import results_document
    from tracker.reports.partydoc import Figure
    from tracker.reports.query import build_report, checks

    campaign = db.session.scalar(select(Campaign))
    with frozen(NOW):
        report = build_report(campaign, NOW.date(), details=False)
        report.checks = checks(campaign, NOW.date())
        # the comparison is a parameter now (reports/compare.Change rows), no longer a report attribute
        rows = [Change("women", 16.67, 18.2, -1.53)]
        body = results_document(report, document_settings(campaign), figures=[Figure(_png(), "Biểu đồ 1")],
                                comparison=rows)
    doc = Document(io.BytesIO(body))
    texts = _texts(doc)
    assert "4. So sánh với nhiệm kỳ trước" in texts and "Biểu đồ 1" in texts
    row = _cells(doc.tables[-2])[1]
    assert "nữ" in row[0] and row[1:] == ["18,20%", "16,67%", "-1,53"]
    assert len(doc.inline_shapes) == 1


def test_the_documents_read_a_fixed_number_of_statements(viewer_for_scale, campaign, count_queries):
    from tests.reports.reports_helpers import bulk_district

    client = viewer_for_scale
    counts = []
    for start, n in ((0, 10), (10, 90)):
        bulk_district(campaign, n, start=start)
        seen = []
        for url in ("/reports/export.docx", "/reports/progress.docx?on=2030-03-05"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            seen.append(counter.n)
        counts.append(seen)
    assert counts[0] == counts[1], counts


@pytest.fixture
def viewer_for_scale(make_user, login, campaign):
    return login(make_user("v2@x.vn", "viewer"))


def test_an_archived_campaigns_document_settings_are_not_changed(district, frozen):
    """Review: the docx branch's settings skipped the archived-campaign rule every other campaign setting keeps."""
    from tracker.campaigns.service import copy_campaign
    from tracker.reports.document_settings import document_settings, update_document_settings
    from tracker.services.errors import DomainError

    with frozen(NOW):
        old = db.session.scalar(select(Campaign))
        copy_campaign(old, "Nhiệm kỳ mới", "2035–2040")
        db.session.commit()
        before = document_settings(old).place
        with pytest.raises(DomainError) as refused:
            update_document_settings(old, {"number_symbol": "BC/ĐU", "place": "Nơi khác"}, district["admin"])
        assert refused.value.code == "campaign_archived"
        db.session.rollback()
        assert document_settings(old).place == before != "Nơi khác"


def test_the_progress_report_covers_the_summarys_units(district, make_unit, frozen):
    """Review: progress.py kept its own unit scope, which counted archived units and, filtered by a working
    group, left out the sub-cells that follow their committee's group; it now shares the summary's
    (tracker.scope): direct units and the cells under committees as two figures, never summed."""
    from tracker.edits.service import set_unit_archived
    from tracker.models import WorkingGroup
    from tracker.reports.progress import progress
    from tracker.reports.query import summary

    with frozen(NOW):
        make_unit("S01", kind="sub_cell", parent="X01", group=None)  # follows X01's group, G1
        set_unit_archived(db.session.scalar(select(Unit).where(Unit.code == "X03")), True, district["admin"], NOW)
        db.session.commit()
        campaign = db.session.scalar(select(Campaign))
        g1 = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G1"))
        on = date(2030, 5, 15)
        everything, of_g1 = progress(campaign, on), progress(campaign, on, g1)
        assert everything.units == 2  # X01, X02: the archived X03 is out, as in the summary
        assert everything.cells["total"] == 1  # S01, counted apart
        assert "X03" not in {late.code for late in everything.overdue} | {c.code for c in everything.coming}
        assert (of_g1.units, of_g1.cells["total"]) == (1, 1)  # X01 and its sub-cell S01
        total = summary(campaign, on, g1)
        assert (of_g1.units, of_g1.cells["total"]) == (total["units"]["total"], total["sub_cells"]["total"])
