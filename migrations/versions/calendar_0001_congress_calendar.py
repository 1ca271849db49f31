"""congress calendar: feed tokens and the campaign's congresses-per-day limit

Revision ID: calendar_0001
Revises: headers_0001
Create Date: 2026-11-30 19:20:00

"""
import sqlalchemy as sa
from alembic import op

import tracker.models._types

# revision identifiers, used by Alembic.
revision = 'calendar_0001'

down_revision = 'headers_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=True),
    sa.Column('created_at', tracker.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('secret'),
    sa.UniqueConstraint('user_id')
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('congresses_per_day', sa.Integer(), server_default='3', nullable=False))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('congresses_per_day')
    op.drop_table('calendar_tokens')
