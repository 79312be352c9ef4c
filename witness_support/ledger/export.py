"""The disclosure schedule as CSV (the HTML page renders the same Schedule object, the API's
JSON is `schemas.DisclosureSchedule`)."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..access import benefit_resource, filter_fields, remember_groups, shows, visible_groups
from ..auth.models import User
from ..permissions import FieldGroup
from .models import BenefitConcern, BenefitEntry, LedgerCheckpoint
from .operations import Schedule, Total, totals


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def entry_json(entry: BenefitEntry, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    """The entry as someone who sees `groups` of its witness may see it (other fields absent)."""
    return filter_fields({
        "id": entry.id,
        "sequence": entry.id,
        "witness_id": entry.witness_id,
        "kind": entry.kind,
        "description": entry.description,
        "amount": money(entry.amount),
        "currency": entry.currency,
        "provided_on": iso(entry.provided_on),
        "provided_until": iso(entry.provided_until),
        "provider": entry.provider,
        "rationale": entry.rationale,
        "authorised_by": {"id": entry.authorised_by_id, "name": entry.authorised_by.display_name},
        "entered_by": {"id": entry.entered_by_id, "name": entry.entered_by.display_name},
        "entered_at": iso(entry.entered_at),
        "corrects_id": entry.corrects_id,
        "correction_type": entry.correction_type,
        "correction_reason": entry.correction_reason,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }, groups, "benefit")


def total_json(total: Total) -> dict[str, Any]:
    return {"kind": total.kind, "currency": total.currency, "amount": money(total.amount), "entries": total.entries}


def concern_json(concern: BenefitConcern, groups: frozenset[FieldGroup]) -> dict[str, Any]:
    """A concern as someone who sees `groups` of its witness may read it (its text is free and
    goes with the benefits summary)."""
    return filter_fields({
        "id": concern.id,
        "witness_id": concern.witness_id,
        "entry_id": concern.entry_id,
        "description": concern.description,
        "raised_by": concern.raised_by.display_name if concern.raised_by else None,
        "raised_at": iso(concern.raised_at),
        "status": "open" if concern.is_open else "resolved",
        "resolved_at": iso(concern.resolved_at),
        "resolved_by": concern.resolved_by.display_name if concern.resolved_by else None,
        "resolution": concern.resolution,
    }, groups, "concern")


def checkpoint_json(checkpoint: LedgerCheckpoint | None, authentic: bool) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    return {
        "id": checkpoint.id,
        "sequence": checkpoint.sequence,
        "head_hash": checkpoint.head_hash,
        "created_at": iso(checkpoint.created_at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
        "signature_valid": authentic,
    }


def visible_sections(schedule: Schedule, user: User) -> list[Any]:
    """The schedule's witness sections whose benefits the user may see (one statement for all)."""
    remember_groups(user, [s.witness.id for s in schedule.sections])
    return [s for s in schedule.sections if FieldGroup.BENEFITS_SUMMARY in visible_groups(user, s.witness)]


def visible_totals(schedule: Schedule, user: User) -> list[Total]:
    """The schedule's totals over the sections the user may see: a total over a witness whose
    benefits they may not see would tell them the amounts."""
    sections = visible_sections(schedule, user)
    if len(sections) == len(schedule.sections):
        return schedule.totals
    return totals([r.entry for s in sections for r in s.rows])


def schedule_json(schedule: Schedule, user: User) -> dict[str, Any]:
    """The schedule as `user` may see it: fields of groups they do not see are absent."""
    return {
        "title": schedule.title,
        "case_id": schedule.case_id,
        "witness_id": schedule.witness_id,
        "generated_at": iso(schedule.generated_at),
        "up_to_sequence": schedule.up_to_sequence,
        "testimony_window_days": schedule.window_days,
        "witnesses": [
            {
                "witness_id": s.witness.id,
                "witness_reference": s.witness.reference,
                "testimony_dates": [iso(d) for d in s.testimony_dates],
                "entries": [
                    entry_json(r.entry, visible_groups(user, s.witness)) | {
                        "near_testimony": [iso(d) for d in r.near_testimony],
                        "corrected_by": r.corrected_by,
                    }
                    for r in s.rows
                ],
                "totals": [total_json(t) for t in s.totals],
                "concerns": [concern_json(c, visible_groups(user, s.witness)) for c in s.concerns],
                # Not benefits: claims the witness made against a defendant, for the defence to see.
                "compensation_claims": [
                    {"claim_id": c.claim_id, "defendant": c.defendant, "route": c.route, "status": c.status,
                     "filed_on": iso(c.filed_on), "amount_claimed": money(c.amount_claimed),
                     "claimed_currency": c.claimed_currency, "amount_awarded": money(c.amount_awarded),
                     "awarded_currency": c.awarded_currency, "amount_paid": money(c.amount_paid)}
                    for c in s.claims
                ],
            }
            for s in visible_sections(schedule, user)
        ],
        "totals": [total_json(t) for t in visible_totals(schedule, user)],
        "checkpoint": checkpoint_json(schedule.checkpoint, schedule.checkpoint_authentic),
        "disclosures": [
            {"id": d.id, "disclosed_on": iso(d.disclosed_on), "up_to_sequence": d.up_to_sequence,
             "note": d.note, "recorded_by": d.recorded_by.display_name}
            for d in schedule.disclosures
        ],
        "undisclosed_sequences": schedule.undisclosed,
    }


CSV_COLUMNS = [
    "record", "witness_reference", "sequence", "provided_on", "provided_until", "kind", "description",
    "amount", "currency", "provider", "need_it_meets", "authorised_by", "entered_by", "entered_at",
    "corrects_sequence", "correction_type", "correction_reason", "within_window_before_testimony",
    "concern_status", "resolution", "hash",
    # Compensation claims against a defendant (record "compensation_claim"): not benefits, outside the
    # totals; the claimed amount is in amount/currency, the rest in these columns.
    "claim_id", "defendant", "claim_status", "filed_on", "amount_awarded", "awarded_currency", "amount_paid",
]


# The CSV columns that carry a benefit's field, by the field's name in the JSON.
CSV_FIELDS = {
    "provided_on": "provided_on", "provided_until": "provided_until", "kind": "kind", "description": "description",
    "amount": "amount", "currency": "currency", "provider": "provider", "need_it_meets": "rationale",
    "authorised_by": "authorised_by", "entered_by": "entered_by", "entered_at": "entered_at",
    "corrects_sequence": "corrects_id", "correction_type": "correction_type", "correction_reason": "correction_reason",
    "within_window_before_testimony": "near_testimony",
}


def _safe(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: quote text that does (not numbers)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def schedule_csv(schedule: Schedule, user: User) -> str:
    """One table: entry rows in date order per witness, then totals, concerns, compensation claims
    against a defendant and the checkpoint,
    told apart by the first column. A cell of a field `user` may not see stays empty."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()

    def write(row: dict[str, Any]) -> None:
        writer.writerow({k: _safe("" if v is None else v) for k, v in row.items()})

    for s in visible_sections(schedule, user):
        groups = visible_groups(user, s.witness)
        for r in s.rows:
            e = r.entry
            resource = benefit_resource(e.kind)
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
            } | {column: "" for column, field in CSV_FIELDS.items() if not shows(groups, resource, field)})
        for t in s.totals:
            write({"record": "witness_total", "witness_reference": s.witness.reference, "kind": t.kind,
                   "amount": money(t.amount), "currency": t.currency, "description": f"{t.entries} benefit(s)"})
        for c in s.concerns:
            write({"record": "concern", "witness_reference": s.witness.reference, "sequence": c.entry_id,
                   "description": c.description, "entered_at": iso(c.raised_at),
                   "concern_status": "open" if c.is_open else "resolved", "resolution": c.resolution})
        for claim in s.claims:
            # Listed as in the JSON and on the page, to whoever sees the witness's section.
            write({"record": "compensation_claim", "witness_reference": s.witness.reference, "kind": claim.route,
                   "description": f"Compensation claim against {claim.defendant} (not a benefit)",
                   "amount": money(claim.amount_claimed), "currency": claim.claimed_currency,
                   "claim_id": claim.claim_id, "defendant": claim.defendant, "claim_status": claim.status,
                   "filed_on": iso(claim.filed_on), "amount_awarded": money(claim.amount_awarded),
                   "awarded_currency": claim.awarded_currency, "amount_paid": money(claim.amount_paid)})
    for t in visible_totals(schedule, user):
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
