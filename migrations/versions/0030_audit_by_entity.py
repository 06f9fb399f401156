"""audit_entries (entity, id): the newest change to each table's records in one index probe, which
the check tallies are remembered by (issue 17)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_audit_entries_entity', 'audit_entries', ['entity', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_audit_entries_entity', table_name='audit_entries')
