"""What every API module shares: bearer-token auth, the error shape, pagination, the clock."""
from __future__ import annotations

import functools
import logging
from contextlib import nullcontext
from datetime import date, datetime

from flask import current_app, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from .. import paging
from ..clock import local_today, utcnow
from ..extensions import db
from ..permissions import require_admin
from ..services.errors import DomainError
from ..tokens import service as tokens

log = logging.getLogger(__name__)

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
              422: "invalid", 500: "server_error"}


def _status_message(status: int) -> str:
    # werkzeug's descriptions are English only; these are the ones an API client meets
    messages = {
        401: _("A valid bearer token is required."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current data; reload and try again."),
        413: _("The request is too large."),
        415: _("Send the body as application/json."),
        500: _("Something went wrong on the server; nothing was changed."),
    }
    return messages.get(status, "")


def error_json(status: int, code: str, message: str, fields: dict | None = None):
    """A response in the contract's error shape: {"error": {code, message, fields}}."""
    resp = jsonify({"error": {"code": code, "message": str(message),
                              "fields": {str(k): str(v) for k, v in (fields or {}).items()}}})
    resp.status_code = status
    return resp


def error_response(error: HTTPException):
    """Map an HTTP error (webargs' validation errors included) to the contract's shape."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors") or {}
    fields = _flatten(_unwrap_location(messages)) if isinstance(messages, dict) else {}
    if status == 400 or (status == 422 and _is_malformed(messages)):
        return error_json(400, "bad_request", _("The request body is not valid JSON."), fields)
    if status == 422:
        return error_json(422, "invalid", _("Check the marked fields."), fields)
    if status == 500:
        log.error("unhandled error on %s", request.path, exc_info=getattr(error, "original_exception", None))
    message = _status_message(status) or data.get("message") or error.description or error.name
    return error_json(status, HTTP_CODES.get(status, "error"), str(message), fields)


def _unwrap_location(messages: dict) -> dict:
    # webargs keys messages by location ({"json": {...}}, {"query": {...}}); the client wants field names
    if messages and set(messages) <= {"json", "query", "querystring", "view_args", "path", "form", "headers"}:
        out: dict = {}
        for value in messages.values():
            if isinstance(value, dict):
                out.update(value)
            else:
                out["_schema"] = value
        return out
    return messages


def _is_malformed(messages) -> bool:
    # webargs reports a body it could not parse as JSON under "json": ["Invalid JSON body."]
    return "Invalid JSON body" in str(messages)


def _flatten(messages: dict, prefix: str = "") -> dict[str, str]:
    if not isinstance(messages, dict):  # webargs gives {"json": ["Invalid JSON body."]} for a bad body
        return {prefix.rstrip(".") or "_schema": " ".join(str(m) for m in messages or [])}
    out: dict[str, str] = {}
    for key, value in (messages or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, (list, tuple)):
            out[name] = " ".join(str(v) for v in value)
        else:
            out[name] = str(value)
    return out


def bearer_user():
    """The active user of the request's bearer token, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    found = tokens.find_token(token, g.now)  # revoked, expired or a deactivated user's: None
    if found is None:
        return None
    if tokens.touch(found, g.now):  # at most once a minute
        db.session.commit()  # at once: the token's row must not stay locked while the request runs
    return found.user


def authenticated(view):
    """Require a valid bearer token; set g.api_user, g.now and g.today; map errors; commit once.

    Put it outermost (just under the route) so that a missing token answers 401 before the body is read.
    """
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.now = utcnow()
        g.today = local_today(g.now)
        user = bearer_user()
        if user is None:
            return error_json(401, "unauthorized", _("A valid bearer token is required."))
        g.api_user = user
        locale = user.locale if user.locale in current_app.config.get("LANGUAGES", ("vi", "en")) else None
        with force_locale(locale) if locale else nullcontext():
            try:
                result = view(*args, **kwargs)
                db.session.commit()  # the one commit, at the edge of the request
                return result
            except DomainError as exc:
                db.session.rollback()
                return error_json(exc.status, exc.code, exc.message, exc.fields)
            except HTTPException as exc:  # webargs' 400/422, in the user's language
                db.session.rollback()
                return error_response(exc)
            except IntegrityError:
                # two requests raced past the same check (e.g. one code created twice): the loser gets 409
                db.session.rollback()
                log.info("integrity conflict on %s", request.path)
                return error_json(409, "conflict", _status_message(409))
    return wrapper


def admin_only(message=None):
    """Refuse with 403 unless g.api_user is an admin (permissions.require_admin); put it under
    `authenticated`, above the arguments, so a refused caller learns nothing from validation errors."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            require_admin(g.api_user, message() if callable(message) else message)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def iso(value):
    """ISO text for a date or moment (with offset), None stays None."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def page_args() -> tuple[int, int]:
    """The request's page and per_page, within the contract's bounds; Invalid when bad."""
    return paging.page_args(request.args, current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"])
