"""digest channels: users.channels, outbox.channel, one outbox row per digest and channel

Revision ID: webhook_0001
Revises: news_0001
Create Date: 2026-11-30 18:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'webhook_0001'
down_revision = 'camp_0001'
branch_labels = None
depends_on = None

# the initial schema left the unique constraint on outbox.notification_id unnamed: PostgreSQL named it
# outbox_notification_id_key; on SQLite the batch copy needs a naming convention to find it
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique_name():
    return "outbox_notification_id_key" if op.get_bind().dialect.name == "postgresql" else "uq_outbox_notification_id"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channels', sa.String(length=40), server_default='inbox,email', nullable=False))
    with op.batch_alter_table('outbox', schema=None, naming_convention=_SQLITE_NAMES) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), server_default='email', nullable=False))
        batch_op.drop_constraint(_old_unique_name(), type_='unique')
        batch_op.create_unique_constraint('uq_outbox_notification_channel', ['notification_id', 'channel'])


def downgrade():
    op.execute("DELETE FROM outbox WHERE channel <> 'email'")
    with op.batch_alter_table('outbox', schema=None, naming_convention=_SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint('uq_outbox_notification_channel', type_='unique')
        batch_op.create_unique_constraint(_old_unique_name(), ['notification_id'])
        batch_op.drop_column('channel')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('channels')
