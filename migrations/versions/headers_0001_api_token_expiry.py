"""API tokens expire and can be revoked

Revision ID: headers_0001
Revises: news_0001
Create Date: 2026-11-30 18:10:00

Tokens made before this migration had no expiry: they get 90 days from the upgrade, time for the
operator to hand out new ones (`flask tokens create EMAIL`).
"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import tracker.models._types

revision = "headers_0001"
down_revision = "edits_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", tracker.models._types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", tracker.models._types.UTCDateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", tracker.models._types.UTCDateTime()))
    op.execute(tokens.update().values(expires_at=datetime.now(UTC) + timedelta(days=90)))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=tracker.models._types.UTCDateTime(timezone=True),
                              nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")
