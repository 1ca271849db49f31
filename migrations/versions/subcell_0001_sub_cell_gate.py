"""sub-cell gate: the campaign setting and the exemptions

Revision ID: subcell_0001
Revises: news_0001
Create Date: 2026-11-30 18:10:00

"""
import sqlalchemy as sa
from alembic import op

import tracker.models._types

# revision identifiers, used by Alembic.
revision = 'subcell_0001'
down_revision = 'signin_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sub_cell_exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', tracker.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id')
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sub_cell_gate', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('sub_cell_gate')
    op.drop_table('sub_cell_exemptions')
