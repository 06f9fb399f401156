"""Ledger mappings saved by name

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('mapping', sa.Text(), nullable=False),
    sa.Column('saved_by', sa.String(length=80), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_mappings')),
    sa.UniqueConstraint('name', name=op.f('uq_ledger_mappings_name'))
    )


def downgrade():
    op.drop_table('ledger_mappings')
