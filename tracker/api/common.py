"""What every API module shares: bearer-token auth, the error shape, pagination, the clock."""
from __future__ import annotations

import functools
import logging
from datetime import date, datetime

from flask import g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..clock import local_today, utcnow
from ..extensions import db
from ..services.accounts import user_for_token
from ..services.errors import DomainError

log = logging.getLogger(__name__)

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 415: "unsupported_media_type", 422: "invalid",
              500: "server_error"}


def error_json(status: int, code: str, message: str, fields: dict | None = None):
    """A response in the contract's error shape: {"error": {code, message, fields}}."""
    resp = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    resp.status_code = status
    return resp


def error_response(error: HTTPException):
    """Map an HTTP error (webargs' validation errors included) to the contract's shape."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors") or {}
    fields = _flatten(messages.get("json", messages)) if isinstance(messages, dict) else {}
    if status == 400 or (status == 422 and _is_malformed(messages)):
        return error_json(400, "bad_request", _("The request body is not valid JSON."), fields)
    if status == 422:
        return error_json(422, "invalid", _("Check the marked fields."), fields)
    if status == 500:
        log.exception("unhandled error on %s", request.path)
    message = data.get("message") or error.description or error.name
    return error_json(status, HTTP_CODES.get(status, "error"), str(message), fields)


def _is_malformed(messages) -> bool:
    # webargs reports a body it could not parse as JSON under "json": {"_schema": ["Invalid JSON body."]}
    text = str(messages)
    return "Invalid JSON body" in text


def _flatten(messages: dict, prefix: str = "") -> dict[str, str]:
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


def authenticated(view):
    """Require a valid bearer token; set g.api_user, g.now and g.today; map domain errors; commit."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        g.now = utcnow()
        g.today = local_today(g.now)
        user = user_for_token(token.strip(), g.now) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            return error_json(401, "unauthorized", _("A valid bearer token is required."))
        g.api_user = user
        try:
            result = view(*args, **kwargs)
            db.session.commit()  # the one commit, at the edge of the request
            return result
        except DomainError as exc:
            db.session.rollback()
            return error_json(exc.status, exc.code, exc.message, exc.fields)
    return wrapper


def iso(value):
    """ISO text for a date or moment (with offset), None stays None."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def page_args() -> tuple[int, int]:
    """The page and per_page query arguments, within the contract's bounds; DomainError when bad."""
    from ..services.errors import Invalid
    from flask import current_app

    fields = {}
    try:
        page = int(request.args.get("page", 1))
        if page < 1:
            raise ValueError
    except ValueError:
        fields["page"] = _("A whole number, 1 or more.")
        page = 1
    limit = current_app.config["MAX_PER_PAGE"]
    try:
        per_page = int(request.args.get("per_page", current_app.config["PER_PAGE"]))
        if not 1 <= per_page <= limit:
            raise ValueError
    except ValueError:
        fields["per_page"] = _("A whole number from 1 to %(n)s.", n=limit)
        per_page = 1
    if fields:
        raise Invalid(_("Check the marked fields."), fields)
    return page, per_page
