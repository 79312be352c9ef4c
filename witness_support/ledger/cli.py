"""flask ledger ...: verify the chain, sign a checkpoint (run daily from cron)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from ..extensions import db
from . import operations

ledger_cli = AppGroup("ledger", help="The benefits ledger: verification and signed checkpoints.")


@ledger_cli.command("verify")
def verify_command() -> None:
    """Walk the hash chain and every checkpoint; exit 0 when intact, 1 naming the first broken entry."""
    started = time.perf_counter()
    run = operations.verify_ledger(trigger="cli")
    db.session.commit()
    elapsed = time.perf_counter() - started
    if run.ok:
        click.echo(f"{run.message} ({elapsed:.1f} s)")
        return
    click.echo(f"LEDGER BROKEN: first broken sequence {run.first_broken_sequence}. {run.message}", err=True)
    raise SystemExit(1)


@ledger_cli.command("checkpoint")
def checkpoint_command() -> None:
    """Sign the current (sequence, head hash) with the HMAC key. Meant for a daily cron job:

    5 2 * * *  cd /srv/witness_support && flask --app witness_support ledger checkpoint
    """
    checkpoint = operations.create_checkpoint()
    db.session.commit()
    click.echo(
        f"Checkpoint {checkpoint.id}: sequence {checkpoint.sequence}, head {checkpoint.head_hash}, "
        f"signature {checkpoint.signature} (key {checkpoint.key_id})."
    )
