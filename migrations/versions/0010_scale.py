"""Scale: an index for upcoming trial days by kind; witnesses.next_court_at (indexed, kept current by the court operations), filled from the events.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 04:45:00

"""
from alembic import op
import sqlalchemy as sa

from witness_support.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('witnesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_court_at', UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_witnesses_next_court_at'), ['next_court_at'], unique=False)
    with op.batch_alter_table('court_events', schema=None) as batch_op:
        batch_op.create_index('ix_court_events_kind_starts', ['kind', 'starts_at'], unique=False)
    # The next open event of every witness, as court/operations.py keeps it from now on.
    op.execute(
        "UPDATE witnesses SET next_court_at = ("
        " SELECT min(e.starts_at) FROM court_event_witnesses ew JOIN court_events e ON e.id = ew.event_id"
        " WHERE ew.witness_id = witnesses.id AND e.status IN ('scheduled', 'moved')"
        " AND e.starts_at >= CURRENT_TIMESTAMP)"
    )


def downgrade():
    with op.batch_alter_table('court_events', schema=None) as batch_op:
        batch_op.drop_index('ix_court_events_kind_starts')
    with op.batch_alter_table('witnesses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_witnesses_next_court_at'))
        batch_op.drop_column('next_court_at')
