"""organization contact person

The person letters are addressed to (name and title) on the organization profile.

Revision ID: 3c1e5a7b9d20
Revises: 8d957eaf8b98
Create Date: 2026-12-01 11:31:55.940701

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = '3c1e5a7b9d20'
down_revision = '8d957eaf8b98'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('contact_title', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('contact_title')
        batch_op.drop_column('contact_name')
