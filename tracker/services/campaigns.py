"""The campaign: the active one, the default one, its checklist template, and a unit or group found by code in
it. Which campaign a request looks at is the edge's question (campaigns.scope), never asked here."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, ItemTemplate, Unit, WorkingGroup
from ..template_data import DEFAULT_ITEMS
from ..workflow import STAGES


def active_campaign() -> Optional[Campaign]:
    """The active campaign (the latest one when several are active)."""
    return db.session.scalar(select(Campaign).where(Campaign.active).order_by(Campaign.id.desc()).limit(1))


def active_or(campaign: Optional[Campaign]) -> Optional[Campaign]:
    """The campaign a use case was given, else the active one (commands, the scheduler, tests): the core never
    reads which campaign a request is looking at; the edge (campaigns.scope) passes it."""
    return campaign if campaign is not None else active_campaign()


def require_campaign() -> Campaign:
    """The active campaign, creating the default one when there is none yet: `flask init-db`, `flask demo` and
    set-up only; no page or API call creates a campaign."""
    return active_campaign() or create_default_campaign()


def find_unit(code: str, campaign_id: int) -> Optional[Unit]:
    """The unit with that code in that campaign, or None."""
    return db.session.scalar(select(Unit).where(Unit.campaign_id == campaign_id, Unit.code == code))


def find_group(code: str, campaign_id: int) -> Optional[WorkingGroup]:
    """The working group with that code in that campaign, or None."""
    return db.session.scalar(select(WorkingGroup).where(WorkingGroup.campaign_id == campaign_id,
                                                        WorkingGroup.code == code))


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
