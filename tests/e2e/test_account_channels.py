"""The account page's reminder channels in real Chromium at 390 px and 1366 px: no sideways scrolling,
a choice saved, the always-on inbox shown; the admin's user page with the same form."""
import pytest

from tests.e2e.helpers import sign_in
from tracker.extensions import db
from tracker.models import User

pytestmark = pytest.mark.slow


def test_account_page_channels_on_a_phone_and_a_desktop(live_server, chromium, world, artifacts):
    secretary_id, admin_email, secretary_email = world["secretary"].id, world["admin"].email, world["secretary"].email
    db.session.remove()
    for width in (390, 1366):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, live_server, secretary_email)
        page.goto(live_server + "/account")
        assert page.is_checked("#channel-inbox") and page.is_disabled("#channel-inbox")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator("label[for=channel-webhook]").bounding_box()
        assert box["height"] >= 20
        if width == 390:
            page.check("#channel-webhook")
            page.uncheck("#channel-email")
            page.click("form:has(#channel-webhook) button[type=submit]")
            page.wait_for_load_state()
            assert page.is_checked("#channel-webhook") and not page.is_checked("#channel-email")
        page.screenshot(path=str(artifacts / f"account-{width}.png"), full_page=True)
        context.close()
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, admin_email)
    page.goto(f"{live_server}/admin/users/{secretary_id}")
    assert page.is_checked("#channel-webhook")
    page.screenshot(path=str(artifacts / "admin-user-1366.png"), full_page=True)
    context.close()
    db.session.expire_all()
    assert db.session.get(User, secretary_id).channels == "inbox,webhook"
