"""archived units and working groups

Revision ID: edits_0001
Revises: news_0001
Create Date: 2026-11-30 18:10:00

"""
import sqlalchemy as sa
from alembic import op

import tracker.models._types

# revision identifiers, used by Alembic.
revision = 'edits_0001'
down_revision = 'docx_0001'
branch_labels = None
depends_on = None


def upgrade():
    for table, fk in (("units", "fk_units_archived_by"), ("working_groups", "fk_working_groups_archived_by")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('archived_at', tracker.models._types.UTCDateTime(timezone=True),
                                          nullable=True))
            batch_op.add_column(sa.Column('archived_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(fk, 'users', ['archived_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    for table, fk in (("units", "fk_units_archived_by"), ("working_groups", "fk_working_groups_archived_by")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(fk, type_='foreignkey')
            batch_op.drop_column('archived_by_id')
            batch_op.drop_column('archived_at')
