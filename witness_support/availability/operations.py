"""The rules for dates to avoid: adding one (a day or a range, with a reason from the list) and
removing one. Each validates, changes, flushes and audits; the caller commits.

The audit trail names the reason's category but never the note: the note is free text about the
witness's health, faith or family, which the trail (shown to admins) must not hold.
"""

from __future__ import annotations

from datetime import date

from .. import audit
from ..auth.models import User
from ..dates import check_date
from ..db import utc_now
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..witnesses.models import Witness
from .models import MAX_RANGE_DAYS, AvoidReason, DateToAvoid

MAX_NOTE = 2000


def add_date_to_avoid(
    actor: User, witness: Witness, *, first_day: date | None, last_day: date | None = None, reason: str | None,
    note: str = "",
) -> DateToAvoid:
    """A day (no last day) or a range of days the witness cannot attend. "Other" needs a note."""
    errors: dict[str, str] = {}
    note = (note or "").strip()
    if first_day is None:
        errors["first_day"] = "Give the first day the witness cannot attend."
    else:
        check_date(errors, "first_day", first_day, "court_event")
    if (last_day is not None and first_day is not None and "first_day" not in errors
            and check_date(errors, "last_day", last_day, "court_event")):
        if last_day < first_day:
            errors["last_day"] = "The last day cannot be before the first day."
        elif (last_day - first_day).days >= MAX_RANGE_DAYS:
            errors["last_day"] = "A date to avoid spans at most a year; check the dates."
    if reason not in set(AvoidReason):
        errors["reason"] = "Choose a reason: " + ", ".join(r.value for r in AvoidReason) + "."
    elif reason == AvoidReason.OTHER and not note:
        errors["note"] = "Say what the reason is when it is none of the listed ones."
    if len(note) > MAX_NOTE:
        errors["note"] = f"At most {MAX_NOTE} characters."
    if errors:
        raise ValidationFailed(errors)
    entry = DateToAvoid(
        witness_id=witness.id, first_day=first_day, last_day=last_day or first_day, reason=reason, note=note,
        created_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("date_to_avoid.add", entry, actor=actor, witness_id=witness.id, details={
        "first_day": entry.first_day.isoformat(), "last_day": entry.last_day.isoformat(), "reason": reason})
    return entry


def remove_date_to_avoid(actor: User, entry: DateToAvoid) -> DateToAvoid:
    """The witness can attend after all: the date no longer warns a scheduler (the row is kept)."""
    if entry.removed_at is not None:
        raise Conflict("This date to avoid has already been removed.")
    entry.removed_at = utc_now()
    entry.removed_by_id = actor.id
    db.session.flush()
    audit.record("date_to_avoid.remove", entry, actor=actor, witness_id=entry.witness_id, details={
        "first_day": entry.first_day.isoformat(), "last_day": entry.last_day.isoformat()})
    return entry
