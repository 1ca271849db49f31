"""API: the caller's in-app notifications (the daily reminder digests) and marking them read."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..api.common import authenticated, iso, page_args
from ..services.errors import Invalid, NotFound
from .digest import render_many
from .inbox import digests_of, mark_read, notifications_page

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


def notification_json(n, subject: str, body: str) -> dict:
    """The API form of a notification."""
    return {"id": n.id, "ref_date": iso(n.ref_date), "subject": subject, "body": body,
            "created_at": iso(n.created_at), "read_at": iso(n.read_at), "read": n.read_at is not None}


def _rendered(rows) -> list[dict]:
    """The notifications with their words, rendered from the ledger in the recipient's language."""
    digests = digests_of(rows)
    words = render_many(digests.values())
    return [notification_json(n, *words[(n.user_id, n.ref_date)][:2]) for n in rows]


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
    return {"items": _rendered(rows), "total": total, "unread": unread_count}


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@authenticated
def read_notification(notification_id: int):
    """Mark one of the caller's notifications read; another user's answers 404."""
    n = mark_read(g.api_user, notification_id, g.now)
    if n is None:
        raise NotFound(_("No such notification."))
    return _rendered([n])[0]
