"""import_undo: an applied import's undo record in a row of its own, written without rewriting
the batch's row and the workbook it holds (issue 17)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_undo',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('undo', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'],
                            name=op.f('fk_import_undo_batch_id_import_batches'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_import_undo'))
    )
    op.execute("INSERT INTO import_undo (batch_id, undo) SELECT id, undo FROM import_batches")
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('undo')


def downgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undo', sa.LargeBinary(), nullable=True))
    op.execute("UPDATE import_batches SET undo = (SELECT undo FROM import_undo "
               "WHERE import_undo.batch_id = import_batches.id)")
    op.execute("UPDATE import_batches SET undo = X'' WHERE undo IS NULL"
               if op.get_bind().dialect.name == "sqlite" else
               "UPDATE import_batches SET undo = ''::bytea WHERE undo IS NULL")
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.alter_column('undo', existing_type=sa.LargeBinary(), nullable=False)
    op.drop_table('import_undo')
