"""flask keys: generate and rotate the keys that encrypt identity data at rest (crypto.py)."""

from __future__ import annotations

import click
from cryptography.fernet import Fernet
from flask import current_app
from flask.cli import AppGroup

from . import crypto
from .extensions import db

keys_cli = AppGroup("keys", help="Keys of the identity encryption at rest.")

# A value written with an old key between our pass and the check (another process that had not
# yet seen the new key) is caught by the check and rewritten by the next pass.
MAX_PASSES = 5


@keys_cli.command("generate")
def generate_command() -> None:
    """Print a new key, for IDENTITY_KEYS (put it first, keep the old ones after it, then rotate)."""
    click.echo(Fernet.generate_key().decode())


@keys_cli.command("rotate")
def rotate_command() -> None:
    """Add a new key (key file) and re-encrypt every row with it; old keys decrypt until it is done.

    With IDENTITY_KEYS set, put the new key first in the setting on every host beforehand; this
    command then re-encrypts with it and says when the old keys may be removed.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    from_setting = bool(app.config.get("IDENTITY_KEYS"))
    if not from_setting:
        crypto.add_key_to_file(app)
        click.echo(f"Added a new key to {crypto.keys_file(app)}; it encrypts from now on.")
    ring = crypto.keyring(app)
    total = 0
    for _ in range(MAX_PASSES):
        with db.engine.begin() as connection:
            total += crypto.reencrypt_all(connection, ring)
        with db.engine.connect() as connection:
            if crypto.all_current(connection, ring):
                break
    else:
        raise click.ClickException("Some rows are still written with an old key; run the command again.")
    click.echo(f"Re-encrypted {total} rows with the current key.")
    if from_setting:
        if len(ring.keys) > 1:
            click.echo("Every row now opens with the first key of IDENTITY_KEYS: the others may be removed.")
        return
    dropped = crypto.retire_old_keys(app)
    click.echo(f"Retired {dropped} old key(s) from the key file.")


@keys_cli.command("check")
def check_command() -> None:
    """Fail unless every stored identity value opens with the current key."""
    ring = crypto.keyring()
    with db.engine.connect() as connection:
        if not crypto.all_current(connection, ring):
            raise click.ClickException("Some values are written with an old key: run `flask keys rotate`.")
    click.echo("Every identity value opens with the current key.")
