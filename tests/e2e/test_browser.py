"""End to end in real Chromium: a secretary ticks an item on a phone; the working group sees it."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.e2e.helpers import sign_in
from tracker.extensions import db
from tracker.models import Item

pytestmark = pytest.mark.slow


def test_secretary_ticks_on_a_phone_and_the_group_sees_it(live_server, chromium, make_group, make_unit, make_user):
    make_group("G1")
    make_unit("U1", group="G1", congress_date=date(2030, 5, 20), name="Đảng bộ xã Mỹ Long Bắc")
    make_user("sec@u1.vn", "secretary", unit="U1")
    make_user("member@g1.vn", "group", group="G1")
    db.session.remove()

    phone = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, live_server, "sec@u1.vn")
    assert page.url.endswith("/units/U1"), page.url  # a secretary lands on their unit
    assert "Đăng xuất" in page.content()  # the Vietnamese interface
    stage = page.locator("#stage-dissemination")
    if stage.get_attribute("open") is None:
        stage.locator("summary").click()
    item = page.locator("#item-dissemination-plan_issued")
    item.locator("form.item-form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("#item-dissemination-plan_issued.is-done").count() == 1
    # nothing on the phone page is wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    desk = chromium.new_context(viewport={"width": 1280, "height": 900})
    board = desk.new_page()
    sign_in(board, live_server, "member@g1.vn")
    row = board.locator("tr", has=board.locator("a", has_text="Đảng bộ xã Mỹ Long Bắc"))
    cells = row.locator("td.stage-cell")
    assert "st-in_progress" in cells.nth(0).get_attribute("class")
    assert "Đang thực hiện" in cells.nth(0).inner_text()

    item = db.session.scalar(select(Item).where(Item.key == "plan_issued"))
    assert item.done and item.done_by.email == "sec@u1.vn"
