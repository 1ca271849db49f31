"""The journal of imports, and uploaded files kept on the server between preview and confirmation."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models._types import UTCDateTime, utcnow


class ImportRun(db.Model):
    """One applied import: who, when, which file, what kind of records and the counts. Append-only."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # units | users | groups
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))  # the user's sign-in, or "flask (os user)" from the CLI
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)


class ImportUpload(db.Model):
    """A file uploaded on the import page, kept until it is applied or abandoned, so the confirmed
    import re-validates the very bytes that were previewed (never anything the browser sends back)."""

    __tablename__ = "import_uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
