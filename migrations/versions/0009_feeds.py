"""Calendar feed tokens: one per person, stored only as a SHA-256 hash, with the last served ETag.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 04:35:46.830528

"""
import sqlalchemy as sa
from alembic import op

import witness_support.db

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('etag', sa.String(length=80), nullable=True),
    sa.Column('changed_at', witness_support.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_tokens_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_feed_tokens_user_id'))
    )


def downgrade():
    op.drop_table('feed_tokens')
