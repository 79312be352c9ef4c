"""Fixtures: an app on a real database (a SQLite file, or PostgreSQL via TEST_DATABASE_URL),
clients, and factories that build data through the real operations."""

from __future__ import annotations

import copy
import itertools
import os
import re
import shutil
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis.configuration import set_hypothesis_home_dir

from tests.helpers import (  # noqa: F401 - re-exported for tests written against conftest's names
    CANARY_OFFENDER,
    JOINED,
    PASSWORD,
    POSTGRES_URL,
    WORKER,
    AuthActions,
    Clock,
    Inbox,
    IsolatedClient,
    LedgerWorld,
    at_local,
    base_config,
    create_database,
    drop_database,
    free_port,
    future,
    past,
    savepoints_on_sqlite,
    scratch_database_url,
    totp_code,
    truncate_all,
)
from witness_support import create_app, crypto
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import User
from witness_support.cases import operations as case_ops
from witness_support.cases.models import Case, Journey
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db, limiter
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import Witness

# Fixtures of one feature that several test modules share.
pytest_plugins = ["tests.fixtures.api", "tests.fixtures.feeds"]

_counter = itertools.count(1)
_SAVEPOINT = re.compile(r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) ", re.IGNORECASE)


@pytest.hookimpl(trylast=True)  # after pytest made its temporary-folder factory
def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis keeps its example database and caches in .hypothesis/ of the working directory;
    # in tests they go to pytest's temporary folder, so that a run leaves the work tree unchanged.
    set_hypothesis_home_dir(config._tmp_path_factory.mktemp("hypothesis"))  # noqa: SLF001 - no public hook this early


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: set TEST_DATABASE_URL=postgresql://... to run it")
    for item in items:
        if item.get_closest_marker("postgresql_only"):
            item.add_marker(skip)


# ---- the database and the app: one per worker, each test rolled back --------------------------


@pytest.fixture(scope="session", autouse=True)
def _instance_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every app of the run, and every `flask` command a test starts, keeps its instance folder
    (key files, SMS outbox) in a temporary folder: a run leaves the work tree unchanged."""
    path = tmp_path_factory.mktemp("instance")
    previous = os.environ.get("INSTANCE_PATH")
    os.environ["INSTANCE_PATH"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("INSTANCE_PATH", None)
    else:
        os.environ["INSTANCE_PATH"] = previous


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, _instance_path: Path) -> Iterator[str]:
    """This worker's database, its schema created once: a SQLite file, or a PostgreSQL database
    named after TEST_DATABASE_URL's with the worker's name (created here, dropped at the end)."""
    if POSTGRES_URL:
        url = scratch_database_url(WORKER)
        create_database(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('database') / 'test.sqlite3'}"
    app = create_app(base_config(url))
    with app.app_context():
        db.create_all()
        # An undisposed pool leaves connections open at exit, which filterwarnings=error fails on.
        db.engine.dispose()
    if not POSTGRES_URL:
        # The empty schema, kept for the tests that commit for real (see `_committing_shared`).
        path = Path(sa.engine.make_url(url).database)
        shutil.copyfile(path, path.with_name(EMPTY_SQLITE))
    yield url
    if POSTGRES_URL:
        drop_database(url)


EMPTY_SQLITE = "empty.sqlite3"


@pytest.fixture(scope="session")
def _committing_shared(database_url: str) -> Iterator[tuple[Flask, Callable[[], None]]]:
    """The app of the tests marked `real_commits`, built once per worker, and how its database is
    emptied after each of them: the worker's PostgreSQL database, truncated; or a SQLite file of
    its own, put back to a copy of the empty schema (copying a file is much faster than building
    an app and its schema for each such test, which is what these tests cost before)."""
    if POSTGRES_URL:
        url = database_url

        def empty() -> None:
            truncate_all(url)
    else:
        template = Path(sa.engine.make_url(database_url).database).with_name(EMPTY_SQLITE)
        path = template.with_name("committing.sqlite3")
        url = f"sqlite:///{path}"

        def empty() -> None:
            # The app's engine is disposed first, so no connection has the file (or its WAL) open.
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, path)

        empty()
    app = create_app(base_config(url))
    app.test_client_class = IsolatedClient
    yield app, empty
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app_config(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[dict[str, Any]]:
    """Settings for a test that builds an app of its own: a new SQLite file per test, or the
    worker's PostgreSQL database, emptied after the test (what it commits there is real)."""
    if request.node.get_closest_marker("real_commits") and "app" in request.fixturenames:
        # The same database as the test's `app`, so that a second app sees what the first committed.
        url = request.getfixturevalue("_committing_shared")[0].config["SQLALCHEMY_DATABASE_URI"]
    else:
        url = database_url if POSTGRES_URL else f"sqlite:///{tmp_path / 'test.sqlite3'}"
    yield {**base_config(url), "LEDGER_DIGEST_PATH": str(tmp_path / "ledger_digest.jsonl")}
    if POSTGRES_URL and "app" not in request.fixturenames:
        truncate_all(url)


@pytest.fixture(scope="session")
def _shared_app(database_url: str) -> Iterator[Flask]:
    """The worker's app, built once: building one compiles every URL rule (a quarter of a second)."""
    app = create_app(base_config(database_url))
    with app.app_context():
        savepoints_on_sqlite(db.engine)
    app.test_client_class = IsolatedClient
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(request: pytest.FixtureRequest, _shared_app: Flask) -> Iterator[Flask]:
    """The app, inside an app context, on this worker's database.

    By default the test runs inside one transaction on one connection, rolled back at its end:
    commits in the test and in its requests are savepoints. A test that needs real commits seen
    across connections (threads, other processes, a second engine) is marked `real_commits`
    and gets an app of its own, its data removed afterwards; `own_app` gives a test that changes
    the app itself (routes, blueprints) an app of its own, still rolled back.
    """
    if request.node.get_closest_marker("real_commits"):
        yield from _committing_app(request)
        return
    url = request.getfixturevalue("database_url")
    own = request.node.get_closest_marker("own_app") is not None
    app = create_app(base_config(url)) if own else _shared_app
    # Flask-Limiter keeps `enabled` on the one extension object every app shares: an app that an
    # earlier test built with rate limits on would leave them on for this worker's later tests
    # (their sign-ins refused as too many) unless each test starts from its own app's setting.
    limiter.enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    config = copy.deepcopy(dict(app.config))
    # The ledger's digest log is a file outside the database: one per test, as the rows are.
    app.config["LEDGER_DIGEST_PATH"] = str(request.getfixturevalue("tmp_path") / "ledger_digest.jsonl")
    with app.app_context():
        engine = db.engine
        if own:
            savepoints_on_sqlite(engine)
        connection = engine.connect()
        transaction = connection.begin()
        JOINED[engine] = connection
        try:
            yield app
        finally:
            db.session.remove()
            del JOINED[engine]
            transaction.rollback()
            connection.close()
            if own:
                engine.dispose()
    app.config.clear()
    app.config.update(config)
    if POSTGRES_URL and "app_config" in request.fixturenames:
        truncate_all(url)  # what an app of the test's own committed there


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A brand-new empty database (for migrations): a SQLite file, or a PostgreSQL database of its own."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = scratch_database_url(f"{WORKER}_empty")
    create_database(url)
    yield url
    drop_database(url)


def _committing_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The worker's committing app for one test: its settings put back and its database emptied
    at the end, whatever the test committed."""
    app, empty = request.getfixturevalue("_committing_shared")
    if request.node.get_closest_marker("own_app"):  # a test that changes the app: a new one, same database
        app = create_app(base_config(app.config["SQLALCHEMY_DATABASE_URI"]))
        app.test_client_class = IsolatedClient
    limiter.enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    config = copy.deepcopy(dict(app.config))
    app.config["LEDGER_DIGEST_PATH"] = str(request.getfixturevalue("tmp_path") / "ledger_digest.jsonl")
    try:
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        empty()
        app.config.clear()
        app.config.update(config)
        crypto.forget_keyring(app)  # a test that changed the keys leaves no keyring behind


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


# ---- factories -------------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def make(role: str = "liaison_officer", email: str | None = None, **kwargs: Any) -> User:
        email = email or f"{role.replace('_', '-')}-{next(_counter)}@example.test"
        mfa = kwargs.pop("mfa", True)
        user = auth_ops.create_user(email, role=role, password=PASSWORD, **kwargs)
        if mfa:
            # Enrolled as if through the enrolment page, so tests sign in with password + TOTP.
            user.totp_secret = pyotp.random_base32()
            user.mfa_enrolled_at = utc_now()
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
            by or officer,
            witness,
            stage=stage,
            level=level,
            assessed_on=assessed_on,
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


# ---- security: a controllable clock and a real SMTP server ------------------------------------


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock()
    app.config["CLOCK"] = clock
    return clock


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[Inbox]:
    """A real SMTP server on a free local port; the app sends its email there."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USE_SSL=False)
    try:
        yield inbox
    finally:
        controller.stop()


# ---- post-trial notices -----------------------------------------------------------------------


@pytest.fixture
def sms_dir(app: Flask, tmp_path) -> Any:  # noqa: ANN001 - pytest tmp_path
    """The development SMS transport writes each message as a file here."""
    directory = tmp_path / "sms-outbox"
    app.config["SMS_FILE_DIR"] = str(directory)
    return directory


@pytest.fixture
def closed_smtp_port(app: Flask) -> int:
    """A port nobody listens on: every send fails with a refused connection."""
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    return port


@pytest.fixture
def trial_case(app: Flask, officer: User, make_case, make_witness, make_journey, assess) -> Callable[..., Any]:  # noqa: ANN001
    """A case at trial with one defendant (a canary name) and witnesses whose journeys are at trial.

    `post_trial_assessed=False` leaves the witnesses without the post-trial risk assessment.
    """
    from types import SimpleNamespace

    def make(witnesses: int = 1, post_trial_assessed: bool = True, **witness_data: Any) -> SimpleNamespace:
        case = make_case()
        defendant = case_ops.add_defendant(officer, case, name=CANARY_OFFENDER, custody_status="remanded")
        db.session.commit()
        people, journeys = [], []
        for _ in range(witnesses):
            witness = make_witness(**witness_data)
            journey = make_journey(witness=witness, case=case)
            assess(witness, stage="pre_trial")
            assess(witness, stage="trial")
            case_ops.transition_journey(officer, journey, "trial", override_reason="test")
            db.session.commit()
            if post_trial_assessed:
                assess(witness, stage="post_trial")
            people.append(witness)
            journeys.append(journey)
        return SimpleNamespace(case=case, defendant=defendant, witnesses=people, witness=people[0],
                               journeys=journeys, journey=journeys[0])

    return make


# ---- court support ---------------------------------------------------------------------------


@pytest.fixture
def support_person(make_user) -> User:  # noqa: ANN001 - fixture
    return make_user("support_person", display_name="Sam Support")


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


# ---- benefits ledger -------------------------------------------------------------------------


@pytest.fixture
def record_benefit(app: Flask, officer: User) -> Callable[..., Any]:
    """Record a benefit through the real operation; defaults to a small subsistence payment."""
    from witness_support.ledger import operations as ledger_ops

    def make(witness: Witness, by: User | None = None, **data: Any):  # noqa: ANN202 - a BenefitEntry
        data.setdefault("kind", "subsistence")
        data.setdefault("description", "Weekly food allowance")
        data.setdefault("amount", "40.00")
        data.setdefault("currency", "USD")
        data.setdefault("provided_on", today_utc())
        data.setdefault("provider", "Invented Shelter Foundation")
        data.setdefault("rationale", "The witness has no income while living in the shelter.")
        entry = ledger_ops.record_benefit(by or officer, witness, **data)
        db.session.commit()
        return entry

    return make


@pytest.fixture
def ledger_world(make_user, officer, prosecutor, admin, make_witness, make_case) -> LedgerWorld:  # noqa: ANN001
    """officer (registered the witness) and colleague: liaison officers assigned to the witness;
    prosecutor: on the witness's case; support: an NGO support worker assigned to the witness;
    supervisor: supervises officer; stranger: a liaison officer with no link to the witness."""
    world = LedgerWorld()
    world.officer, world.prosecutor, world.admin = officer, prosecutor, admin
    world.colleague = make_user("liaison_officer", display_name="Colin Colleague")
    world.support = make_user("support_person", display_name="Sam Support")
    world.supervisor = make_user("liaison_officer", display_name="Sue Supervisor")
    world.stranger = make_user("liaison_officer", display_name="Stan Stranger")
    officer.supervisor_id = world.supervisor.id
    world.witness = make_witness()
    witness_ops.assign_support(officer, world.witness, world.colleague, "liaison_officer")
    witness_ops.assign_support(officer, world.witness, world.support, "support_worker")
    world.case = make_case(by=prosecutor)
    case_ops.assign_to_case(prosecutor, world.case, officer)
    db.session.commit()
    case_ops.start_journey(officer, world.case, world.witness)
    db.session.commit()
    return world

@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """A context manager counting the SQL statements the engine runs inside it."""
    import contextlib

    from sqlalchemy import event as sa_event

    @contextlib.contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            # The savepoints that stand for commits inside a test's transaction are not the app's.
            if not _SAVEPOINT.match(statement):
                statements.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", before)

    return counting
