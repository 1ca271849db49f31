"""The congress calendar in real Chromium: the month grid on a desktop, the list by day on a phone.

Writes the screenshots the README shows (calendar-*.png) to the `screenshots` folder: temporary, or
docs/screenshots/ with SCREENSHOTS=docs/screenshots.
"""
from __future__ import annotations

import pytest

from tests.e2e.helpers import DESKTOP, PHONE, serious_axe_violations, sign_in

pytestmark = pytest.mark.slow


def test_month_grid_on_a_desktop(live_server, demo, browser, screenshots):
    page = browser.new_context(**DESKTOP).new_page()
    sign_in(page, live_server, *demo["admin"])
    page.goto(live_server + "/calendar")
    grid = page.locator("table.cal-grid")
    assert grid.is_visible() and not page.locator(".cal-list").is_visible()
    assert grid.locator("td.cal-today").count() == 1
    assert grid.locator("a.cal-congress").count() >= 5
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=str(screenshots / "calendar-desktop.png"), full_page=True)
    assert serious_axe_violations(page) == []
    href = grid.locator("a.cal-congress").first.get_attribute("href")
    grid.locator("a.cal-congress").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(href), "an entry opens its unit"


def test_list_by_day_on_a_phone(live_server, demo, browser, screenshots):
    page = browser.new_context(**PHONE).new_page()
    sign_in(page, live_server, *demo["admin"])
    page.goto(live_server + "/calendar")
    assert not page.locator("table.cal-grid").is_visible()
    days = page.locator(".cal-list-day")
    assert days.count() >= 3 and page.locator(".cal-list-day.cal-today").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".cal-list a.cal-entry").first.bounding_box()["height"] >= 44
    page.screenshot(path=str(screenshots / "calendar-phone.png"))
    assert serious_axe_violations(page) == []
