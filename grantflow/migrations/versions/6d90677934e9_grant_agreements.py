"""grant agreements

An award's grant agreement, signed electronically by the grantee and countersigned by the funder:
who, when, from where, and the SHA-256 of each retained PDF (as shown, signed, final).

Revision ID: 6d90677934e9
Revises: 5f2d8c4e6a31
Create Date: 2026-12-01 11:51:31.154623

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = '6d90677934e9'
down_revision = '5f2d8c4e6a31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grant_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stored_name', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.Column('offered_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=True),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signer_title', sa.String(length=200), nullable=False),
    sa.Column('signer_ip', sa.String(length=64), nullable=False),
    sa.Column('signed_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_stored_name', sa.String(length=120), nullable=True),
    sa.Column('signed_sha256', sa.String(length=64), nullable=False),
    sa.Column('countersigner_id', sa.Integer(), nullable=True),
    sa.Column('countersigner_name', sa.String(length=200), nullable=False),
    sa.Column('countersigner_title', sa.String(length=200), nullable=False),
    sa.Column('countersigner_ip', sa.String(length=64), nullable=False),
    sa.Column('countersigned_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('final_stored_name', sa.String(length=120), nullable=True),
    sa.Column('final_sha256', sa.String(length=64), nullable=False),
    sa.Column('declined_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['countersigner_id'], ['users.id'], name=op.f('fk_grant_agreements_countersigner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_grant_agreements_decision_id_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offered_by_id'], ['users.id'], name=op.f('fk_grant_agreements_offered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_grant_agreements_signer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_agreements'))
    )
    with op.batch_alter_table('grant_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_agreements_decision_id'), ['decision_id'], unique=False)



def downgrade():
    with op.batch_alter_table('grant_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_agreements_decision_id'))

    op.drop_table('grant_agreements')
