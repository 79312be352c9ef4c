"""Pages issue a fixed number of SQL statements whatever the number of rows."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from witness_support.extensions import db


@contextmanager
def count_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _queries_for_list(client, auth, officer, make_witness, make_journey, assess, rows: int) -> int:
    for _ in range(rows):
        witness = make_witness()
        make_journey(witness=witness)
        assess(witness, stage="pre_trial")
    auth.login(officer)
    with count_queries() as statements:
        response = client.get("/witnesses/")
    assert response.status_code == 200
    return len(statements)


def test_witness_list_query_count_does_not_grow_with_rows(
    app, client, auth, make_user, make_witness, make_journey, assess
):
    officer_few, officer_many = make_user("liaison_officer"), make_user("liaison_officer")
    few = _queries_for_list(client, auth, officer_few, lambda: make_witness(by=officer_few), make_journey, assess, 5)
    auth.logout()
    many = _queries_for_list(
        client, auth, officer_many, lambda: make_witness(by=officer_many), make_journey, assess, 50
    )
    assert few == many
    assert many <= 7
