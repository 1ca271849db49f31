"""In Chromium at 390 px and 1366 px: the campaigns page and the nav's switcher fit the screen."""
import pytest

from tests.e2e.helpers import sign_in
from tracker.campaigns.service import copy_campaign
from tracker.extensions import db

pytestmark = pytest.mark.slow


def test_campaign_pages_fit_phone_and_desktop(live_server, chromium, world, campaign, artifacts):
    copy_campaign(campaign, "Đại hội giữa nhiệm kỳ", "2027–2030")
    db.session.commit()
    old_id = campaign.id
    db.session.remove()
    for width in (390, 1366):
        page = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
        sign_in(page, live_server, "admin@example.org")
        page.goto(live_server + "/campaigns")
        assert page.locator("select#campaign-switch option").count() == 2
        page.screenshot(path=str(artifacts / f"campaigns-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # switch to the archived campaign from the nav: the choice sticks, the badge says so
        if width < 768:
            page.click("button.navbar-toggler")
        with page.expect_navigation():
            page.select_option("select#campaign-switch", str(old_id))
        page.goto(live_server + "/")
        assert "Đã lưu trữ: chỉ xem" in page.content()
        page.screenshot(path=str(artifacts / f"dashboard-archived-{width}.png"), full_page=True)
