"""The hash chain: canonical serialisation, hashing, checkpoint signatures, and the verifier.

The canonical serialisation is what makes a hash computed at append time equal to the hash the
verifier recomputes years later, from either database. It is sorted-key, compact JSON of the
fields in CHAINED_FIELDS only (so adding a column never changes old hashes), where:
  - amounts are strings with exactly two decimals ("-12.50"), or null: never floats;
  - dates are ISO "YYYY-MM-DD";
  - the entry time is UTC with microseconds and a Z: "2026-11-29T03:33:15.123456Z";
  - text is kept exactly as stored (UTF-8, non-ASCII not escaped);
  - ids are integers.
hash = SHA-256(previous hash as 64 hex characters ‖ the canonical bytes), hex-encoded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from .models import GENESIS_HASH

CHAINED_FIELDS = (
    "id",
    "witness_id",
    "kind",
    "description",
    "amount",
    "currency",
    "provided_on",
    "provided_until",
    "provider",
    "rationale",
    "authorised_by_id",
    "entered_by_id",
    "entered_at",
    "corrects_id",
    "correction_type",
    "correction_reason",
)
CENTS = Decimal("0.01")
# One encoder for every entry: json.dumps with options builds a new encoder per call, which
# is a measurable share of verifying a million entries.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_amount(value: Decimal | float | int | str | None) -> str | None:
    if value is None:
        return None
    # SQLite hands NUMERIC back through a float; 14 digits survive that exactly once re-quantized.
    return str(Decimal(str(value)).quantize(CENTS))


def canonical_date(value: date | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10]).isoformat()
    return value.isoformat()


def canonical_instant(value: datetime) -> str:
    if value.tzinfo is not None:  # SQLite gives the stored UTC instant back without an offset
        value = value.astimezone(UTC).replace(tzinfo=None)
    # isoformat with fixed microseconds is the same text as strftime("%Y-%m-%dT%H:%M:%S.%f"), faster.
    return value.isoformat(timespec="microseconds") + "Z"


def canonical_bytes(row: Mapping[str, Any]) -> bytes:
    data = {name: row[name] for name in CHAINED_FIELDS}
    data["amount"] = canonical_amount(data["amount"])
    data["provided_on"] = canonical_date(data["provided_on"])
    data["provided_until"] = canonical_date(data["provided_until"])
    data["entered_at"] = canonical_instant(data["entered_at"])
    return _ENCODER.encode(data).encode("utf-8")


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_bytes(row)).hexdigest()


# ---- checkpoint signatures -----------------------------------------------------------------------


def hmac_key(create: bool = True) -> bytes | None:
    """LEDGER_HMAC_KEY if set, else a key file made on first use in the instance folder (0600).

    The key must live outside the database: whoever can rewrite the table must not also be able
    to re-sign the checkpoints. Put the setting (or the file) where the database admin cannot.
    With create=False (verification) a missing key is None, never a fresh key that would make
    every old checkpoint look signed by someone else.
    """
    configured = current_app.config.get("LEDGER_HMAC_KEY")
    if configured:
        return configured.encode() if isinstance(configured, str) else bytes(configured)
    path = current_app.config.get("LEDGER_HMAC_KEY_FILE") or os.path.join(
        current_app.instance_path, "ledger_hmac_key"
    )
    if not create and not os.path.exists(path):
        return None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip().encode()


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"witness_support ledger key id|" + key).hexdigest()[:16]


def checkpoint_message(sequence: int, head_hash: str, created_at: datetime) -> bytes:
    return f"witness_support-ledger-checkpoint|v1|{sequence}|{head_hash}|{canonical_instant(created_at)}".encode()


def sign_checkpoint(key: bytes, sequence: int, head_hash: str, created_at: datetime) -> str:
    return hmac.new(key, checkpoint_message(sequence, head_hash, created_at), hashlib.sha256).hexdigest()


# ---- verification --------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    ok: bool = True
    entries_checked: int = 0
    checkpoints_checked: int = 0
    first_broken_sequence: int | None = None
    message: str = "The ledger is intact."
    unanchored: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, sequence: int | None, message: str) -> None:
        self.problems.append(message)
        if self.ok:
            self.ok = False
            self.first_broken_sequence = sequence
            self.message = message


@dataclass
class CheckpointRecord:
    id: int
    sequence: int
    head_hash: str
    created_at: datetime
    key_id: str
    signature: str


def configured_keys(current: bytes | None, retired: Iterable[bytes] = ()) -> dict[str, bytes]:
    """Every key a checkpoint may be signed with, by key id: the current one and the retired ones."""
    keys = {key_id(k): k for k in retired if k}
    if current is not None:
        keys[key_id(current)] = current
    return keys


def verify_chain(  # noqa: C901 - one pass, each check in the order an operator should read them
    rows: Iterable[Mapping[str, Any]],
    checkpoints: list[CheckpointRecord],
    key: bytes | None,
    head: tuple[int, str] | None,
    *,
    retired_keys: Iterable[bytes] = (),
    logged: list[Any] | None = None,
) -> VerifyResult:
    """Walk entries in sequence order (a stream: memory stays flat) and check every link, then
    every checkpoint against the walked hashes and its signature, then the head row, then the
    database against the digest log kept outside it (`logged`: its lines in order).

    A signature made with a key id that is neither the current key nor a listed retired key is a
    failure: a forger signs with a key of their own, and a rotated key must be listed to be checked.
    Only when no key at all is available are signatures left unchecked (said in the message).
    """
    result = VerifyResult()
    logged = logged or []
    expected_at = {c.sequence: c for c in checkpoints}
    expected_at.update({line.sequence: line for line in logged})
    seen_at: dict[int, str] = {}
    keys = configured_keys(key, retired_keys)
    unsigned = 0
    for c in checkpoints:
        result.checkpoints_checked += 1
        if key is None:
            # Its hash is still held against the chain below; only its signature cannot be checked.
            unsigned += 1
            continue
        signing_key = keys.get(c.key_id)
        if signing_key is None:
            result.fail(c.sequence, f"Checkpoint {c.id} at sequence {c.sequence} is signed with another key "
                                    f"(key id {c.key_id}) that is not configured: a forgery, or a rotated key "
                                    "that must be listed in LEDGER_HMAC_RETIRED_KEYS.")
            continue
        good = sign_checkpoint(signing_key, c.sequence, c.head_hash, c.created_at)
        if not hmac.compare_digest(good, c.signature):
            result.fail(c.sequence, f"Checkpoint {c.id} at sequence {c.sequence} has a bad signature.")
    prev_hash = GENESIS_HASH
    expected = 1
    walk_ok = True
    for row in rows:
        sequence = row["id"]
        if sequence != expected:
            walk_ok = False
            result.fail(expected, f"Ledger broken at sequence {expected}: the entry is missing "
                                  f"(the next one found is {sequence}).")
            break
        if row["prev_hash"] != prev_hash:
            walk_ok = False
            result.fail(sequence, f"Ledger broken at sequence {sequence}: it does not link to the entry before it.")
            break
        computed = chain_hash(prev_hash, row)
        if computed != row["hash"]:
            walk_ok = False
            result.fail(sequence, f"Ledger broken at sequence {sequence}: its contents do not match its hash "
                                  "(the entry was changed).")
            break
        if sequence in expected_at:
            seen_at[sequence] = computed
        prev_hash = computed
        expected += 1
        result.entries_checked += 1
    last = expected - 1
    if logged and walk_ok:
        _check_against_log(result, logged, checkpoints, seen_at, last, head)
    if result.ok:
        for c in sorted(checkpoints, key=lambda c: c.sequence):
            if c.sequence == 0:
                continue
            if c.sequence > last:
                result.fail(last + 1, f"Ledger broken at sequence {last + 1}: checkpoint {c.id} vouches for "
                                      f"{c.sequence} entries but only {last} exist.")
                break
            if seen_at.get(c.sequence) != c.head_hash:
                result.fail(c.sequence, f"Ledger broken at sequence {c.sequence}: the chain no longer matches "
                                        f"signed checkpoint {c.id} (the table was rewritten).")
                break
    if result.ok and head is not None and head != (last, prev_hash) and not (head[0] == 0 and last == 0):
        result.fail(min(head[0], last) + 1, f"Ledger broken at sequence {min(head[0], last) + 1}: the ledger "
                                            f"head says {head[0]} entries but the chain has {last}.")
    anchored = max((line.sequence for line in logged), default=0)
    result.unanchored = max(0, last - anchored)
    if result.ok:
        result.message = f"The ledger is intact: {result.entries_checked} entries and " \
                         f"{result.checkpoints_checked} checkpoints checked."
    anchor_note = (f"{result.unanchored} entries not yet anchored in the digest log "
                   f"({len(logged)} logged checkpoints)." if logged else
                   f"{result.unanchored} entries not yet anchored: the digest log is empty or absent.")
    result.problems.append(anchor_note)
    if result.ok:
        result.message += " " + anchor_note
    if unsigned:
        note = f"{unsigned} checkpoint signature(s) not checked: no HMAC key is available."
        result.problems.append(note)
        if result.ok:
            result.message += " " + note
    return result


def _check_against_log(
    result: VerifyResult, logged: list[Any], checkpoints: list[CheckpointRecord], seen_at: dict[int, str],
    last: int, head: tuple[int, str] | None,
) -> None:
    """The database must hold every logged checkpoint unchanged and reach at least as far as the log."""
    newest = max(logged, key=lambda line: line.sequence)
    held = min(last, head[0]) if head is not None else last
    if held < newest.sequence:
        result.fail(held + 1, f"Ledger broken at sequence {held + 1}: the database goes back behind the digest "
                              f"log, whose checkpoint {newest.id} vouches for {newest.sequence} entries but the "
                              f"database holds {held} (a truncated tail, or an old backup restored).")
        return
    by_id = {c.id: c for c in checkpoints}
    for line in logged:
        found = by_id.get(line.id)
        if found is None:
            result.fail(line.sequence, f"Ledger broken at sequence {line.sequence}: checkpoint {line.id} in the "
                                       "digest log is missing from the database (checkpoints were deleted).")
            return
        stored = (found.sequence, found.head_hash, canonical_instant(found.created_at), found.key_id, found.signature)
        if stored != (line.sequence, line.head_hash, line.created_at, line.key_id, line.signature):
            result.fail(line.sequence, f"Ledger broken at sequence {line.sequence}: checkpoint {line.id} in the "
                                       "database differs from the digest log (the checkpoint was rewritten).")
            return
        if line.sequence and seen_at.get(line.sequence) != line.head_hash:
            result.fail(line.sequence, f"Ledger broken at sequence {line.sequence}: the chain no longer matches "
                                       f"checkpoint {line.id} of the digest log (the table was rewritten).")
            return
