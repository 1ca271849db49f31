"""A person's digest channels: choosing them (the person or an admin) and what they amount to (flush only)."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Optional

from flask_babel import gettext as _

from ..models import User
from ..permissions import can_set_channels
from ..services.errors import Forbidden, Invalid
from .channels import CHANNELS, chosen, delivers, parse_channels
from .webhook import webhook_configured

log = logging.getLogger(__name__)


def set_channels(person: User, names: Iterable[str], *, actor: Optional[User]) -> tuple[str, ...]:
    """Store the channels `person` gets digests through (the inbox always); Invalid for an unknown name."""
    if not can_set_channels(actor, person):
        raise Forbidden(_("You may not do this."))
    names = [n for n in names if n]
    unknown = [n for n in names if n.strip().lower() not in CHANNELS]
    if unknown:
        raise Invalid(_("Check the marked fields."),
                      {"channels": _("Unknown channel %(name)s; choose from %(all)s.", name=", ".join(unknown),
                                     all=", ".join(CHANNELS))})
    channels = parse_channels(",".join(names) or "inbox")
    person.channels = ",".join(channels)
    log.info("user %s: digest channels %s (set by %s)", person.id, person.channels,
             "the operator" if actor is None else actor.id)
    return channels


def reaching(person: User, webhook_on: Optional[bool] = None) -> tuple[str, ...]:
    """The channels the person's digests actually go out through today (the inbox always)."""
    on = webhook_configured() if webhook_on is None else webhook_on
    return ("inbox",) + tuple(c for c in ("email", "webhook")
                              if delivers(c, person.channels, person.email, person.phone, on))


def channel_list(person: User) -> list[str]:
    """The person's chosen channels as a list (the API's `channels`)."""
    return list(chosen(person.channels))
