"""`flask notifications send-due`: run it every minute from cron or a systemd timer; or
`flask notifications worker`, which runs it every minute itself until it is stopped."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup

notifications_cli = AppGroup("notifications", help="Post-trial notices to witnesses.")


@notifications_cli.command("send-due")
@click.option("--limit", default=200, show_default=True, help="At most this many notices per run.")
def send_due_command(limit: int) -> None:
    """Send due notices, raise release and impact-statement reminders, escalate late notices."""
    from .sweep import send_due

    _echo_counts(send_due(limit=limit))


def _echo_counts(result) -> None:  # noqa: ANN001 - sweep.SweepResult, imported lazily like the sweep
    # Counts only: never who or what.
    click.echo(
        f"sent {result.sent}, to officers {result.handed_to_officer}, retrying {result.retrying}, "
        f"failed {result.failed}, escalated {result.escalated}, release reminders {result.reminders}, "
        f"statement reminders {result.statement_reminders}, taken by another sweep {result.lost_claims}"
    )


@notifications_cli.command("worker")
@click.option("--interval", default=60, show_default=True, type=click.IntRange(min=1),
              help="Seconds between passes.")
@click.option("--limit", default=200, show_default=True, help="At most this many notices per pass.")
@click.option("--once", is_flag=True, help="Run one pass and stop.")
def worker_command(interval: int, limit: int, once: bool) -> None:
    """Run the send-due sweep every INTERVAL seconds until SIGINT or SIGTERM (finishing the pass
    under way first): for a demo or a single host without cron."""
    from .sweep import send_due

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"notifications worker: a pass every {interval} s; stop with Ctrl+C or SIGTERM")
        while not stop.is_set():
            _echo_counts(send_due(limit=limit))
            if once:
                break
            stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("notifications worker stopped")


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
