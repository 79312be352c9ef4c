"""The disclosure schedule as CSV (the HTML page renders the same Schedule object, the API's
JSON is `schemas.DisclosureSchedule`)."""

from __future__ import annotations

import csv
import io
from typing import Any

from .operations import Schedule


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


CSV_COLUMNS = [
    "record", "witness_reference", "sequence", "provided_on", "provided_until", "kind", "description",
    "amount", "currency", "provider", "need_it_meets", "authorised_by", "entered_by", "entered_at",
    "corrects_sequence", "correction_type", "correction_reason", "within_window_before_testimony",
    "concern_status", "resolution", "hash",
]


def _safe(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: quote text that does (not numbers)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def schedule_csv(schedule: Schedule) -> str:
    """One table: entry rows in date order per witness, then totals, concerns and the checkpoint,
    told apart by the first column."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()

    def write(row: dict[str, Any]) -> None:
        writer.writerow({k: _safe("" if v is None else v) for k, v in row.items()})

    for s in schedule.sections:
        for r in s.rows:
            e = r.entry
            write({
                "record": "correction" if e.corrects_id else "entry", "witness_reference": s.witness.reference,
                "sequence": e.id, "provided_on": iso(e.provided_on), "provided_until": iso(e.provided_until),
                "kind": e.kind, "description": e.description, "amount": money(e.amount), "currency": e.currency,
                "provider": e.provider, "need_it_meets": e.rationale,
                "authorised_by": e.authorised_by.display_name, "entered_by": e.entered_by.display_name,
                "entered_at": iso(e.entered_at), "corrects_sequence": e.corrects_id,
                "correction_type": e.correction_type, "correction_reason": e.correction_reason,
                "within_window_before_testimony": " ".join(d.isoformat() for d in r.near_testimony),
                "hash": e.hash,
            })
        for t in s.totals:
            write({"record": "witness_total", "witness_reference": s.witness.reference, "kind": t.kind,
                   "amount": money(t.amount), "currency": t.currency, "description": f"{t.entries} benefit(s)"})
        for c in s.concerns:
            write({"record": "concern", "witness_reference": s.witness.reference, "sequence": c.entry_id,
                   "description": c.description, "entered_at": iso(c.raised_at),
                   "concern_status": "open" if c.is_open else "resolved", "resolution": c.resolution})
    for t in schedule.totals:
        write({"record": "total", "kind": t.kind, "amount": money(t.amount), "currency": t.currency,
               "description": f"{t.entries} benefit(s)"})
    if schedule.checkpoint is not None:
        c = schedule.checkpoint
        write({"record": "checkpoint", "sequence": c.sequence, "entered_at": iso(c.created_at),
               "hash": c.head_hash,
               "description": f"HMAC-SHA256 signature {c.signature} (key {c.key_id})"
                              + ("" if schedule.checkpoint_authentic else " — SIGNATURE NOT VALID")})
    for d in schedule.disclosures:
        write({"record": "disclosed", "provided_on": iso(d.disclosed_on), "sequence": d.up_to_sequence,
               "description": d.note})
    return out.getvalue()
