"""Reminders package: campaign-wide journal lines (the reminder policy), day indexes on the ledger and digests.

Revision ID: rem_1_reminders_package
Revises: rep_ethnic_group
Create Date: 2026-12-01 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'rem_1_reminders_package'
down_revision = 'rep_ethnic_group'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('reminder_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_ledger_day', ['ref_date', 'user_id'], unique=False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_day', ['ref_date', 'user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_day')
    with op.batch_alter_table('reminder_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_ledger_day')
    op.execute("DELETE FROM journal WHERE unit_id IS NULL")
    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
