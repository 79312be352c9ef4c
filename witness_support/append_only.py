"""Tables the database itself keeps append-only: triggers refuse UPDATE and DELETE.

Used by the benefits ledger and the audit trail. The triggers are attached to the tables'
`after_create` (so `db.create_all()`, as the tests use, has them) and created by the migrations
(which copy the same statements: a migration must not change when this module does).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event


def sqlite_ddl(table: str, message: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


def postgres_function_ddl(function: str, message: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '% is append-only: {message} (% refused)', "
        "TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END $$"
    )


def postgres_ddl(table: str, function: str, message: str) -> list[str]:
    return [
        postgres_function_ddl(function, message),
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def drop_ddl(dialect: str, table: str) -> list[str]:
    """For tests that tamper behind the application's back, and for downgrades."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}"]


def protect(table: sa.Table, *, function: str, message: str) -> None:
    """Create the refusing triggers whenever the table is created by metadata."""
    for statement in sqlite_ddl(table.name, f"{table.name} is append-only: {message}"):
        event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect="sqlite"))
    for statement in postgres_ddl(table.name, function, message):
        # DDL() applies %-formatting to its text; the PL/pgSQL placeholders must survive it.
        event.listen(table, "after_create", sa.DDL(statement.replace("%", "%%")).execute_if(dialect="postgresql"))
