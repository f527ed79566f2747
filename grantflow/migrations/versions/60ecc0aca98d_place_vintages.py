"""place vintages

A closed program keeps the places and need indices it ran with (grantflow/chna/vintage.py): a copy
of the funder's places is taken for each closed program before the places next change. Programs
closed before this revision get theirs at that first change, so no data migration is needed.

Revision ID: 60ecc0aca98d
Revises: 271614af9a69
Create Date: 2026-12-01 09:48:08.276386

"""
from alembic import op
import sqlalchemy as sa
import grantflow.core.db


# revision identifiers, used by Alembic.
revision = '60ecc0aca98d'
down_revision = '271614af9a69'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('place_vintages',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', grantflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sources', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_place_vintages_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', name=op.f('pk_place_vintages'))
    )
    op.create_table('vintage_places',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('geoid', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('need_index', sa.Double(), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('is_priority', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['place_vintages.program_id'], name=op.f('fk_vintage_places_program_id_place_vintages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', 'place_id', name=op.f('pk_vintage_places'))
    )


def downgrade():
    op.drop_table('vintage_places')
    op.drop_table('place_vintages')
