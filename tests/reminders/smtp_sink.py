"""A real SMTP server on loopback (aiosmtpd) for the reminder tests."""
from __future__ import annotations

import collections
import email
import email.policy

from aiosmtpd.controller import Controller

from tests.conftest import free_port


class Sink:
    """A real SMTP server (aiosmtpd) in a thread, recording every message it accepts."""

    def __init__(self, port=None, hostname="127.0.0.1", **smtp_kwargs):
        self.port, self.hostname, self.kwargs = port or free_port(), hostname, smtp_kwargs
        self.messages: list[dict] = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"to": list(envelope.rcpt_tos), "data": envelope.content})
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname=self.hostname, port=self.port, **self.kwargs)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def recipients(self):
        return collections.Counter(r for m in self.messages for r in m["to"])

    def parsed(self, to):
        raw = next(m["data"] for m in self.messages if to in m["to"])
        return email.message_from_bytes(raw, policy=email.policy.default)
