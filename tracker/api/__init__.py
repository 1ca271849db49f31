"""The JSON API under /api/v1: flask-smorest blueprints, bearer tokens, the contract's error shape."""
from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..extensions import csrf
from .common import error_response
from .schemas import ApiError


class TrackerApi(Api):
    """flask-smorest's Api whose error handler answers JSON only under /api/ (pages keep their HTML)."""

    ERROR_SCHEMA = ApiError  # the contract's {"error": {code, message, fields}}, also in the OpenAPI document

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, _http_error)


def _http_error(error: HTTPException):
    if not request.path.startswith("/api/"):
        return error
    return error_response(error)


api = TrackerApi(spec_kwargs={"components": {"securitySchemes": {
    "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]})

# Each area keeps its endpoints in its own module; all share the /api/v1 prefix (feature packages,
# tracker/reports and tracker/reminders, register theirs on `api` from the app factory).
API_MODULES = ("units", "me")


def register_api(app: Flask) -> None:
    """Attach the API blueprints (CSRF-exempt: they authenticate with bearer tokens, not cookies)."""
    import importlib

    api.init_app(app)
    for name in API_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix="/api/v1")
