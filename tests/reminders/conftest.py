"""Fixtures of the reminder tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def mail(app):
    """mail(port, **settings) points the app at an SMTP server; the settings are restored afterwards."""
    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_TIMEOUT", "MAIL_DEFAULT_SENDER")
    saved = {k: app.config.get(k) for k in keys}

    def configure(port, server="127.0.0.1", **extra):
        app.config.update(MAIL_SERVER=server, MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
                          MAIL_TIMEOUT=5, MAIL_DEFAULT_SENDER="tracker@district.test")
        app.config.update(extra)
    yield configure
    app.config.update(saved)
