"""What the browser tests share: Debian's Chromium and its arguments, the two screen sizes, signing in
through the real form, colours as computed, axe-core's findings. Their fixtures are in conftest.py."""
from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def browser_or_skip():
    """Playwright's sync API, once Chromium is known to be there (skipped without it, except in CI)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: install Debian's chromium")
        pytest.skip("no Chromium installed (apt-get install chromium)")
    return sync_api


def sign_in(page, base, email, password=PASSWORD):
    """Sign in through the login form (the demo's users: `sign_in(page, base, *demo["admin"])`)."""
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state()


def rgb(css: str) -> tuple[int, int, int]:
    """(r, g, b) of a computed colour such as "rgb(176, 42, 55)"."""
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return r, g, b


def serious_axe_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]

