"""A sub-cell exempted from its committee's sub-cell gate, with the reason and a note."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow

# CONTRACT.md: congress postponed with approval, cell merged, cell dissolved
EXEMPTION_REASONS = ("postponed", "merged", "dissolved")


class SubCellExemption(db.Model):
    """A sub-cell its committee may hold its congress without (one row per cell; cleared by deleting it)."""

    __tablename__ = "sub_cell_exemptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))  # one of EXEMPTION_REASONS
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
