"""payment schedules, report reviews, award terms

After the award: the instalments of each award's payment schedule, the officer's review of a
progress report, the Schedule H class of a program and of an award and the agreement's signing;
progress reports gain a kind (check-in, interim, final), existing ones being check-ins.

Revision ID: e2e02c51bbc0
Revises: 6d90677934e9
Create Date: 2026-12-01 10:39:37.323208

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = 'e2e02c51bbc0'
down_revision = '6d90677934e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('program_award_terms',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('schedule_h', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_award_terms_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', name=op.f('pk_program_award_terms'))
    )
    op.create_table('award_terms',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('schedule_h', sa.String(length=24), nullable=True),
    sa.Column('agreement_signed_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('agreement_signed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_signed_by_id'], ['users.id'], name=op.f('fk_award_terms_agreement_signed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_award_terms_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_award_terms'))
    )
    op.create_table('instalments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('condition', sa.String(length=24), nullable=False),
    sa.Column('condition_report_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.Column('paid_recorded_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_instalments_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['condition_report_id'], ['progress_reports.id'], name=op.f('fk_instalments_condition_report_id_progress_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_instalments_paid_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instalments'))
    )
    with op.batch_alter_table('instalments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instalments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instalments_paid_on'), ['paid_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_instalments_status'), ['status'], unique=False)

    op.create_table('report_reviews',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('conversation_on', sa.Date(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['progress_reports.id'], name=op.f('fk_report_reviews_report_id_progress_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_report_reviews_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_report_reviews'))
    )
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='checkin', nullable=False))



def downgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_column('kind')

    op.drop_table('report_reviews')
    with op.batch_alter_table('instalments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instalments_status'))
        batch_op.drop_index(batch_op.f('ix_instalments_paid_on'))
        batch_op.drop_index(batch_op.f('ix_instalments_application_id'))

    op.drop_table('instalments')
    op.drop_table('award_terms')
    op.drop_table('program_award_terms')
