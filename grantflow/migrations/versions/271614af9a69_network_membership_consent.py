"""network membership consent

A network's membership of an organization now holds only once the organization accepts: each row
gets a status (invited, accepted, declined), who invited and when, who answered and when.
Memberships made before this revision were made without the member's consent, so they become
invitations waiting for its answer (the member's people see them on their dashboard); the
network cannot apply on a member's behalf until it accepts.

Revision ID: 271614af9a69
Revises: 8f1a272efb94
Create Date: 2026-12-01 08:18:51.935258

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = '271614af9a69'
down_revision = '8f1a272efb94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('network_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='invited', nullable=False))
        batch_op.add_column(sa.Column('invited_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invited_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_network_members_member_id'), ['member_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_network_members_answered_by_id_users'), 'users', ['answered_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_network_members_invited_by_id_users'), 'users', ['invited_by_id'], ['id'], ondelete='SET NULL')
    op.execute(sa.text("UPDATE network_members SET invited_at = CURRENT_TIMESTAMP"))
    with op.batch_alter_table('network_members', schema=None) as batch_op:
        batch_op.alter_column('invited_at', existing_type=grantflow.core.db.UTCDateTime(timezone=True),
                              nullable=False)


def downgrade():
    # Without a status every row would read as a membership: drop the ones not accepted.
    op.execute(sa.text("DELETE FROM network_members WHERE status <> 'accepted'"))
    with op.batch_alter_table('network_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_network_members_invited_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_network_members_answered_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_network_members_member_id'))
        batch_op.drop_column('answered_at')
        batch_op.drop_column('answered_by_id')
        batch_op.drop_column('invited_at')
        batch_op.drop_column('invited_by_id')
        batch_op.drop_column('status')
