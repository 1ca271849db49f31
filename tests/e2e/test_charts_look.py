"""Tests that look: the charts of the demo district on the dashboard and the report, in real Chromium.

The images load (an <img> of the SVG URL, allowed by img-src 'self'), fit the column on a phone, stay
in the report's print view, and the screenshots the README shows are written to the `screenshots` folder
(temporary, or docs/screenshots/ with SCREENSHOTS=docs/screenshots).
"""
from __future__ import annotations

import pytest

from tests.e2e.helpers import DESKTOP, PHONE, serious_axe_violations, sign_in

pytestmark = pytest.mark.slow

LOADED = "img => img.complete && img.naturalWidth > 0"


def _charts_loaded(page, n: int, where: str = "section.charts") -> None:
    from playwright.sync_api import expect

    page.locator(where).scroll_into_view_if_needed()  # the dashboard's images are lazy
    images = page.locator(f"{where} img.chart-img")
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        expect(images.nth(i)).to_have_js_property("complete", True)
    assert images.count() == n
    for i in range(n):
        img = images.nth(i)
        assert img.evaluate(LOADED), f"chart {i} did not load: {img.get_attribute('src')}"
        assert img.get_attribute("alt")
    captions = page.locator(f"{where} figcaption")
    assert captions.count() == n and all(any(ch.isdigit() for ch in t) for t in captions.all_inner_texts())


def test_dashboard_charts_on_a_desktop_and_a_phone(live_server, demo, browser, screenshots):
    page = browser.new_context(**DESKTOP).new_page()
    sign_in(page, live_server, *demo["admin"])
    _charts_loaded(page, 2)
    assert "đã tổ chức đại hội" in page.locator(".charts figcaption").first.inner_text()
    page.locator("section.charts").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "charts-dashboard-desktop.png"))
    assert serious_axe_violations(page) == []

    # a phone: the unit list first, the charts folded under the totals; opened, each drawn for the phone's width
    phone = browser.new_context(**PHONE).new_page()
    sign_in(phone, live_server, *demo["admin"])
    assert not phone.locator("section.charts").is_visible()
    folded = phone.locator("details.charts-folded")
    assert folded.is_visible() and not folded.locator("img").first.is_visible()
    folded.locator("summary").click()
    _charts_loaded(phone, 2, "details.charts-folded")
    assert all("size=small" in src for src in phone.locator("details.charts-folded img").evaluate_all(
        "imgs => imgs.map(i => i.currentSrc)"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    box = phone.locator("details.charts-folded img").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    folded.scroll_into_view_if_needed()
    phone.screenshot(path=str(screenshots / "charts-dashboard-phone.png"))


def test_report_charts_on_screen_and_in_print(live_server, demo, browser, screenshots):
    page = browser.new_context(**DESKTOP).new_page()
    sign_in(page, live_server, *demo["viewer"])
    page.goto(live_server + "/reports")
    _charts_loaded(page, 3)
    page.locator("section.charts").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "charts-report-desktop.png"))
    assert serious_axe_violations(page) == []
    # the print view keeps the charts, each within an A4 page's width
    page.emulate_media(media="print")
    images = page.locator("section.charts img.chart-img")
    for i in range(3):
        assert images.nth(i).is_visible()
    page.locator("section.charts").screenshot(path=str(screenshots / "charts-report-print.png"))
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
