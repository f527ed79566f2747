"""letter inputs and delivery

What each issued letter was made from (`inputs_sha256`, to tell which letters are out of
date), the message that told the applicant, and the applicant's first download. Letters issued
before this revision have an empty fingerprint and so count as out of date once.

Revision ID: 5f2d8c4e6a31
Revises: 3c1e5a7b9d20
Create Date: 2026-12-01 11:31:55.940701

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = '5f2d8c4e6a31'
down_revision = '3c1e5a7b9d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('issued_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inputs_sha256', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('downloaded_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_issued_letters_message_id_outbox_messages'), 'outbox_messages', ['message_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('issued_letters', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_issued_letters_message_id_outbox_messages'), type_='foreignkey')
        batch_op.drop_column('downloaded_at')
        batch_op.drop_column('message_id')
        batch_op.drop_column('inputs_sha256')
