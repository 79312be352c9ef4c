"""`flask services remind`: raise the services' follow-up tasks now (unanswered referrals, service
plan reviews); the notifications sweep does the same on every pass."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .reminders import raise_due_tasks

services_cli = AppGroup("services", help="Sustainable protection: referrals and the service plan.")


@services_cli.command("remind")
def remind_command() -> None:
    """Raise tasks for referrals not answered in time and service needs due for review."""
    counts = raise_due_tasks()
    db.session.commit()
    # Counts only: never who or what.
    click.echo(f"services reminders raised {counts['unanswered_referrals']} unanswered referrals, "
               f"{counts['need_reviews']} need reviews")
