"""application submission copy

The stored PDF of what an applicant sent (its file name and SHA-256), written at submission.
Applications submitted before this revision have none.

Revision ID: 3c5e7a9b1d20
Revises: e2e02c51bbc0
Create Date: 2026-12-01 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c5e7a9b1d20'
down_revision = 'e2e02c51bbc0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_copy', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('submission_copy_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('submission_copy_sha256')
        batch_op.drop_column('submission_copy')
