"""recused reviews set aside

A review whose reviewer was recused after writing it (a conflict declared, the applicant
recognized) kept its status and went on counting in the application's rubric score, the other
reviewers' view and the applicant's feedback. Recusing now sets such a review aside
(`reviews.status = 'set_aside'`); this does the same for the reviews of reviewers recused before.
Downgrade leaves them set aside: which were drafts is not recorded.

Revision ID: b7d2e9a4c1f6
Revises: f3b8d1a6c2e4
Create Date: 2026-12-04 18:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d2e9a4c1f6'
down_revision = 'f3b8d1a6c2e4'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE reviews SET status = 'set_aside' WHERE status != 'set_aside' AND assignment_id IN "
               "(SELECT id FROM review_assignments WHERE status = 'recused')")


def downgrade():
    pass
