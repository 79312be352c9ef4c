"""The digest log: every checkpoint also written outside the database.

Anchors kept only in the database anchor nothing against someone who can write to the database
(a DBA, a restored backup): they drop the triggers, rewrite, re-hash, and delete or re-sign the
checkpoints. So each checkpoint is also appended, as one JSON line, to a file the database cannot
reach (`LEDGER_DIGEST_PATH`; keep it on another host or on write-once storage), and optionally
mailed to an auditor (`LEDGER_AUDITOR_EMAIL`). `flask ledger verify` holds the database against
this log.

A line is written only once the transaction that created its checkpoint has committed: a line for
a checkpoint that was rolled back would be a false alarm. A crash between the commit and the write
loses one line, which the next checkpoint makes good (it vouches for everything before it).
"""

from __future__ import annotations

import json
import os
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..mail import send_email
from .chain import canonical_instant
from .models import LedgerCheckpoint

_PENDING = "ledger_digest_pending"


@dataclass(frozen=True)
class DigestLine:
    id: int
    sequence: int
    head_hash: str
    created_at: str  # the checkpoint time, canonical UTC text
    key_id: str
    signature: str
    line_number: int = 0


def digest_path() -> str:
    configured = current_app.config.get("LEDGER_DIGEST_PATH")
    return configured or os.path.join(current_app.instance_path, "ledger_digest.jsonl")


def line_for(checkpoint: LedgerCheckpoint) -> str:
    data = {
        "id": checkpoint.id, "sequence": checkpoint.sequence, "head_hash": checkpoint.head_hash,
        "created_at": canonical_instant(checkpoint.created_at), "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def log_checkpoint(session: Session, checkpoint: LedgerCheckpoint) -> None:
    """Queue the checkpoint's line for the log (written after commit) and, if set, the auditor's mail."""
    line = line_for(checkpoint)
    auditor = current_app.config.get("LEDGER_AUDITOR_EMAIL") or None
    session.info.setdefault(_PENDING, []).append((digest_path(), line, auditor, checkpoint.id, checkpoint.sequence))


def append_lines(path: str, lines: list[str]) -> None:
    """Append (never rewrite) to the log, creating it 0600."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))
        handle.flush()
        os.fsync(handle.fileno())


@event.listens_for(Session, "after_commit")
def _write_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    by_path: dict[str, list[str]] = {}
    for path, line, _auditor, _id, _sequence in pending:
        by_path.setdefault(path, []).append(line)
    for path, lines in by_path.items():
        append_lines(path, lines)
    for _path, line, auditor, checkpoint_id, sequence in pending:
        if auditor:
            _mail_auditor(auditor, line, checkpoint_id, sequence)


def _mail_auditor(to: str, line: str, checkpoint_id: int, sequence: int) -> None:
    """A second copy in someone else's mailbox; a failed send is logged, never raised (the
    checkpoint is committed and in the log already)."""
    try:
        send_email(
            to, f"Benefits ledger checkpoint {checkpoint_id} (sequence {sequence})",
            "Keep this line. If the database is ever doubted, `flask ledger verify` can be run against a\n"
            "digest log made of these lines.\n\n" + line + "\n",
        )
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("ledger checkpoint not mailed to the auditor: %s", type(exc).__name__)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


class DigestLogError(ValueError):
    """A line of the log that cannot be read: the log itself was damaged."""


def read_log(path: str) -> Iterator[DigestLine]:
    """The log's lines in order; an absent log yields nothing (a fresh installation)."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                yield DigestLine(
                    int(data["id"]), int(data["sequence"]), str(data["head_hash"]), str(data["created_at"]),
                    str(data["key_id"]), str(data["signature"]), number,
                )
            except (ValueError, KeyError, TypeError):
                raise DigestLogError(f"Line {number} of the digest log {path} cannot be read.") from None
