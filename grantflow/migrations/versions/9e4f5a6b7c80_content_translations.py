"""content translations

The funder's own content in other languages: one row per (kind of object, object, field, language);
the source text stays in the object's own columns.

Revision ID: 9e4f5a6b7c80
Revises: 7c3d2e1f0a45
Create Date: 2026-12-01 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e4f5a6b7c80'
down_revision = '7c3d2e1f0a45'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translations')),
    sa.UniqueConstraint('kind', 'object_id', 'field', 'locale', name=op.f('uq_content_translations_kind'))
    )
    with op.batch_alter_table('content_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_translations_object_id'), ['object_id'], unique=False)


def downgrade():
    with op.batch_alter_table('content_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_translations_object_id'))
    op.drop_table('content_translations')
