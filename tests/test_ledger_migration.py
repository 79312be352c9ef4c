"""The ledger migration: upgrades an empty database, creates the append-only triggers there too,
and leaves no difference between the models and the migrated schema."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import base_config
from witness_support import create_app
from witness_support.extensions import db

pytestmark = pytest.mark.migration


def test_migrated_sqlite_database_refuses_edits_and_matches_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    # The same commands as on a server, run in this process (a fresh interpreter per command
    # cost most of this test's time).
    app = create_app({**base_config(url), "LEDGER_HMAC_KEY": "migration-test-key",
                      "LEDGER_DIGEST_PATH": str(tmp_path / "ledger_digest.jsonl")})
    runner = app.test_cli_runner()

    def flask(*args: str):  # noqa: ANN202 - click's Result
        return runner.invoke(args=list(args))

    upgrade = flask("db", "upgrade")
    assert upgrade.exit_code == 0, upgrade.output
    check = flask("db", "check")
    assert check.exit_code == 0, check.output
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        triggers = set(connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    engine.dispose()
    assert {"benefit_entries_no_update", "benefit_entries_no_delete",
            "ledger_checkpoints_no_update", "ledger_checkpoints_no_delete"} <= triggers
    # The CLI works on a migrated database, and downgrading removes the triggers cleanly.
    checkpoint = flask("ledger", "checkpoint")
    assert checkpoint.exit_code == 0, checkpoint.output
    verify = flask("ledger", "verify")
    assert verify.exit_code == 0, verify.output
    downgrade = flask("db", "downgrade", "0002")
    assert downgrade.exit_code == 0, downgrade.output
    with app.app_context():


        db.engine.dispose()


def test_create_all_makes_the_triggers_too(app):
    """Tests (and the PostgreSQL test database) are built by create_all: the DDL events add the triggers."""
    if db.engine.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        expected = {"benefit_entries_no_change", "ledger_checkpoints_no_change"}
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        expected = {"benefit_entries_no_update", "benefit_entries_no_delete",
                    "ledger_checkpoints_no_update", "ledger_checkpoints_no_delete"}
    assert expected <= set(db.session.execute(sa.text(query)).scalars())
