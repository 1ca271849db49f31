"""The campaign's settings for the Party-format report: read with defaults, changed all or nothing."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import Campaign, User
from ..permissions import require_admin
from ..services.errors import Invalid
from ..services.live import refuse_if_archived
from .models import ReportDocumentSettings

log = logging.getLogger(__name__)

# (name, most characters); recipients are free text, one per line
FIELDS = (("superior", 200), ("number_symbol", 30), ("number", 20), ("place", 100),
          ("signing_authority", 100), ("signer_title", 100), ("signer_name", 100), ("recipients", 2000))
DEFAULTS = {"number_symbol": "BC/HU", "signing_authority": "T/M BAN THƯỜNG VỤ"}


def document_settings(campaign: Campaign) -> ReportDocumentSettings:
    """The campaign's stored settings, or unsaved defaults (one query)."""
    found = db.session.get(ReportDocumentSettings, campaign.id)
    if found is not None:
        return found
    return ReportDocumentSettings(campaign_id=campaign.id, **{n: DEFAULTS.get(n, "") for n, _m in FIELDS})


def update_document_settings(campaign: Campaign, data: Mapping[str, Any], user: User) -> ReportDocumentSettings:
    """Set the document's issuer, number, place, signer and recipients; all or nothing."""
    refuse_if_archived(campaign)
    require_admin(user)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, most in FIELDS:
        value = str(data.get(name) or "").strip()
        if name == "recipients":
            value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
        else:
            value = " ".join(value.split())  # one line in the header: no stray line breaks or runs of spaces
        if len(value) > most:
            errors[name] = _("At most %(n)s characters.", n=most)
        values[name] = value
    if not values["number_symbol"]:
        errors["number_symbol"] = _("The document symbol, e.g. BC/HU.")
    if errors:
        raise Invalid(_("Nothing was saved: check the marked fields."), errors)
    row = db.session.get(ReportDocumentSettings, campaign.id)
    if row is None:
        row = ReportDocumentSettings(campaign_id=campaign.id)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    log.info("report document settings of campaign %s changed by user %s", campaign.id, user.id)
    db.session.flush()
    return row
