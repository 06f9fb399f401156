"""Incidents (APPI Art. 26): what happened to which data, and when each report and notice went out;
their list sorted by the day the company learned of them, alone and by kind and consignee

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('incidents',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.Enum('leakage', 'loss', 'damage', name='incident_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('suspected', sa.Boolean(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('learned_on', sa.Date(), nullable=False),
    sa.Column('persons', sa.BigInteger(), nullable=True),
    sa.Column('consignee_id', sa.Integer(), nullable=True),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('containment', sa.Text(), nullable=False),
    sa.Column('secondary_harm', sa.Text(), nullable=False),
    sa.Column('financial_risk', sa.Boolean(), nullable=False),
    sa.Column('malicious', sa.Boolean(), nullable=False),
    sa.Column('encrypted', sa.Boolean(), nullable=False),
    sa.Column('preliminary_reported_on', sa.Date(), nullable=True),
    sa.Column('final_reported_on', sa.Date(), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('prevention', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('occurred_on IS NULL OR occurred_on <= learned_on', name=op.f('ck_incidents_occurred_before_learned')),
    sa.CheckConstraint('persons IS NULL OR persons >= 0', name=op.f('ck_incidents_persons_not_negative')),
    sa.ForeignKeyConstraint(['consignee_id'], ['consignees.id'], name=op.f('fk_incidents_consignee_id_consignees')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_incidents_finding_id_findings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('reference', name=op.f('uq_incidents_reference'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_consignee_id_learned_on', ['consignee_id', 'learned_on', 'id'], unique=False)
        batch_op.create_index('ix_incidents_kind_learned_on', ['kind', 'learned_on', 'id'], unique=False)
        batch_op.create_index('ix_incidents_learned_on', ['learned_on', 'id'], unique=False)

    op.create_table('incident_categories',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['data_categories.id'], name=op.f('fk_incident_categories_category_id_data_categories')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_categories_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'category_id', name=op.f('pk_incident_categories'))
    )
    with op.batch_alter_table('incident_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_categories_category_id'), ['category_id'], unique=False)



def downgrade():
    with op.batch_alter_table('incident_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_categories_category_id'))

    op.drop_table('incident_categories')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_learned_on')
        batch_op.drop_index('ix_incidents_kind_learned_on')
        batch_op.drop_index('ix_incidents_consignee_id_learned_on')

    op.drop_table('incidents')
