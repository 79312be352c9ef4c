"""Feeds: the feed clock, one row whose version moves with every change that may alter a calendar feed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feed_clock',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_clock')),
    )
    op.execute("INSERT INTO feed_clock (id, version) VALUES (1, 0)")


def downgrade():
    op.drop_table('feed_clock')
