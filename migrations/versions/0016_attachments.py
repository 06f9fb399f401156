"""Attachments: files kept as evidence of consignees, contracts, checks, findings and questionnaires

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OWNERS = ('consignee_id', 'contract_id', 'check_id', 'finding_id', 'questionnaire_id')


def upgrade():
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consignee_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('questionnaire_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('contract', 'certificate', 'audit_report', 'deletion_certificate',
                              'remediation', 'other', name='attachment_kind', native_enum=False,
                              create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=80), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(' + '.join(f'(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)'
                                  for column in OWNERS) + ' = 1',
                       name=op.f('ck_attachments_one_owner')),
    sa.ForeignKeyConstraint(['check_id'], ['supervision_checks.id'],
                            name=op.f('fk_attachments_check_id_supervision_checks')),
    sa.ForeignKeyConstraint(['consignee_id'], ['consignees.id'],
                            name=op.f('fk_attachments_consignee_id_consignees')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                            name=op.f('fk_attachments_contract_id_contracts')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'],
                            name=op.f('fk_attachments_finding_id_findings')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'],
                            name=op.f('fk_attachments_questionnaire_id_questionnaires')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        for column in OWNERS:
            batch_op.create_index(batch_op.f(f'ix_attachments_{column}'), [column], unique=False)


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        for column in OWNERS:
            batch_op.drop_index(batch_op.f(f'ix_attachments_{column}'))
    op.drop_table('attachments')
