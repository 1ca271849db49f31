"""Security headers on every response, and the production defaults of the cookies (issue 11)."""
from __future__ import annotations

from flask import Flask, g, request, session

# No inline script or style anywhere: templates keep their behaviour in static/app.js and their looks
# in static/*.css; Bootstrap's SVG icons are data: images.
CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'self'",
    "base-uri 'none'", "object-src 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it: no clickjacking of the forms
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # unit codes and filters stay inside the app
}


def init_app(app: Flask) -> None:
    """Secure cookies by default in production (a setting may still say otherwise); the header hook."""
    production = app.config.get("ENV") == "production"
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(name) is None:  # None in config.py: follow TRACKER_ENV
            app.config[name] = production
    hsts = f"max-age={int(app.config.get('HSTS_MAX_AGE', 31536000))}" if production else None

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers["Strict-Transport-Security"] = hsts
        if not _static() and _signed_in():
            # a signed-in answer (page or API) must not stay in a shared or back-button cache
            response.headers["Cache-Control"] = "no-store"
        return response


def _signed_in() -> bool:
    # the API's bearer user, or a session cookie that names a user (no database query either way)
    return g.get("api_user") is not None or "_user_id" in session


def _static() -> bool:
    # the app's static files and Bootstrap-Flask's (endpoint "bootstrap.static") may be cached
    return (request.endpoint or "").rpartition(".")[2] == "static"
