"""audit settings

A program's own suppression threshold k for its equity audit, set on the audit page. Programs
without a row use the setting AUDIT_SUPPRESSION_K.

Revision ID: b37e5d2a91c4
Revises: 60ecc0aca98d
Create Date: 2026-12-01 09:50:00.000000

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = 'b37e5d2a91c4'
down_revision = '60ecc0aca98d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_settings',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('suppression_k', sa.Integer(), nullable=False),
    sa.Column('updated_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_audit_settings_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_audit_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('program_id', name=op.f('pk_audit_settings'))
    )


def downgrade():
    op.drop_table('audit_settings')
