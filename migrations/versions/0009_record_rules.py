"""The cross-field rules a database can keep, as CHECK constraints on both databases

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: table -> (constraint name, condition every row must meet, the column naming a row)
RULES = {
    "consignees": [
        ("ck_consignees_country_code", "length(country) = 2 AND upper(country) = country", "name"),
        ("ck_consignees_domestic_basis", "country <> 'JP' OR cross_border_basis IS NULL "
         "OR cross_border_basis = 'not_applicable'", "name"),
        ("ck_consignees_foreign_basis", "country = 'JP' OR cross_border_basis IS NULL "
         "OR cross_border_basis <> 'not_applicable'", "name"),
    ],
    "data_categories": [
        ("ck_data_categories_records_not_negative",
         "estimated_records IS NULL OR estimated_records >= 0", "name"),
    ],
    "entrustments": [
        ("ck_entrustments_period", "end_on IS NULL OR start_on IS NULL OR end_on >= start_on",
         "reference"),
    ],
    "supervision_checks": [
        ("ck_supervision_checks_next_after", "next_due_on IS NULL OR next_due_on > checked_on",
         "reference"),
    ],
    "findings": [
        ("ck_findings_closed_with_resolution",
         "status NOT IN ('resolved', 'accepted') OR resolution <> ''", "reference"),
    ],
    "access_grants": [
        ("ck_access_grants_revoked_with_reason", "revoked_on IS NULL OR revoke_reason <> ''",
         "id"),
        ("ck_access_grants_revoked_after_granted",
         "revoked_on IS NULL OR granted_on IS NULL OR revoked_on >= granted_on", "id"),
    ],
}


def upgrade():
    _refuse_rows_that_break_the_rules()
    for table, rules in RULES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition, _ in rules:
                batch_op.create_check_constraint(op.f(name), sa.text(condition))


def downgrade():
    for table, rules in RULES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _, _ in rules:
                batch_op.drop_constraint(op.f(name), type_="check")


def _refuse_rows_that_break_the_rules():
    """Stop with the records to correct (with the previous version) rather than change data."""
    connection = op.get_bind()
    broken = []
    for table, rules in RULES.items():
        for name, condition, label in rules:
            rows = connection.execute(sa.text(
                f"SELECT {label} FROM {table} WHERE NOT ({condition}) ORDER BY id LIMIT 20")).all()
            if rows:
                names = ", ".join(str(row[0]) for row in rows)
                broken.append(f"{table} ({name.removeprefix('ck_' + table + '_')}): {names}")
    if broken:
        raise RuntimeError(
            "These records break rules the registry now keeps in the database; correct them with "
            "the previous version of the registry, then upgrade again: " + "; ".join(broken))
