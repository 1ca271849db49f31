"""JSON bodies are bounded before anything parses them: nesting depth and integer size (400, never a 500).

The API's parser (webargs) reads bodies with the standard library's json.loads, which raises RecursionError
on deep nesting and a bare ValueError on integers of 4,300+ digits. One hook, before every view, checks a JSON
body once with the same parser under limits; a body that is not JSON at all is left to the views, which
already answer it with 400.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, abort, current_app, request
from flask_babel import gettext as _

INT_DIGITS = 18  # every integer a body may carry fits a signed 64-bit column (and far more than any count)
MAX_DEPTH = 20  # the API's deepest body is 2 levels; 20 leaves room and stops stack-eating documents


class TooBig(ValueError):
    """An integer with more digits than the database can store."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > current_app.config.get("JSON_MAX_INT_DIGITS", INT_DIGITS):
        raise TooBig(text[:20])
    return int(text)


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, level + 1)
            stack.extend((child, level + 1) for child in node if isinstance(child, (list, dict)))
    return deepest


def body_problem(body: bytes) -> str | None:
    """Why a JSON body is refused (too deep, an integer too large), or None (fine, or not JSON at all)."""
    if not body:
        return None
    limit = current_app.config.get("JSON_MAX_DEPTH", MAX_DEPTH)
    try:
        data = json.loads(body, parse_int=_bounded_int)
    except RecursionError:
        return _("The JSON body nests more than %(n)s levels deep.", n=limit)
    except TooBig:
        return _("A number in the JSON body has more than %(n)s digits.",
                 n=current_app.config.get("JSON_MAX_INT_DIGITS", INT_DIGITS))
    except ValueError:  # not JSON (or not UTF-8): the view's parser answers it as today
        return None
    if depth(data) > limit:
        return _("The JSON body nests more than %(n)s levels deep.", n=limit)
    return None


def _check_json_body():
    if not request.is_json:
        return None
    problem = body_problem(request.get_data(cache=True))
    if problem is None:
        return None
    if request.path.startswith("/api/"):
        from ..api.common import error_json
        return error_json(400, "bad_request", problem, {"_schema": problem})
    abort(400, description=problem)


def init_app(app: Flask) -> None:
    """Check every JSON body before the views read it."""
    app.config.setdefault("JSON_MAX_DEPTH", MAX_DEPTH)
    app.config.setdefault("JSON_MAX_INT_DIGITS", INT_DIGITS)
    app.before_request(_check_json_body)
