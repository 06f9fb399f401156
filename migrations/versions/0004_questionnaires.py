"""Record issued questionnaires

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questionnaires',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('consignee_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=80), nullable=False),
    sa.Column('status', sa.Enum('issued', 'returned', 'cancelled', name='questionnaire_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consignee_id'], ['consignees.id'], name=op.f('fk_questionnaires_consignee_id_consignees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    sa.UniqueConstraint('reference', name=op.f('uq_questionnaires_reference'))
    )
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaires_consignee_id'), ['consignee_id'], unique=False)

    op.create_table('questionnaire_questions',
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_questionnaire_questions_questionnaire_id_questionnaires'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_questionnaire_questions_version_id_question_versions')),
    sa.PrimaryKeyConstraint('questionnaire_id', 'version_id', name=op.f('pk_questionnaire_questions'))
    )
    with op.batch_alter_table('questionnaire_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_questions_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('questionnaire_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_questions_version_id'))

    op.drop_table('questionnaire_questions')
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaires_consignee_id'))

    op.drop_table('questionnaires')
