"""The report stays bounded as units grow: constant statements, streamed exports, bounded lists with
complete counts; the contract's sub_cells; who may read it; the markup that keyboards and printers need."""
import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import csrf_of
from tests.factories import bearer
from tests.reports.reports_helpers import bulk_district, finish, put_results
from tracker.extensions import db
from tracker.models import Campaign, User
from tracker.permissions import can_read_report
from tracker.reports.query import checks, summary, unit_rows

TODAY = date(2030, 4, 1)


pytestmark = pytest.mark.usefixtures("at_now")  # the whole test at NOW


@pytest.fixture
def viewer(make_user, login, campaign):
    return login(make_user("v@x.vn", "viewer"))


def test_exports_and_summary_run_the_same_statements_at_20_and_200_units(viewer, campaign, count_queries):
    headers = bearer(db.session.scalar(select(User).where(User.email == "v@x.vn")))
    viewer.get("/api/v1/reports/summary", headers=headers)  # the token's first use is stamped (once a minute)
    counts = []
    for start, n in ((0, 20), (20, 180)):
        bulk_district(campaign, n, start=start)
        seen = {}
        for name, url, kw in (("csv", "/reports/export.csv", {}), ("xlsx", "/reports/export.xlsx", {}),
                              ("api", "/api/v1/reports/summary", {"headers": headers})):
            with count_queries() as counter:
                r = viewer.get(url, **kw)
                body = r.get_data()  # a streamed body is read (and its queries run) here
            assert r.status_code == 200, (name, r.status_code)
            seen[name] = (counter.n, body)
        counts.append({k: v[0] for k, v in seen.items()})
    assert counts[0] == counts[1], counts
    rows = list(csv.reader(io.StringIO(seen["csv"][1].decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 200 + 1 and rows[-1][0] == "Tổng cộng"
    wb = load_workbook(io.BytesIO(seen["xlsx"][1]), read_only=True)
    assert sum(1 for _ in wb["Đơn vị"].iter_rows()) == 1 + 200 + 1


def test_the_csv_is_streamed(viewer, campaign):
    bulk_district(campaign, 30)
    r = viewer.get("/reports/export.csv", buffered=False)
    assert r.is_streamed and r.mimetype == "text/csv"
    chunks = list(r.response)
    r.close()
    assert chunks[0].startswith("\ufeff".encode()) and b"".join(chunks).count(b"\r\n") == 32


def test_lists_keep_the_first_units_and_count_them_all(campaign):
    bulk_district(campaign, 120)   # every 4th unit has not finished its congress; many are below a target
    db.session.execute(Campaign.__table__.update().values(women_min_pct=20))
    db.session.commit()
    campaign = db.session.scalar(select(Campaign))
    everything = unit_rows(campaign, TODAY)
    got = checks(campaign, TODAY, limit=5)
    not_done = sorted((r for r in everything if not r.held), key=lambda r: (r.congress_date or date.max, r.code))
    below = [r for r in everything if r.flags]
    wrong = [r for r in everything if r.problems or r.missing_results]
    assert got.not_done_count == len(not_done) == 30
    assert [r.code for r in got.not_done] == [r.code for r in not_done[:5]]
    assert got.below_target_count == len(below) > 5 and [r.code for r in got.below_target] == [r.code for r in below[:5]]
    assert got.cannot_be_right_count == len(wrong) and [r.code for r in got.cannot_be_right] == [r.code for r in wrong[:5]]


def test_cells_under_a_committee_are_counted_apart(make_unit, campaign):
    x = make_unit("X01", party_members=200)
    make_unit("X01-1", kind="sub_cell", parent="X01", party_members=20)
    cell = make_unit("X01-2", kind="sub_cell", parent="X01", party_members=15)
    for u in (x, cell):
        finish(u)
    put_results(x, committee_elected=9, re_elected=7, first_time=2, women=2, young=1, ethnic_minority=1)
    put_results(cell, committee_elected=3, re_elected=3, first_time=0, women=1, young=0, ethnic_minority=0)
    s = summary(db.session.scalar(select(Campaign)), TODAY)
    assert s["units"]["total"] == 1 and s["units"]["congress_held"] == 1
    assert s["committee"]["elected"] == 9 and s["dissemination"]["members_total"] == 200
    assert s["sub_cells"] == {"total": 2, "congress_held": 1}


@pytest.mark.parametrize("role, allowed", [("admin", True), ("group", True), ("viewer", True), ("secretary", False)])
def test_who_reads_the_report(role, allowed):
    assert can_read_report(User(email="a@x.vn", name="a", role=role)) is allowed


def test_the_nav_offers_the_report_only_to_its_readers(make_unit, make_user, login):
    make_unit("X01")
    assert 'href="/reports"' in login(make_user("a@x.vn", "admin")).get("/").get_data(as_text=True)
    sec = login(make_user("s@x.vn", "secretary", unit="X01"))
    assert 'href="/reports"' not in sec.get("/units/X01").get_data(as_text=True)


def test_wide_tables_are_keyboard_regions_and_print_landscape_with_headers(viewer, campaign):
    bulk_district(campaign, 5)
    html = viewer.get("/reports").get_data(as_text=True)
    scrollers = re.findall(r'<div class="table-responsive report-scroll"[^>]*>', html)
    assert len(scrollers) == 3
    for tag in scrollers:
        assert 'tabindex="0"' in tag and 'role="region"' in tag and "aria-labelledby=" in tag
        label_id = re.search(r'aria-labelledby="([^"]+)"', tag).group(1)
        assert f'id="{label_id}"' in html
    css = _stylesheet(viewer, html)
    assert "@page { size: A4 landscape" in css   # the whole report prints landscape (tests/e2e: in Chromium)
    assert ".report-table thead { display: table-header-group; }" in css


def _stylesheet(client, html):
    """The report's own stylesheet, as the page links it (no inline CSS: the CSP forbids it)."""
    href = re.search(r'<link rel="stylesheet" href="([^"]*reports\.css[^"]*)"', html).group(1)
    return client.get(href).get_data(as_text=True)


def _luminance(hex_colour):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a, b):
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_on_flagged_rows_has_enough_contrast(viewer, campaign):
    html = _stylesheet(viewer, viewer.get("/reports").get_data(as_text=True))
    backgrounds = [re.search(r"tr\." + cls + r" td \{ background: (#[0-9a-f]{6}); \}", html).group(1)
                   for cls in ("flagged", "wrong")]
    link = re.search(r"tr\.wrong a \{ color: (#[0-9a-f]{6}); \}", html).group(1)
    red = re.search(r"\.report-table \.below \{ color: (#[0-9a-f]{6});", html).group(1)
    muted = re.search(r"tr\.wrong \.text-muted \{ color: (#[0-9a-f]{6})", html).group(1)
    for bg in backgrounds:
        for fg in (link, red, muted):
            assert _contrast(fg, bg) >= 4.5, (fg, bg, _contrast(fg, bg))


def test_the_ethnic_group_setting_names_it_in_the_headline(make_user, login, make_unit):
    unit = make_unit("X01")
    finish(unit)
    put_results(unit, committee_elected=9, re_elected=7, first_time=2, women=2, young=1, ethnic_minority=3)
    admin = login(make_user("a@x.vn", "admin"))
    token = csrf_of(admin.get("/reports/settings").get_data(as_text=True))
    good = {"csrf_token": token, "women_min_pct": "15", "young_min_pct": "10", "youth_age": "35",
            "surplus_min_pct": "10", "surplus_max_pct": "30", "rounding": "half_up"}
    assert admin.post("/reports/settings", data={**good, "ethnic_group": "x" * 61}).status_code == 422
    assert db.session.scalar(select(Campaign.ethnic_group)) == ""
    assert admin.post("/reports/settings", data={**good, "ethnic_group": " Khmer "}).status_code == 302
    assert db.session.scalar(select(Campaign.ethnic_group)) == "Khmer"
    html = admin.get("/reports").get_data(as_text=True)
    assert "dân tộc Khmer 3 (33,33%)" in html and "2 chính thức" not in html  # delegates 0 + 0 here
    assert "0 chính thức, 0 dự khuyết" in html
