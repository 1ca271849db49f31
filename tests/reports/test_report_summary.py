"""The summary against hand-computed totals for a district shaped like the real one (45 units,
342 committee members elected), in both rounding modes; the headline in Vietnamese and English."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.reports.reports_helpers import finish
from tracker.extensions import db
from tracker.models import (
    Campaign,
    CongressResult,
    DisseminationResult,
    FirstSessionResult,
    StageReview,
    Unit,
    WorkingGroup,
)
from tracker.reports.query import build_report, summary
from tracker.reports.text import headline

TODAY = date(2030, 4, 1)


def _district(make_unit, make_group):
    """15 communes, 4 sector committees, 26 cells; the per-unit numbers below add up (by hand) to the
    real report's totals: 342 elected, 271 re-elected, 71 first-time, 79 women, 45 young, 44 ethnic
    minority; 260 + 50 delegates; 84 standing committee members, 42 secretaries; 285 sessions,
    4,850 attendances, 4,540 of 4,621 members reached."""
    make_group("G1")
    make_group("G2")
    units = []
    for i in range(15):   # communes: 15 elected (12 re, 3 new), 3 women, 2 young, 2 ethnic; 10 + 2 delegates
        u = make_unit(f"X{i:02d}", group="G1", party_members=230, pilot=i == 0, congress_date=date(2020, 5, 20))
        units.append(u)
        _store(u, 15, 12, 3, 3, 2, 2, 10, 2, standing=5 if i < 12 else 4, secretary=True, chair=True,
               dis=(12, 242 if i < 6 else 243, 226), seats=15, candidates=17)
    for i in range(4):    # sector committees: 9 elected (7 re, 2 new), 2 women, 1 young, 1 ethnic; 5 + 1
        u = make_unit(f"N{i:02d}", kind="sector_committee", group="G1", party_members=120, pilot=i == 0,
                      congress_date=date(2020, 5, 25))
        units.append(u)
        _store(u, 9, 7, 2, 2, 1, 1, 5, 1, standing=3, secretary=True, chair=True, dis=(6, 130, 119))
    for i in range(26):   # cells: 23 of 3 members and 3 of 4 members
        members = 41 if i == 25 else 26
        u = make_unit(f"C{i:02d}", kind="grassroots_cell", group="G2", party_members=members,
                      congress_date=date(2020, 6, 5))
        units.append(u)
        elected = 4 if i >= 23 else 3
        first = 1 if i < 18 else 0            # 18 first-timers among the cells
        _store(u, elected, elected - first, first, 1, 1 if i < 11 else 0, 1 if i < 10 else 0,
               4 if i < 12 else 3, 1 if i < 16 else 0, standing=0, secretary=i >= 3, chair=False,
               # every member reached attended at least once: attendances >= members reached
               dis=(4 if i < 3 else 3, members, members - (1 if i < 17 else 0)),
               held_on=date(2020, 6, 5) if i == 25 else date(2020, 6, 1))
    for u in units:
        finish(u)
    db.session.commit()
    return units


def _store(u, elected, re, first, women, young, ethnic, official, alternate, *, standing, secretary, chair, dis,
           seats=None, candidates=None, held_on=date(2020, 5, 20)):
    db.session.add(CongressResult(unit_id=u.id, held_on=held_on, committee_elected=elected, re_elected=re,
                                  first_time=first, women=women, young=young, ethnic_minority=ethnic,
                                  delegates_official=official, delegates_alternate=alternate, seats=seats,
                                  candidates=candidates))
    db.session.add(FirstSessionResult(unit_id=u.id, standing_committee=standing, secretary_elected=secretary,
                                      deputy_secretaries=1, inspection_committee=5 if chair else 0,
                                      inspection_chair_elected=chair))
    db.session.add(DisseminationResult(unit_id=u.id, sessions=dis[0], attendees=dis[1], members_reached=dis[2]))


@pytest.fixture
def district(make_unit, make_group):
    return _district(make_unit, make_group)


def _campaign(rounding):
    c = db.session.scalar(select(Campaign))
    c.rounding = rounding
    db.session.commit()
    return c


COUNTS = {"elected": 342, "re_elected": 271, "first_time": 71, "women": 79, "young": 45, "ethnic_minority": 44}
PERCENTS = {
    # hand-computed: 271/342 = 79.2397…, 71/342 = 20.7602…, 79/342 = 23.0994…, 45/342 = 13.1578…,
    # 44/342 = 12.8654…; 4540/4621 = 98.2471…
    "half_up": {"re_elected": 79.24, "first_time": 20.76, "women": 23.10, "young": 13.16, "ethnic_minority": 12.87,
                "reached": 98.25},
    "truncate": {"re_elected": 79.23, "first_time": 20.76, "women": 23.09, "young": 13.15, "ethnic_minority": 12.86,
                 "reached": 98.24},
}


@pytest.mark.parametrize("mode", ["half_up", "truncate"])
def test_summary_matches_hand_computed_totals(district, mode):
    s = summary(_campaign(mode), TODAY)
    assert s["units"] == {"total": 45, "congress_held": 45, "pilot": 2, "results_entered": 45}
    assert s["dissemination"] == {"sessions": 285, "attendees": 4850, "members_reached": 4540, "members_total": 4621,
                                  "percent_reached": PERCENTS[mode]["reached"]}
    assert s["committee"]["elected"] == 342
    for name in ("re_elected", "first_time", "women", "young", "ethnic_minority"):
        assert s["committee"][name] == {"count": COUNTS[name], "percent": PERCENTS[mode][name]}, name
    assert s["delegates"] == {"official": 260, "alternate": 50}
    assert s["first_session"]["standing_committee"] == 84
    assert s["first_session"]["secretaries"] == 42
    assert s["first_session"]["inspection_chairs"] == 19
    assert s["held_by"] == "2020-06-05"


def test_headline_reads_like_the_real_report(district, app):
    _campaign("truncate")
    s = summary(db.session.scalar(select(Campaign)), TODAY)
    with app.test_request_context():
        text = " ".join(headline(s, 35, TODAY))
        khmer = " ".join(headline(s, 35, TODAY, "Khmer"))
    assert text == (
        "Đến ngày 01/04/2030, 45/45 đơn vị đã tổ chức xong đại hội; bầu 342 đồng chí vào cấp ủy, trong đó tái cử "
        "271 (79,23%), tham gia cấp ủy lần đầu 71 (20,76%), nữ 79 (23,09%), cán bộ trẻ dưới 35 tuổi 45 (13,15%), "
        "dân tộc thiểu số 44 (12,86%); bầu 260 đại biểu chính thức và 50 đại biểu dự khuyết dự đại hội cấp trên; "
        "phiên họp thứ nhất bầu 84 ủy viên Ban Thường vụ, 42 bí thư. Tổ chức 285 hội nghị quán triệt, 4.850 lượt "
        "người tham dự, đạt trên 98% đảng viên.")
    assert "dân tộc Khmer 44 (12,86%)" in khmer


def test_headline_in_english(district, app):
    from flask_babel import force_locale
    s = summary(_campaign("half_up"), TODAY)
    with app.test_request_context(), force_locale("en"):
        text = " ".join(headline(s, 35, TODAY))
    assert text.startswith("As of 01/04/2030, 45/45 units held their congress, electing 342 committee members, of "
                           "whom 271 re-elected (79.24%), 71 first-time (20.76%), 79 women (23.10%), 45 young "
                           "members under 35 (13.16%), 44 ethnic minority (12.87%)")
    assert "285 sessions, 4,850 attendances, over 98% of members reached" in text


def test_group_filter_and_kind_tables(district):
    campaign = _campaign("half_up")
    g2 = db.session.scalar(select(WorkingGroup).where(WorkingGroup.code == "G2"))
    s = summary(campaign, TODAY, g2)
    assert s["units"]["total"] == 26 and s["committee"]["elected"] == 81
    assert s["committee"]["re_elected"]["count"] == 63 and s["committee"]["first_time"]["count"] == 18
    assert s["first_session"]["standing_committee"] == 0 and s["first_session"]["secretaries"] == 23
    report = build_report(campaign, TODAY)
    kinds = dict(report.by_kind)
    assert [k for k, _ in report.by_kind] == ["commune_committee", "sector_committee", "grassroots_cell"]
    assert kinds["commune_committee"]["committee"]["elected"] == 225
    assert kinds["sector_committee"]["committee"]["elected"] == 36
    assert kinds["grassroots_cell"]["committee"]["elected"] == 81
    assert sum(k["delegates"]["official"] for k in kinds.values()) == 260


def test_report_flags(district):
    campaign = _campaign("half_up")
    by_code = {r.code: r for r in build_report(campaign, TODAY).rows}
    # communes: 3 women of 15 = 20% (>= 15%), 2 young = 13.33% (>= 10%), surplus 2/15 = 13.33%: nothing flagged
    assert by_code["X00"].flags == [] and by_code["X00"].pilot
    # a cell of 3 with 1 woman (33%) and no young member is below the young target
    assert by_code["C20"].flags == ["young_below"]
    # the targets are the campaign's: raise the women's target to 25% and the communes fall below it
    campaign.women_min_pct = 25
    db.session.commit()
    assert "women_below" in {f for r in build_report(campaign, TODAY).rows if r.code == "X01" for f in r.flags}


def test_counts_that_cannot_be_right_are_flagged_not_hidden(district):
    campaign = _campaign("half_up")
    unit = db.session.scalar(select(Unit).where(Unit.code == "C00"))
    unit.party_members = 10   # lowered after 25 members were reported reached
    row = db.session.scalar(select(CongressResult).where(CongressResult.unit_id == unit.id))
    row.women = 9             # stored before the rules (e.g. an import): more women than elected
    # a unit whose congress stage was returned still counts its numbers, but not as held
    db.session.add(StageReview(unit_id=db.session.scalar(select(Unit.id).where(Unit.code == "C01")),
                               stage="congress", state="returned", comment="sai số"))
    db.session.commit()
    report = build_report(campaign, TODAY)
    wrong = {r.code: {p.code for p in r.problems} for r in report.cannot_be_right}
    assert wrong["C00"] == {"above_members", "above_elected"}
    assert wrong["C01"] == {"results_without_congress"}
    assert report.summary["units"]["congress_held"] == 44
    assert report.summary["committee"]["women"]["count"] == 79 - 1 + 9   # shown as entered
    assert [r.code for r in report.not_done] == ["C01"]
    assert report.rows[[r.code for r in report.rows].index("C01")].status == "returned"


def test_summary_query_count_is_constant(make_group, campaign, count_queries):
    from tests.reports.reports_helpers import bulk_district
    counts = []
    for start, n in ((0, 20), (20, 180)):
        bulk_district(campaign, n, start=start)
        with count_queries() as counter:
            s = summary(campaign, TODAY)
            build_report(campaign, TODAY)
        counts.append(counter.n)
    assert s["units"]["total"] == 200 and s["units"]["congress_held"] == 150
    assert counts[0] == counts[1], counts
