"""Waivers of check results, and report snapshots that the database refuses to change

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 23:24:05.417021

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_snapshots',
    sa.Column('quarter', sa.String(length=16), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshots'))
    )
    with op.batch_alter_table('report_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_snapshots_quarter'), ['quarter'], unique=False)

    op.create_table('waivers',
    sa.Column('check_code', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('subject_label', sa.String(length=255), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('waived_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('waived_by', sa.String(length=80), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('expires_on >= waived_on', name=op.f('ck_waivers_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waivers'))
    )
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.create_index('ix_waivers_subject', ['check_code', 'subject_id'], unique=False)
    _create_snapshot_triggers()



def downgrade():
    _drop_snapshot_triggers()
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.drop_index('ix_waivers_subject')

    op.drop_table('waivers')
    with op.batch_alter_table('report_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_snapshots_quarter'))

    op.drop_table('report_snapshots')


def _create_snapshot_triggers():
    """Refuse UPDATE and DELETE on report_snapshots in the database itself."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER report_snapshots_no_{action.lower()} BEFORE {action} ON report_snapshots "
                "BEGIN SELECT RAISE(ABORT, 'report snapshots cannot be changed or deleted'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION report_snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'report snapshots cannot be changed or deleted'; END $$"
        )
        op.execute(
            "CREATE TRIGGER report_snapshots_immutable BEFORE UPDATE OR DELETE ON report_snapshots "
            "FOR EACH ROW EXECUTE FUNCTION report_snapshots_immutable()"
        )


def _drop_snapshot_triggers():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER report_snapshots_no_update")
        op.execute("DROP TRIGGER report_snapshots_no_delete")
    else:
        op.execute("DROP TRIGGER report_snapshots_immutable ON report_snapshots")
        op.execute("DROP FUNCTION report_snapshots_immutable()")
