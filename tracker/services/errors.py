"""Domain errors raised by services and mapped to HTTP (and to flash messages) by the views."""
from __future__ import annotations

from typing import Optional


class DomainError(Exception):
    """A refused use case: a status, a machine code, a message for people and per-field messages."""

    status = 422
    code = "rule_broken"

    def __init__(self, message: str, fields: Optional[dict[str, str]] = None, code: Optional[str] = None):
        super().__init__(message)
        self.message = str(message)
        self.fields = {k: str(v) for k, v in (fields or {}).items()}
        if code:
            self.code = code


class Invalid(DomainError):
    """Input that breaks a rule: which fields and why."""

    status, code = 422, "invalid"


class Forbidden(DomainError):
    """The user may not do this."""

    status, code = 403, "forbidden"


class NotFound(DomainError):
    """No such thing (or not one this user may see)."""

    status, code = 404, "not_found"


class Conflict(DomainError):
    """A stale version or a duplicate code."""

    status, code = 409, "conflict"


class GateRefused(DomainError):
    """A tick refused by a gate."""

    status, code = 422, "gate_closed"
