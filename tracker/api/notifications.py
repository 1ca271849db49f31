"""API: the caller's in-app notifications (the daily reminder digests) and marking them read."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..services.errors import Invalid, NotFound
from ..services.notifications import mark_read, notifications_page
from .common import authenticated, iso, page_args

blp = Blueprint("api_notifications", __name__, description="The caller's in-app notifications")


class NotificationOut(Schema):
    """One daily digest in the caller's inbox."""

    id = fields.Int()
    ref_date = fields.Date(metadata={"description": "the local day the digest is for"})
    subject = fields.Str()
    body = fields.Str(metadata={"description": "the digest as plain text"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read = fields.Bool()


class NotificationPage(Schema):
    """A page of notifications, newest first."""

    items = fields.List(fields.Nested(NotificationOut))
    total = fields.Int()
    unread = fields.Int()


def notification_json(n) -> dict:
    """The API form of a notification."""
    return {"id": n.id, "ref_date": iso(n.ref_date), "subject": n.subject, "body": n.body,
            "created_at": iso(n.created_at), "read_at": iso(n.read_at), "read": n.read_at is not None}


@blp.route("/notifications", methods=["GET"])
@blp.doc(responses={200: {"description": "`{items, total, unread}`"}})
@authenticated
def list_notifications():
    """The caller's notifications, newest first, paginated (`page`, `per_page`); `unread=true` filters."""
    page, per_page = page_args()
    unread = request.args.get("unread", "").lower()
    if unread not in ("", "true", "false"):
        raise Invalid(_("Check the marked fields."), {"unread": _("true or false.")})
    rows, total, unread_count = notifications_page(g.api_user, page, per_page, unread_only=unread == "true")
    return {"items": [notification_json(n) for n in rows], "total": total, "unread": unread_count}


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@authenticated
def read_notification(notification_id: int):
    """Mark one of the caller's notifications read; another user's answers 404."""
    n = mark_read(g.api_user, notification_id, g.now)
    if n is None:
        raise NotFound(_("No such notification."))
    return notification_json(n)
