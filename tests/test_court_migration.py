"""The court migration builds the tables and indexes the models declare, and nothing differs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from witness_support import create_app
from witness_support.extensions import db

pytestmark = pytest.mark.migration

ROOT = Path(__file__).resolve().parent.parent


def _flask(*args: str, url: str) -> subprocess.CompletedProcess:
    """The real CLI in its own process: Alembic's env.py configures logging for the whole process."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "SECRET_KEY": "migration-test"}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-m", "flask", "--app", "witness_support", "db", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_upgrade_to_head_creates_court_tables_and_indexes(tmp_path):
    from tests.helpers import base_config

    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    # Through the real CLI; one head, and models matching the migrations, are tests/test_migrations.py's.
    upgraded = _flask("upgrade", url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    app = create_app(base_config(url))
    with app.app_context():
        inspector = sa.inspect(db.engine)
        tables = set(inspector.get_table_names())
        assert {"court_events", "court_event_witnesses", "court_event_changes", "court_event_attendance",
                "testimonial_aids", "testimonial_aid_changes"} <= tables
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("court_events")}
        assert indexes["ix_court_events_case_starts"] == ["case_id", "starts_at"]
        # Time windows and the readiness dashboard skip events already over inside the index (0012).
        assert indexes["ix_court_events_starts_ends"] == ["starts_at", "ends_at"]
        assert indexes["ix_court_events_kind_starts_ends"] == ["kind", "starts_at", "ends_at", "status"]
        # A case's events of one kind: readiness's first trial day and familiarisation visit (0013).
        assert indexes["ix_court_events_case_kind_starts"] == ["case_id", "kind", "starts_at"]
        # The CHECK holds even if an operation were bypassed.
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO cases (reference, court_name, court_timezone, offence_type, created_at) "
                "VALUES ('C-1', 'Court', 'UTC', 'x', '2026-01-01 00:00:00')"))
        try:
            with db.engine.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO court_events (case_id, kind, starts_at, ends_at, court_name, room, remote_link, "
                    "status, revision, created_at, updated_at) VALUES (1, 'mention', '2026-01-02 10:00:00', "
                    "'2026-01-02 09:00:00', 'Court', '', 0, 'scheduled', 1, '2026-01-01', '2026-01-01')"))
        except IntegrityError:
            pass
        else:
            raise AssertionError("an event ending before it starts was stored")
        db.engine.dispose()
