"""The Content-Security-Policy in real Chromium: the main pages, as an admin and as a secretary, raise no
CSP violation (no inline script, handler or style left) and still work (a tick, a confirm dialog)."""
from __future__ import annotations

import pytest

from tests import factories
from tests.e2e.helpers import sign_in
from tracker.extensions import db

pytestmark = pytest.mark.slow
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber));
"""
ADMIN_PAGES = ["/", "/?overdue=1", "/units/U1", "/units/U1/journal", "/units/U1/results", "/reports",
               "/reports/settings", "/admin", "/admin/campaign", "/admin/templates", "/admin/units",
               "/admin/units/U1/edit", "/admin/units/assign", "/admin/groups", "/admin/groups/G1", "/admin/users",
               "/admin/users/{viewer}", "/admin/users/{viewer}/tokens", "/admin/users/{viewer}/profile",
               "/admin/users/select", "/admin/users/new", "/admin/calendar", "/admin/import", "/inbox",
               "/inbox/delivery", "/inbox/settings", "/blockers", "/help", "/account/password"]
SECRETARY_PAGES = ["/units/U1", "/units/U1/journal", "/units/U1/results", "/inbox", "/help", "/account/password"]
ANONYMOUS_PAGES = ["/login", "/password/forgot"]


def _visit(page, base, paths, who, errors, shots=None):
    for path in paths:
        resp = page.goto(base + path)
        page.wait_for_load_state("load")
        assert "script-src 'self'" in resp.headers.get("content-security-policy", ""), path
        found = page.evaluate("window.__csp")
        if found:
            errors.append(f"{who} {path}: {found}")
        if shots is not None:
            name = (path.strip("/").replace("/", "_").replace("?", "_") or "home")
            page.screenshot(path=str(shots / f"{who}-{page.viewport_size['width']}-{name}.png"), full_page=True)


def test_no_csp_violation_on_the_main_pages(live_server, chromium, artifacts):
    world = factories.build_world()
    viewer = world["viewer"].id
    db.session.remove()
    errors: list[str] = []
    console: list[str] = []
    for width in (1366, 390):
        for who, paths in (("admin", ADMIN_PAGES), ("secretary", SECRETARY_PAGES), ("anonymous", [])):
            context = chromium.new_context(viewport={"width": width, "height": 900})
            context.add_init_script(WATCH)
            page = context.new_page()
            page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text
                    else None)
            _visit(page, live_server, ANONYMOUS_PAGES, who, errors,
                   shots=artifacts if who == "anonymous" else None)
            if who != "anonymous":
                sign_in(page, live_server, f"{who}@example.org")
                _visit(page, live_server, [x.format(viewer=viewer) for x in paths], who, errors,
                       shots=artifacts)
            context.close()
    # behaviour moved out of inline handlers still works: the confirm dialog, the tick-all box
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live_server, "admin@example.org")
    page.goto(live_server + "/admin/users/select")
    page.check("input[data-tick-all=ids]")
    boxes = page.locator("input[name=ids]")
    assert boxes.count() > 0 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.uncheck("input[data-tick-all=ids]")
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.goto(live_server + f"/admin/users/{viewer}")
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()
    page.on("dialog", dismiss)
    page.click("form[data-confirm] button[type=submit]")
    # a dismissed confirm: the page stays, nothing is posted
    assert dialogs and page.url.endswith(f"/admin/users/{viewer}")
    assert "text-bg-success" in page.content()  # still active
    context.close()
    assert not errors, errors
    assert not console, console
