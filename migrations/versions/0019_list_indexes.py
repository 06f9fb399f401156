"""Indexes matching the lists' usual filters and sorts, so that a page of them reads a page of
rows however many the registry holds: access grants in force by level and grant day (partial),
by level, by review day; findings by due day, alone and within a status

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None

IN_FORCE = sa.text("revoked_on IS NULL")


def upgrade():
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index('ix_access_grants_in_force_level', ['level', 'granted_on', 'id'],
                              unique=False, sqlite_where=IN_FORCE, postgresql_where=IN_FORCE)
        batch_op.create_index('ix_access_grants_in_force_granted_on', ['granted_on', 'id'],
                              unique=False, sqlite_where=IN_FORCE, postgresql_where=IN_FORCE)
        batch_op.create_index('ix_access_grants_level', ['level', 'granted_on', 'id'], unique=False)
        batch_op.create_index('ix_access_grants_last_reviewed_on', ['last_reviewed_on', 'id'],
                              unique=False)
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index('ix_findings_due_on', ['due_on', 'id'], unique=False)
        batch_op.create_index('ix_findings_status', ['status', 'due_on', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_status')
        batch_op.drop_index('ix_findings_due_on')
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_access_grants_last_reviewed_on')
        batch_op.drop_index('ix_access_grants_level')
        batch_op.drop_index('ix_access_grants_in_force_granted_on')
        batch_op.drop_index('ix_access_grants_in_force_level')
