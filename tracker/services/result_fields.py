"""The campaign's report settings: composition targets, rounding mode and custom result fields."""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Campaign, CustomField, CustomValue, User
from ..parsing import whole_number
from ..permissions import require_admin
from ..workflow.result_rules import RESULT_STAGES, Targets
from ..workflow.rounding import MODES
from .errors import Invalid, NotFound
from .live import refuse_if_archived

log = logging.getLogger(__name__)


def _require_admin(user: User) -> None:
    require_admin(user, _("Only the organisation office changes the report settings."))


def targets_of(campaign: Campaign) -> Targets:
    """The campaign's composition targets as a pure value."""
    return Targets(Decimal(str(campaign.women_min_pct)), Decimal(str(campaign.young_min_pct)),
                   Decimal(str(campaign.surplus_min_pct)), Decimal(str(campaign.surplus_max_pct)))


def rounding_of(campaign: Campaign) -> str:
    """The campaign's rounding mode (half-up unless it says truncate)."""
    return campaign.rounding if campaign.rounding in MODES else "half_up"


def _pct(raw: Any, name: str, errors: dict[str, str]) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text:
        errors[name] = _("This field is required.")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[name] = _("A number from 0 to 100.")
        return None
    if not value.is_finite() or not 0 <= value <= 100:
        errors[name] = _("A number from 0 to 100.")
        return None
    return value.quantize(Decimal("0.01"))


def update_settings(campaign: Campaign, data: Mapping[str, Any], user: User) -> Campaign:
    """Set the composition targets, the youth age bound, the rounding mode and the ethnic group; all or nothing."""
    refuse_if_archived(campaign)
    _require_admin(user)
    errors: dict[str, str] = {}
    pcts = {n: _pct(data.get(n), n, errors)
            for n in ("women_min_pct", "young_min_pct", "surplus_min_pct", "surplus_max_pct")}
    age_raw = str(data.get("youth_age") if data.get("youth_age") is not None else "").strip()
    age = whole_number(age_raw)
    if age is None or not 18 <= age <= 99:
        errors["youth_age"] = _("A whole number of years from 18 to 99.")
    rounding = data.get("rounding")
    if rounding not in MODES:
        errors["rounding"] = _("Half-up or truncate.")
    if pcts["surplus_min_pct"] is not None and pcts["surplus_max_pct"] is not None \
            and pcts["surplus_min_pct"] > pcts["surplus_max_pct"]:
        errors["surplus_max_pct"] = _("At least the lowest surplus.")
    ethnic = campaign.ethnic_group if data.get("ethnic_group") is None else str(data["ethnic_group"]).strip()
    if len(ethnic) > 60:
        errors["ethnic_group"] = _("At most 60 characters.")
    if errors:
        raise Invalid(_("Nothing was saved: check the marked fields."), errors)
    for name, value in pcts.items():
        setattr(campaign, name, value)
    campaign.youth_age, campaign.rounding, campaign.ethnic_group = age, rounding, ethnic
    log.info("report settings of campaign %s changed by user %s", campaign.id, user.id)
    db.session.flush()
    return campaign


def _slug(text: str) -> str:
    # a stable ASCII key from the English label; Vietnamese letters lose their marks (đ -> d)
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:45].rstrip("_") or "field"


def _labels(data: Mapping[str, Any], errors: dict[str, str]) -> tuple[str, str, str]:
    label_vi = str(data.get("label_vi") or "").strip()
    label_en = str(data.get("label_en") or "").strip()
    stage = str(data.get("stage") or "").strip()
    for name, value in (("label_vi", label_vi), ("label_en", label_en)):
        if not value:
            errors[name] = _("This field is required.")
        elif len(value) > 200:
            errors[name] = _("At most 200 characters.")
    if stage not in RESULT_STAGES:
        errors["stage"] = _("One of the stages where numbers are entered.")
    return label_vi, label_en, stage


def add_field(campaign: Campaign, data: Mapping[str, Any], user: User) -> CustomField:
    """A new whole-number result field, labelled in Vietnamese and English, entered with a stage."""
    refuse_if_archived(campaign)
    _require_admin(user)
    errors: dict[str, str] = {}
    label_vi, label_en, stage = _labels(data, errors)
    if errors:
        raise Invalid(_("Nothing was saved: check the marked fields."), errors)
    taken = set(db.session.scalars(select(CustomField.key).where(CustomField.campaign_id == campaign.id)))
    base = key = _slug(label_en)
    n = 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    position = db.session.scalar(select(func.coalesce(func.max(CustomField.position), 0))
                                 .where(CustomField.campaign_id == campaign.id)) + 1
    cf = CustomField(campaign_id=campaign.id, key=key, stage=stage, label_vi=label_vi, label_en=label_en,
                     position=position)
    db.session.add(cf)
    db.session.flush()
    return cf


def get_field(campaign: Campaign, field_id: int) -> CustomField:
    """One custom field of the campaign, or NotFound."""
    cf = db.session.get(CustomField, field_id)
    if cf is None or cf.campaign_id != campaign.id:
        raise NotFound(_("No such custom field."))
    return cf


def update_field(cf: CustomField, data: Mapping[str, Any], user: User) -> CustomField:
    """Change a custom field's labels or stage (its key, used by the API, stays)."""
    refuse_if_archived(db.session.get(Campaign, cf.campaign_id))
    _require_admin(user)
    errors: dict[str, str] = {}
    label_vi, label_en, stage = _labels(data, errors)
    if not errors and stage != cf.stage and _has_values(cf):
        errors["stage"] = _("Values are already entered for this field: its stage stays.")
    if errors:
        raise Invalid(_("Nothing was saved: check the marked fields."), errors)
    cf.label_vi, cf.label_en, cf.stage = label_vi, label_en, stage
    db.session.flush()
    return cf


def _has_values(cf: CustomField) -> bool:
    return db.session.scalar(select(CustomValue.id).where(CustomValue.field_id == cf.id).limit(1)) is not None


def delete_field(cf: CustomField, user: User) -> None:
    """Remove a custom field that has no values yet (entered numbers are never thrown away)."""
    refuse_if_archived(db.session.get(Campaign, cf.campaign_id))
    _require_admin(user)
    if _has_values(cf):
        raise Invalid(_("Values are already entered for this field: it cannot be removed."),
                      {"field": cf.key})
    db.session.delete(cf)
    db.session.flush()
