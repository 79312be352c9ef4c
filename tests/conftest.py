"""Fixtures: an app on a real database (a SQLite file, or PostgreSQL via TEST_DATABASE_URL),
clients, and factories that build data through the real operations."""

from __future__ import annotations

import itertools
import os
import re
import socket
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient

from witness_support import create_app
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import User
from witness_support.cases import operations as case_ops
from witness_support.cases.models import Case, Journey
from witness_support.config import normalise_database_url
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import Witness

PASSWORD = "correct horse battery staple"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
_counter = itertools.count(1)
TEST_IDENTITY_KEY = "dGVzdC1pZGVudGl0eS1rZXktbm90LWZvci1wcm9kISE="


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
        # Where emailed and shown links point (never the request's Host).
        "PUBLIC_BASE_URL": "https://witness.test",
        # Fixed invented keys: tests never write key files into the worktree's instance folder.
        "IDENTITY_KEYS": TEST_IDENTITY_KEY,
        "IDENTITY_INDEX_KEY": "test-blind-index-key-0123456789abcdef",
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
    # Each test its own ledger digest log: a shared one would hold other tests' checkpoints.
    return {**base_config(url), "LEDGER_DIGEST_PATH": str(tmp_path / "ledger_digest.jsonl")}


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


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The test body holds an app context (pytest-flask even pushes a request context), and Flask
    reuses an active app context for requests; that would share `g` (Flask-Login caches the
    user there) and the database session between the test and the app, hiding bugs such as a
    session that should have been ended. Before each request the test's own changes are
    committed, as another actor's would be; afterwards the test's session reads fresh rows.
    """

    def open(self, *args: Any, **kwargs: Any):  # noqa: ANN201 - a test response
        db.session.commit()
        token = _cv_app.set(None)  # Flask then pushes a fresh app context for the request
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()


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


def totp_code(email: str) -> str:
    """A valid code for the account, for a step not used yet (each step is accepted once)."""
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
    db.session.refresh(user)
    # Tests sign the same person in several times within one 30-second step; forgetting the last
    # used step here keeps the once-only rule for everyone but this helper.
    user.totp_last_step = None
    db.session.commit()
    return pyotp.TOTP(user.totp_secret).at(auth_ops.now())


class AuthActions:
    """Signs in through the real pages: password, then the TOTP step (or enrolment) with pyotp."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, user: User | str, password: str = PASSWORD):  # noqa: ANN201 - test response
        email = user if isinstance(user, str) else user.email
        response = self._client.post("/login", data={"email": email, "password": password})
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.endswith("/login/code"):
            response = self._client.post("/login/code", data={"code": totp_code(email)})
        elif response.status_code == 302 and location.endswith("/mfa/enrol"):
            self._client.get("/mfa/enrol")  # the page a person scans the QR code from
            response = self._client.post("/mfa/enrol", data={"code": totp_code(email)})
        return response

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


# ---- security: a controllable clock and a real SMTP server ------------------------------------


class Clock:
    """Stands in for the wall clock of the auth rules (the CLOCK setting): tests move time on."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock()
    app.config["CLOCK"] = clock
    return clock


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 Message accepted for delivery"

    def bodies(self) -> list[str]:
        return [m.get_content() for m in self.messages]

    def links(self) -> list[str]:
        return [link for m in self.messages for link in re.findall(r"https?://\S+", m.get_content())]


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


# ---- post-trial notices (issue 6) -------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sms_dir(app: Flask, tmp_path) -> Any:  # noqa: ANN001 - pytest tmp_path
    """The development SMS transport writes each message as a file here."""
    directory = tmp_path / "sms-outbox"
    app.config["SMS_FILE_DIR"] = str(directory)
    return directory


@pytest.fixture
def closed_smtp_port(app: Flask) -> int:
    """A port nobody listens on: every send fails with a refused connection."""
    port = _free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    return port


CANARY_OFFENDER = "CANARY-OFFENDER-Zq81"


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


class LedgerWorld:
    """A witness in a case with everyone the ledger cares about (see the ledger_world fixture)."""

    officer: User
    colleague: User
    prosecutor: User
    support: User
    supervisor: User
    stranger: User
    admin: User
    witness: Witness
    case: Case


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
            statements.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", before)

    return counting
