"""document removal: a withdrawn document keeps its row as a tombstone (who, when, why), its content deleted

Revision ID: 0037
Revises: 0028
Create Date: 2026-12-06 05:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import witness_support.db


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    # The reason is encrypted text (crypto.EncryptedText), stored as TEXT.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', witness_support.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('removed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removal_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_documents_removed_by_id_users'), 'users', ['removed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_removed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('removal_reason')
        batch_op.drop_column('removed_by_id')
        batch_op.drop_column('removed_at')
