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
    """Walk the hash chain and every checkpoint, and hold the database against the digest log;
    exit 0 when intact (saying how many entries are not yet anchored), 1 naming the first problem."""
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
    """Sign the current (sequence, head hash) with the HMAC key and append it to the digest log
    (LEDGER_DIGEST_PATH). Entries also get a checkpoint every LEDGER_CHECKPOINT_EVERY; this daily
    cron job bounds the unanchored tail on quiet days:

    5 2 * * *  cd /srv/witness_support && flask --app witness_support ledger checkpoint
    """
    checkpoint = operations.create_checkpoint()
    db.session.commit()  # the digest log line is written, and the auditor's copy mailed, on commit
    click.echo(
        f"Checkpoint {checkpoint.id}: sequence {checkpoint.sequence}, head {checkpoint.head_hash}, "
        f"signature {checkpoint.signature} (key {checkpoint.key_id})."
    )
