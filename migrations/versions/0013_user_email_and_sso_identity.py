"""A user's e-mail address and single sign-on identity

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN and unique indexes: no table copy on SQLite
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('users', sa.Column('oidc_subject', sa.String(length=512), nullable=True))
    op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=True)
    op.create_index(op.f('ix_users_oidc_subject'), 'users', ['oidc_subject'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_users_oidc_subject'), table_name='users')
    op.drop_index(op.f('ix_users_email'), table_name='users')
    op.execute("ALTER TABLE users DROP COLUMN oidc_subject")
    op.execute("ALTER TABLE users DROP COLUMN email")
