"""cbo team roles and draft revisions

A CBO's team: each applicant membership gets a team role (admin, editor, viewer; everyone who was
an applicant before is an admin, as they could do everything), invitations may carry a team role,
be revoked and be resent; a draft keeps its revision and who saved it last.

Revision ID: 4b7e1c9d2a60
Revises: 5b8e2f4a7c31
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = '4b7e1c9d2a60'
down_revision = '5b8e2f4a7c31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_role', sa.String(length=16), nullable=True))
    op.execute("UPDATE memberships SET team_role = 'admin' WHERE role = 'applicant'")

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_role', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sent_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_revision', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_edited_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_applications_last_edited_by_id_users'), 'users',
                                    ['last_edited_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_applications_last_edited_by_id_users'), type_='foreignkey')
        batch_op.drop_column('last_edited_by_id')
        batch_op.drop_column('draft_revision')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('sent_at')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('team_role')

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('team_role')
