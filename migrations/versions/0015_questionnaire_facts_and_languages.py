"""Questions that collect facts, answers not judged, the language of questionnaire workbooks

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

#: the questions of the default bank that collect facts rather than judge (registry.questionnaires.bank)
FACTS = ('POL-03', 'PER-03', 'EXT-01', 'EXT-03', 'REE-02', 'CER-01', 'CER-02')


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.alter_column('passed',
               existing_type=sa.BOOLEAN(),
               nullable=True)

    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.Enum('both', 'ja', 'en', name='workbook_language', native_enum=False, create_constraint=True, length=32), nullable=False, server_default='both'))

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('assessed', 'fact', name='question_kind', native_enum=False, create_constraint=True, length=32), nullable=False, server_default='assessed'))

    questions = sa.table('questions', sa.column('code', sa.String), sa.column('kind', sa.String))
    op.execute(questions.update().where(questions.c.code.in_(FACTS)).values(kind='fact'))


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_questions_question_kind'), type_='check')
        batch_op.drop_column('kind')

    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_questionnaires_workbook_language'), type_='check')
        batch_op.drop_column('language')

    answers = sa.table('answers', sa.column('passed', sa.Boolean))
    op.execute(answers.update().where(answers.c.passed.is_(None)).values(passed=True))
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.alter_column('passed',
               existing_type=sa.BOOLEAN(),
               nullable=False)
