"""Migrations: one head, an empty database upgrades to it, and it matches the models."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import check, downgrade, upgrade

from tests.conftest import POSTGRES_URL, base_config
from witness_support import MIGRATIONS_DIR, create_app
from witness_support.extensions import db


def test_single_head():
    config = Config(os.path.join(MIGRATIONS_DIR, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS_DIR)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database: a SQLite file, or a fresh PostgreSQL database."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"ws_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
