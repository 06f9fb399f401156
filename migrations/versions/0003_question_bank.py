"""Add the question bank

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questions',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('area', sa.Enum('policy', 'organisational', 'personnel', 'physical', 'technical', 'external', 'reentrustment', 'incident', 'termination', 'certification', name='question_area', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text_ja', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('answer_type', sa.Enum('yes_no', 'date', 'number', 'choice', 'text', name='answer_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('options', sa.String(length=500), nullable=False),
    sa.Column('passing_answer', sa.String(length=100), nullable=False),
    sa.Column('severity', sa.Enum('low', 'medium', 'high', 'critical', name='severity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('evidence_requested', sa.Boolean(), nullable=False),
    sa.Column('audience', sa.Enum('all', 'foreign', 'reentrusting', name='audience', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('active', 'retired', name='question_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    sa.UniqueConstraint('code', name=op.f('uq_questions_code'))
    )
    op.create_table('question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text_ja', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_versions_question_id_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
    sa.UniqueConstraint('question_id', 'version', name=op.f('uq_question_versions_question_id_version'))
    )


def downgrade():
    op.drop_table('question_versions')
    op.drop_table('questions')
