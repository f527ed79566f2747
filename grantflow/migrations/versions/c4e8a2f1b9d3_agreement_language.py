"""agreement language

The language a grant agreement was issued in, and so is signed in (null: English, the agreements
issued before there were languages).

Revision ID: c4e8a2f1b9d3
Revises: a1b2c3d4e5f6
Create Date: 2026-12-01 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a2f1b9d3'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('grant_agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('grant_agreements', schema=None) as batch_op:
        batch_op.drop_column('language')
