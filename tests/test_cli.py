"""flask commands: accounts, API tokens, demo data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from witness_support.auth.models import User
from witness_support.extensions import db
from witness_support.witnesses.models import Witness


@pytest.mark.real_commits
def test_users_create_reads_the_password_from_stdin(app, client, auth):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "New.Officer@Example.test", "--role", "liaison_officer"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "new.officer@example.test")).scalar_one()
    assert user.role == "liaison_officer"
    assert "a long enough passphrase" not in user.password_hash
    auth.login("new.officer@example.test", "a long enough passphrase")  # enrols the authenticator
    assert client.get("/witnesses/").status_code == 200


def test_users_create_refuses_short_passwords_and_unknown_roles(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "a@example.test", "--role", "admin"], input="short\n")
    assert short.exit_code != 0 and "at least 12" in short.output
    role = runner.invoke(args=["users", "create", "a@example.test", "--role", "king"], input="x" * 20 + "\n")
    assert role.exit_code != 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 0


def test_api_token_is_printed_as_the_last_line_and_works(app, client, officer):
    result = app.test_cli_runner().invoke(args=["api-tokens", "create", officer.email])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("wst_") and len(token) > 40
    response = client.get("/api/v1/witnesses", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_no_account_exists_on_a_fresh_install(app):
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 0


@pytest.mark.real_commits
def test_seed_demo_loads_once_and_prints_working_logins(app, client, auth):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--witnesses", "12"])
    assert result.exit_code == 0, result.output
    assert "officer@demo.invalid" in result.output and "prosecutor@demo.invalid" in result.output
    names = sorted(db.session.execute(sa.select(Witness.legal_name)).scalars())
    assert len(names) == 12
    # A second run is refused (the database is no longer empty) and changes nothing.
    again = app.test_cli_runner().invoke(args=["seed-demo", "--witnesses", "12"])
    assert again.exit_code != 0 and "Refused" in again.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar() == 12
    password = result.output.split("officer@demo.invalid")[1].split()[0]
    auth.login("officer@demo.invalid", password)
    assert client.get("/witnesses/").status_code == 200
