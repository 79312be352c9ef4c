"""PostgreSQL: a request that only read ends its transaction with COMMIT, so that psycopg keeps the
statements it prepared (a ROLLBACK makes it forget them all); anything that wrote still rolls back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from witness_support import create_app
from witness_support.auth.models import User
from witness_support.extensions import db

# PostgreSQL only: psycopg forgets prepared statements at ROLLBACK; SQLite's driver does not. The
# transactions under test are the requests' own, so they must be real.
pytestmark = [pytest.mark.postgresql_only, pytest.mark.real_commits]


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """The usual app with one pooled connection, so that every request and the test share it."""
    app = create_app(dict(app_config, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 1,
                                                                  "max_overflow": 0}))

    @app.route("/_test/rename-uncommitted/<int:user_id>")
    def rename_uncommitted(user_id: int) -> str:  # a Core UPDATE through the session, never committed
        db.session.execute(sa.update(User).where(User.id == user_id).values(display_name="Renamed"))
        return "ok"

    @app.route("/_test/connection-write/<int:user_id>")
    def connection_write(user_id: int) -> str:  # straight on the session's connection, never committed
        db.session.connection().execute(sa.text("UPDATE users SET display_name = 'Renamed' WHERE id = :id"),
                                        {"id": user_id})
        return "ok"

    @app.route("/_test/read-then-fail")
    def read_then_fail() -> str:
        db.session.execute(sa.select(User.id)).all()
        raise RuntimeError("an unexpected failure after a read")

    with app.app_context():
        yield app
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def prepared() -> int:
    return db.session.execute(sa.text("SELECT count(*) FROM pg_prepared_statements")).scalar()


def read_pages(client) -> None:  # noqa: ANN001 - a test client
    for _ in range(7):  # psycopg prepares a statement on its fifth run on a connection
        assert client.get("/witnesses/").status_code == 200


def test_signed_in_pages_keep_their_prepared_statements(client, auth, officer):
    auth.login(officer)
    read_pages(client)
    # The user-with-session statement and the list's own, prepared on the one connection.
    assert prepared() >= 2


@pytest.mark.parametrize("path", ["/_test/rename-uncommitted/{id}", "/_test/connection-write/{id}"])
def test_a_write_left_uncommitted_is_still_rolled_back(client, auth, officer, path):
    auth.login(officer)
    read_pages(client)
    assert prepared() >= 2
    assert client.get(path.format(id=officer.id)).status_code == 200
    assert db.session.execute(sa.select(User.display_name).where(User.id == officer.id)).scalar() != "Renamed"
    assert prepared() == 0  # ended by ROLLBACK, after which psycopg deallocates what it prepared


def test_a_request_that_failed_rolls_back(app, client, auth, officer):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 page, not the exception
    auth.login(officer)
    read_pages(client)
    assert prepared() >= 2
    assert client.get("/_test/read-then-fail").status_code == 500
    assert prepared() == 0


def test_connections_run_without_jit_compilation(app: Flask) -> None:
    """PostgreSQL compiled the team inbox's aftercare statement for over a minute before running it
    (about a second); every connection of the app, the raw driver's too, has JIT off."""
    with app.app_context():
        assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"
        db.session.remove()  # this app's pool holds one connection
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
        finally:
            raw.close()
