"""audit trail: the database refuses UPDATE and DELETE on audit_events

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 04:40:00

"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Copied, not imported: a migration must not change when the application code does.
MESSAGE = "the audit trail is never changed"
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '% is append-only: {MESSAGE} (% refused)', "
    "TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END $$"
)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb} BEFORE {verb.upper()} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: {MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )
        # TRUNCATE skips row triggers; refused in migrated (production) schemas only, since the
        # test suite empties its create_all schema with TRUNCATE.
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")
