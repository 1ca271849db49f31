"""Security headers (issue 11, findings 4 and 5): on pages, the API, errors and the sign-in page; HSTS and
Secure cookies only in production; no-store on what a signed-in user gets, never on static files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import API
from tracker import create_app
from tracker.headers import CSP


def _secure_headers(resp):
    assert resp.headers["Content-Security-Policy"] == CSP
    for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                 "form-action 'self'", "base-uri 'none'", "object-src 'none'"):
        assert part in resp.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_headers_on_the_sign_in_page_a_page_the_api_and_errors(app, world, login, token_for):
    anonymous = app.test_client()
    _secure_headers(anonymous.get("/login"))
    _secure_headers(anonymous.get("/units/U1"))  # the redirect to /login
    _secure_headers(anonymous.get(API + "/units"))  # 401
    client = login(world["admin"])
    _secure_headers(client.get("/"))
    _secure_headers(client.get("/units/NOPE"))  # 404 page
    _secure_headers(client.post("/units/U1/stages/documents/verify"))  # 400: no CSRF token
    headers = token_for(world["admin"])
    _secure_headers(anonymous.get(API + "/units", headers=headers))
    _secure_headers(anonymous.get(API + "/units/NOPE", headers=headers))
    _secure_headers(anonymous.get("/static/app.css"))


def test_no_hsts_and_no_secure_cookie_outside_production(app):
    resp = app.test_client().get("/login")
    assert "Strict-Transport-Security" not in resp.headers
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.fixture
def production_app(app):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    config.update(ENV="production", SECRET_KEY="a-production-secret", SESSION_COOKIE_SECURE=None,
                  REMEMBER_COOKIE_SECURE=None)
    prod = create_app(type("Production", (), config))
    prod.test_client_class = app.test_client_class
    return prod


def test_hsts_and_secure_cookies_in_production(production_app):
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    resp = production_app.test_client().get("/login", base_url="https://tracker.example.vn")
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
    _secure_headers(resp)
    cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_operator_may_still_turn_the_secure_cookie_off_in_production(app):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    config.update(ENV="production", SECRET_KEY="s", SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=None)
    prod = create_app(type("Production", (), config))
    assert prod.config["SESSION_COOKIE_SECURE"] is False and prod.config["REMEMBER_COOKIE_SECURE"] is True


def test_no_store_for_signed_in_pages_and_api_not_for_static_or_anonymous(app, world, login, token_for):
    client = login(world["secretary"])
    for path in ("/", "/units/U1", "/units/U2"):  # U2: a 403 page, still signed in
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    api = app.test_client().get(API + "/units", headers=token_for(world["viewer"]))
    assert api.status_code == 200 and api.headers["Cache-Control"] == "no-store"
    for path in ("/static/app.css", "/static/app.js", "/bootstrap/static/css/bootstrap.min.css"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert "no-store" not in resp.headers.get("Cache-Control", ""), path
    assert "no-store" not in app.test_client().get("/login").headers.get("Cache-Control", "")


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_handlers_or_styles():
    """The CSP blocks inline handlers and styles: a template that still has one silently stops working
    (the campaign switcher's onchange came back in a merge). E-mails are not served under the CSP."""
    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        if "email" in path.relative_to(root).parts:
            continue
        text = path.read_text(encoding="utf-8")
        if INLINE_HANDLER.search(text) or INLINE_STYLE.search(text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_the_campaign_switcher_submits_through_app_js(app, world, campaign, login):
    from tracker.campaigns.service import copy_campaign
    from tracker.extensions import db

    copy_campaign(campaign, "Nhiệm kỳ mới", "2035–2040")
    db.session.commit()
    html = login(world["admin"]).get("/").get_data(as_text=True)
    assert 'id="campaign-switch"' in html and "data-autosubmit" in html and "onchange" not in html
    script = (Path(__file__).resolve().parents[2] / "tracker" / "static" / "app.js").read_text(encoding="utf-8")
    assert "[data-autosubmit]" in script
