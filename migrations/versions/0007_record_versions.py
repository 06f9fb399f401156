"""A revision counter on every record, for optimistic locking

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ("users", "purposes", "data_categories", "purpose_categories", "consignees", "certifications",
          "entrustments", "contracts", "supervision_checks", "findings", "employees", "access_grants",
          "questions", "questionnaires", "waivers", "report_snapshots")


def upgrade():
    # plain ADD COLUMN (no table copy): SQLite accepts NOT NULL with a default
    for table in TABLES:
        op.add_column(table, sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    # plain DROP COLUMN (SQLite 3.35+): a table copy would lose report_snapshots' triggers
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN revision")
