"""Indexes for the compliance checks and the dashboard: when an access grant was last looked at
(its last review, else the day it was given: an expression index), whose ranges are the access
reviews overdue and falling due; and a consignee's checks by day with the next-due day they
recorded, in place of the index on the consignee alone, from which each consignee's last check
is read without visiting the table

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index('ix_access_grants_last_review',
                              [sa.text('coalesce(last_reviewed_on, granted_on)')], unique=False)
    with op.batch_alter_table('supervision_checks', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_checks_consignee_checked_on',
                              ['consignee_id', 'checked_on', 'next_due_on'], unique=False)
        batch_op.drop_index('ix_supervision_checks_consignee_id')


def downgrade():
    with op.batch_alter_table('supervision_checks', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_checks_consignee_id', ['consignee_id'], unique=False)
        batch_op.drop_index('ix_supervision_checks_consignee_checked_on')
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_access_grants_last_review')
