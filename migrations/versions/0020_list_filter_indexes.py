"""Indexes for the lists' filters still reading whole tables: the contracts' start and end days
(each ending in the id that orders rows of equal day), which the contract list's state filter
reads as ranges, as the entrustment list's does; and a data category's entrustments as one index
(category, entrustment) in place of the category's alone, which the entrustment and data category
lists' filters by the data handed over and by where consignees handle it probe without visiting
the table

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

CONTRACT_INDEXES = [('ix_contracts_start_on', ['start_on', 'id']),
                    ('ix_contracts_end_on', ['end_on', 'id'])]


def upgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        for name, columns in CONTRACT_INDEXES:
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table('entrustment_categories', schema=None) as batch_op:
        batch_op.create_index('ix_entrustment_categories_category_id_entrustment_id',
                              ['category_id', 'entrustment_id'], unique=False)
        batch_op.drop_index('ix_entrustment_categories_category_id')


def downgrade():
    with op.batch_alter_table('entrustment_categories', schema=None) as batch_op:
        batch_op.create_index('ix_entrustment_categories_category_id', ['category_id'],
                              unique=False)
        batch_op.drop_index('ix_entrustment_categories_category_id_entrustment_id')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        for name, _ in reversed(CONTRACT_INDEXES):
            batch_op.drop_index(name)
