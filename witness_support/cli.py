"""flask commands: accounts, API tokens, demo data, the benefits ledger."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from .auth import operations as auth_ops
from .auth.models import ApiToken, User
from .auth.queries import user_by_email
from .errors import OperationError
from .extensions import db
from .permissions import Role

users_cli = AppGroup("users", help="Manage staff accounts.")
tokens_cli = AppGroup("api-tokens", help="Manage personal API tokens.")


def _read_password(confirm: bool = True) -> str:
    """From a prompt on a terminal, or the first line of stdin when piped; never an argument."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)
    return sys.stdin.readline().rstrip("\n")


def _fail(message: str) -> None:
    raise click.ClickException(message)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", "display_name", default="", help="Name shown to colleagues.")
def create_user_command(email: str, role: str, display_name: str) -> None:
    """Create an account; the password is read from a prompt or stdin."""
    password = _read_password()
    try:
        user = auth_ops.create_user(email, role=role, password=password, display_name=display_name)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items())
        _fail(f"{exc.message} {details}".strip())
    click.echo(f"Created {user.role} account {user.email}.")


@users_cli.command("list")
def list_users_command() -> None:
    for user in db.session.execute(sa.select(User).order_by(User.email)).scalars():
        click.echo(f"{user.email}\t{user.role}\t{'active' if user.active else 'disabled'}")


def _user_by_email(email: str) -> User:
    user = user_by_email(email)
    if user is None:
        _fail(f"No account for {email}.")
    return user


@users_cli.command("unlock")
@click.argument("email")
def unlock_user_command(email: str) -> None:
    """Unlock an account locked by failed sign-ins (for when no admin can sign in)."""
    user = _user_by_email(email)
    try:
        auth_ops.unlock_user(None, user)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        _fail("; ".join(exc.field_errors.values()) or exc.message)
    click.echo(f"Unlocked {user.email}.")


@users_cli.command("reset-mfa")
@click.argument("email")
def reset_mfa_command(email: str) -> None:
    """Forget the account's authenticator: it enrols a new one at its next sign-in."""
    user = _user_by_email(email)
    auth_ops.reset_mfa(None, user)
    db.session.commit()
    click.echo(f"Authenticator reset for {user.email}; every session of it has ended.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="api", help="A label to recognise the token by.")
@click.option("--days", type=int, default=None,
              help="How many days it works (default API_TOKEN_DEFAULT_DAYS, at most API_TOKEN_MAX_DAYS).")
def create_token_command(email: str, name: str, days: int | None) -> None:
    """Create a personal API token; the token is printed once, as the last line."""
    user = _user_by_email(email)
    try:
        token, secret = auth_ops.create_api_token(user, name, days=days)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        _fail("; ".join(exc.field_errors.values()) or exc.message)
    click.echo(f"Token {token.id} for {user.email}, until {token.expires_at:%Y-%m-%d %H:%M} UTC. "
               "It is shown only now; store it safely:", err=True)
    click.echo(secret)


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token_command(token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        _fail(f"No token {token_id}.")
    auth_ops.revoke_api_token(None, token)
    db.session.commit()
    click.echo(f"Revoked token {token_id}.")


@click.command("seed-demo")
@click.option("--witnesses", "count", default=24, show_default=True, help="How many witnesses to invent.")
@click.option("--seed", default=2026, show_default=True, help="Random seed, for the same data every time.")
def seed_demo_command(count: int, seed: int) -> None:
    """Load invented demo data with one account per role, and print the demo logins."""
    from . import demo_marker_path
    from .demo import seed_demo

    try:
        logins = seed_demo(count=count, seed=seed)
    except OperationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    marker = demo_marker_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if marker is not None:
        # Marks this database file as a demo instance, the only place DEMO_MODE=1 may run.
        with open(marker, "w") as handle:
            handle.write("This SQLite database holds invented demo data only. DEMO_MODE=1 may use it.\n")
    click.echo("Demo data loaded. Sign in with (invented accounts, demo only):")
    for email, password, role in logins:
        click.echo(f"  {role:<16} {email:<32} {password}")
    click.echo("The supervisor is a liaison officer who supervises Lina Liaison: their home page shows "
               "“Your team”.")
    if marker is not None:
        click.echo("Start the app with DEMO_MODE=1 to sign in with these accounts without an authenticator app.")


def register_cli(app: Flask) -> None:
    from .ledger.cli import ledger_cli

    app.cli.add_command(ledger_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(seed_demo_command)
    from .notifications.cli import notifications_cli

    app.cli.add_command(notifications_cli)
    from .keys_cli import keys_cli

    app.cli.add_command(keys_cli)
    from .feeds.cli import feeds_cli

    app.cli.add_command(feeds_cli)
    from .remedies.cli import remedies_cli

    app.cli.add_command(remedies_cli)
    from .services.cli import services_cli

    app.cli.add_command(services_cli)
    from .witnesses.cli import witnesses_cli

    app.cli.add_command(witnesses_cli)
