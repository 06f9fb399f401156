"""An index on the day access was granted: the grant list filters by a range of those days and
sorts by them, among a million grants

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_grants_granted_on'), ['granted_on'], unique=False)


def downgrade():
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_grants_granted_on'))
