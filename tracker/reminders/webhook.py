"""The webhook channel: a digest POSTed as JSON to TRACKER_WEBHOOK_URL, signed with HMAC-SHA256 (stdlib only).

An SMS gateway or a Zalo OA bridge is attached by pointing the URL at it; the tracker needs no code for
it. The body is the digest as the recipient's email would say it, in their language: who (name, email,
phone), which day, the subject, one line per item (unit, stage, checklist item title, due text), the
counts and a link. Like the mail it carries no personnel or complaint content: checklist item titles,
unit names and counts only; news lines give what happened, never an item's note.

Delivery is the outbox's (outbox.py): the same claim, lease, retries with backoff, timeout and "failed"
marking as mail. A 2xx answer is "sent"; any other answer is retried later; a receiver that cannot be
reached stops the run (the rest waits untouched, as with an unreachable SMTP server).
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from .digest import Digest, base_url, context, reader_locale

SIGNATURE_HEADER = "X-Tracker-Signature"
MAX_BODY_LINES = 50  # the digest's own cap (digest.MAX_LINES) plus the news lines stays under this


@dataclass(frozen=True)
class WebhookSettings:
    """TRACKER_WEBHOOK_URL, TRACKER_WEBHOOK_SECRET and TRACKER_WEBHOOK_TIMEOUT (seconds, default 10)."""

    url: Optional[str]
    secret: str
    timeout: float

    @classmethod
    def from_config(cls, config) -> WebhookSettings:
        """Settings from a Flask config (strings from the environment accepted)."""
        url = str(config.get("WEBHOOK_URL") or "").strip() or None
        try:
            timeout = float(str(config.get("WEBHOOK_TIMEOUT") or 10).strip())
        except ValueError:
            timeout = 10.0
        return cls(url=url, secret=str(config.get("WEBHOOK_SECRET") or ""), timeout=timeout if timeout > 0 else 10.0)


def check_config(config) -> None:
    """Refuse to start with a webhook that would leak or fail: RuntimeError with a one-line reason.

    The URL must be http(s) with a host, https when TRACKER_ENV=production (names and phone numbers go
    out through it), and a URL needs its secret (the receiver's only way to trust a digest).
    """
    settings = WebhookSettings.from_config(config)
    if settings.url is None:
        return
    parts = urlsplit(settings.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError(f"TRACKER_WEBHOOK_URL must be an http(s) URL, not {settings.url!r}")
    if config.get("ENV") == "production" and parts.scheme != "https":
        raise RuntimeError("TRACKER_WEBHOOK_URL must use https when TRACKER_ENV=production "
                           "(names and phone numbers go out through it)")
    if not settings.secret.strip():
        raise RuntimeError("TRACKER_WEBHOOK_SECRET must be set when TRACKER_WEBHOOK_URL is set")


def webhook_configured() -> bool:
    """Whether the app has a webhook to send digests to (the sweep queues webhook rows only then)."""
    return WebhookSettings.from_config(current_app.config).url is not None


def sign(secret: str, body: bytes) -> str:
    """The X-Tracker-Signature value: sha256=<hex HMAC-SHA256 of the exact body bytes>."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def payload(d: Digest, phone: Optional[str]) -> dict:
    """The JSON body of one digest, in the recipient's language (content-safe, as the mail)."""
    locale = reader_locale(d.locale)
    with force_locale(locale):
        ctx = context(d, locale)
        lines = [f"{unit['code']} — {unit['name']} · {stage['label']}: {line['title']} ({line['text']})"
                 for unit in ctx["units"] for stage in unit["stages"] for line in stage["lines"]]
        if ctx["more_text"]:
            lines.append(ctx["more_text"])
        news = ctx["news"]
        if news:
            lines += [f"{n['unit']}: {n['headline']}" for n in news["lines"]]
    return {"recipient": {"email": d.email or None, "phone": phone or None, "name": d.name},
            "day": d.ref_date.isoformat(), "subject": ctx["subject"], "lines": lines[:MAX_BODY_LINES],
            "url": ctx["dashboard_url"] or f"{base_url()}/inbox",
            "counts": {"overdue": d.overdue, "due_soon": d.soon, "news": d.news_total, "not_listed": d.more},
            "locale": locale}


def encode(body: dict) -> bytes:
    """The exact bytes POSTed (and signed): compact UTF-8 JSON."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Unreachable(Exception):
    """The receiver could not be reached (refused, timed out, TLS failed): the next message would fail too."""


class Refused(Exception):
    """The receiver answered, but not with 2xx: this message is retried later."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # a redirect would turn the POST into a GET without its body: treat it as "not delivered"
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(settings: WebhookSettings, body: bytes) -> int:
    """POST one signed body; the HTTP status on 2xx, else Refused or Unreachable."""
    request = urllib.request.Request(settings.url or "", data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(settings.secret, body),
        "User-Agent": "congress-tracker-webhook/1"})
    try:
        with _OPENER.open(request, timeout=settings.timeout) as response:
            response.read(65536)  # let the receiver finish its answer before the connection closes
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        raise Refused(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise Unreachable(str(getattr(exc, "reason", None) or exc) or type(exc).__name__) from exc
