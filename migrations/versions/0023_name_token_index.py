"""witness_name_tokens: the name search index (truncated keyed hashes of name tokens)

The hashes need the index key, which migrations never read: after upgrading, fill the index
for existing witnesses with `flask witnesses reindex-names`.

Revision ID: 0023
Revises: 0016
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('witness_name_tokens',
    sa.Column('witness_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['witness_id'], ['witnesses.id'], name=op.f('fk_witness_name_tokens_witness_id_witnesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('witness_id', 'token', name=op.f('pk_witness_name_tokens'))
    )
    with op.batch_alter_table('witness_name_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_witness_name_tokens_token', ['token', 'witness_id'], unique=False)


def downgrade():
    with op.batch_alter_table('witness_name_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_witness_name_tokens_token')
    op.drop_table('witness_name_tokens')
