"""data generations

How many committed transactions have written each table that a kept result reads
(grantflow/core/memo.py): a kept ranking is served only while these are unchanged.

Revision ID: 5b8e2f4a7c31
Revises: 1826c62cf676
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5b8e2f4a7c31'
down_revision = '1826c62cf676'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_generations',
    sa.Column('table_name', sa.String(length=80), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_data_generations'))
    )


def downgrade():
    op.drop_table('data_generations')
