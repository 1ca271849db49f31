"""Tests that look: the demo district's dashboard in real Chromium, on a desktop and on a phone.

Computed colours, widths and visibility as a person sees them, axe-core's serious and critical
findings, and the screenshots the README shows (written to the `screenshots` folder: temporary, or
docs/screenshots/ with SCREENSHOTS=docs/screenshots).
"""
from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import DESKTOP, PHONE, rgb, serious_axe_violations, sign_in

pytestmark = pytest.mark.slow


def test_desktop_dashboard_shows_status_colours(live_server, demo, browser, screenshots):
    page = browser.new_context(**DESKTOP).new_page()
    sign_in(page, live_server, *demo["admin"])
    table = page.locator(".dashboard-table")
    assert table.is_visible()
    colours = {}
    for status in ("overdue", "done", "not_started"):
        cell = table.locator(f"td.stage-cell.st-{status}").first
        assert cell.count() == 1, f"no {status} cell in the demo district"
        colours[status] = rgb(cell.evaluate("el => getComputedStyle(el).backgroundColor"))
        assert cell.inner_text().strip(), "the status is written in the cell too"
    assert len(set(colours.values())) == 3, colours
    r, g, b = colours["overdue"]
    assert r >= 150 and r - g >= 80 and r - b >= 80, f"overdue is not red-ish: {colours['overdue']}"
    assert all(c >= 200 for c in colours["not_started"]), "not started stays a light, quiet colour"
    # the overdue cell says how late, and the header row stays in view while the table scrolls
    overdue = table.locator("td.st-overdue").first.inner_text()
    assert re.search(r"Trễ \d+ ngày", overdue), overdue
    table.evaluate("el => el.scrollTop = 400")
    head = table.locator("thead th").nth(1).bounding_box()
    box = table.bounding_box()
    assert abs(head["y"] - box["y"]) < 2, "the header row scrolled away"
    # the unit with an open blocker carries the marker
    assert page.locator("tr:has(a[href='/units/X03']) .blocker-mark").is_visible()
    table.evaluate("el => el.scrollTop = 0")
    page.screenshot(path=str(screenshots / "dashboard-desktop.png"))
    assert serious_axe_violations(page) == []


def test_phone_dashboard_shows_six_stages_without_sideways_scroll(live_server, demo, browser, screenshots):
    page = browser.new_context(**PHONE).new_page()
    sign_in(page, live_server, *demo["group"])
    page.goto(live_server + "/?scope=all")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator(".dashboard-table").is_visible()
    assert page.locator(".pb-head span").count() == 8  # unit, six stages, due
    rows = page.locator("a.pb-row")
    assert rows.count() == 45
    first = rows.first
    marks = first.locator(".mk")
    assert marks.count() == 6
    for i in range(6):
        mark = marks.nth(i)
        assert mark.is_visible()
        box = mark.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert ":" in mark.get_attribute("aria-label") and mark.get_attribute("title")
    # compact: 45 units in a few screens, and each row is a tap target of 44 px at least
    assert page.evaluate("document.documentElement.scrollHeight") <= 4 * 844
    assert first.bounding_box()["height"] >= 44
    page.screenshot(path=str(screenshots / "dashboard-phone.png"))
    assert serious_axe_violations(page) == []
    href = first.get_attribute("href")
    first.click()
    page.wait_for_load_state()
    assert page.url.endswith(href), "tapping a row opens the unit"


def test_phone_menu_and_unread_badge(live_server, demo, browser):
    page = browser.new_context(**PHONE).new_page()
    sign_in(page, live_server, *demo["secretary"])
    menu = page.locator("#nav")
    assert not menu.is_visible()  # collapsed
    badge = page.locator(".nav-bell .unread-count")
    assert badge.is_visible() and badge.inner_text() == "1"
    box = page.locator(".nav-bell").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    admin = browser.new_context(**PHONE).new_page()
    sign_in(admin, live_server, *demo["admin"])
    admin.click(".navbar-toggler")
    admin.wait_for_selector("#nav.show")
    admin.wait_for_timeout(400)  # the collapse animation
    for link in admin.locator("#nav .nav-link").all():
        assert link.bounding_box()["height"] >= 44, link.inner_text()
    # white on the navbar's red: 6.5:1, not Bootstrap's 2.27:1
    colour = rgb(admin.locator("#nav .nav-link").first.evaluate("el => getComputedStyle(el).color"))
    assert colour == (255, 255, 255), colour
    assert serious_axe_violations(admin) == []


def test_phone_inbox_buttons_are_big_enough_to_tap(live_server, demo, browser, artifacts):
    page = browser.new_context(**PHONE).new_page()
    sign_in(page, live_server, *demo["secretary"])
    page.goto(live_server + "/inbox")
    buttons = page.locator("main form button[type=submit]").all()
    assert buttons, "the unread digest offers a button"
    for button in buttons:
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (button.inner_text(), box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "inbox-phone.png"), full_page=True)
    assert serious_axe_violations(page) == []
