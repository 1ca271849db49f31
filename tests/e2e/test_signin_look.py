"""The sign-in page, its 429 answer, the menu's sign-out button and the sign-in log in real Chromium at
390 px and 1366 px: nothing wider than the screen, sign-out works from the menu; screenshots kept."""
import pytest

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.slow

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def test_sign_in_pages_look_right(live_server, chromium, app, make_user, monkeypatch, artifacts):
    from playwright.sync_api import expect

    monkeypatch.setitem(app.config, "LOGIN_MAX_PER_ACCOUNT", 2)
    make_user("admin@x.vn", "admin", name="Lê Văn Tổ Chức")
    make_user("viewer@x.vn", "viewer")
    for size, viewport in SIZES.items():
        context = chromium.new_context(viewport=viewport, is_mobile=size == "phone", has_touch=size == "phone")
        page = context.new_page()
        page.goto(live_server + "/login")
        page.screenshot(path=str(artifacts / f"login-{size}.png"), full_page=True)
        for _ in range(3):
            page.fill("input[name=email]", "viewer@x.vn")
            page.fill("input[name=password]", "wrong-password")
            with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as answer:
                page.click("form:has(input[name=password]) button[type=submit]")
            page.wait_for_load_state()
        assert answer.value.status == 429 and answer.value.headers["retry-after"]
        assert "Bạn đã đăng nhập sai quá nhiều lần" in page.content()
        page.screenshot(path=str(artifacts / f"login-429-{size}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        context.close()

        context = chromium.new_context(viewport=viewport, is_mobile=size == "phone", has_touch=size == "phone")
        page = context.new_page()
        sign_in(page, live_server, "admin@x.vn")
        page.goto(live_server + "/admin/sign-ins")
        assert "Nhật ký đăng nhập" in page.content()
        page.screenshot(path=str(artifacts / f"sign-in-log-{size}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if size == "phone":
            page.click("button.navbar-toggler")
            page.wait_for_selector("#nav.show")
        button = page.locator("form.nav-signout button")
        expect(button).to_be_visible()
        link = page.locator("#nav a.nav-link").last.bounding_box()
        box = button.bounding_box()
        assert abs(box["height"] - link["height"]) <= 2, (box, link)  # looks like the other menu links
        page.screenshot(path=str(artifacts / f"nav-signout-{size}.png"))
        with page.expect_navigation():
            button.click()
        assert page.url.endswith("/login")
        context.close()
