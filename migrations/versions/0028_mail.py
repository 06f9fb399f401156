"""mail: reminders sent, admins' templates, owners of consignees, incidents and requests

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_templates')),
    sa.UniqueConstraint('kind', 'language', name=op.f('uq_mail_templates_kind_language'))
    )
    op.create_table('mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('sent', 'failed', name='mail_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mails'))
    )
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.create_index('ix_mails_recipient_kind_day', ['recipient', 'kind', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_mails_sent_at'), ['sent_at'], unique=False)

    op.create_table('mail_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['mail_id'], ['mails.id'], name=op.f('fk_mail_topics_mail_id_mails'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_topics'))
    )
    with op.batch_alter_table('mail_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_topics_mail_id'), ['mail_id'], unique=False)
        batch_op.create_index('ix_mail_topics_topic', ['record_type', 'record_id', 'topic'], unique=False)

    with op.batch_alter_table('consignees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=128), nullable=False, server_default=''))

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=128), nullable=False, server_default=''))

    with op.batch_alter_table('rights_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=128), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('rights_requests', schema=None) as batch_op:
        batch_op.drop_column('owner')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('owner')

    with op.batch_alter_table('consignees', schema=None) as batch_op:
        batch_op.drop_column('owner')

    with op.batch_alter_table('mail_topics', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_topics_topic')
        batch_op.drop_index(batch_op.f('ix_mail_topics_mail_id'))

    op.drop_table('mail_topics')
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mails_sent_at'))
        batch_op.drop_index('ix_mails_recipient_kind_day')

    op.drop_table('mails')
    op.drop_table('mail_templates')
