"""Keep the answers of returned questionnaires

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['supervision_checks.id'], name=op.f('fk_answers_check_id_supervision_checks')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_answers_questionnaire_id_questionnaires')),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_answers_version_id_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('questionnaire_id', 'version_id', name=op.f('uq_answers_questionnaire_id_version_id'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_check_id'), ['check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_version_id'))
        batch_op.drop_index(batch_op.f('ix_answers_check_id'))

    op.drop_table('answers')
