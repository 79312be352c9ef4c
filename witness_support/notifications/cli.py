"""`flask notifications send-due`: run it every minute from cron or a systemd timer."""

from __future__ import annotations

import click
from flask.cli import AppGroup

notifications_cli = AppGroup("notifications", help="Post-trial notices to witnesses.")


@notifications_cli.command("send-due")
@click.option("--limit", default=200, show_default=True, help="At most this many notices per run.")
def send_due_command(limit: int) -> None:
    """Send due notices, raise release and impact-statement reminders, escalate late notices."""
    from .sweep import send_due

    result = send_due(limit=limit)
    # Counts only: never who or what.
    click.echo(
        f"sent {result.sent}, to officers {result.handed_to_officer}, retrying {result.retrying}, "
        f"failed {result.failed}, escalated {result.escalated}, release reminders {result.reminders}, "
        f"statement reminders {result.statement_reminders}, taken by another sweep {result.lost_claims}"
    )
