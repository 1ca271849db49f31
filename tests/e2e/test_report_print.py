"""The report and the dashboard on paper: Chromium's own print (page.pdf) of the demo district.

The report prints landscape (its wide tables would lose their right columns on portrait A4) with the
header row on every page; the dashboard prints on one page. The PDFs and, where poppler's pdftoppm
is installed, PNGs of their pages are written to the `artifacts` folder (temporary unless ARTIFACTS is set)
to be looked at.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.e2e.helpers import serious_axe_violations, sign_in

pytestmark = pytest.mark.slow

A4_LANDSCAPE_PX = 297 / 25.4 * 96   # CSS pixels across a landscape A4 sheet
A4_PORTRAIT_PX = 210 / 25.4 * 96


def _pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def _pngs(pdf_path) -> None:
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf_path), str(pdf_path.with_suffix(""))], check=True,
                       timeout=120)


def _right_edges(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().right)")


def test_the_report_prints_landscape_with_every_column(live_server, demo, browser, artifacts):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, *demo["viewer"])
    page.goto(live_server + "/reports")
    page.emulate_media(media="print")
    # laid out as on a landscape A4 sheet less its margins: no table reaches past the right edge
    page.set_viewport_size({"width": int(A4_LANDSCAPE_PX - 2 * 10 / 25.4 * 96), "height": 900})
    width = page.evaluate("document.documentElement.clientWidth")
    assert max(_right_edges(page, ".report-table")) <= width + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert page.eval_on_selector(".report-table thead", "e => getComputedStyle(e).display") == "table-header-group"
    assert not page.locator(".no-print").first.is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    path = artifacts / "report-print.pdf"
    path.write_bytes(pdf)
    _pngs(path)
    assert _pages(pdf) >= 2
    # the page size the stylesheet asks for: landscape (wider than tall)
    box = page.evaluate("""() => { for (const s of document.styleSheets) { try { for (const r of s.cssRules)
        if (r.type === CSSRule.PAGE_RULE && !r.selectorText) return r.style.size; } catch (e) {} } return ''; }""")
    assert "landscape" in box
    context.close()


def test_the_dashboard_prints_on_one_page(live_server, demo, browser, artifacts):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, *demo["admin"])
    page.goto(live_server + "/?scope=all")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    path = artifacts / "dashboard-print.pdf"
    path.write_bytes(pdf)
    _pngs(path)
    assert _pages(pdf) == 1
    context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_the_document_buttons_and_settings_on_a_phone_and_a_desktop(live_server, demo, browser, width, artifacts):
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server, *demo["admin"])
    page.goto(live_server + "/reports")
    button = page.get_by_role("link", name="Báo cáo Word (.docx)")
    assert button.is_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.locator("#progress-on").is_visible()
    page.screenshot(path=str(artifacts / f"report-buttons-{width}.png"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Báo cáo tiến độ (.docx)").click()
    assert download.value.suggested_filename.startswith("bao-cao-tien-do-")
    page.goto(live_server + "/reports/settings#document")
    assert page.locator("#doc-signing_authority").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#document").screenshot(path=str(artifacts / f"report-document-settings-{width}.png"))
    assert serious_axe_violations(page) == []
    context.close()
