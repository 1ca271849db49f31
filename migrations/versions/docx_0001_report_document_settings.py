"""report document settings (the Party-format .docx: issuer's superior, number, place, signer, recipients)

Revision ID: docx_0001
Revises: news_0001
Create Date: 2026-11-30 18:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'docx_0001'
down_revision = 'webhook_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_document_settings',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('superior', sa.String(length=200), nullable=False),
    sa.Column('number_symbol', sa.String(length=30), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('signing_authority', sa.String(length=100), nullable=False),
    sa.Column('signer_title', sa.String(length=100), nullable=False),
    sa.Column('signer_name', sa.String(length=100), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id')
    )


def downgrade():
    op.drop_table('report_document_settings')
