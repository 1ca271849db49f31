"""The dashboard: who sees it, filters, totals over the whole filtered set, a fixed number of queries."""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from tests.conftest import NOW, items_of, pure_statuses, tick_all
from tracker.extensions import db
from tracker.models import Item, Unit, User
from tracker.services import stages
from tracker.web import dashboard_data
from tracker.workflow import STAGES, STATUSES

TODAY = date(2030, 4, 1)  # NOW in Hà Nội


def bulk_units(model: Unit, start: int, count: int, group_id=None, pilot_every=0, done_every=0):
    """Copy a unit and its checklist `count` times with plain INSERTs (fast enough for 1,000 units)."""
    items = db.session.scalars(select(Item).where(Item.unit_id == model.id)).all()
    unit_rows = [{"campaign_id": model.campaign_id, "code": f"B{n:05d}", "name": f"Đơn vị B{n:05d}",
                  "kind": model.kind, "party_members": 50, "group_id": group_id,
                  "pilot": bool(pilot_every and n % pilot_every == 0), "congress_date": model.congress_date,
                  "notes": "", "created_at": NOW}
                 for n in range(start, start + count)]
    db.session.execute(insert(Unit), unit_rows)
    ids = db.session.execute(select(Unit.id, Unit.code).where(Unit.code.in_([r["code"] for r in unit_rows]))).all()
    cols = ("template_id", "stage", "key", "position", "title_vi", "title_en", "required", "superior_only",
            "offset_days", "working_days", "anchor", "due_on", "due_manual", "due_reason", "note", "version")
    rows = []
    for uid, code in ids:
        n = int(code[1:])
        for item in items:
            row = {c: getattr(item, c) for c in cols}
            row["unit_id"] = uid
            # some units have finished their dissemination
            row["done"] = bool(done_every and n % done_every == 0 and item.stage == "dissemination")
            row["done_at"] = NOW if row["done"] else None
            rows.append(row)
    db.session.execute(insert(Item), rows)
    db.session.commit()


def python_totals(unit_ids):
    """The same totals computed from the read model (the reference for the SQL aggregate)."""
    totals = {s: {st: 0 for st in STATUSES} for s in STAGES}
    for per_unit in pure_statuses(unit_ids, TODAY).values():
        for key, status in per_unit.items():
            totals[key][status] += 1
    return totals


def test_anonymous_is_sent_to_login(app):
    resp = app.test_client().get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_admin_sees_units_by_stages_in_vietnamese(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    make_unit("U1", name="Đảng bộ xã Mỹ Long")
    with frozen(NOW):
        page = login(admin).get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/units/U1"' in html and "Đảng bộ xã Mỹ Long" in html
    for label in ("Triển khai, quán triệt", "Văn kiện", "Nhân sự", "Kịch bản, tổng duyệt", "Tổ chức đại hội",
                  "Phiên họp thứ nhất"):
        assert label in html
    # the plan was due 31/03 (50 days before 20/05): dissemination is overdue; the stage is due 05/04
    assert "st-overdue" in html and "Quá hạn" in html
    assert "05/04/2030" in html
    assert "Chưa bắt đầu" in html
    assert "0,00%" in html  # nothing finished yet, in Vietnamese number format


def test_viewer_and_group_member_see_the_dashboard(make_group, make_unit, make_user, login, frozen):
    make_group("G1")
    make_unit("U1", group="G1")
    viewer = make_user("viewer@x.vn", "viewer")
    member = make_user("m@x.vn", "group", group="G1")
    with frozen(NOW):
        for user in (viewer, member):
            resp = login(user).get("/")
            assert resp.status_code == 200 and 'href="/units/U1"' in resp.get_data(as_text=True)


def test_secretary_goes_to_their_unit(make_unit, make_user, login, frozen):
    make_unit("U1")
    secretary = make_user("sec@x.vn", "secretary", unit="U1")
    with frozen(NOW):
        resp = login(secretary).get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/units/U1")


def test_secretary_without_a_unit_gets_a_friendly_message(make_unit, make_user, login, frozen):
    make_unit("U1")
    secretary = make_user("sec@x.vn", "secretary", unit="U1")
    db.session.get(User, secretary.id).unit_id = None
    db.session.commit()
    with frozen(NOW):
        resp = login(secretary).get("/")
    assert resp.status_code == 200
    assert "chưa được gắn với đơn vị" in resp.get_data(as_text=True)


def test_group_member_sees_their_group_by_default_and_all_on_request(make_group, make_unit, make_user, login,
                                                                     frozen):
    make_group("G1")
    make_group("G2")
    make_unit("MINE", group="G1")
    make_unit("THEIRS", group="G2")
    member = make_user("m@x.vn", "group", group="G1")
    with frozen(NOW):
        client = login(member)
        mine = client.get("/").get_data(as_text=True)
        everything = client.get("/?scope=all").get_data(as_text=True)
    assert "/units/MINE" in mine and "/units/THEIRS" not in mine
    assert "/units/MINE" in everything and "/units/THEIRS" in everything


def test_admin_scope_is_always_all(make_group, make_unit, make_user, login, frozen):
    make_group("G1")
    make_unit("U1", group="G1")
    make_unit("U2")
    admin = make_user("admin@x.vn", "admin")
    with frozen(NOW):
        html = login(admin).get("/?scope=mine").get_data(as_text=True)
    assert "/units/U1" in html and "/units/U2" in html


def test_filters_kind_pilot_overdue(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    make_unit("COMM", kind="commune_committee", congress_date=date(2030, 5, 20))       # plan already overdue
    make_unit("CELL", kind="grassroots_cell", congress_date=date(2030, 9, 1), pilot=True)  # nothing due yet
    with frozen(NOW):
        client = login(admin)
        by_kind = client.get("/?kind=grassroots_cell").get_data(as_text=True)
        pilots = client.get("/?pilot=1").get_data(as_text=True)
        others = client.get("/?pilot=0").get_data(as_text=True)
        overdue = client.get("/?overdue=1").get_data(as_text=True)
        junk = client.get("/?kind=castle&pilot=maybe&page=-3&scope=evil")
    assert "/units/CELL" in by_kind and "/units/COMM" not in by_kind
    assert "/units/CELL" in pilots and "/units/COMM" not in pilots
    assert "/units/COMM" in others and "/units/CELL" not in others
    assert "/units/COMM" in overdue and "/units/CELL" not in overdue
    assert junk.status_code == 200  # unknown filter values fall back to the defaults


def test_a_returned_stage_is_not_counted_overdue(make_unit, make_user, frozen):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1", congress_date=date(2030, 5, 20))
    tick_all(unit, "dissemination", admin)
    stages.return_stage(unit, "dissemination", "Thiếu biên bản", admin, NOW, TODAY)
    db.session.commit()
    with frozen(NOW):
        conds = dashboard_data.conditions(dashboard_data.Filters(overdue=True), unit.campaign_id, TODAY)
        assert dashboard_data.count_units(conds) == 0


def test_sql_totals_match_the_read_model(make_group, make_unit, make_user, app):
    admin = make_user("admin@x.vn", "admin")
    make_group("G1")
    units = [make_unit(f"U{n}", kind=kind, congress_date=cd, group="G1")
             for n, (kind, cd) in enumerate([("commune_committee", date(2030, 5, 20)),
                                             ("grassroots_cell", date(2030, 9, 1)),
                                             ("sector_committee", date(2030, 4, 20)),
                                             ("grassroots_cell", date(2030, 5, 2)),
                                             ("commune_committee", None)])]
    a, b, c, d, e = units
    tick_all(a, "dissemination", admin)
    stages.verify_stage(a, "dissemination", admin, NOW, TODAY)
    tick_all(a, "documents", admin)
    tick_all(b, "dissemination", admin)
    stages.return_stage(b, "dissemination", "Làm lại", admin, NOW, TODAY)
    first = items_of(c, "personnel")[0]
    stages.set_item_done(c, first, True, first.version, admin, NOW, TODAY)
    for stage in ("documents", "personnel", "rehearsal"):
        tick_all(d, stage, admin)
    db.session.commit()
    with app.test_request_context():
        filters = dashboard_data.Filters()
        conds = dashboard_data.conditions(filters, a.campaign_id, TODAY)
        total = dashboard_data.count_units(conds)
        sql = dashboard_data.stage_totals(conds)
    assert total == 5
    assert sql == python_totals([u.id for u in units])
    finished, all_stages = dashboard_data.completion(sql)
    assert all_stages == 30 and finished == 2 + 3


def test_completion_percentage_and_totals_on_the_page(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    unit = make_unit("U1")
    make_unit("U2")
    make_unit("U3")
    tick_all(unit, "dissemination", admin)
    db.session.commit()
    with frozen(NOW):
        html = login(admin).get("/").get_data(as_text=True)
    assert "5,56%" in html  # 1 of 18 stages
    assert "Hoàn thành: 1" in html


def test_pagination_keeps_totals_for_the_whole_set(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    model = make_unit("A0000")
    bulk_units(model, 1, 149, done_every=2)
    with frozen(NOW):
        client = login(admin)
        first = client.get("/").get_data(as_text=True)
        second = client.get("/?page=2").get_data(as_text=True)
        beyond = client.get("/?page=99")
    # each unit appears twice: a row of the desktop table and a row of the phone list
    assert first.count('href="/units/') == 200 and first.count('class="pb-grid pb-row"') == 100
    assert second.count('class="pb-grid pb-row"') == 50
    assert "Trang 1 / 2" in first and "page=2" in first
    assert "150 đơn vị" in first
    # 74 copies with dissemination done (even numbers 2..148), counted on every page
    assert "Hoàn thành: 74" in first and "Hoàn thành: 74" in second
    assert beyond.status_code == 200 and beyond.get_data(as_text=True).count('class="pb-grid pb-row"') == 50


def test_query_count_does_not_grow_with_units(make_group, make_unit, make_user, login, frozen, count_queries):
    make_group("G1")
    member = make_user("m@x.vn", "group", group="G1")
    admin = make_user("admin@x.vn", "admin")
    group_id = db.session.scalar(select(Unit.group_id).where(Unit.id == make_unit("A0000", group="G1").id))
    model = db.session.scalar(select(Unit).where(Unit.code == "A0000"))
    bulk_units(model, 1, 44, group_id=group_id, pilot_every=7, done_every=3)
    stages.raise_blocker(model, "documents", "Chưa có mẫu báo cáo", admin, NOW)
    db.session.commit()
    urls = ("/", "/?overdue=1", "/?kind=commune_committee&pilot=0", "/?page=2", "/?group=G1&sort=late",
            "/?stage=personnel&status=not_started&sort=congress", "/?status=done&q=b0", "/?scope=all&q=%25_")

    def counts():
        out = []
        with frozen(NOW):
            for user in (admin, member):
                client = login(user)
                for url in urls:
                    with count_queries() as counter:
                        assert client.get(url).status_code == 200
                    out.append(counter.n)
        return out

    small = counts()
    bulk_units(model, 45, 955, group_id=group_id, pilot_every=7, done_every=3)
    assert db.session.scalar(select(db.func.count(Unit.id))) == 1000
    large = counts()
    assert small == large, (small, large)


def test_english_dashboard(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    make_unit("U1")
    with frozen(NOW):
        client = login(admin)
        page = client.get("/").get_data(as_text=True)
        from tests.conftest import csrf_of
        resp = client.post("/language/en", data={"csrf_token": csrf_of(page), "next": "/"})
        assert resp.status_code == 302
        html = client.get("/").get_data(as_text=True)
    assert "Dashboard" in html and "Dissemination" in html and "Not started" in html and "Overdue only" in html
    assert "0.00%" in html


def test_nav_links_only_to_pages_that_exist(app, make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    viewer = make_user("viewer@x.vn", "viewer")
    make_unit("U1")
    with frozen(NOW):
        admin_html = login(admin).get("/").get_data(as_text=True)
        viewer_html = login(viewer).get("/").get_data(as_text=True)

    def main_nav(html):
        start = html.index('<ul class="navbar-nav me-auto">')
        return html[start:html.index("</ul>", start)]

    with app.test_request_context():
        from flask import url_for
        links = {name: url_for(name) for name in ("reports.index", "inbox.index", "admin.index", "news.blockers",
                                                  "calendar.index")
                 if name in app.view_functions}
    assert 'class="nav-link active" href="/"' in main_nav(admin_html)
    for name in ("reports.index", "inbox.index", "admin.index"):
        if name in links:
            assert f'href="{links[name]}"' in main_nav(admin_html), name
    if "admin.index" in links:
        assert f'href="{links["admin.index"]}"' not in main_nav(viewer_html)
    assert main_nav(admin_html).count('class="nav-item"') == 1 + len(links)


def _codes(html):
    """Unit codes in the order the phone list shows them (each row is a link to /units/CODE)."""
    import re
    return re.findall(r'class="pb-grid pb-row" href="/units/([^"]+)"', html)


def test_cells_carry_status_class_text_due_date_and_days_late(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    make_unit("U1", congress_date=date(2030, 5, 20))
    with frozen(NOW):
        html = login(admin).get("/").get_data(as_text=True)
    # the plan was due 31/03: one day late on 01/04, said in the cell next to the status
    cell = html[html.index('<td class="st-overdue stage-cell">'):]
    cell = cell[:cell.index("</td>")]
    assert "Quá hạn" in cell and "05/04/2030" in cell and "Trễ 1 ngày (hạn 31/03)" in cell
    # the phone marks carry the stage and status as text for screen readers and a tooltip
    assert 'role="img" aria-label="Triển khai, quán triệt: Quá hạn, 05/04/2030"' in html
    assert 'aria-label="Phiên họp thứ nhất: Chưa bắt đầu' in html


def test_admin_filters_by_any_working_group(make_group, make_unit, make_user, login, frozen):
    make_group("G1")
    make_group("G2")
    make_unit("ONE", group="G1")
    make_unit("TWO", group="G2")
    make_unit("NONE")
    for role in ("admin", "viewer"):
        user = make_user(f"{role}@x.vn", role)
        with frozen(NOW):
            client = login(user)
            g2 = client.get("/?group=G2").get_data(as_text=True)
            unknown = client.get("/?group=NOPE")
        assert _codes(g2) == ["TWO"]
        assert 'value="G2" selected' in g2
        assert unknown.status_code == 200 and sorted(_codes(unknown.get_data(as_text=True))) == ["NONE", "ONE", "TWO"]


def test_group_member_keeps_mine_or_all_and_cannot_pick_another_group(make_group, make_unit, make_user, login,
                                                                        frozen):
    make_group("G1")
    make_group("G2")
    make_unit("MINE", group="G1")
    make_unit("THEIRS", group="G2")
    member = make_user("m@x.vn", "group", group="G1")
    with frozen(NOW):
        html = login(member).get("/?group=G2").get_data(as_text=True)
    assert _codes(html) == ["MINE"]  # the group argument is an admin's and viewer's filter
    assert 'id="f-group"' not in html and 'id="f-scope"' in html


def test_stage_and_status_filter_uses_the_read_model(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    late = make_unit("LATE", congress_date=date(2030, 4, 20))   # personnel items already past due
    make_unit("EARLY", congress_date=date(2030, 9, 1))          # nothing due yet
    back = make_unit("BACK", congress_date=date(2030, 4, 20))
    tick_all(back, "personnel", admin)
    stages.return_stage(back, "personnel", "Thiếu hồ sơ", admin, NOW, TODAY)
    db.session.commit()
    expected = {status: sorted(code for code, uid in (("LATE", late.id), ("BACK", back.id), ("EARLY", None))
                               if uid and pure_statuses([uid], TODAY)[uid]["personnel"] == status)
                for status in STATUSES}
    assert expected["overdue"] == ["LATE"] and expected["returned"] == ["BACK"]
    with frozen(NOW):
        client = login(admin)
        overdue = client.get("/?stage=personnel&status=overdue").get_data(as_text=True)
        returned = client.get("/?stage=personnel&status=returned").get_data(as_text=True)
        any_stage = client.get("/?status=returned").get_data(as_text=True)
        stage_only = client.get("/?stage=personnel").get_data(as_text=True)
    assert _codes(overdue) == ["LATE"]
    assert _codes(returned) == ["BACK"] and _codes(any_stage) == ["BACK"]
    assert sorted(_codes(stage_only)) == ["BACK", "EARLY", "LATE"]  # a stage alone narrows nothing


def test_search_by_name_or_code_takes_wildcards_literally(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    make_unit("X01", name="Đảng bộ xã Mỹ Long Bắc")
    make_unit("X02", name="Đảng bộ xã Hiệp Mỹ Tây")
    make_unit("C_1", name="Chi bộ 100% đảng viên")
    with frozen(NOW):
        client = login(admin)
        by_name = client.get("/?q=long bắc").get_data(as_text=True)
        by_code = client.get("/?q=x02").get_data(as_text=True)
        percent = client.get("/?q=100%25").get_data(as_text=True)
        underscore = client.get("/?q=_").get_data(as_text=True)
        nothing = client.get("/?q=" + "z" * 500)
    assert _codes(by_name) == ["X01"] and 'value="long bắc"' in by_name
    assert _codes(by_code) == ["X02"]
    assert _codes(percent) == ["C_1"] and _codes(underscore) == ["C_1"]
    assert nothing.status_code == 200 and _codes(nothing.get_data(as_text=True)) == []


def test_sort_by_congress_date_and_by_lateness(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    make_unit("A", congress_date=date(2030, 9, 1))   # nothing overdue
    make_unit("B", congress_date=date(2030, 4, 20))  # overdue longest (its plan fell due 01/03)
    make_unit("C", congress_date=date(2030, 5, 20))  # overdue since 31/03
    make_unit("D", congress_date=None)
    with frozen(NOW):
        client = login(admin)
        by_code = _codes(client.get("/").get_data(as_text=True))
        by_congress = _codes(client.get("/?sort=congress").get_data(as_text=True))
        by_late = _codes(client.get("/?sort=late").get_data(as_text=True))
    assert by_code == ["A", "B", "C", "D"]
    assert by_congress == ["B", "C", "A", "D"]  # no date last
    assert by_late[:2] == ["B", "C"] and sorted(by_late[2:]) == ["A", "D"]


def test_filter_state_stays_in_the_url_across_pages(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    model = make_unit("A0000")
    bulk_units(model, 1, 149)
    with frozen(NOW):
        html = login(admin).get("/?q=b0&stage=documents&status=not_started&sort=congress&overdue=1&pilot=0"
                                ).get_data(as_text=True)
    nxt = html[html.index("page=2") - 200:html.index("page=2") + 200]
    for arg in ("q=b0", "stage=documents", "status=not_started", "sort=congress", "overdue=1", "pilot=0"):
        assert arg in nxt, arg
    assert 'value="congress" selected' in html and 'id="f-overdue" name="overdue" checked' in html


def test_a_unit_with_an_open_blocker_is_marked(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    stuck = make_unit("STUCK")
    done = make_unit("DONE")
    make_unit("CALM")
    stages.raise_blocker(stuck, "personnel", "Chưa đủ nhân sự nữ", admin, NOW)
    stages.raise_blocker(stuck, "documents", "Chưa có mẫu", admin, NOW)
    answered = stages.raise_blocker(done, "documents", "Hỏi mẫu", admin, NOW)
    stages.answer_blocker(answered, "Đã gửi mẫu", True, admin, NOW)
    db.session.commit()
    with frozen(NOW):
        html = login(admin).get("/").get_data(as_text=True)
    rows = {code: html[html.index(f'href="/units/{code}"'):] for code in ("STUCK", "DONE", "CALM")}
    rows = {code: row[:row.index("</tr>")] for code, row in rows.items()}  # the unit's desktop row
    assert "Khó khăn, vướng mắc chưa giải quyết: 2" in rows["STUCK"]
    assert "blocker-mark" not in rows["DONE"] and "blocker-mark" not in rows["CALM"]


def test_favicon_is_served_from_static(app):
    client = app.test_client()
    resp = client.get("/favicon.ico")
    assert resp.status_code == 301 and resp.headers["Location"].endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and b"<svg" in icon.data


def test_every_signed_in_page_has_the_bell_outside_the_menu_and_a_help_slot(make_unit, make_user, login, frozen):
    admin = make_user("admin@x.vn", "admin")
    make_unit("U1")
    with frozen(NOW):
        html = login(admin).get("/units/U1").get_data(as_text=True)
    assert 'rel="icon"' in html
    if 'class="nav-bell"' in html:  # the inbox area is registered
        assert html.index('class="nav-bell"') < html.index('id="nav"')
    assert "bg-danger" not in html[:html.index("</nav>")]  # the low-contrast navbar colour is gone


def test_an_empty_dashboard_says_what_to_do_next(make_user, login, frozen):
    user = make_user("admin@x.vn", "admin")
    with frozen():
        admin = login(user)
        html = admin.get("/").get_data(as_text=True)
        assert "Chưa có đơn vị nào — thêm đơn vị hoặc nhập danh sách từ Excel." in html
        filtered = admin.get("/?kind=sub_cell").get_data(as_text=True)
    assert "Không có đơn vị nào phù hợp bộ lọc." in filtered and "Chưa có đơn vị nào" not in filtered
