"""The roll-up: the committee's page and the dashboard (hidden by default, a filter, a committee's cells),
with a query count that does not grow with the number of sub-cells."""
from sqlalchemy import insert, select

from tests.conftest import NOW
from tests.factories import tick_stage
from tracker.extensions import db
from tracker.models import Item, Unit


def add_cells(parent: Unit, start: int, count: int, group_id=None):
    """`count` sub-cells under `parent`, with the parent's checklist, by plain INSERTs."""
    items = db.session.scalars(select(Item).where(Item.unit_id == parent.id)).all()
    rows = [{"campaign_id": parent.campaign_id, "code": f"{parent.code}-{n:03d}", "name": f"Chi bộ ấp {n}",
             "kind": "sub_cell", "parent_id": parent.id, "party_members": 12, "group_id": group_id, "pilot": False,
             "congress_date": parent.congress_date, "notes": "", "created_at": NOW} for n in range(start, start + count)]
    db.session.execute(insert(Unit), rows)
    ids = db.session.scalars(select(Unit.id).where(Unit.code.in_([r["code"] for r in rows]))).all()
    cols = ("template_id", "stage", "key", "position", "title_vi", "title_en", "required", "superior_only",
            "offset_days", "working_days", "anchor", "due_on", "due_manual", "due_reason", "note", "version")
    db.session.execute(insert(Item), [{**{c: getattr(i, c) for c in cols}, "unit_id": uid, "done": False}
                                      for uid in ids for i in items])
    db.session.commit()


def test_dashboard_hides_cells_by_default_and_rolls_them_up(make_group, make_unit, make_user, login, frozen):
    make_group("G1")
    make_unit("K1", group="G1", name="Đảng bộ xã Hiệp Mỹ Đông")
    make_unit("C1", kind="grassroots_cell", group="G1")
    for code in ("S1", "S2", "S3"):
        make_unit(code, kind="sub_cell", parent="K1", name=f"Chi bộ ấp {code}")
    tick_stage("S1", "congress")
    admin, member = make_user("admin@x.vn", "admin"), make_user("m@x.vn", "group", group="G1")
    with frozen(NOW):
        client = login(admin)
        page = client.get("/").get_data(as_text=True)
        assert "2 đơn vị" in page and "Chi bộ ấp S1" not in page
        assert "1/3" in page and "/?parent=K1" in page
        shown = client.get("/?cells=1").get_data(as_text=True)
        assert "5 đơn vị" in shown and "Chi bộ ấp S2" in shown
        only = client.get("/?parent=K1").get_data(as_text=True)
        assert "3 đơn vị" in only and "Chi bộ ấp S3" in only and "Hiệp Mỹ Đông</a>" not in only
        # a group member's own units include the cells that follow its committee's group
        mine = login(member).get("/?cells=1").get_data(as_text=True)
        assert "5 đơn vị" in mine


def test_committee_page_rollup_and_query_count(make_group, make_unit, make_user, login, frozen, count_queries):
    make_group("G1")
    k1 = make_unit("K1", group="G1")
    admin = make_user("admin@x.vn", "admin")
    add_cells(k1, 1, 3)
    tick_stage("K1-001", "congress")

    def measure():
        with frozen(NOW):
            client = login(admin)
            out = []
            for url in ("/units/K1", "/", "/?cells=1", "/?parent=K1"):
                with count_queries() as counter:
                    resp = client.get(url)
                assert resp.status_code == 200
                out.append(counter.n)
            return out, resp
    few, _ = measure()
    page = login(admin).get("/units/K1").get_data(as_text=True)
    assert "1/3" in page and page.count('class="list-group-item sub-cell"') == 3
    add_cells(k1, 4, 60)
    many, resp = measure()
    assert few == many, (few, many)
