"""sign-in log and users' session generation

Revision ID: signin_0001
Revises: news_0001
Create Date: 2026-11-30 18:10:00

"""
import sqlalchemy as sa
from alembic import op

import tracker.models._types

# revision identifiers, used by Alembic.
revision = 'signin_0001'
down_revision = 'news_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('login', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sign_in_events', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_events_address', ['address', 'outcome', 'at'], unique=False)
        batch_op.create_index('ix_sign_in_events_at', ['at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')

    with op.batch_alter_table('sign_in_events', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_events_at')
        batch_op.drop_index('ix_sign_in_events_address')

    op.drop_table('sign_in_events')
