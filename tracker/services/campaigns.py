"""The campaign: the current one, the default one, and its checklist template."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, ItemTemplate
from ..template_data import DEFAULT_ITEMS
from ..workflow import STAGES


def current_campaign() -> Optional[Campaign]:
    """The campaign in view (tracker.campaigns.scope): in a request it may be an archived one an admin
    or viewer switched to, or `?campaign=ID`; elsewhere the active campaign."""
    from ..campaigns.scope import campaign_in_view  # scope reads the request; imported late, no cycle
    return campaign_in_view()


def require_campaign() -> Campaign:
    """The active campaign, creating the default one when there is none yet."""
    return current_campaign() or create_default_campaign()


def create_default_campaign(name: str = "Đại hội nhiệm kỳ", organiser: str = "", term: str = "") -> Campaign:
    """A campaign with the built-in template and no final deadline (an admin sets it)."""
    campaign = Campaign(name=name, organiser=organiser, term=term)
    db.session.add(campaign)
    db.session.flush()
    for pos, (stage, key, vi, en, required, kinds, offset, working, superior) in enumerate(DEFAULT_ITEMS):
        db.session.add(ItemTemplate(campaign_id=campaign.id, stage=stage, key=key, position=pos,
                                    title_vi=vi, title_en=en, required=required, kinds=kinds,
                                    offset_days=offset, working_days=working, superior_only=superior))
    db.session.flush()
    return campaign


def templates(campaign: Campaign) -> list[ItemTemplate]:
    """The campaign's checklist template in stage order, then position."""
    rows = db.session.scalars(select(ItemTemplate).where(ItemTemplate.campaign_id == campaign.id)).all()
    return sorted(rows, key=lambda t: (STAGES.index(t.stage), t.position, t.id))
