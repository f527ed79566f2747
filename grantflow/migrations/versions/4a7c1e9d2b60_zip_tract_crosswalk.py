"""zip tract crosswalk

A funder's ZIP–tract crosswalk (HUD USPS layout, with the city and an optional neighborhood), by
which applicants find their census tracts.

Revision ID: 4a7c1e9d2b60
Revises: 4b7e1c9d2a60
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = '4a7c1e9d2b60'
down_revision = '4b7e1c9d2a60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('zip_tracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funder_id', sa.Integer(), nullable=False),
    sa.Column('zip', sa.String(length=5), nullable=False),
    sa.Column('geoid', sa.String(length=11), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('neighborhood', sa.String(length=100), nullable=True),
    sa.Column('res_ratio', sa.Double(), nullable=True),
    sa.Column('bus_ratio', sa.Double(), nullable=True),
    sa.Column('oth_ratio', sa.Double(), nullable=True),
    sa.Column('tot_ratio', sa.Double(), nullable=True),
    sa.Column('source', sa.String(length=80), nullable=True),
    sa.Column('imported_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['funder_id'], ['organizations.id'], name=op.f('fk_zip_tracts_funder_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zip_tracts')),
    sa.UniqueConstraint('funder_id', 'zip', 'geoid', name=op.f('uq_zip_tracts_funder_id'))
    )
    with op.batch_alter_table('zip_tracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zip_tracts_funder_id'), ['funder_id'], unique=False)


def downgrade():
    with op.batch_alter_table('zip_tracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zip_tracts_funder_id'))

    op.drop_table('zip_tracts')
