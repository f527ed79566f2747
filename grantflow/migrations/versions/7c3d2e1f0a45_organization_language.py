"""organization language

The language an organization's messages and letters are written in (null: English, the source).

Revision ID: 7c3d2e1f0a45
Revises: 5b1e0c7a9d21
Create Date: 2026-12-01 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3d2e1f0a45'
down_revision = '5b1e0c7a9d21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('language')
