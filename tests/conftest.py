"""Fixtures: an app on a real database (a SQLite file, or PostgreSQL via TEST_DATABASE_URL),
clients, and factories that build data through the real operations."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from witness_support import create_app
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import User
from witness_support.cases import operations as case_ops
from witness_support.cases.models import Case, Journey
from witness_support.config import normalise_database_url
from witness_support.db import today_utc
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import Witness

PASSWORD = "correct horse battery staple"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
_counter = itertools.count(1)


def base_config(database_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Cheap hashing keeps the suite fast; production keeps argon2's defaults.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "SERVER_NAME": "witness.test",
    }


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str | None]:
    """On PostgreSQL the schema is created once and every test truncates afterwards."""
    if not POSTGRES_URL:
        yield None
        return
    app = create_app(base_config(POSTGRES_URL))
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
        # An undisposed pool leaves connections open at exit, which filterwarnings=error fails on.
        db.engine.dispose()
    yield POSTGRES_URL
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _drop_alembic_version() -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def app_config(tmp_path, _postgres_schema) -> dict[str, Any]:  # noqa: ANN001 - pytest tmp_path
    url = _postgres_schema or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return base_config(url)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        if not POSTGRES_URL:
            db.create_all()
        yield app
        db.session.remove()
        if POSTGRES_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# ---- factories -------------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def make(role: str = "liaison_officer", email: str | None = None, **kwargs: Any) -> User:
        email = email or f"{role.replace('_', '-')}-{next(_counter)}@example.test"
        user = auth_ops.create_user(email, role=role, password=PASSWORD, **kwargs)
        db.session.commit()
        return user

    return make


@pytest.fixture
def officer(make_user) -> User:  # noqa: ANN001 - fixture
    return make_user("liaison_officer", display_name="Olive Officer")


@pytest.fixture
def prosecutor(make_user) -> User:  # noqa: ANN001 - fixture
    return make_user("prosecutor", display_name="Pat Prosecutor")


@pytest.fixture
def admin(make_user) -> User:  # noqa: ANN001 - fixture
    return make_user("admin", display_name="Ann Admin")


@pytest.fixture
def make_witness(app: Flask, officer: User) -> Callable[..., Witness]:
    def make(by: User | None = None, **data: Any) -> Witness:
        data.setdefault("legal_name", f"Invented Person {next(_counter)}")
        data.setdefault("preferred_language", "Indonesian")
        witness = witness_ops.create_witness(by or officer, **data)
        db.session.commit()
        return witness

    return make


@pytest.fixture
def make_case(app: Flask, officer: User) -> Callable[..., Case]:
    def make(by: User | None = None, **data: Any) -> Case:
        data.setdefault("reference", f"CASE-{next(_counter):04d}")
        data.setdefault("court_name", "Invented District Court")
        data.setdefault("court_timezone", "Asia/Jakarta")
        data.setdefault("offence_type", "Trafficking in persons")
        case = case_ops.create_case(by or officer, **data)
        db.session.commit()
        return case

    return make


@pytest.fixture
def assess(app: Flask, officer: User) -> Callable[..., Any]:
    """Record a current risk assessment for a stage (the prerequisite for entering it)."""

    def make(witness: Witness, stage: str = "trial", level: str = "medium", days_ago: int = 0, by=None):  # noqa: ANN001
        assessed_on = today_utc() - timedelta(days=days_ago)
        assessment = witness_ops.record_risk_assessment(
            by or officer, witness, stage=stage, level=level, assessed_on=assessed_on,
            next_review_on=assessed_on + timedelta(days=30),
        )
        db.session.commit()
        return assessment

    return make


@pytest.fixture
def make_journey(app: Flask, officer: User, make_case, make_witness) -> Callable[..., Journey]:  # noqa: ANN001
    def make(witness: Witness | None = None, case: Case | None = None, by: User | None = None) -> Journey:
        journey = case_ops.start_journey(by or officer, case or make_case(), witness or make_witness())
        db.session.commit()
        return journey

    return make


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, user: User | str, password: str = PASSWORD):  # noqa: ANN201 - test response
        email = user if isinstance(user, str) else user.email
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):  # noqa: ANN201 - test response
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def api_token(app: Flask) -> Callable[[User], dict[str, str]]:
    """Headers carrying a fresh personal API token for the user."""

    def make(user: User) -> dict[str, str]:
        _, secret = auth_ops.create_api_token(user, "tests")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


def past(days: int) -> date:
    return today_utc() - timedelta(days=days)


def future(days: int) -> date:
    return today_utc() + timedelta(days=days)


# ---- court support (issue 3) -----------------------------------------------------------------


@pytest.fixture
def support_person(make_user) -> User:  # noqa: ANN001 - fixture
    return make_user("support_person", display_name="Sam Support")


def at_local(days: int, hour: int = 9, tz: str = "Asia/Jakarta") -> datetime:
    """An aware instant `days` from today at `hour` on the court's wall clock."""
    from zoneinfo import ZoneInfo

    day = today_utc() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo(tz))


@pytest.fixture
def make_event(app: Flask, officer: User) -> Callable[..., Any]:
    """Schedule a court event through the real operation (a trial day in 30 days by default)."""
    from witness_support.court import operations as court_ops

    def make(case: Case, witnesses: list[Witness] | None = None, *, kind: str = "trial_day", days: int = 30,
             hour: int = 9, hours: int = 6, by: User | None = None, **extra: Any) -> Any:
        starts = at_local(days, hour, case.court_timezone)
        event = court_ops.schedule_event(
            by or officer, case, kind=kind, starts_at=starts, ends_at=starts + timedelta(hours=hours),
            witness_ids=[w.id for w in witnesses or []], **extra,
        )
        db.session.commit()
        return event

    return make


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """A context manager counting the SQL statements the engine runs inside it."""
    import contextlib

    from sqlalchemy import event as sa_event

    @contextlib.contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            statements.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", before)

    return counting
