"""The index on a grant's revocation day ends in the id (the list's order), and on SQLite holds the
revoked grants only: on the plain index SQLite's statistics (the rows a value, averaged over every
day and the null) made "in force" look like a few dozen rows, and the grant list read every grant
in force through it and sorted them; and the grants in force of an employee and of a data
category, from which the grant list counts a rare employee status or kind of data under "in force"

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


IN_FORCE = sa.text('revoked_on IS NULL')


def upgrade():
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        for name, column in (('ix_access_grants_in_force_employee', 'employee_id'),
                             ('ix_access_grants_in_force_category', 'category_id')):
            batch_op.create_index(name, [column], unique=False, sqlite_where=IN_FORCE,
                                  postgresql_where=IN_FORCE)
        batch_op.drop_index('ix_access_grants_revoked_on')
        batch_op.create_index('ix_access_grants_revoked_on', ['revoked_on', 'id'], unique=False,
                              sqlite_where=sa.text('revoked_on IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_access_grants_in_force_category')
        batch_op.drop_index('ix_access_grants_in_force_employee')
        batch_op.drop_index('ix_access_grants_revoked_on')
        batch_op.create_index('ix_access_grants_revoked_on', ['revoked_on'], unique=False)
