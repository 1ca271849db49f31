"""Looking at a secretary's unit page on a 390 px phone in real Chromium: bounded height, the page comes
back to the item just ticked, tap targets of 44 px, nothing wider than the screen; screenshots kept."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import NOW
from tests.e2e.helpers import sign_in
from tracker.extensions import db
from tracker.models import Item, Unit, User
from tracker.services import stages

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}


def _busy_unit(make_group, make_unit, make_user):
    """A unit with a long history: 60 journal lines, two difficulties, notes, a manual deadline."""
    make_group("G1")
    unit = make_unit("U1", group="G1", congress_date=date(2030, 5, 20), name="Đảng bộ xã Mỹ Long Bắc")
    make_user("sec@u1.vn", "secretary", unit="U1")
    admin = make_user("admin@x.vn", "admin")
    items = db.session.scalars(select(Item).where(Item.unit_id == unit.id, Item.stage == "dissemination")
                               .order_by(Item.position)).all()
    for n in range(60):
        item = db.session.get(Item, items[0].id)
        stages.set_item_done(unit, item, n % 2 == 0, item.version, admin, NOW, date(2030, 4, 1),
                             note="Kế hoạch số 12-KH/ĐU ngày 20/3/2030" if n == 0 else "")
    stages.raise_blocker(unit, "dissemination", "Chưa nhận được tài liệu quán triệt của cấp trên", admin, NOW)
    stages.raise_blocker(unit, "documents", "Cần hướng dẫn mẫu báo cáo kiểm điểm", admin, NOW)
    db.session.commit()


def test_secretary_unit_page_on_a_phone(live_server, chromium, make_group, make_unit, make_user, artifacts):
    from playwright.sync_api import expect

    _busy_unit(make_group, make_unit, make_user)
    db.session.remove()
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    page = phone.new_page()
    sign_in(page, live_server, "sec@u1.vn")
    assert page.url.endswith("/units/U1")
    page.screenshot(path=str(artifacts / "unit-phone-390.png"), full_page=True)
    # bounded: the journal shows ten lines, not sixty; the stages are folded but one
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2700, height
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # every control of the page proper is a thumb's size (44 px)
    small = page.evaluate("""() => [...document.querySelectorAll(
            'main .item-form button, main .item details > summary, main .stage > summary, main a.touch,'
            + ' main button.touch, #journal a')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert small == [], small
    # tick an item low in the open stage: the page comes back to that item, in view, with the message
    key = page.locator("#stage-dissemination .item[id^=item-]").last.get_attribute("id")
    item = page.locator(f"#{key}")
    with page.expect_navigation(wait_until="load"):
        item.locator("form.item-form button[type=submit]").first.click()
    assert page.url.endswith(f"#{key}"), page.url
    # most of the item on screen (the browser scrolls to the #item-… anchor as the page loads)
    expect(page.locator(f"#{key}")).to_be_in_viewport(ratio=0.6, timeout=5000)
    assert "Đã đánh dấu hoàn thành." in page.locator(f"#{key} .form-notice").inner_text()
    page.screenshot(path=str(artifacts / "unit-phone-390-after-tick.png"))
    # the whole journal is one tap away and paginated
    page.click("#journal a.btn")
    page.wait_for_load_state()
    assert page.url.endswith("/units/U1/journal")
    assert "Trang 1 / 2" in page.content()

    unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "U1"))
    ticked_by = db.session.scalar(select(User.email).join(Item, Item.done_by_id == User.id)
                                  .where(Item.unit_id == unit_id, Item.key == key.split("-", 2)[2]))
    assert ticked_by == "sec@u1.vn"
