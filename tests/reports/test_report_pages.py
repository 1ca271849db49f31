"""The report page, the unit's result forms and the admin settings pages."""

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, csrf_of
from tests.factories import unit_by_code
from tests.reports.reports_helpers import bulk_district, finish, put_dissemination, put_results
from tracker.extensions import db
from tracker.models import Campaign, CongressResult, CustomField, DisseminationResult, FirstSessionResult

pytestmark = pytest.mark.usefixtures("at_now")  # the whole test at NOW


@pytest.fixture
def people(make_group, make_unit, make_user):
    make_group("G1")
    make_group("G2")
    make_unit("X01", group="G1", party_members=200, pilot=True, name="Đảng bộ xã Mỹ Long Bắc")
    make_unit("C01", kind="grassroots_cell", group="G2", party_members=20)
    return {
        "admin": make_user("admin@x.vn", "admin"),
        "sec": make_user("sec@x.vn", "secretary", unit="X01"),
        "g1": make_user("g1@x.vn", "group", group="G1"),
        "viewer": make_user("viewer@x.vn", "viewer"),
    }


def test_report_page_shows_headline_and_tables(people, login, frozen):
    unit = unit_by_code("X01")
    finish(unit)
    put_results(unit, committee_elected=15, re_elected=12, first_time=3, women=2, young=2, ethnic_minority=1,
                delegates_official=10, delegates_alternate=2, seats=15, candidates=16)
    put_dissemination(unit, 4, 4850, 190)
    with frozen(NOW):
        page = login(people["viewer"]).get("/reports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # the headline and the subtitle give the same date: today's (issue 8, point 12)
    assert "Đến ngày 01/04/2030, 1/2 đơn vị đã tổ chức xong đại hội; bầu 15 đồng chí vào cấp ủy" in html
    assert "tính đến ngày 01/04/2030" in html
    assert "tái cử 12 (80,00%)" in html and "Tổ chức 4 hội nghị quán triệt, 4.850 lượt người tham dự" in html
    assert "đạt trên 86% đảng viên" in html and "10 chính thức, 2 dự khuyết" in html
    assert "reports.css" in html and "<style" not in html and "style=" not in html   # CSS in a static file
    # women 13,33% < 15% and a surplus of 6,67% < 10% are flagged; the pilot is marked; C01 is listed as not done
    assert "13,33%" in html and "6,67%" in html and "Đại hội điểm" in html
    assert "C01" in html


def test_report_page_in_english_and_filtered_by_group(people, login, frozen, app):
    client = login(people["g1"])
    client.post("/language/en", data={"csrf_token": csrf_of(client.get("/reports").get_data(as_text=True))})
    with frozen(NOW):
        html = client.get("/reports?group=G2").get_data(as_text=True)
    assert "0/1 units held their congress" in html
    assert client.get("/reports?group=NOPE").status_code == 404


def test_secretaries_do_not_see_the_report(people, login):
    client = login(people["sec"])
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/export.csv").status_code == 403


def test_unit_form_saves_and_refuses_impossible_numbers(people, login, frozen):
    unit = unit_by_code("X01")
    client = login(people["sec"])
    page = client.get("/units/X01/results")
    assert page.status_code == 200
    token = csrf_of(page.get_data(as_text=True))
    with frozen(NOW):
        r = client.post("/units/X01/results/dissemination",
                        data={"csrf_token": token, "sessions": "4", "attendees": "230", "members_reached": "250"})
    # post/redirect/get: the form comes back at its own address (a reload never re-posts it)
    assert r.status_code == 303 and r.headers["Location"] == "/units/X01/results#dissemination"
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "is-invalid" in html and "200" in html and 'value="250"' in html
    assert "Chưa lưu được. Vui lòng kiểm tra các ô báo lỗi." in html
    again = client.get("/units/X01/results").get_data(as_text=True)  # a reload: the form as stored, no error
    assert "is-invalid" not in again and "Chưa lưu được" not in again
    assert db.session.scalar(select(func.count()).select_from(DisseminationResult)) == 0
    # congress results are refused until the congress stage is done
    with frozen(NOW):
        r = client.post("/units/X01/results/congress", data={"csrf_token": token, "held_on": "2030-03-30"})
    assert r.status_code == 303
    finish(unit)
    data = {"csrf_token": token, "held_on": "2030-03-30", "committee_elected": "15", "re_elected": "12",
            "first_time": "2", "women": "3", "young": "2", "ethnic_minority": "1", "delegates_official": "10",
            "delegates_alternate": "1", "seats": "", "candidates": ""}
    with frozen(NOW):
        r = client.post("/units/X01/results/congress", data=data)
    assert r.status_code == 303
    assert "Tái cử (12) cộng tham gia lần đầu (2)" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CongressResult)) == 0
    with frozen(NOW):
        r = client.post("/units/X01/results/congress", data={**data, "first_time": "3"})
    assert r.status_code == 302
    row = db.session.scalar(select(CongressResult))
    assert row.committee_elected == 15 and row.seats is None
    with frozen(NOW):
        r = client.post("/units/X01/results/first_session",
                        data={"csrf_token": token, "standing_committee": "5", "deputy_secretaries": "2",
                              "inspection_committee": "5", "secretary_elected": "1"})
    assert r.status_code == 302
    fs = db.session.scalar(select(FirstSessionResult))
    assert fs.secretary_elected is True and fs.inspection_chair_elected is False


def test_forms_need_csrf_and_permission(people, login, frozen):
    sec = login(people["sec"])
    assert sec.post("/units/X01/results/dissemination",
                    data={"sessions": "1", "attendees": "1", "members_reached": "1"}).status_code == 400
    token = csrf_of(sec.get("/units/X01/results").get_data(as_text=True))
    assert sec.get("/units/C01/results").status_code == 403
    assert sec.post("/units/C01/results/dissemination", data={"csrf_token": token, "sessions": "1",
                                                              "attendees": "1", "members_reached": "1"}).status_code == 403
    viewer = login(people["viewer"])
    page = viewer.get("/units/X01/results")
    assert page.status_code == 200 and "disabled" in page.get_data(as_text=True)
    token = csrf_of(page.get_data(as_text=True))
    assert viewer.post("/units/X01/results/dissemination", data={"csrf_token": token, "sessions": "1",
                                                                 "attendees": "1", "members_reached": "1"}).status_code == 403
    sec_token = csrf_of(sec.get("/units/X01/results").get_data(as_text=True))
    assert sec.post("/units/X01/results/nope", data={"csrf_token": sec_token}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(DisseminationResult)) == 0


def test_admin_sets_targets_and_rounding(people, login):
    client = login(people["admin"])
    page = client.get("/reports/settings")
    assert page.status_code == 200
    token = csrf_of(page.get_data(as_text=True))
    good = {"csrf_token": token, "women_min_pct": "20", "young_min_pct": "12,5", "youth_age": "30",
            "surplus_min_pct": "10", "surplus_max_pct": "25", "rounding": "truncate"}
    r = client.post("/reports/settings", data={**good, "surplus_max_pct": "5"})
    assert r.status_code == 422
    r = client.post("/reports/settings", data={**good, "rounding": "banker"})
    assert r.status_code == 422
    campaign = db.session.scalar(select(Campaign))
    db.session.refresh(campaign)
    assert campaign.rounding == "half_up" and float(campaign.women_min_pct) == 15
    assert client.post("/reports/settings", data=good).status_code == 302
    db.session.refresh(campaign)
    assert campaign.rounding == "truncate" and float(campaign.young_min_pct) == 12.5 and campaign.youth_age == 30
    group = login(people["g1"])
    assert group.get("/reports/settings").status_code == 403
    own_token = csrf_of(group.get("/reports").get_data(as_text=True))
    assert group.post("/reports/settings", data={**good, "csrf_token": own_token}).status_code == 403


def test_admin_adds_edits_and_removes_custom_fields(people, login, frozen):
    client = login(people["admin"])
    token = csrf_of(client.get("/reports/settings").get_data(as_text=True))
    assert client.post("/reports/fields", data={"csrf_token": token, "label_vi": "", "label_en": "x",
                                                "stage": "congress"}).status_code == 422
    assert client.post("/reports/fields", data={"csrf_token": token, "label_vi": "Có trình độ cao cấp lý luận",
                                                "label_en": "Members with advanced political theory",
                                                "stage": "congress"}).status_code == 302
    cf = db.session.scalar(select(CustomField))
    assert cf.key == "members_with_advanced_political_theory"
    assert client.post(f"/reports/fields/{cf.id}", data={"csrf_token": token, "label_vi": "Cao cấp lý luận",
                                                         "label_en": "Advanced theory", "stage": "congress"}).status_code == 302
    # the secretary sees it in the congress form and enters it
    unit = unit_by_code("X01")
    finish(unit)
    sec = login(people["sec"])
    page = sec.get("/units/X01/results").get_data(as_text=True)
    assert "Cao cấp lý luận" in page
    data = {"csrf_token": csrf_of(page), "held_on": "2030-03-30", "committee_elected": "15", "re_elected": "12",
            "first_time": "3", "women": "3", "young": "2", "ethnic_minority": "1", "delegates_official": "10",
            "delegates_alternate": "1", f"cf_{cf.key}": "4"}
    with frozen(NOW):
        assert sec.post("/units/X01/results/congress", data=data).status_code == 302
        html = login(people["viewer"]).get("/reports").get_data(as_text=True)
    assert "Cao cấp lý luận" in html
    # a field with values cannot be removed
    assert client.post(f"/reports/fields/{cf.id}/delete", data={"csrf_token": token}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(CustomField)) == 1


def test_report_query_count_does_not_grow_with_units(people, login, count_queries, frozen):
    client = login(people["viewer"])
    counts = []
    for start, n in ((0, 20), (20, 180)):  # 20 units, then 200
        bulk_district(db.session.scalar(select(Campaign)), n, start=start)
        with frozen(NOW), count_queries() as counter:
            assert client.get("/reports").status_code == 200
        counts.append(counter.n)
    assert counts[0] == counts[1], counts


def test_report_paginates_a_thousand_units(people, login, frozen, count_queries):
    bulk_district(db.session.scalar(select(Campaign)), 1000)
    client = login(people["viewer"])
    with frozen(NOW), count_queries() as counter:
        first = client.get("/reports")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    # 1,002 units: the per-unit table shows 100 of them, the lists at most 50 each, the totals all of them
    assert "B00099" in html and "B00999" not in html and "đơn vị 1–100 trên tổng số 1.002" in html
    assert "?page=2" in html and len(html) < 400_000
    with frozen(NOW), count_queries() as last_counter:
        last = client.get("/reports?page=10").get_data(as_text=True)  # B00900…B00999
    assert "B00999" in last and "B00099" not in last.split('id="per-unit"')[1]
    assert client.get("/reports?page=999").status_code == 200  # past the end: the last page
    assert counter.n == last_counter.n < 25



def test_a_result_form_address_opened_by_get_goes_to_the_form(people, login):
    """A restored tab or the language switch opens the POST address by GET: the form's page, never a 405."""
    client = login(people["sec"])
    for part in ("dissemination", "congress", "first_session"):
        r = client.get(f"/units/X01/results/{part}")
        assert r.status_code == 302 and r.headers["Location"] == f"/units/X01/results#{part}"
    token = csrf_of(client.get("/units/X01/results").get_data(as_text=True))
    r = client.post("/units/X01/results/dissemination",
                    data={"csrf_token": token, "sessions": "1", "attendees": "1", "members_reached": "999"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    # the language switch sends the reader back to the page's own (GET) address
    assert 'name="next" value="/units/X01/results"' in page


def _congress_form(token, **change):
    data = {"csrf_token": token, "held_on": "2030-03-30", "committee_elected": "15", "re_elected": "12",
            "first_time": "3", "women": "3", "young": "2", "ethnic_minority": "1", "delegates_official": "10",
            "delegates_alternate": "1", "seats": "15", "candidates": "17"}
    return {**data, **{k: str(v) for k, v in change.items()}}


@pytest.mark.parametrize("change,field,message", [
    ({"committee_elected": 50, "re_elected": 40, "first_time": 10, "seats": "", "candidates": ""},
     "committee_elected", "Không vượt quá số đảng viên của đơn vị (20)"),
    ({"seats": 2}, "committee_elected", "Số cấp ủy viên được bầu nhiều hơn số lượng theo đề án (2)"),
    ({"seats": "", "candidates": 2}, "candidates", "ít hơn số cấp ủy viên trúng cử (3)"),
    ({"delegates_official": 19, "delegates_alternate": 2}, "delegates_official", "vượt quá số đảng viên"),
    ({"held_on": "2030-04-02"}, "held_on", "không thể sau ngày hôm nay (01/04/2030)"),
    ({"held_on": "2001-05-01"}, "held_on", "Trước thời điểm bắt đầu đợt đại hội này"),
])
def test_impossible_congress_results_are_refused_on_the_page(people, login, make_unit, make_user, change, field,
                                                             message):
    cell = unit_by_code("C01")  # 20 party members
    finish(cell)
    client = login(make_user("sec-c01@x.vn", "secretary", unit="C01"))
    token = csrf_of(client.get("/units/C01/results").get_data(as_text=True))
    campaign = db.session.scalar(select(Campaign))
    campaign.term = "2030–2035"
    db.session.commit()
    data = _congress_form(token, committee_elected=3, re_elected=2, first_time=1, women=1, young=0,
                          ethnic_minority=0, delegates_official=2, delegates_alternate=0, seats=3, candidates=4)
    data.update({k: str(v) for k, v in change.items()})
    r = client.post("/units/C01/results/congress", data=data)
    assert r.status_code == 303
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f'id="congress-{field}"' in html and message in html, html[html.find("invalid-feedback") - 300:][:800]
    assert db.session.scalar(select(func.count()).select_from(CongressResult)) == 0


def test_attendances_below_members_reached_are_refused_on_the_page(people, login):
    client = login(people["sec"])
    token = csrf_of(client.get("/units/X01/results").get_data(as_text=True))
    r = client.post("/units/X01/results/dissemination",
                    data={"csrf_token": token, "sessions": "2", "attendees": "100", "members_reached": "150"})
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Số lượt người dự ít hơn số đảng viên được quán triệt (150)" in html
    assert db.session.scalar(select(func.count()).select_from(DisseminationResult)) == 0


def test_a_congress_after_the_final_deadline_is_kept_and_flagged(people, login):
    from datetime import date
    unit = unit_by_code("X01")
    finish(unit)
    campaign = db.session.scalar(select(Campaign))
    campaign.final_deadline = date(2030, 3, 15)
    db.session.commit()
    client = login(people["sec"])
    token = csrf_of(client.get("/units/X01/results").get_data(as_text=True))
    r = client.post("/units/X01/results/congress", data=_congress_form(token, held_on="2030-03-30"))
    assert r.status_code == 302
    html = client.get("/units/X01/results").get_data(as_text=True)
    assert "sau thời hạn hoàn thành của đợt đại hội (15/03/2030)" in html
    report = login(people["admin"]).get("/reports").get_data(as_text=True)
    assert "Tổ chức đại hội ngày 30/03/2030, sau thời hạn hoàn thành của đợt đại hội." in report


def test_the_report_counts_impossible_numbers_an_older_entry_holds(people, login):
    """Rows saved before the rules existed (or imported) are counted under "Số liệu không hợp lý"."""
    from datetime import date
    cell = unit_by_code("C01")  # 20 party members
    finish(cell)
    put_results(cell, committee_elected=50, re_elected=40, first_time=10, women=5, young=5, ethnic_minority=0,
                delegates_official=300, delegates_alternate=0, seats=None, candidates=60)
    db.session.scalar(select(CongressResult)).held_on = date(2001, 5, 1)
    db.session.scalar(select(Campaign)).term = "2030–2035"  # a 2001 congress is none of this campaign's
    put_dissemination(cell, 2, 10, 18)
    db.session.commit()
    html = login(people["admin"]).get("/reports").get_data(as_text=True)
    assert "Số liệu không hợp lý (1)" in html
    for text in ("Không vượt quá số đảng viên của đơn vị (20)", "vượt quá số đảng viên của đơn vị (20)",
                 "Trước thời điểm bắt đầu đợt đại hội này", "Số lượt người dự ít hơn số đảng viên được quán triệt"):
        assert text in html, text
