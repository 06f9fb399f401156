"""Keep pending uploads and the secret key in the database, so app servers share nothing else

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

"""
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from alembic import op
from flask import current_app
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_uploads',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_uploads_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_pending_uploads'))
    )
    with op.batch_alter_table('pending_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_uploads_created_at'), ['created_at'], unique=False)

    secret_keys = op.create_table('secret_keys',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_secret_keys_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_keys'))
    )
    op.bulk_insert(secret_keys, [{"id": 1, "value": _key_in_use(),
                                  "created_at": datetime.now(UTC).replace(tzinfo=None)}])


def downgrade():
    op.drop_table('secret_keys')
    with op.batch_alter_table('pending_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_uploads_created_at'))

    op.drop_table('pending_uploads')


def _key_in_use() -> str:
    """The key this registry signed with so far (so sessions and questionnaires already sent stay
    valid): REGISTRY_SECRET_KEY, else the instance/secret_key file of earlier versions; else a new
    random key."""
    if os.environ.get("REGISTRY_SECRET_KEY"):
        return os.environ["REGISTRY_SECRET_KEY"]
    legacy = Path(current_app.instance_path) / "secret_key"
    if legacy.is_file() and legacy.read_text().strip():
        return legacy.read_text().strip()
    return secrets.token_hex(32)
