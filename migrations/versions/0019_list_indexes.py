"""Indexes matching the lists' filters and sorts, each ending in the id that orders rows of
equal value, so that a page of a list reads a page of rows however many the registry holds:
access grants in force by level and grant day (partial); employees, entrustments by their
dates, supervision checks and findings (open ones by severity and due day, partial) by each
filter and sort

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

IN_FORCE = "revoked_on IS NULL"
REVOKED = "revoked_on IS NOT NULL"
OPEN = "status IN ('open', 'in_progress')"

#: table -> (index name, columns, partial condition)
INDEXES = {
    'access_grants': [
        ('ix_access_grants_in_force_level', ['level', 'granted_on', 'id'], IN_FORCE),
        ('ix_access_grants_in_force_granted_on', ['granted_on', 'id'], IN_FORCE),
        ('ix_access_grants_revoked_level', ['level', 'revoked_on', 'id'], REVOKED),
        ('ix_access_grants_level_granted_on', ['level', 'granted_on', 'id'], None),
        ('ix_access_grants_last_reviewed_on', ['last_reviewed_on', 'id'], None),
        ('ix_access_grants_system', ['system', 'id'], None),
    ],
    'employees': [
        ('ix_employees_status_number', ['status', 'number', 'id'], None),
        ('ix_employees_status', ['status', 'id'], None),
        ('ix_employees_name', ['name', 'id'], None),
        ('ix_employees_job_title', ['job_title', 'id'], None),
        ('ix_employees_pledge_signed_on', ['pledge_signed_on', 'id'], None),
        ('ix_employees_last_training_on', ['last_training_on', 'id'], None),
    ],
    'entrustments': [
        ('ix_entrustments_start_on', ['start_on', 'id'], None),
        ('ix_entrustments_end_on', ['end_on', 'id'], None),
    ],
    'supervision_checks': [
        ('ix_supervision_checks_kind_checked_on', ['kind', 'checked_on', 'id'], None),
        ('ix_supervision_checks_kind', ['kind', 'id'], None),
        ('ix_supervision_checks_method_checked_on', ['method', 'checked_on', 'id'], None),
        ('ix_supervision_checks_method', ['method', 'id'], None),
        ('ix_supervision_checks_result_checked_on', ['result', 'checked_on', 'id'], None),
        ('ix_supervision_checks_result', ['result', 'id'], None),
        ('ix_supervision_checks_next_due_on', ['next_due_on', 'id'], None),
    ],
    'findings': [
        ('ix_findings_due_on', ['due_on', 'id'], None),
        ('ix_findings_open_severity_due_on', ['severity', 'due_on', 'id'], OPEN),
        ('ix_findings_status_due_on', ['status', 'due_on', 'id'], None),
        ('ix_findings_status', ['status', 'id'], None),
        ('ix_findings_severity_due_on', ['severity', 'due_on', 'id'], None),
        ('ix_findings_severity', ['severity', 'id'], None),
        ('ix_findings_owner', ['owner', 'id'], None),
    ],
}


def upgrade():
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns, where in indexes:
                partial = {} if where is None else {'sqlite_where': sa.text(where),
                                                    'postgresql_where': sa.text(where)}
                batch_op.create_index(name, columns, unique=False, **partial)


def downgrade():
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _, _ in reversed(indexes):
                batch_op.drop_index(name)
