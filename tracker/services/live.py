"""May this change? The one guard every change passes: an archived campaign, unit or working group is read,
never changed (tracker/edits archives and restores; this is the core's rule)."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from ..models import Campaign, Unit, WorkingGroup
from .errors import DomainError, Invalid


class Archived(Invalid):
    """A change to an archived unit or group (422, code `archived`)."""

    code = "archived"


def require_live(unit: Unit) -> None:
    """Archived (422) when the unit is archived: its pages stay readable, nothing on it changes."""
    if unit.archived:
        raise Archived(_("The unit %(code)s is archived: it can be read but not changed. An admin can restore it.",
                         code=unit.code))


def require_live_group(group: Optional[WorkingGroup]) -> None:
    """Archived (422) when the working group is archived: it takes no new units or members."""
    if group is not None and group.archived:
        raise Archived(_("The working group %(code)s is archived: it takes no new units or members, and its "
                         "name does not change. An admin can restore it.", code=group.code),
                       {"group": _("Archived.")})


def refuse_if_archived(campaign: Optional[Campaign]) -> None:
    """An archived campaign is read, never changed: refuse any edit with a clear reason (422)."""
    if campaign is not None and campaign.archived:
        raise DomainError(_("Campaign %(name)s is archived: it can be read, not changed.", name=campaign.name),
                          code="campaign_archived")
