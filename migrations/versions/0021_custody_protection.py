"""custody history with bail conditions (append-only), enrolment after the case, protection plans

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-02 10:00:00

The append-only triggers are written here by hand (autogenerate does not see triggers); they are
the same statements as witness_support/append_only.py produces, copied so that this migration
never changes when that module does.
"""
from alembic import op
import sqlalchemy as sa

import witness_support.db


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0018'
branch_labels = None
depends_on = None

_PROTECTED = {
    'custody_events': ('custody_refuse_change', 'record a correction as a new custody event instead'),
    'bail_conditions': ('custody_refuse_change', 'record a correction as a new custody event instead'),
    'plan_revisions': ('protection_refuse_change', 'save a new revision instead'),
    'plan_measures': ('protection_refuse_change', 'save a new revision instead'),
}


def _create_triggers():
    dialect = op.get_bind().dialect.name
    for table, (function, message) in _PROTECTED.items():
        if dialect == 'sqlite':
            text = f"{table} is append-only: {message}"
            op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{text}'); END")
            op.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{text}'); END")
        else:
            op.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '% is append-only: {message} (% refused)', "
                "TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END $$"
            )
            op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {function}()")


def _drop_triggers():
    dialect = op.get_bind().dialect.name
    for table, (function, _) in _PROTECTED.items():
        if dialect == 'sqlite':
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
    if dialect != 'sqlite':
        op.execute("DROP FUNCTION IF EXISTS custody_refuse_change()")
        op.execute("DROP FUNCTION IF EXISTS protection_refuse_change()")


def upgrade():
    op.create_table('custody_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defendant_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('occurred_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('learned_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('release_date', sa.Date(), nullable=True),
    sa.Column('hearing_on', sa.Date(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_custody_events_case_id_cases')),
    sa.ForeignKeyConstraint(['corrects_id'], ['custody_events.id'], name=op.f('fk_custody_events_corrects_id_custody_events')),
    sa.ForeignKeyConstraint(['defendant_id'], ['defendants.id'], name=op.f('fk_custody_events_defendant_id_defendants')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_custody_events_entered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_events'))
    )
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_events_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_custody_events_defendant_occurred', ['defendant_id', 'occurred_at'], unique=False)

    op.create_table('bail_conditions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('witness_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['custody_events.id'], name=op.f('fk_bail_conditions_event_id_custody_events')),
    sa.ForeignKeyConstraint(['witness_id'], ['witnesses.id'], name=op.f('fk_bail_conditions_witness_id_witnesses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bail_conditions'))
    )
    with op.batch_alter_table('bail_conditions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bail_conditions_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bail_conditions_witness_id'), ['witness_id'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('witness_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('enrolled', sa.Boolean(), nullable=False),
    sa.Column('changed_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_enrolments_case_id_cases')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_enrolments_changed_by_id_users')),
    sa.ForeignKeyConstraint(['witness_id'], ['witnesses.id'], name=op.f('fk_enrolments_witness_id_witnesses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('witness_id', 'case_id', name='uq_enrolments_witness_case')
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_case_id'), ['case_id'], unique=False)

    op.create_table('protection_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('witness_id', sa.Integer(), nullable=False),
    sa.Column('created_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['witness_id'], ['witnesses.id'], name=op.f('fk_protection_plans_witness_id_witnesses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protection_plans')),
    sa.UniqueConstraint('witness_id', name=op.f('uq_protection_plans_witness_id'))
    )
    op.create_table('plan_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('risk_assessment_id', sa.Integer(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('revised_by_id', sa.Integer(), nullable=True),
    sa.Column('revised_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['protection_plans.id'], name=op.f('fk_plan_revisions_plan_id_protection_plans')),
    sa.ForeignKeyConstraint(['revised_by_id'], ['users.id'], name=op.f('fk_plan_revisions_revised_by_id_users')),
    sa.ForeignKeyConstraint(['risk_assessment_id'], ['risk_assessments.id'], name=op.f('fk_plan_revisions_risk_assessment_id_risk_assessments')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_plan_revisions_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_revisions')),
    sa.UniqueConstraint('plan_id', 'number', name='uq_plan_revisions_plan_number')
    )
    op.create_table('plan_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['plan_revisions.id'], name=op.f('fk_plan_measures_revision_id_plan_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_measures'))
    )
    with op.batch_alter_table('plan_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_measures_revision_id'), ['revision_id'], unique=False)
    _create_triggers()


def downgrade():
    _drop_triggers()
    with op.batch_alter_table('plan_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_measures_revision_id'))
    op.drop_table('plan_measures')
    op.drop_table('plan_revisions')
    op.drop_table('protection_plans')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_case_id'))
    op.drop_table('enrolments')
    with op.batch_alter_table('bail_conditions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bail_conditions_witness_id'))
        batch_op.drop_index(batch_op.f('ix_bail_conditions_event_id'))
    op.drop_table('bail_conditions')
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_index('ix_custody_events_defendant_occurred')
        batch_op.drop_index(batch_op.f('ix_custody_events_case_id'))
    op.drop_table('custody_events')
