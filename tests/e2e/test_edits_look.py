"""The edits pages in real Chromium at 390 px and 1366 px: nothing wider than the screen, 44 px buttons,
the kind confirmation and the delete refusal readable; screenshots kept in the `artifacts` folder."""
import pytest
from sqlalchemy import select

from tests.conftest import NOW
from tests.e2e.helpers import sign_in
from tests.factories import tick_stage
from tracker.edits import service
from tracker.extensions import db
from tracker.models import Unit

pytestmark = pytest.mark.slow
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PAGES = {"unit": "/admin/units/U1/manage", "kind": "/admin/units/U1/kind?kind=grassroots_cell",
         "group": "/admin/groups/G1/manage", "archived": "/units/U2"}


def test_edits_pages_at_both_sizes(live_server, chromium, make_group, make_unit, make_user, artifacts):
    make_group("G1")
    make_unit("U1", group="G1", name="Đảng bộ xã Mỹ Long Bắc")
    make_unit("U2", "grassroots_cell", group="G1", name="Chi bộ Trường THPT Cầu Ngang A")
    admin = make_user("admin@x.vn", "admin")
    make_user("sec@u1.vn", "secretary", unit="U1")
    make_user("member@g1.vn", "group", group="G1")
    tick_stage("U1", "dissemination")
    service.set_unit_archived(db.session.scalar(select(Unit).where(Unit.code == "U2")), True, admin, NOW)
    db.session.commit()
    db.session.remove()
    for size, viewport in SIZES.items():
        context = chromium.new_context(viewport=viewport, is_mobile=size == "phone", has_touch=size == "phone")
        page = context.new_page()
        sign_in(page, live_server, "admin@x.vn")
        for name, path in PAGES.items():
            page.goto(live_server + path)
            page.wait_for_load_state()
            page.screenshot(path=str(artifacts / f"edits-{name}-{size}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (name, size)
            small = page.evaluate("""() => [...document.querySelectorAll('main .card button, main form .btn')]
                .filter(e => e.offsetParent !== null)
                .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
                .filter(([, h]) => h < 44)""")
            assert small == [], (name, size, small)
        unit_page = page.content()
        assert "Đơn vị này đã được lưu trữ" in unit_page
        page.goto(live_server + PAGES["unit"])
        assert "đơn vị đã có" in page.locator("#delete-refused").inner_text()
        page.goto(live_server + PAGES["kind"])
        assert "đã đánh dấu sẽ bị bỏ" in page.locator("#ticked-removed").inner_text()
        context.close()
