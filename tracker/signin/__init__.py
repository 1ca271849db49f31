"""Sign-in and sessions (issue 11): throttling counted in the database, the sign-in log admins read,
sessions that end (generation, idle timeout, lifetime), and the client address behind trusted proxies."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask


def init_app(app: Flask) -> None:
    """Trusted proxies, session and CSRF lifetimes from the settings; the log page and set-password command."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # only then does X-Forwarded-For/-Proto count, and only the hops the operator's proxies added
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # the signed cookie itself stops validating after the absolute lifetime (Flask checks its age)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(app.config["SESSION_MAX_HOURS"]))
    if app.config.get("WTF_CSRF_TIME_LIMIT") is None:
        # a form's token lives as long as an idle session may: a page left open is still usable, never forever
        app.config["WTF_CSRF_TIME_LIMIT"] = int(float(app.config["SESSION_IDLE_MINUTES"]) * 60)

    from .. import hooks
    from .commands import register as register_commands
    from .events import log_ended
    from .views import bp
    hooks.sessions_ended.connect(log_ended)  # the core ends sessions; the log says so
    app.register_blueprint(bp)
    register_commands(app)
