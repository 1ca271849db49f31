"""Configuration classes; every setting can be overridden from the environment (prefix TRACKER_)."""
import os


class Config:
    """Defaults for a single-machine install on SQLite."""

    ENV = "development"
    SECRET_KEY = None  # from SECRET_KEY, or a random key kept in the instance folder
    SQLALCHEMY_DATABASE_URI = None  # from DATABASE_URL, or a SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TIMEZONE = "Asia/Ho_Chi_Minh"
    SCHEDULER = "on"
    REMINDER_HOUR = 7
    SCHEDULER_INTERVAL = 5  # minutes between two reminder sweeps
    BASE_URL = "http://localhost:5000"  # start of the links in reminder emails
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "tracker@localhost"
    MAIL_TIMEOUT = 15
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: Secure when TRACKER_ENV=production (tracker/headers.py); TRACKER_SESSION_COOKIE_SECURE overrides
    SESSION_COOKIE_SECURE = None
    REMEMBER_COOKIE_SECURE = None
    REMEMBER_COOKIE_SAMESITE = "Lax"
    HSTS_MAX_AGE = 31536000  # seconds; sent only when TRACKER_ENV=production
    API_TITLE = "Congress preparation tracker API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # forms and JSON bodies are small; refuse floods early
    PER_PAGE = 100
    MAX_PER_PAGE = 1000


class TestConfig(Config):
    """Settings for the test suite: CSRF stays on; the database comes from TEST_DATABASE_URL."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SCHEDULER = "off"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
