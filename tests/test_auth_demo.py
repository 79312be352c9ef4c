"""Demo mode (seeded demo accounts skip MFA) is refused outside a marked SQLite demo database,
and shows a banner on every page; the CLI still creates accounts."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.helpers import base_config
from witness_support import create_app, demo_marker_path
from witness_support.auth.models import User
from witness_support.demo import DEMO_PASSWORD
from witness_support.extensions import db


def test_demo_mode_refused_with_postgresql(tmp_path):
    config = {**base_config("postgresql://postgres@127.0.0.1:5432/never_used"), "DEMO_MODE": True}
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        create_app(config)


def test_demo_mode_refused_on_an_unmarked_database(tmp_path):
    config = {**base_config(f"sqlite:///{tmp_path / 'real.sqlite3'}"), "DEMO_MODE": True}
    with pytest.raises(RuntimeError, match="not a demo instance"):
        create_app(config)


@pytest.fixture
def demo_app(tmp_path):  # noqa: ANN201
    """A SQLite database seeded by the seed-demo command, then an app in demo mode on it."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    seeding = create_app(base_config(url))
    with seeding.app_context():
        db.create_all()
        result = seeding.test_cli_runner().invoke(args=["seed-demo", "--witnesses", "3"])
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "DEMO_MODE=1" in result.output
    assert os.path.exists(demo_marker_path(seeding.config["SQLALCHEMY_DATABASE_URI"]))
    app = create_app({**base_config(url), "DEMO_MODE": True})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_demo_accounts_skip_mfa_and_every_page_warns(demo_app):
    client = demo_app.test_client()
    assert b"Demo mode" in client.get("/login").get_data()
    response = client.post("/login", data={"email": "officer@demo.invalid", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    page = client.get("/witnesses/")
    assert page.status_code == 200 and b"Demo mode" in page.get_data()
    assert b"Demo mode" in client.get("/no-such-page").get_data()


def test_other_accounts_still_need_mfa_in_demo_mode(demo_app):
    from witness_support.auth import operations as auth_ops

    auth_ops.create_user("real@example.test", role="prosecutor", password="a long enough passphrase")
    db.session.commit()
    response = demo_app.test_client().post(
        "/login", data={"email": "real@example.test", "password": "a long enough passphrase"})
    assert response.headers["Location"].endswith("/mfa/enrol")


def test_demo_accounts_need_mfa_without_demo_mode(tmp_path, demo_app):
    app = create_app(base_config(demo_app.config["SQLALCHEMY_DATABASE_URI"]))
    with app.app_context():
        response = app.test_client().post(
            "/login", data={"email": "officer@demo.invalid", "password": DEMO_PASSWORD})
        db.session.remove()
        db.engine.dispose()
    assert response.headers["Location"].endswith("/mfa/enrol")


def test_no_banner_outside_demo_mode(client):
    assert b"Demo mode" not in client.get("/login").get_data()


def test_cli_creates_an_account_with_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Cli@Example.test", "--role", "admin"],
                           input="a long enough passphrase\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "cli@example.test")).scalar_one()
    assert user.role == "admin" and user.password_hash and not user.mfa_enrolled
    refused = runner.invoke(args=["users", "create", "b@example.test", "--role", "admin"], input="123qweasdzxc\n")
    assert refused.exit_code != 0 and "commonly used" in refused.output


def test_cli_unlocks_and_resets_mfa_when_no_admin_can(app, make_user):
    from witness_support.auth import operations as auth_ops

    user = make_user("admin")
    for _ in range(5):
        auth_ops.check_password(user.email, "wrong wrong wrong")
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "unlock", user.email]).exit_code == 0
    db.session.refresh(user)
    assert user.locked_at is None
    assert runner.invoke(args=["users", "unlock", user.email]).exit_code != 0  # not locked any more
    result = runner.invoke(args=["users", "reset-mfa", user.email])
    assert result.exit_code == 0
    db.session.refresh(user)
    assert not user.mfa_enrolled
    assert runner.invoke(args=["users", "unlock", "nobody@example.test"]).exit_code != 0
