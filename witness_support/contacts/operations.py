"""The rules of the contact log and of court attendance outcomes.

`log_contact` records a contact (its summary encrypted at rest) and turns a follow-up date into a
task for the witness's officer; support persons may log court-day notes for the witnesses they
are assigned to, and nothing else. `record_attendance_outcome` says how a required witness's
attendance at a court event went. Each validates, changes, flushes and audits; the caller commits.
The audit trail never holds a summary or a reason in words: it is shown to admins.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .. import audit
from ..auth.models import User
from ..court.models import AttendanceOutcome, EventStatus, EventWitness
from ..dates import check_date
from ..db import utc_now
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Role
from ..tasks.operations import create_task
from ..witnesses.models import Witness
from . import queries
from .models import Channel, Counterpart, WitnessContact

MAX_SUMMARY = 5000
MAX_REASON = 2000
# A contact is logged after it happened; a clock a few minutes fast is not "the future".
CLOCK_SLACK = timedelta(minutes=5)
FOLLOW_UP_KIND = "contact_follow_up"


def _end_of_day(day: date, tz: str) -> datetime:
    """A follow-up due on a day is due until that day ends on the witness's clock."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _follow_up_assignee(actor: User, witness: Witness) -> User | None:
    """The officer logging the contact follows it up; a support person's note goes to the
    witness's officer."""
    if actor.role == Role.LIAISON_OFFICER:
        return actor
    officers = queries.officers_of(witness)
    return officers[0] if officers else None


def log_contact(  # noqa: C901 - one check per field, each named for the form
    actor: User,
    witness: Witness,
    *,
    occurred_at: datetime | None,
    channel: str | None,
    summary: str | None,
    counterpart: str | None = Counterpart.WITNESS,
    interpreter_language: str | None = None,
    interpreter_name: str | None = None,
    follow_up_on: date | None = None,
    now: datetime | None = None,
) -> WitnessContact:
    """Record a contact. `occurred_at` is aware (a form's wall-clock time is read on the witness's
    clock by the view, `queries.witness_timezone`); a follow-up day becomes a task."""
    now = now or utc_now()
    support_person = actor.role == Role.SUPPORT_PERSON
    if support_person and not queries.is_assigned(actor, witness):
        raise NotFound()  # a support person reaches only the witnesses they are assigned to
    errors: dict[str, str] = {}
    if occurred_at is None:
        errors["occurred_at"] = "Give the date and time of the contact."
    elif occurred_at.tzinfo is None:
        errors["occurred_at"] = "Give the time with its time zone."
    elif check_date(errors, "occurred_at", occurred_at, "court_past") and occurred_at > now + CLOCK_SLACK:
        errors["occurred_at"] = "A contact is logged once it has happened: this time is in the future."
    if channel not in set(Channel):
        errors["channel"] = "Choose how: " + ", ".join(c.words for c in Channel) + "."
    elif support_person and channel != Channel.COURT_DAY:
        errors["channel"] = "Support persons log court-day notes; the witness's officer logs other contacts."
    if counterpart not in set(Counterpart):
        errors["counterpart"] = "Choose who the contact was with."
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = "Summarise the contact."
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = f"At most {MAX_SUMMARY:,} characters."
    language = (interpreter_language or "").strip()
    name = (interpreter_name or "").strip()
    if len(language) > 35:
        errors["interpreter_language"] = "At most 35 characters."
    elif name and not language:
        errors["interpreter_language"] = "Give the language the interpreter worked in."
    if len(name) > 200:
        errors["interpreter_name"] = "At most 200 characters."
    if follow_up_on is not None and check_date(errors, "follow_up_on", follow_up_on, "court_future"):
        zone = queries.witness_timezone(witness.id)
        if follow_up_on < now.astimezone(ZoneInfo(zone)).date():
            errors["follow_up_on"] = "A follow-up is today or later."
    if errors:
        raise ValidationFailed(errors)
    zone = queries.witness_timezone(witness.id)
    assignee = None
    if follow_up_on is not None:
        assignee = _follow_up_assignee(actor, witness)
        if assignee is None:
            raise ValidationFailed({"follow_up_on": f"{witness.reference} has no officer to follow this up; "
                                                    "ask for one to be assigned first."})
    contact = WitnessContact(
        witness_id=witness.id, occurred_at=occurred_at.astimezone(UTC),  # type: ignore[union-attr]
        timezone=zone, channel=channel,
        counterpart=counterpart, staff_id=actor.id, interpreter_language=language or None, interpreter_name=name,
        summary=summary, follow_up_on=follow_up_on,
    )
    db.session.add(contact)
    db.session.flush()
    if assignee is not None and follow_up_on is not None:
        words = Channel.words_of(channel)
        task = create_task(
            assignee, FOLLOW_UP_KIND, f"Follow up the {words} with {witness.reference}",
            due_at=_end_of_day(follow_up_on, zone), witness_id=witness.id, source=("witness_contact", contact.id),
            actor=actor,
        )
        task.created_by_id = actor.id
        contact.task_id = task.id
        db.session.flush()
    audit.record("contact.log", contact, actor=actor, details={
        "channel": channel, "interpreted": bool(language), "follow_up_task_id": contact.task_id})
    return contact


def record_attendance_outcome(
    actor: User, requirement: EventWitness, *, outcome: str | None, reason: str | None = "",
    now: datetime | None = None,
) -> EventWitness:
    """How a required witness's attendance went: attended, gave evidence, did not attend (with
    the reason), excused. Recorded once the event has begun; a later record corrects an earlier one
    (the audit trail keeps both)."""
    now = now or utc_now()
    event = requirement.event
    if event.status == EventStatus.CANCELLED:
        raise Conflict("This event was cancelled: nobody attended it.")
    if event.starts_at > now:
        raise Conflict("The event has not begun yet: record the attendance on the day or after it.")
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if outcome not in set(AttendanceOutcome):
        errors["outcome"] = "Choose: attended, gave evidence, did not attend or excused."
    elif outcome == AttendanceOutcome.DID_NOT_ATTEND and not reason:
        errors["outcome_reason"] = "Say why the witness did not attend."
    if len(reason) > MAX_REASON:
        errors["outcome_reason"] = f"At most {MAX_REASON:,} characters."
    if errors:
        raise ValidationFailed(errors)
    previous = requirement.outcome
    if previous == outcome and (requirement.outcome_reason or "") == reason:
        return requirement
    requirement.outcome = outcome
    requirement.outcome_reason = reason or None
    requirement.outcome_recorded_at = now
    requirement.outcome_recorded_by_id = actor.id
    db.session.flush()
    audit.record("court_event.attendance_outcome", event, actor=actor, witness_id=requirement.witness_id,
                 details={"outcome": outcome, "previous": previous})
    return requirement
