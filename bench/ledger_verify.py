"""Benchmark: `ledger verify` over 1,000,000 entries on SQLite (target: under 60 s).

A script that reports on stdout, hence print (T201 is off for this file).

    python bench/ledger_verify.py [--entries 1000000]

Builds a temporary SQLite file with the real schema (create_all, triggers included), bulk-inserts
valid hash-chained entries through the raw sqlite3 driver (setup only: it is not what is timed),
signs a checkpoint, then times exactly what `flask ledger verify` runs.
"""

# ruff: noqa: T201
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from witness_support import create_app  # noqa: E402
from witness_support.auth import operations as auth_ops  # noqa: E402
from witness_support.extensions import db  # noqa: E402
from witness_support.ledger import chain, operations  # noqa: E402
from witness_support.witnesses import operations as witness_ops  # noqa: E402

KINDS = ("accommodation", "travel", "subsistence", "medical", "phone_or_communication")


def build(path: str, entries: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    prev = chain.GENESIS_HASH
    start = datetime(2025, 1, 1, tzinfo=UTC)
    batch = []
    for n in range(1, entries + 1):
        entered_at = start + timedelta(seconds=n, microseconds=n % 1_000_000)
        row = {
            "id": n, "witness_id": 1, "kind": KINDS[n % len(KINDS)],
            "description": f"Benefit number {n}", "amount": Decimal(n % 100_000) / 100 + 1,
            "currency": "IDR", "provided_on": date(2025, 1, 1) + timedelta(days=n % 700),
            "provided_until": None, "provider": "Invented Shelter Foundation",
            "rationale": "Meets the witness's basic needs while in the shelter.",
            "authorised_by_id": 1, "entered_by_id": 1, "entered_at": entered_at,
            "corrects_id": None, "correction_type": None, "correction_reason": None,
        }
        digest = chain.chain_hash(prev, row)
        batch.append((
            n, 1, row["kind"], row["description"], float(row["amount"]), "IDR", row["provided_on"].isoformat(),
            row["provider"], row["rationale"], 1, 1, entered_at.replace(tzinfo=None).isoformat(sep=" "),
            prev, digest,
        ))
        prev = digest
        if len(batch) == 50_000:
            _flush(connection, batch)
    _flush(connection, batch)
    connection.execute("INSERT INTO ledger_head (id, sequence, hash) VALUES (1, ?, ?)", (entries, prev))
    connection.commit()
    connection.close()


def _flush(connection: sqlite3.Connection, batch: list) -> None:
    connection.executemany(
        "INSERT INTO benefit_entries (id, witness_id, kind, description, amount, currency, provided_on, "
        "provider, rationale, authorised_by_id, entered_by_id, entered_at, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    batch.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.sqlite3")
        app = create_app({
            "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
            "LEDGER_HMAC_KEY": "bench-key", "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
        })
        with app.app_context():
            db.create_all()
            user = auth_ops.create_user("bench@example.test", role="liaison_officer",
                                        password="quiet benches under elm trees")  # noqa: S106 - invented
            witness_ops.create_witness(user, legal_name="Invented Bench Person", preferred_language="Thai")
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        t0 = time.perf_counter()
        build(path, args.entries)
        print(f"setup: {args.entries:,} chained entries written in {time.perf_counter() - t0:.1f} s")
        with app.app_context():
            operations.create_checkpoint()
            db.session.commit()
            t0 = time.perf_counter()
            run = operations.verify_ledger(trigger="bench")
            db.session.commit()
            elapsed = time.perf_counter() - t0
            ok, checked, checkpoints, message = run.ok, run.entries_checked, run.checkpoints_checked, run.message
            db.session.remove()
            db.engine.dispose()
        print(f"verify: ok={ok} entries={checked:,} checkpoints={checkpoints} "
              f"in {elapsed:.1f} s ({checked / elapsed:,.0f} entries/s)")
        print(message)
        sys.exit(0 if ok and elapsed < 60 else 1)


if __name__ == "__main__":
    main()
