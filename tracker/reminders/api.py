"""API: the caller's in-app notifications (the daily reminder digests) and marking them read."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_babel import gettext as _
from marshmallow import Schema, fields

from ..api import schemas as s
from ..api.common import Blueprint, authenticated, documented_errors
from ..services.errors import NotFound
from .digest import render_many
from .inbox import digests_of, mark_read, notifications_page

blp = Blueprint("api_notifications", __name__, description="The caller's in-app notifications")


class NotificationOut(Schema):
    """One daily digest in the caller's inbox."""

    id = fields.Int()
    ref_date = fields.Date(metadata={"description": "the local day the digest is for"})
    subject = fields.Str()
    body = fields.Str(metadata={"description": "the digest as plain text"})
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)
    read = fields.Bool()


class NotificationPage(Schema):
    """A page of notifications, newest first."""

    items = fields.List(fields.Nested(NotificationOut))
    total = fields.Int()
    unread = fields.Int()


def notification_json(n, subject: str, body: str) -> dict:
    """The API form of a notification."""
    return {"id": n.id, "ref_date": n.ref_date, "subject": subject, "body": body,
            "created_at": n.created_at, "read_at": n.read_at, "read": n.read_at is not None}


def _rendered(rows) -> list[dict]:
    """The notifications with their words, rendered from the ledger in the recipient's language."""
    digests = digests_of(rows)
    words = render_many(digests.values())
    return [notification_json(n, *words[(n.user_id, n.ref_date)][:2]) for n in rows]


class NotificationQuery(s.PageQuery):
    """Filters of GET /notifications."""

    unread = s.QueryBool(load_default=False, metadata={"description": "true: only the unread ones"})


@blp.route("/notifications")
class Notifications(MethodView):
    @authenticated
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, NotificationPage)
    @documented_errors(blp, 401, 422)
    def get(self, args):
        """The caller's notifications, newest first, paginated (`page`, `per_page`); `unread=true` filters."""
        rows, total, unread_count = notifications_page(g.api_user, args["page"], args["per_page"],
                                                       unread_only=args["unread"])
        return {"items": _rendered(rows), "total": total, "unread": unread_count}


@blp.route("/notifications/<int:notification_id>/read", parameters=[s.path_param("notification_id", "id")])
class NotificationRead(MethodView):
    @authenticated
    @blp.response(200, NotificationOut)
    @documented_errors(blp, 401, 404)
    def post(self, notification_id: int):
        """Mark one of the caller's notifications read; another user's answers 404."""
        n = mark_read(g.api_user, notification_id, g.now)
        if n is None:
            raise NotFound(_("No such notification."))
        return _rendered([n])[0]
