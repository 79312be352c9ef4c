"""The ledger migration: upgrades an empty database, creates the append-only triggers there too,
and leaves no difference between the models and the migrated schema."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.migration

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _flask(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, LEDGER_HMAC_KEY="migration-test-key")
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "flask", "--app", "witness_support", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_migrated_sqlite_database_refuses_edits_and_matches_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    upgrade = _flask(url, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    check = _flask(url, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        triggers = set(connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    engine.dispose()
    assert {"benefit_entries_no_update", "benefit_entries_no_delete",
            "ledger_checkpoints_no_update", "ledger_checkpoints_no_delete"} <= triggers
    # The CLI works on a migrated database, and downgrading removes the triggers cleanly.
    checkpoint = _flask(url, "ledger", "checkpoint")
    assert checkpoint.returncode == 0, checkpoint.stderr
    verify = _flask(url, "ledger", "verify")
    assert verify.returncode == 0, verify.stderr
    downgrade = _flask(url, "db", "downgrade", "0002")
    assert downgrade.returncode == 0, downgrade.stderr


def test_create_all_makes_the_triggers_too(app):
    """Tests (and the PostgreSQL test database) are built by create_all: the DDL events add the triggers."""
    from witness_support.extensions import db

    if db.engine.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        expected = {"benefit_entries_no_change", "ledger_checkpoints_no_change"}
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        expected = {"benefit_entries_no_update", "benefit_entries_no_delete",
                    "ledger_checkpoints_no_update", "ledger_checkpoints_no_delete"}
    assert expected <= set(db.session.execute(sa.text(query)).scalars())
