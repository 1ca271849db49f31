"""The congress preparation tracker: create_app builds the Flask app."""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, request, session
from flask_login import current_user

from .extensions import babel, bootstrap, csrf, db, login_manager, migrate

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | str = "config.Config") -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI, error handlers (never the scheduler)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_relative_config=True)
    app.config.from_object(config)
    app.config.from_prefixed_env("TRACKER")
    _database_and_secret(app)
    from .reminders.webhook import check_config
    check_config(app.config)  # a webhook that would leak (http in production) or has no secret: refuse to start

    from .i18n_catalogs import compile_catalogs, translation_directories
    compile_catalogs()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    from .headers import init_app as init_headers
    init_headers(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"])

    from . import models  # noqa: F401  (registers the tables)
    from .ops import init_app as init_ops
    init_ops(app)  # first: its `int` converter must be in place before any route is added
    from .api import register_api
    from .cli import register_cli
    from .reminders import init_app as init_reminders
    from .reports import register as register_reports
    from .web import register_web
    from .web.globals import register_globals

    register_web(app)
    from .imports.views import register as register_imports
    register_imports(app)
    from .calendar import register as register_calendar
    register_calendar(app)
    from .subcells import init_app as init_subcells
    init_subcells(app)
    from .tokens.views import register as register_tokens
    register_tokens(app)
    register_api(app)
    register_reports(app)
    from .campaigns import register as register_campaigns
    register_campaigns(app)
    from .edits import register as register_edits
    register_edits(app)
    from .charts import register as register_charts
    register_charts(app)
    register_cli(app)
    register_globals(app)
    init_reminders(app)
    from .signin import init_app as init_signin
    init_signin(app)
    return app


def select_locale() -> str:
    """The signed-in user's language, else the session's choice, else the default (Vietnamese)."""
    langs = ("vi", "en")
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in langs:
        return current_user.locale
    if request and session.get("locale") in langs:
        return session["locale"]
    from flask import current_app
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _database_and_secret(app: Flask) -> None:
    """DATABASE_URL and SECRET_KEY, the two unprefixed names hosts set; safe defaults for one machine."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgres://"):  # some hosts still hand out the old scheme
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    elif not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'tracker.db'}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # several processes (web, scheduler, CLI) share the file: wait for locks instead of failing
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    key = os.environ.get("SECRET_KEY") or app.config.get("SECRET_KEY")
    if not key:
        if app.config.get("ENV") == "production":
            raise RuntimeError("SECRET_KEY must be set when TRACKER_ENV=production")
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        key = key_file.read_text().strip()
    app.config["SECRET_KEY"] = key
