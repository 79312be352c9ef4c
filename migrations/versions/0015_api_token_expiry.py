"""API tokens expire, record why they were revoked, and may be marked as service tokens.

Tokens made before this revision get the default lifetime (90 days) from the upgrade.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 10:00:00

"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('service', sa.Boolean(), server_default=sa.false(), nullable=False))
    expires = datetime.now(UTC) + timedelta(days=DEFAULT_DAYS)
    if op.get_bind().dialect.name == 'sqlite':
        expires = expires.replace(tzinfo=None)  # the app keeps UTC without an offset on SQLite
    tokens = sa.table('api_tokens', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None)).values(expires_at=expires))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('service')
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('expires_at')
