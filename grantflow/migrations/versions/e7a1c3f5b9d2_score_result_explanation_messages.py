"""score result explanation messages

Each score result's explanation as the rule's message (msgid and arguments, JSON), so a run is
read in any language; null for a plain-text explanation and for the results stored before.

Revision ID: e7a1c3f5b9d2
Revises: c4e8a2f1b9d3
Create Date: 2026-12-01 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a1c3f5b9d2'
down_revision = 'c4e8a2f1b9d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('score_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation_message', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('score_results', schema=None) as batch_op:
        batch_op.drop_column('explanation_message')
