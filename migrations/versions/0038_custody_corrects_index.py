"""custody entries: an index on corrects_id, since whether an entry still stands is asked for each entry read

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06 07:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_events_corrects_id'), ['corrects_id'], unique=False)


def downgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_events_corrects_id'))
