"""application language

The language an application's answers were typed in (null: English), which reviewers are told.

Revision ID: a1b2c3d4e5f6
Revises: 9e4f5a6b7c80
Create Date: 2026-12-01 15:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = '9e4f5a6b7c80'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('language')
