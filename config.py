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
    WEBHOOK_URL = None  # the webhook channel (reminders/webhook.py): digests POSTed there as signed JSON
    WEBHOOK_SECRET = None  # required with WEBHOOK_URL: the HMAC-SHA256 key of X-Tracker-Signature
    WEBHOOK_TIMEOUT = 10  # seconds a receiver may take to answer one POST
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None  # None: as long as SESSION_IDLE_MINUTES (set at start by tracker.signin)
    LOGIN_MAX_PER_ACCOUNT = 10  # failed sign-ins per (account, client address) within the window
    LOGIN_MAX_PER_ADDRESS = 50  # failed sign-ins per client address within the window
    LOGIN_WINDOW_MINUTES = 15
    SIGNIN_LOG_DAYS = 90  # the sign-in log keeps this many days
    SESSION_IDLE_MINUTES = 120  # a session unused this long ends
    SESSION_MAX_HOURS = 12  # a session ends this long after sign-in, used or not
    TRUSTED_PROXIES = 0  # reverse proxies in front (nginx: 1); only then is X-Forwarded-For believed
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
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # bytes: an import file of a province fits; larger → 413
    JSON_MAX_DEPTH = 20  # deeper JSON bodies → 400 (tracker/ops/json_bounds.py)
    JSON_MAX_INT_DIGITS = 18  # longer JSON integers → 400
    RETRY_AFTER = 30  # seconds, sent with the 503 answered while the database is unreachable
    TRUST_REQUEST_ID = False  # honour X-Request-Id from a trusted reverse proxy (else one is generated)
    PG_DUMP = None  # path of pg_dump for `flask backup` (default: found on PATH)
    PER_PAGE = 100
    MAX_PER_PAGE = 1000


class TestConfig(Config):
    """Settings for the test suite: CSRF stays on; the database comes from TEST_DATABASE_URL."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SCHEDULER = "off"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
