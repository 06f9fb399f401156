"""Provisions to and receipts from third parties, personally referable information and joint use
(APPI Arts. 27-31): with whom, when, which data, on what basis, and the record's items; their list
sorted by the day provided, alone and by kind and basis

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provisions',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.Enum('provision', 'receipt', 'referable', 'joint_use', name='provision_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('basis', sa.Enum('consent', 'exception', 'opt_out', 'succession', name='basis', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('counterparty', sa.String(length=255), nullable=False),
    sa.Column('counterparty_address', sa.String(length=255), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('individuals', sa.String(length=255), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=True),
    sa.Column('provided_on', sa.Date(), nullable=False),
    sa.Column('last_on', sa.Date(), nullable=True),
    sa.Column('record_form', sa.Enum('each', 'bulk', 'contract', name='record_form', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('consent', sa.Text(), nullable=False),
    sa.Column('ppc_filing', sa.String(length=255), nullable=False),
    sa.Column('acquisition', sa.Text(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('announced', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('last_on IS NULL OR last_on >= provided_on', name=op.f('ck_provisions_last_after_first')),
    sa.CheckConstraint('length(country) = 2 AND upper(country) = country', name=op.f('ck_provisions_country_code')),
    sa.CheckConstraint('persons IS NULL OR persons >= 0', name=op.f('ck_provisions_persons_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provisions')),
    sa.UniqueConstraint('reference', name=op.f('uq_provisions_reference'))
    )
    with op.batch_alter_table('provisions', schema=None) as batch_op:
        batch_op.create_index('ix_provisions_basis_provided_on', ['basis', 'provided_on', 'id'], unique=False)
        batch_op.create_index('ix_provisions_kind_provided_on', ['kind', 'provided_on', 'id'], unique=False)
        batch_op.create_index('ix_provisions_provided_on', ['provided_on', 'id'], unique=False)

    op.create_table('provision_categories',
    sa.Column('provision_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['data_categories.id'], name=op.f('fk_provision_categories_category_id_data_categories')),
    sa.ForeignKeyConstraint(['provision_id'], ['provisions.id'], name=op.f('fk_provision_categories_provision_id_provisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('provision_id', 'category_id', name=op.f('pk_provision_categories'))
    )
    with op.batch_alter_table('provision_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provision_categories_category_id'), ['category_id'], unique=False)



def downgrade():
    with op.batch_alter_table('provision_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provision_categories_category_id'))

    op.drop_table('provision_categories')
    with op.batch_alter_table('provisions', schema=None) as batch_op:
        batch_op.drop_index('ix_provisions_provided_on')
        batch_op.drop_index('ix_provisions_kind_provided_on')
        batch_op.drop_index('ix_provisions_basis_provided_on')

    op.drop_table('provisions')
