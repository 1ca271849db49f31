"""End to end in real Chromium: a secretary ticks an item on a phone; the working group sees it."""
import os
import shutil
import threading
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.models import Item

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow


def _browser_or_skip():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: install Debian's chromium")
        pytest.skip("no Chromium installed (apt-get install chromium)")
    return sync_api


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port in a thread, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state()


def test_secretary_ticks_on_a_phone_and_the_group_sees_it(live_server, make_group, make_unit, make_user):
    sync_api = _browser_or_skip()
    make_group("G1")
    make_unit("U1", group="G1", congress_date=date(2030, 5, 20), name="Đảng bộ xã Mỹ Long Bắc")
    make_user("sec@u1.vn", "secretary", unit="U1")
    make_user("member@g1.vn", "group", group="G1")
    db.session.remove()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
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

            desk = browser.new_context(viewport={"width": 1280, "height": 900})
            board = desk.new_page()
            sign_in(board, live_server, "member@g1.vn")
            row = board.locator("tr", has=board.locator("a", has_text="Đảng bộ xã Mỹ Long Bắc"))
            cells = row.locator("td.stage-cell")
            assert "st-in_progress" in cells.nth(0).get_attribute("class")
            assert "Đang thực hiện" in cells.nth(0).inner_text()
        finally:
            browser.close()

    item = db.session.scalar(select(Item).where(Item.key == "plan_issued"))
    assert item.done and item.done_by.email == "sec@u1.vn"
