"""Notes on an entrustment (where a ledger's columns without a field of their own land)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN (no table copy): SQLite accepts NOT NULL with a default
    op.add_column('entrustments', sa.Column('notes', sa.Text(), nullable=False, server_default=''))


def downgrade():
    op.execute("ALTER TABLE entrustments DROP COLUMN notes")
