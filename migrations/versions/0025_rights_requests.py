"""Individuals' requests (APPI Arts. 32-39): what was asked, the identity verified, the decision and
the answer; their list sorted by the day received, alone and by kind and decision

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rights_requests',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.Enum('purpose_notice', 'disclosure', 'correction', 'suspension', 'stop_provision', 'provision_records', name='request_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('channel', sa.Enum('mail', 'email', 'web', 'phone', 'in_person', name='channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requester', sa.String(length=255), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('identity_document', sa.String(length=255), nullable=False),
    sa.Column('verified_by', sa.String(length=128), nullable=False),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('decision', sa.Enum('pending', 'granted', 'partly', 'refused', name='decision', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('ground', sa.Text(), nullable=False),
    sa.Column('fee', sa.Integer(), nullable=True),
    sa.Column('responded_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('fee IS NULL OR fee >= 0', name=op.f('ck_rights_requests_fee_not_negative')),
    sa.CheckConstraint('responded_on IS NULL OR responded_on >= received_on', name=op.f('ck_rights_requests_answered_after_received')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rights_requests')),
    sa.UniqueConstraint('reference', name=op.f('uq_rights_requests_reference'))
    )
    with op.batch_alter_table('rights_requests', schema=None) as batch_op:
        batch_op.create_index('ix_rights_requests_decision_received_on', ['decision', 'received_on', 'id'], unique=False)
        batch_op.create_index('ix_rights_requests_kind_received_on', ['kind', 'received_on', 'id'], unique=False)
        batch_op.create_index('ix_rights_requests_received_on', ['received_on', 'id'], unique=False)

    op.create_table('rights_request_categories',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['data_categories.id'], name=op.f('fk_rights_request_categories_category_id_data_categories')),
    sa.ForeignKeyConstraint(['request_id'], ['rights_requests.id'], name=op.f('fk_rights_request_categories_request_id_rights_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'category_id', name=op.f('pk_rights_request_categories'))
    )
    with op.batch_alter_table('rights_request_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_request_categories_category_id'), ['category_id'], unique=False)

    op.create_table('rights_request_purposes',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('purpose_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['purpose_id'], ['purposes.id'], name=op.f('fk_rights_request_purposes_purpose_id_purposes')),
    sa.ForeignKeyConstraint(['request_id'], ['rights_requests.id'], name=op.f('fk_rights_request_purposes_request_id_rights_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'purpose_id', name=op.f('pk_rights_request_purposes'))
    )
    with op.batch_alter_table('rights_request_purposes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_request_purposes_purpose_id'), ['purpose_id'], unique=False)



def downgrade():
    with op.batch_alter_table('rights_request_purposes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_request_purposes_purpose_id'))

    op.drop_table('rights_request_purposes')
    with op.batch_alter_table('rights_request_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_request_categories_category_id'))

    op.drop_table('rights_request_categories')
    with op.batch_alter_table('rights_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_rights_requests_received_on')
        batch_op.drop_index('ix_rights_requests_kind_received_on')
        batch_op.drop_index('ix_rights_requests_decision_received_on')

    op.drop_table('rights_requests')
