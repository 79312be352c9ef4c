"""custody reminders: release and parole-hearing dates from custody entries, raised once each

Revision ID: 0033
Revises: 0025
Create Date: 2026-12-06 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import witness_support.db


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('custody_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defendant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('falls_on', sa.Date(), nullable=False),
    sa.Column('created_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['defendant_id'], ['defendants.id'], name=op.f('fk_custody_reminders_defendant_id_defendants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_reminders')),
    sa.UniqueConstraint('defendant_id', 'kind', 'days', 'falls_on', name='uq_custody_reminders_defendant_kind')
    )
    # Plain CREATE INDEX, not a batch: a batch that copied the table would drop its append-only triggers.
    op.create_index(op.f('ix_custody_events_release_date'), 'custody_events', ['release_date'], unique=False)
    op.create_index(op.f('ix_custody_events_hearing_on'), 'custody_events', ['hearing_on'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_custody_events_hearing_on'), table_name='custody_events')
    op.drop_index(op.f('ix_custody_events_release_date'), table_name='custody_events')
    op.drop_table('custody_reminders')
