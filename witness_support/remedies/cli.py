"""`flask remedies remind`: raise the remedies' reminders as tasks now (the notifications sweep
does the same on every pass)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .reminders import raise_reminders

remedies_cli = AppGroup("remedies", help="Compensation, residence, charges and property taken as evidence.")


@remedies_cli.command("remind")
def remind_command() -> None:
    """Raise claim-date, unpaid-award, permit-expiry and held-property tasks due today."""
    raised = raise_reminders()
    db.session.commit()
    click.echo(f"remedies reminders raised {raised}")  # a count only: never who or what
