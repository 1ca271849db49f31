"""The charts (issue 12): the numbers behind each one on hand-made data, the SVG URLs, permissions, query counts."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.reports.reports_helpers import bulk_district
from tracker.charts import data
from tracker.extensions import db
from tracker.models import CongressResult, Item, JournalEntry, WorkingGroup

SVG_NS = "{http://www.w3.org/2000/svg}"
TODAY = date(2030, 4, 1)  # NOW's local date, a Monday: its week ends on 07/04


pytestmark = pytest.mark.usefixtures("at_now")  # the whole test at NOW


def _finish(unit, stage, done_at, journal_at=None):
    """Tick every item of the stage directly (done_at), and write a journal tick at journal_at if given."""
    for item in db.session.scalars(select(Item).where(Item.unit_id == unit.id, Item.stage == stage)):
        item.done, item.done_at = True, done_at
    if journal_at is not None:
        db.session.add(JournalEntry(unit_id=unit.id, action="tick", stage=stage, item_key="x", at=journal_at))
    db.session.commit()


def _result(unit, held_on, elected=0, women=0, young=0, ethnic=0):
    db.session.add(CongressResult(unit_id=unit.id, held_on=held_on, committee_elected=elected, re_elected=elected,
                                  first_time=0, women=women, young=young, ethnic_minority=ethnic,
                                  delegates_official=0, delegates_alternate=0))
    db.session.commit()


@pytest.fixture
def district(make_group, make_unit, make_user, campaign):
    """Five direct units and a sub-cell, with congresses held on known days (see each line)."""
    make_group("G1")
    make_group("G2")
    a = make_unit("A", group="G1", congress_date=date(2030, 3, 5))
    b = make_unit("B", group="G1", congress_date=date(2030, 3, 12))
    make_unit("C", group="G1", congress_date=date(2030, 4, 20))
    make_unit("D", group="G1", congress_date=None)
    f = make_unit("F", kind="grassroots_cell", group="G2", congress_date=date(2030, 3, 5))
    e = make_unit("E", kind="sub_cell", parent="A", congress_date=date(2030, 3, 1))
    # A: held on 06/03 (its result says so); dissemination finished on 09/03 by the journal
    _finish(a, "congress", datetime(2030, 3, 6, 10, tzinfo=UTC))
    _result(a, date(2030, 3, 6), elected=10, women=2, young=1)
    _finish(a, "dissemination", datetime(2030, 3, 20, tzinfo=UTC), journal_at=datetime(2030, 3, 9, 3, tzinfo=UTC))
    # B: no result; the journal's last tick is 17/03 18:00 UTC = Monday 18/03 01:00 in Hà Nội (week of 24/03);
    # its items' done_at (30/03) is not used when the journal has the tick
    _finish(b, "congress", datetime(2030, 3, 30, tzinfo=UTC), journal_at=datetime(2030, 3, 17, 18, tzinfo=UTC))
    # F: no result, no journal: its items' done_at (25/03, week of 31/03)
    _finish(f, "congress", datetime(2030, 3, 25, 10, tzinfo=UTC))
    # E: a sub-cell, never counted
    _finish(e, "congress", datetime(2030, 3, 2, tzinfo=UTC))
    return {"admin": make_user("admin@x.vn", "admin"), "viewer": make_user("viewer@x.vn", "viewer"),
            "g1": make_user("g1@x.vn", "group", group="G1"),
            "sec": make_user("sec@x.vn", "secretary", unit="A")}


def test_week_ends_are_sundays_and_bounded():
    assert data.week_ends(date(2030, 3, 5), date(2030, 3, 20)) == [date(2030, 3, 10), date(2030, 3, 17),
                                                                   date(2030, 3, 24)]
    assert data.week_ends(date(2030, 4, 1), date(2030, 4, 1)) == [date(2030, 4, 7)]
    long = data.week_ends(date(2020, 1, 1), date(2026, 3, 1))
    assert len(long) <= data.MAX_POINTS and long[-1] == date(2026, 3, 1)
    assert all(d.weekday() == 6 for d in long)


def test_burn_up_counts_planned_and_held_by_week(district, campaign):
    b = data.burn_up(campaign, TODAY)
    assert b.ends == [date(2030, 3, 10), date(2030, 3, 17), date(2030, 3, 24), date(2030, 3, 31),
                      date(2030, 4, 7), date(2030, 4, 14), date(2030, 4, 21)]
    assert b.units == 5  # the sub-cell apart, as the report counts
    assert b.planned == [2, 3, 3, 3, 3, 3, 4]
    assert b.held == [1, 1, 2, 3, 3]  # up to today's week only
    assert (b.held_now, b.planned_by_today) == (3, 3)


def test_burn_up_of_one_working_group(district, campaign):
    g1 = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G1"))
    b = data.burn_up(campaign, TODAY, g1)
    assert b.units == 4
    assert b.planned[-1] == 3 and b.held[-1] == 2


def test_burn_up_last_held_point_matches_the_report(district, campaign):
    from tracker.reports.query import summary
    assert data.burn_up(campaign, TODAY).held_now == summary(campaign, TODAY)["units"]["congress_held"]


def test_stage_progress_from_the_journal(district, campaign):
    p = data.stage_progress(campaign, TODAY)
    # the first tick is A's on 06/03: the axis runs from the week of 10/03 to today's
    assert p.ends == [date(2030, 3, 10), date(2030, 3, 17), date(2030, 3, 24), date(2030, 3, 31), date(2030, 4, 7)]
    assert p.done["congress"] == [1, 1, 2, 3, 3]
    assert p.done["dissemination"] == [1, 1, 1, 1, 1]  # the journal's 09/03, not the items' 20/03
    assert p.done["first_session"] == [0, 0, 0, 0, 0]
    assert p.units == 5 and p.now("congress") == 3


def test_empty_campaign_draws_one_week(campaign):
    b = data.burn_up(campaign, TODAY)
    assert (b.ends, b.planned, b.held, b.units) == ([date(2030, 4, 7)], [0], [0], 0)
    p = data.stage_progress(campaign, TODAY)
    assert p.ends == [date(2030, 4, 7)] and p.done["congress"] == [0]


def test_composition_reuses_the_reports_percentages(district, campaign):
    from tracker.reports.query import build_report
    from tracker.services.result_fields import targets_of
    report = build_report(campaign, TODAY, details=False)
    comp = data.composition(report, targets_of(campaign))
    kinds = {kind: shares for kind, shares, _elected in comp.rows}
    assert kinds["commune_committee"] == {"women": 20.0, "young": 10.0, "ethnic_minority": 0.0}
    assert kinds["all"]["women"] == report.summary["committee"]["women"]["percent"]
    assert "grassroots_cell" not in kinds  # no committee elected there yet
    assert (comp.women_min, comp.young_min) == (15.0, 10.0)


def _svg_texts(body: bytes) -> str:
    root = ET.fromstring(body)
    assert root.tag == f"{SVG_NS}svg"
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


@pytest.mark.parametrize("url, labels", [
    ("/charts/burn-up.svg", ["Kế hoạch (ngày đại hội dự kiến)", "Đã tổ chức đại hội", "Tổng số đơn vị", "10/03"]),
    ("/charts/stages.svg", ["Triển khai", "Tổng số đơn vị", "07/04"]),
    ("/charts/composition.svg", ["Nữ", "Cán bộ trẻ", "Dân tộc", "Chỉ tiêu nữ: 15,00%", "20,00%"]),
])
def test_chart_urls_serve_svg_with_the_series(district, login, url, labels):
    resp = login(district["viewer"]).get(url)
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    texts = _svg_texts(resp.data)
    for label in labels:
        assert label in texts, (label, texts[:500])


@pytest.mark.parametrize("url", ["/charts/burn-up.svg", "/charts/stages.svg", "/charts/composition.svg"])
def test_chart_permissions(district, login, app, url):
    assert login(district["sec"]).get(url).status_code == 403
    assert login(district["g1"]).get(url).status_code == 200
    assert login(district["admin"]).get(url + "?group=G2").status_code == 200
    assert login(district["admin"]).get(url + "?group=NOPE").status_code == 404
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_group_filter_passes_through(district, login):
    whole = login(district["viewer"]).get("/charts/burn-up.svg").data
    g2 = login(district["viewer"]).get("/charts/burn-up.svg?group=G2").data
    assert whole != g2


@pytest.mark.parametrize("url", ["/charts/burn-up.svg", "/charts/stages.svg", "/charts/composition.svg"])
def test_chart_query_count_does_not_grow_with_units(campaign, make_user, login, count_queries, url):
    client = login(make_user("viewer@x.vn", "viewer"))
    bulk_district(campaign, 3)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    bulk_district(campaign, 60, start=3)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.n == few.n, many.statements


# ---- PNG for the Word documents ------------------------------------------------------------------

def test_each_chart_as_png(district, campaign, app):
    from PIL import Image

    from tracker.charts import images
    from tracker.reports.query import build_report
    from tracker.services.result_fields import targets_of
    with app.test_request_context("/"):
        charts = [images.burn_up(campaign, TODAY, fmt="png"), images.stages(campaign, TODAY, fmt="png"),
                  images.composition(build_report(campaign, TODAY, details=False), targets_of(campaign), fmt="png")]
    for chart in charts:
        assert chart.image.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(chart.image)) as picture:
            assert picture.width >= 800 and picture.height >= 250
    assert "3/5" in charts[0].caption and "đã tổ chức đại hội" in charts[0].caption


def _body_order(doc) -> list[str]:
    """The document's body as a list: 'P:<text>' for paragraphs, 'IMG' for a paragraph holding a picture."""
    out = []
    for p in doc.paragraphs:
        out.append("IMG" if p._p.xpath(".//pic:pic") else f"P:{p.text}")
    return out


def test_the_results_docx_carries_the_charts_in_their_sections(district, login):
    from docx import Document
    resp = login(district["viewer"]).get("/reports/export.docx")
    assert resp.status_code == 200
    doc = Document(io.BytesIO(resp.data))
    assert len(doc.inline_shapes) == 2
    assert all(part.content_type == "image/png" for part in doc.part.package.image_parts)
    order = _body_order(doc)
    first = order.index("IMG")
    second = order.index("IMG", first + 1)
    heading_1 = next(i for i, t in enumerate(order) if t.startswith("P:1. "))
    heading_2 = next(i for i, t in enumerate(order) if t.startswith("P:2. "))
    heading_3 = next(i for i, t in enumerate(order) if t.startswith("P:3. "))
    assert heading_1 < first < heading_2 < second < heading_3  # composition in 1., the burn-up in 2.
    assert order[first + 1].startswith("P:Cơ cấu cấp ủy được bầu so với chỉ tiêu")
    assert "3/5 đơn vị đã tổ chức đại hội" in order[second + 1]


def test_the_progress_docx_carries_the_charts(district, login):
    from docx import Document
    resp = login(district["viewer"]).get("/reports/progress.docx?on=2030-03-20")
    assert resp.status_code == 200
    doc = Document(io.BytesIO(resp.data))
    assert len(doc.inline_shapes) == 2
    order = _body_order(doc)
    first = order.index("IMG")
    assert next(i for i, t in enumerate(order) if t.startswith("P:1. ")) < first < \
        next(i for i, t in enumerate(order) if t.startswith("P:2. "))
    # as of 20/03: A held (06/03), B not yet (its tick is on 18/03 local — before 20/03: held), F not (25/03)
    assert "Đến ngày 20/03/2030: 2/5 đơn vị đã tổ chức đại hội" in " ".join(order)


def test_charts_follow_the_campaign_in_view(district, campaign, login):
    """A new term copied from this one: the charts show the new (active) campaign unless ?campaign= asks for
    the old one, and the page's chart URLs pass ?campaign= through."""
    from tracker.campaigns.service import copy_campaign
    new = copy_campaign(campaign, "Nhiệm kỳ 2035–2040", "2035–2040")
    db.session.commit()
    assert data.burn_up(new, TODAY).held_now == 0 and data.burn_up(campaign, TODAY).held_now == 3
    client = login(district["admin"])
    now = _svg_texts(client.get("/charts/burn-up.svg").data)
    old = _svg_texts(client.get(f"/charts/burn-up.svg?campaign={campaign.id}").data)
    assert now != old and "10/03" in old
    page = client.get(f"/reports?campaign={campaign.id}").get_data(as_text=True)
    assert f'src="/charts/burn-up.svg?campaign={campaign.id}"' in page
    assert "3/5 đơn vị đã tổ chức đại hội" in page


def test_pages_show_the_charts_with_their_captions(district, login):
    client = login(district["admin"])
    board = client.get("/").get_data(as_text=True)
    assert board.count('src="/charts/burn-up.svg"') == 2  # the desktop section and the phone's folded copy
    assert 'srcset="/charts/stages.svg?size=small"' in board and "/charts/composition.svg" not in board
    assert "Đến ngày 01/04/2030: 3/5 đơn vị đã tổ chức đại hội; theo kế hoạch đến ngày này là 3 đơn vị." in board
    report = client.get("/reports?group=G1").get_data(as_text=True)
    for name in ("burn-up", "stages", "composition"):
        assert f'src="/charts/{name}.svg?group=G1"' in report
    assert 'alt="Cơ cấu cấp ủy so với chỉ tiêu"' in report and "charts.css" in report
