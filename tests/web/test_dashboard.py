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
    for label in ("Triển khai, quán triệt", "Văn kiện", "Nhân sự", "Kịch bản, diễn thử", "Tổ chức đại hội",
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
        sql = dashboard_data.stage_totals(conds, TODAY)
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
    assert first.count('href="/units/') == 100
    assert second.count('href="/units/') == 50
    assert "Trang 1 / 2" in first and "page=2" in first
    assert "150 đơn vị" in first
    # 74 copies with dissemination done (even numbers 2..148), counted on every page
    assert "Hoàn thành: 74" in first and "Hoàn thành: 74" in second
    assert beyond.status_code == 200 and beyond.get_data(as_text=True).count('href="/units/') == 50


def test_query_count_does_not_grow_with_units(make_group, make_unit, make_user, login, frozen, count_queries):
    make_group("G1")
    member = make_user("m@x.vn", "group", group="G1")
    admin = make_user("admin@x.vn", "admin")
    group_id = db.session.scalar(select(Unit.group_id).where(Unit.id == make_unit("A0000", group="G1").id))
    model = db.session.scalar(select(Unit).where(Unit.code == "A0000"))
    bulk_units(model, 1, 44, group_id=group_id, pilot_every=7, done_every=3)
    urls = ("/", "/?overdue=1", "/?kind=commune_committee&pilot=0", "/?page=2")

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
        links = {name: url_for(name) for name in ("reports.index", "inbox.index", "admin.index", "news.blockers")
                 if name in app.view_functions}
    assert 'class="nav-link active" href="/"' in main_nav(admin_html)
    for name in ("reports.index", "inbox.index", "admin.index"):
        if name in links:
            assert f'href="{links[name]}"' in main_nav(admin_html), name
    if "admin.index" in links:
        assert f'href="{links["admin.index"]}"' not in main_nav(viewer_html)
    assert main_nav(admin_html).count('class="nav-item"') == 1 + len(links)
