"""What tests share besides fixtures: settings, the signed-in client, sign-in helpers, dates,
and the session that joins a test's transaction. Fixtures themselves live in conftest.py, which
imports from here; test modules import from here too (never from conftest)."""

from __future__ import annotations

import os
import re
import threading
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
import sqlalchemy as sa
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from witness_support.auth import operations as auth_ops
from witness_support.auth.models import User
from witness_support.cases.models import Case, Journey
from witness_support.config import normalise_database_url
from witness_support.db import today_utc, utc_now
from witness_support.demo import demo_pdf
from witness_support.extensions import db
from witness_support.notifications import sweep
from witness_support.notifications.models import Notification
from witness_support.services.operations import record_review
from witness_support.witnesses.models import Witness

# Strong and random-looking: the strength check (zxcvbn) takes a fraction of the time a passphrase
# of dictionary words takes, and every account a test makes is checked.
PASSWORD = "Vq7-Lm2!pX9z-Rt5k"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# Under pytest-xdist each worker ("gw0", "gw1", ...) has a database of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
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
        "ARGON2_MEMORY_COST": 64,
        "SERVER_NAME": "witness.test",
        # Where emailed and shown links point (never the request's Host).
        "PUBLIC_BASE_URL": "https://witness.test",
        # Fixed invented keys, so that no test depends on key files (the instance folder is a
        # temporary one anyway, see `_instance_path`).
        "IDENTITY_KEYS": TEST_IDENTITY_KEY,
        "IDENTITY_INDEX_KEY": "test-blind-index-key-0123456789abcdef",
    }


def _admin_engine() -> sa.Engine:
    return sa.create_engine(normalise_database_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")


def scratch_database_url(suffix: str) -> str:
    """The URL of a PostgreSQL database named after TEST_DATABASE_URL's, with `suffix`."""
    url = sa.engine.make_url(POSTGRES_URL)
    return url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)


def create_database(url: str) -> None:
    """A new empty PostgreSQL database (dropped first if a crashed run left it behind)."""
    name = sa.engine.make_url(url).database
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        # A scratch database: a commit need not wait for its WAL to reach the disk (a crash loses
        # only the last few commits, never consistency), which the tests that commit for real feel.
        connection.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    admin.dispose()


def drop_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_all(url: str) -> None:
    engine = sa.create_engine(normalise_database_url(url))
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


class JoinedSession(FlaskSession):
    """The app's session class in tests: on an engine that a test holds a transaction open on
    (`JOINED`), the session works on that connection, its transactions SAVEPOINTs inside the
    test's (join_transaction_mode="create_savepoint"), so a commit in a test or in a request
    releases a savepoint and the test's end rolls everything back. Other engines (an app a test
    builds for itself, a migration's scratch database) are used as they are."""

    def get_bind(self, *args: Any, **kwargs: Any) -> sa.Engine | sa.Connection:
        bind = super().get_bind(*args, **kwargs)
        return JOINED.get(bind, bind)


JOINED: dict[sa.Engine, sa.Connection] = {}
db.session = db._make_scoped_session({"class_": JoinedSession, "join_transaction_mode": "create_savepoint"})


def savepoints_on_sqlite(engine: sa.Engine) -> None:
    """Let SQLite's driver leave transactions to SQLAlchemy, which its savepoints need (the
    recipe in SQLAlchemy's SQLite documentation): no implicit BEGIN, an explicit one instead."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, connection_record) -> None:  # noqa: ANN001 - DB-API
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")


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


def past(days: int) -> date:
    return today_utc() - timedelta(days=days)


def future(days: int) -> date:
    return today_utc() + timedelta(days=days)


class Clock:
    """Stands in for the wall clock of the auth rules (the CLOCK setting): tests move time on."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CANARY_OFFENDER = "CANARY-OFFENDER-Zq81"


def at_local(days: int, hour: int = 9, tz: str = "Asia/Jakarta") -> datetime:
    """An aware instant `days` from today at `hour` on the court's wall clock."""

    day = today_utc() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo(tz))


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


def sweep_on_two_servers(app: Flask) -> tuple[dict[str, sweep.SweepResult], list[BaseException]]:
    """Two app servers, "app-1" and "app-2", each sweeping due notices on a connection of its own at
    the same moment; both find every notice due before either claims one, so each notice is fought
    over (what they race for must be committed). Their results by name, and what either raised."""
    start = threading.Barrier(2, timeout=30)
    both_found = threading.Barrier(2, timeout=30)
    results: dict[str, sweep.SweepResult] = {}
    errors: list[BaseException] = []

    def server(name: str) -> None:
        try:
            with app.app_context():
                start.wait()
                results[name] = sweep.send_due(worker=name, on_candidates=lambda found: both_found.wait())
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertion
            errors.append(exc)

    threads = [threading.Thread(target=server, args=(name,)) for name in ("app-1", "app-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def review_before_closing(actor: User, journey: Journey, text: str = "Invented: nothing continues.") -> None:
    """The sustainable-protection review every journey needs before it closes."""
    record_review(actor, journey, continues_after=text)

# ---- tiny real files for the document uploads (built here, never read from disk) -------------------


def tiny_pdf(text: str = "Invented aid application") -> bytes:
    """A minimal one-page PDF that readers open, carrying `text` in its content stream (the demo's
    own builder: the demo uploads one too)."""
    return demo_pdf(text)


def tiny_png() -> bytes:
    """A 1×1 grey PNG, chunk by chunk."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def tiny_jpeg() -> bytes:
    """The start of a JFIF JPEG (what the content check reads) and its end marker."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


def tiny_webp() -> bytes:
    body = b"WEBPVP8 " + (10).to_bytes(4, "little") + b"\x00" * 10
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def tiny_office(kind: str, text: str = "Invented statement", macros: bool = False) -> bytes:
    """A .docx/.xlsx/.pptx (Office Open XML) or .odt/.ods/.odp (OpenDocument), built with zipfile."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind in ("odt", "ods", "odp"):
            sort = {"odt": "text", "ods": "spreadsheet", "odp": "presentation"}[kind]
            archive.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{sort}",
                             compress_type=zipfile.ZIP_STORED)
            archive.writestr("content.xml",
                             f"<office:document-content><text:p>{text}</text:p></office:document-content>")
            archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        else:
            folder, main = {
                "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
                "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
                "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
            }[kind]
            content_type = ("application/vnd.ms-word.document.macroEnabled.main+xml" if macros
                            else f"application/vnd.openxmlformats-officedocument.{main}")
            archive.writestr("[Content_Types].xml", (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/{folder}" ContentType="{content_type}"/></Types>'))
            archive.writestr("_rels/.rels", "<Relationships/>")
            archive.writestr(folder, f"<document><body><p>{text}</p></body></document>")
            if macros:
                archive.writestr("word/vbaProject.bin", b"\x00" * 16)
    return buffer.getvalue()


def insert_old_shape_notice(witness_id: int, case_id: int | None, kind: str, key: str, context: dict) -> None:
    """A pending notice row as the code before the kind codes queued it (English words, no kind
    code), inserted as it was stored; the caller commits."""
    now = utc_now()
    db.session.execute(sa.insert(Notification.__table__).values(
        witness_id=witness_id, case_id=case_id, kind=kind, dedup_key=key, context=context, triggered_at=now,
        deadline_at=now + timedelta(days=1), status="pending", next_attempt_at=now, attempts=0,
        language_fallback=False, created_at=now,
    ))
