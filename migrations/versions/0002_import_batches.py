"""Keep import batches, and link audit entries to the batch that made them

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sync', sa.Boolean(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('applied', 'reverted', name='batch_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reverted_at', sa.DateTime(), nullable=True),
    sa.Column('reverted_by', sa.String(length=80), nullable=True),
    sa.Column('undo', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_sha256'), ['sha256'], unique=False)

    # A plain ADD COLUMN: batch mode would copy audit_entries and lose its immutability triggers.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE audit_entries ADD COLUMN batch_id INTEGER "
                   "CONSTRAINT fk_audit_entries_batch_id_import_batches "
                   "REFERENCES import_batches (id)")
    else:
        op.add_column('audit_entries', sa.Column('batch_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_audit_entries_batch_id_import_batches', 'audit_entries',
                              'import_batches', ['batch_id'], ['id'])
    op.create_index('ix_audit_entries_batch_id', 'audit_entries', ['batch_id'], unique=False)


def downgrade():
    op.drop_index('ix_audit_entries_batch_id', table_name='audit_entries')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('fk_audit_entries_batch_id_import_batches', 'audit_entries',
                           type_='foreignkey')
    op.drop_column('audit_entries', 'batch_id')

    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_sha256'))

    op.drop_table('import_batches')
