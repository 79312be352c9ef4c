"""flask witnesses …: keeping the name search index."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .queries import rebuild_name_index

witnesses_cli = AppGroup("witnesses", help="Witness records: the name search index.")


@witnesses_cli.command("reindex-names")
def reindex_names_command() -> None:
    """Rebuild the name search index from the encrypted names (after an upgrade, a new
    IDENTITY_INDEX_KEY or a new NAME_TOKEN_BITS); one transaction."""
    count = rebuild_name_index()
    db.session.commit()
    click.echo(f"Indexed the names of {count} witnesses.")
