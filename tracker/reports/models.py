"""The report document's settings: who issues it, its number, who signs it and who receives it."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ReportDocumentSettings(db.Model):
    """One campaign's settings for the Party-format report (.docx), per Hướng dẫn 36-HD/VPTW."""

    __tablename__ = "report_document_settings"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    superior: Mapped[str] = mapped_column(String(200), default="")          # "ĐẢNG BỘ TỈNH TRÀ VINH"
    number_symbol: Mapped[str] = mapped_column(String(30), default="BC/HU")  # "Số 12-BC/HU"
    number: Mapped[str] = mapped_column(String(20), default="")             # blank: the office fills it in
    place: Mapped[str] = mapped_column(String(100), default="")             # "Cầu Ngang"
    signing_authority: Mapped[str] = mapped_column(String(100), default="")  # "T/M BAN THƯỜNG VỤ"
    signer_title: Mapped[str] = mapped_column(String(100), default="")      # "PHÓ BÍ THƯ"
    signer_name: Mapped[str] = mapped_column(String(100), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")                # one per line

    @property
    def recipient_lines(self) -> list[str]:
        """The recipients, one per non-empty line."""
        return [line.strip() for line in (self.recipients or "").splitlines() if line.strip()]
