"""`flask notifications send-due`: run it every minute from cron or a systemd timer."""

from __future__ import annotations

from collections import Counter

import click
from flask import current_app
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


@notifications_cli.command("due")
def due_command() -> None:
    """What the next `send-due` would do, without doing it: counts only, nothing changes."""
    from ..db import utc_now
    from .operations import today_in
    from .sweep import due_notice_ids, due_release_reminders

    today = today_in(current_app.config["NOTIFICATION_TIMEZONE"])
    distances = Counter(days for _, days, _ in due_release_reminders(today))
    per_distance = ", ".join(f"{days} days: {n}" for days, n in sorted(distances.items()))
    click.echo(f"release reminders due {sum(distances.values())}" + (f" ({per_distance})" if per_distance else ""))
    click.echo(f"notices due to send {len(due_notice_ids(utc_now(), limit=1_000_000))}")
