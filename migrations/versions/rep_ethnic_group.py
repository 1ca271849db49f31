"""campaigns.ethnic_group: the ethnic group the report names (e.g. Khmer)

Revision ID: rep_ethnic_group
Revises: 334057b010ce
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'rep_ethnic_group'
down_revision = '334057b010ce'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ethnic_group', sa.String(length=60), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('ethnic_group')
