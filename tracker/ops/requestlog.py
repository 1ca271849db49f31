"""One JSON line per request on the logger `tracker.requests`: request id, method, path (never the query
string, and secret path segments masked), status, duration, user id, client address. The id is also sent
back as `X-Request-Id`."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, current_app, g, request

log = logging.getLogger("tracker.requests")
# an id a trusted proxy (nginx's $request_id) may hand in: short and harmless in a log line
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# route arguments that are secrets (a password-reset link's token, a feed's key): logged as "…"
SECRET_ARGS = frozenset({"token", "secret", "key"})


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-Id", "")
    trusted = current_app.config.get("TRUST_REQUEST_ID") and _CLIENT_ID.fullmatch(incoming)
    g.request_id = incoming if trusted else uuid.uuid4().hex


def logged_path() -> str:
    """The request's path as logged: no query string, and route arguments named like secrets replaced by '…'."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_ARGS and value:
            path = path.replace(str(value), "…")
    return path


def _user_id():
    # only a user already loaded for this request: the log must not query the database itself
    for user in (g.get("api_user"), g.get("_login_user")):
        if user is not None and getattr(user, "is_authenticated", False):
            return getattr(user, "id", None)
    return None


def _finish(response):
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-Id"] = request_id
    if (request.endpoint or "").rpartition(".")[2] == "static":  # /static/ and Bootstrap-Flask's files
        return response
    started = g.get("request_started")
    log.info(json.dumps({
        "request_id": request_id, "method": request.method, "path": logged_path(),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": _user_id(), "remote_addr": request.remote_addr,
    }, ensure_ascii=False))
    return response


def init_app(app: Flask) -> None:
    """Time every request and log it at INFO on `tracker.requests`."""
    app.config.setdefault("TRUST_REQUEST_ID", False)
    # first of all before_request hooks, so a request refused early (CSRF, sign-in) is timed and has its id
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    # nobody configured logging (gunicorn, flask run): the lines go to standard error by themselves; where the
    # root logger has handlers (an operator's logging config, the test runner) they go there instead
    if not app.testing and not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
