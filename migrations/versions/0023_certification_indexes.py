"""Indexes for the certification list's default order (the soonest to expire first), alone and
under a scheme, and its sort by number: at ten times the reference size (25,000 certifications)
every view sorted the whole table

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

INDEXES = [('ix_certifications_expires_on', ['expires_on', 'id']),
           ('ix_certifications_scheme_expires_on', ['scheme', 'expires_on', 'id']),
           ('ix_certifications_number', ['number', 'id'])]


def upgrade():
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        for name, _ in reversed(INDEXES):
            batch_op.drop_index(name)
