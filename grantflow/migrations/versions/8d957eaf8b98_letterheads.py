"""letterheads

The funder's letterhead (name, address, phone, website, logo) and signatory (name, title,
optional signature image), set once by its admin for every program's letters.

Revision ID: 8d957eaf8b98
Revises: 8c5caff76d84
Create Date: 2026-12-01 11:31:55.940701

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = '8d957eaf8b98'
down_revision = '8c5caff76d84'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('letterheads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funder_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('logo_stored_name', sa.String(length=64), nullable=True),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('signature_stored_name', sa.String(length=64), nullable=True),
    sa.Column('updated_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['funder_id'], ['organizations.id'], name=op.f('fk_letterheads_funder_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letterheads')),
    sa.UniqueConstraint('funder_id', name=op.f('uq_letterheads_funder_id'))
    )


def downgrade():
    op.drop_table('letterheads')
