"""campaigns as terms: groups belong to a campaign, codes unique per campaign, copied_from_id

Revision ID: camp_0001
Revises: news_0001
Create Date: 2026-11-30 18:20:00

Existing working groups become the active (else the latest) campaign's; when groups exist and no
campaign does, one is created for them. Nothing is deleted.
"""
import sqlalchemy as sa
from alembic import op

revision = 'camp_0001'
down_revision = 'subcell_0001'
branch_labels = None
depends_on = None

# SQLite's unnamed UNIQUE(code) on working_groups gets a name here so batch mode can drop it
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _home_campaign(conn):
    """The campaign today's working groups belong to: the active one, else the latest, else a new one."""
    cid = conn.execute(sa.text("SELECT id FROM campaigns ORDER BY active DESC, id DESC LIMIT 1")).scalar()
    has_groups = conn.execute(sa.text("SELECT COUNT(*) FROM working_groups")).scalar()
    if cid is None and has_groups:
        conn.execute(sa.text(
            "INSERT INTO campaigns (name, organiser, term, active, created_at, due_soon_days, overdue_repeat_days,"
            " escalation_days, working_days_only, women_min_pct, young_min_pct, youth_age, surplus_min_pct,"
            " surplus_max_pct, rounding, ethnic_group) VALUES ('Đại hội nhiệm kỳ', '', '', :t, CURRENT_TIMESTAMP,"
            " '3,1', 3, 7, :f, 15, 10, 35, 10, 30, 'half_up', '')"), {"t": True, "f": False})
        cid = conn.execute(sa.text("SELECT MAX(id) FROM campaigns")).scalar()
    return cid


def upgrade():
    conn = op.get_bind()
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('copied_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key('fk_campaigns_copied_from_id_campaigns', 'campaigns', ['copied_from_id'],
                                    ['id'], ondelete='SET NULL')

    with op.batch_alter_table('working_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
    cid = _home_campaign(conn)
    if cid is not None:
        conn.execute(sa.text("UPDATE working_groups SET campaign_id = :c"), {"c": cid})

    sqlite = conn.dialect.name == "sqlite"
    with op.batch_alter_table('working_groups', schema=None,
                              naming_convention=NAMING if sqlite else None) as batch_op:
        batch_op.alter_column('campaign_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_working_groups_code' if sqlite else 'working_groups_code_key', type_='unique')
        batch_op.create_unique_constraint('uq_working_groups_campaign_code', ['campaign_id', 'code'])
        batch_op.create_index(batch_op.f('ix_working_groups_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key('fk_working_groups_campaign_id_campaigns', 'campaigns', ['campaign_id'],
                                    ['id'], ondelete='CASCADE')

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint('uq_units_code', type_='unique')
        batch_op.create_unique_constraint('uq_units_campaign_code', ['campaign_id', 'code'])


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint('uq_units_campaign_code', type_='unique')
        batch_op.create_unique_constraint('uq_units_code', ['code'])
    with op.batch_alter_table('working_groups', schema=None) as batch_op:
        batch_op.drop_constraint('fk_working_groups_campaign_id_campaigns', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_working_groups_campaign_id'))
        batch_op.drop_constraint('uq_working_groups_campaign_code', type_='unique')
        batch_op.create_unique_constraint('uq_working_groups_code', ['code'])
        batch_op.drop_column('campaign_id')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint('fk_campaigns_copied_from_id_campaigns', type_='foreignkey')
        batch_op.drop_column('copied_from_id')
        batch_op.drop_column('starts_on')
