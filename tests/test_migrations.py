"""Migrations: one head, an empty database upgrades to it, and it matches the models."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import check, downgrade, upgrade

from tests.helpers import base_config
from witness_support import MIGRATIONS_DIR, create_app
from witness_support.extensions import db

pytestmark = pytest.mark.migration


def test_single_head():
    config = Config(os.path.join(MIGRATIONS_DIR, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS_DIR)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_empty_database_upgrades_to_head_matching_the_models(empty_database_url, capsys):
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        # `flask db check` exits non-zero when the models and the migrations differ.
        check(directory=MIGRATIONS_DIR)
        postgres = db.engine.dialect.name == "postgresql"
        if postgres:  # triggers, which `flask db check` does not compare: the feed-poll ones are gone at head
            assert _feed_poll_triggers() == set()
            downgrade(directory=MIGRATIONS_DIR, revision="0014")
            assert _feed_poll_triggers() == {"feed_poll_clock", "feed_poll_tokens", "feed_poll_users"}
        downgrade(directory=MIGRATIONS_DIR, revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        if postgres:
            assert _feed_poll_triggers() == set()
        db.engine.dispose()
    capsys.readouterr()


def _feed_poll_triggers() -> set[str]:
    with db.engine.connect() as connection:
        names = connection.execute(sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars()
        return {name for name in names if name.startswith("feed_poll")}


def test_first_start_creates_the_sqlite_database(tmp_path, monkeypatch):
    """The embedded default: no setting needed, the file appears migrated on first start."""
    config = base_config(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    config["TESTING"] = False
    app = create_app(config)
    with app.app_context():
        names = set(sa.inspect(db.engine).get_table_names())
        assert "witnesses" in names and "alembic_version" in names
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA cache_size")).scalar() == -32 * 1024  # 32 MB, not SQLite's 2
        db.engine.dispose()
