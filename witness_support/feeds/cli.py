"""`flask feeds issue EMAIL` and `flask feeds revoke EMAIL`: feed links for admins at a terminal."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..auth.models import User
from ..auth.queries import user_by_email
from ..errors import OperationError
from ..extensions import db
from . import operations

feeds_cli = AppGroup("feeds", help="Manage calendar feed links.")


def _user(email: str) -> User:
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    return user


@feeds_cli.command("issue")
@click.argument("email")
def issue_command(email: str) -> None:
    """Create (or rotate) a person's feed link; the URL is the last line printed."""
    from .views import feed_base_url, feed_urls

    user = _user(email)
    try:
        feed_base_url()  # without a public address no link is made (the old one keeps working)
        token = operations.issue_feed_token(None, user)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        raise click.ClickException("; ".join(exc.field_errors.values()) or exc.message) from exc
    https, webcal = feed_urls(token)
    click.echo(f"Feed link for {user.email} (any earlier link has stopped working). Calendar apps: {webcal}")
    click.echo(https)


@feeds_cli.command("revoke")
@click.argument("email")
def revoke_command(email: str) -> None:
    """Revoke a person's feed link at once."""
    user = _user(email)
    try:
        operations.revoke_feed_token(None, user)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(f"Revoked the feed link of {user.email}.")
