"""The rules of court support: scheduling and moving court events, attendance.

A trial day proposes the child set of testimonial aids (the aids area) for its required witnesses.

Other areas hook in here:
- notifications: subscribe to `signals.event_changed` (created, moved, cancelled, held, updated);
  queue the notice in the receiver and send it after the commit;
- the calendar feed: read a person's events with `events_for_user(user)` (only while their
  assignment to the witness is active), with `revision` as SEQUENCE and `updated_at` as DTSTAMP.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .. import audit
from ..aids.operations import propose_child_aids
from ..auth.models import User
from ..availability.models import DateToAvoid
from ..availability.queries import avoided_between
from ..cases.models import Case, CaseAssignment, CaseRole, Journey
from ..dates import as_local, check_date, local_to_utc
from ..db import utc_now
from ..errors import Conflict, OperationError, ValidationFailed
from ..extensions import db
from ..permissions import Permission, has_permission
from ..tasks.models import Task
from ..tasks.operations import create_task
from ..witnesses import operations as witness_ops
from ..witnesses.models import AssignmentRole, Witness, WitnessAssignment
from ..witnesses.queries import liaison_officers_of
from .models import (
    Attendance,
    CourtEvent,
    CourtEventChange,
    EventKind,
    EventStatus,
    EventWitness,
)
from .signals import event_changed

MAX_EVENT_HOURS = 24 * 14  # a familiarisation visit or a sitting; a fortnight means a typo


# ---- a witness's next court date ---------------------------------------------------------------


def _next_court_subquery(now: datetime) -> sa.ScalarSelect:
    return (
        sa.select(sa.func.min(CourtEvent.starts_at))
        .join(EventWitness, EventWitness.event_id == CourtEvent.id)
        .where(
            EventWitness.witness_id == Witness.id,
            CourtEvent.status.in_([EventStatus.SCHEDULED, EventStatus.MOVED]),
            CourtEvent.starts_at >= now,
        )
        .scalar_subquery()
    )


def refresh_next_court_dates(witness_ids: list[int] | None = None, *, now: datetime | None = None) -> int:
    """Recompute Witness.next_court_at (one UPDATE): for the given witnesses, or else for every
    witness whose stored date has passed. Lists sort by the indexed column and never scan events."""
    now = now or utc_now()
    statement = sa.update(Witness).values(next_court_at=_next_court_subquery(now))
    if witness_ids is not None:
        if not witness_ids:
            return 0
        statement = statement.where(Witness.id.in_(witness_ids))
    else:
        statement = statement.where(Witness.next_court_at < now)
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Witness) and (witness_ids is None or obj.id in witness_ids):
            db.session.expire(obj, ["next_court_at"])
    return result.rowcount


def _refresh_for_event(event: CourtEvent) -> None:
    db.session.flush()
    ids = list(db.session.execute(
        sa.select(EventWitness.witness_id).where(EventWitness.event_id == event.id)
    ).scalars())
    refresh_next_court_dates(ids)


# ---- time ------------------------------------------------------------------------------------


def court_local(value: datetime, tz: str) -> datetime:
    return as_local(value, tz)


def from_court_local(value: datetime, tz: str, field: str = "starts_at") -> datetime:
    """A time a user typed for a court (naive) means the court's wall clock; aware times stay as given.
    Out of a court event's range (or without any UTC instant, near year 1 or 9999): refused by `field`."""
    return local_to_utc(field, value, tz, "court_event")


def _check_times(starts_at: datetime | None, ends_at: datetime | None, errors: dict[str, str]) -> None:
    if starts_at is None:
        errors["starts_at"] = "Give the start date and time."
    if ends_at is None:
        errors["ends_at"] = "Give the end date and time."
    if starts_at is None or ends_at is None:
        return
    if not (check_date(errors, "starts_at", starts_at, "court_event")
            & check_date(errors, "ends_at", ends_at, "court_event")):
        return
    if ends_at <= starts_at:
        errors["ends_at"] = "The event must end after it starts."
    elif ends_at - starts_at > timedelta(hours=MAX_EVENT_HOURS):
        errors["ends_at"] = "An event can last at most 14 days; check the dates."


def _event_local_date(event_start: datetime, case: Case) -> date:
    return court_local(event_start, case.court_timezone).date()


# ---- events ----------------------------------------------------------------------------------


def _record_change(
    actor: User, event: CourtEvent, action: str, *, reason: str = "", old_status: str | None = None,
    old_starts_at: datetime | None = None, old_ends_at: datetime | None = None,
) -> CourtEventChange:
    change = CourtEventChange(
        event_id=event.id,
        action=action,
        old_starts_at=old_starts_at,
        old_ends_at=old_ends_at,
        new_starts_at=event.starts_at,
        new_ends_at=event.ends_at,
        old_status=old_status,
        new_status=event.status,
        revision=event.revision,
        actor_id=actor.id,
        reason=reason,
    )
    db.session.add(change)
    return change


def _bump(event: CourtEvent) -> None:
    """A change a calendar subscriber notices: new SEQUENCE and DTSTAMP, always together."""
    event.revision = (event.revision or 1) + 1
    event.updated_at = utc_now()


def _reflection_conflicts(case: Case, witnesses: list[Witness], starts_at: datetime) -> list[Witness]:
    on = _event_local_date(starts_at, case)
    return [w for w in witnesses if w.in_reflection_period(on)]


def _avoid_conflicts(
    case: Case, witnesses: list[Witness], starts_at: datetime, ends_at: datetime
) -> dict[int, list[DateToAvoid]]:
    """The required witnesses' dates to avoid that fall on a day the event covers (court's calendar)."""
    first = _event_local_date(starts_at, case)
    last = court_local(max(starts_at, ends_at - timedelta(microseconds=1)), case.court_timezone).date()
    return avoided_between([w.id for w in witnesses], first, last)


AVOID_FIELD_ERROR = "Required: a required witness asked not to attend on that date."


def _avoid_missing(avoiding: dict[int, list[DateToAvoid]], override: str) -> dict[str, str]:
    return {"avoid_override_reason": AVOID_FIELD_ERROR} if avoiding and not override else {}


def _refuse_avoided(witnesses: list[Witness], avoiding: dict[int, list[DateToAvoid]], override: str) -> None:
    """Like the reflection period: the scheduler is told, and the date stands only with a reason.
    The message names the days, never why the witness cannot attend (that is the needs group's)."""
    if not avoiding or override:
        return
    refs = "; ".join(
        f"{w.reference} ({', '.join(d.days_words for d in avoiding[w.id])})" for w in witnesses if w.id in avoiding
    )
    raise OperationError(
        f"{refs} asked not to attend court on those days: give a reason to keep the event on that date.",
        _avoid_missing(avoiding, override),
    )


def _audit_avoided(actor: User, event: CourtEvent, avoiding: dict[int, list[DateToAvoid]], override: str) -> None:
    for witness_id, dates in avoiding.items():
        audit.record("court_event.avoid_override", event, actor=actor, witness_id=witness_id,
                     details={"reason": override[:2000], "dates_to_avoid": [d.id for d in dates]})


def _load_case_witnesses(case: Case, witness_ids: list[int]) -> list[Witness]:
    if not witness_ids:
        return []
    ids = list(dict.fromkeys(witness_ids))
    rows = db.session.execute(
        sa.select(Witness)
        .join(Journey, Journey.witness_id == Witness.id)
        .where(Journey.case_id == case.id, Witness.id.in_(ids))
    ).scalars().all()
    if len(rows) != len(ids):
        raise ValidationFailed({"witness_ids": "Every required witness must be a witness in this case."})
    by_id = {w.id: w for w in rows}
    return [by_id[i] for i in ids]


def schedule_event(
    actor: User,
    case: Case,
    *,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    room: str = "",
    court_name: str | None = None,
    remote_link: bool = False,
    interpreter_language: str | None = None,
    witness_ids: list[int] | None = None,
    reflection_override_reason: str = "",
    avoid_override_reason: str = "",
) -> CourtEvent:
    """Put an event in a case's calendar. A required witness inside their reflection period on the
    event's date, or who asked to avoid one of its days, needs an explicit override reason, which is
    kept and audited."""
    errors: dict[str, str] = {}
    if kind not in set(EventKind):
        errors["kind"] = "Choose the kind of event: " + ", ".join(k.value for k in EventKind) + "."
    _check_times(starts_at, ends_at, errors)
    court_name = (court_name or "").strip() or case.court_name
    if len(court_name) > 200:
        errors["court_name"] = "At most 200 characters."
    room = (room or "").strip()
    if len(room) > 100:
        errors["room"] = "At most 100 characters."
    if len((interpreter_language or "").strip()) > 35:
        errors["interpreter_language"] = "At most 35 characters."
    if errors:
        raise ValidationFailed(errors)
    witnesses = _load_case_witnesses(case, witness_ids or [])
    override = (reflection_override_reason or "").strip()
    reflecting = _reflection_conflicts(case, witnesses, starts_at)
    avoiding = _avoid_conflicts(case, witnesses, starts_at, ends_at)
    avoid_override = (avoid_override_reason or "").strip()
    if reflecting and not override:
        refs = ", ".join(w.reference for w in reflecting)
        raise OperationError(
            f"{refs} will still be in the reflection period on that date: give an override reason to "
            "schedule this event now.",
            {"reflection_override_reason": "Required: a required witness is inside the reflection period.",
             **_avoid_missing(avoiding, avoid_override)},
        )
    _refuse_avoided(witnesses, avoiding, avoid_override)
    event = CourtEvent(
        case_id=case.id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        court_name=court_name,
        room=room,
        remote_link=bool(remote_link),
        status=EventStatus.SCHEDULED,
        interpreter_language=(interpreter_language or "").strip() or None,
        revision=1,
        created_by_id=actor.id,
        updated_at=utc_now(),
    )
    db.session.add(event)
    db.session.flush()
    reflecting_ids = {w.id for w in reflecting}
    for witness in witnesses:
        db.session.add(
            EventWitness(
                event_id=event.id,
                witness_id=witness.id,
                reflection_override_reason=override if witness.id in reflecting_ids else None,
                avoid_override_reason=avoid_override if witness.id in avoiding else None,
            )
        )
    _record_change(actor, event, "created")
    db.session.flush()
    details: dict[str, Any] = {"case_id": case.id, "kind": kind, "witness_ids": [w.id for w in witnesses]}
    audit.record("court_event.create", event, actor=actor, details=details)
    for witness in reflecting:
        audit.record(
            "court_event.reflection_override", event, actor=actor, witness_id=witness.id,
            details={"reason": override[:2000]},
        )
    _audit_avoided(actor, event, avoiding, avoid_override)
    if kind == EventKind.TRIAL_DAY:
        for witness in witnesses:
            propose_child_aids(actor, witness, case)
    _refresh_for_event(event)
    event_changed.send(event, action="created", actor=actor)
    return event


def add_required_witness(
    actor: User, event: CourtEvent, witness: Witness, reflection_override_reason: str = "",
    avoid_override_reason: str = "",
) -> EventWitness:
    if not event.is_open:
        raise Conflict(f"This event is {event.status}; witnesses can no longer be added.")
    case = event.case
    _load_case_witnesses(case, [witness.id])
    if any(r.witness_id == witness.id for r in event.required):
        raise Conflict(f"{witness.reference} is already required at this event.")
    override = (reflection_override_reason or "").strip()
    reflecting = bool(_reflection_conflicts(case, [witness], event.starts_at))
    avoiding = _avoid_conflicts(case, [witness], event.starts_at, event.ends_at)
    avoid_override = (avoid_override_reason or "").strip()
    if reflecting and not override:
        raise OperationError(
            f"{witness.reference} will still be in the reflection period on that date: give an override reason.",
            {"reflection_override_reason": "Required: the witness is inside the reflection period.",
             **_avoid_missing(avoiding, avoid_override)},
        )
    _refuse_avoided([witness], avoiding, avoid_override)
    link = EventWitness(event_id=event.id, witness_id=witness.id, reflection_override_reason=override or None,
                        avoid_override_reason=avoid_override if avoiding else None)
    db.session.add(link)
    db.session.flush()
    audit.record("court_event.witness_add", event, actor=actor, witness_id=witness.id)
    if reflecting:
        audit.record("court_event.reflection_override", event, actor=actor, witness_id=witness.id,
                     details={"reason": override[:2000]})
    _audit_avoided(actor, event, avoiding, avoid_override)
    if event.kind == EventKind.TRIAL_DAY:
        propose_child_aids(actor, witness, case)
    refresh_next_court_dates([witness.id])
    return link


def move_event(
    actor: User,
    event: CourtEvent,
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    reason: str,
    room: str | None = None,
    reflection_override_reason: str = "",
    avoid_override_reason: str = "",
) -> CourtEvent:
    """Move an event to a new time (and optionally room); history keeps the old and new times.
    A new date inside a required witness's reflection period, or on one of their dates to avoid,
    needs an override reason, as when scheduling."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not event.is_open:
        raise Conflict(f"This event is {event.status} and cannot be moved.")
    _check_times(starts_at, ends_at, errors)
    if not reason:
        errors["reason"] = "Say why the event moved (e.g. adjourned by the court)."
    if errors:
        raise ValidationFailed(errors)
    if starts_at == event.starts_at and ends_at == event.ends_at and (room is None or room.strip() == event.room):
        raise ValidationFailed({"starts_at": "That is the time the event already has."})
    required = [r.witness for r in event.required]
    reflecting = _reflection_conflicts(event.case, required, starts_at)
    override = (reflection_override_reason or "").strip()
    avoiding = _avoid_conflicts(event.case, required, starts_at, ends_at)
    avoid_override = (avoid_override_reason or "").strip()
    if reflecting and not override:
        refs = ", ".join(w.reference for w in reflecting)
        raise OperationError(
            f"{refs} will still be in the reflection period on the new date: give an override reason.",
            {"reflection_override_reason": "Required: a required witness is inside the reflection period.",
             **_avoid_missing(avoiding, avoid_override)},
        )
    _refuse_avoided(required, avoiding, avoid_override)
    old_start, old_end, old_status = event.starts_at, event.ends_at, event.status
    event.starts_at, event.ends_at = starts_at, ends_at
    if room is not None:
        event.room = room.strip()[:100]
    event.status = EventStatus.MOVED
    _bump(event)
    _record_change(actor, event, "moved", reason=reason, old_status=old_status,
                   old_starts_at=old_start, old_ends_at=old_end)
    db.session.flush()
    audit.record("court_event.move", event, actor=actor, details={
        "from": old_start.isoformat(), "to": starts_at.isoformat(), "reason": reason[:2000]})
    reflecting_ids = {w.id for w in reflecting}
    for link in event.required:
        if link.witness_id in reflecting_ids:
            link.reflection_override_reason = override
        if link.witness_id in avoiding:
            link.avoid_override_reason = avoid_override
    for witness in reflecting:
        audit.record("court_event.reflection_override", event, actor=actor, witness_id=witness.id,
                     details={"reason": override[:2000]})
    _audit_avoided(actor, event, avoiding, avoid_override)
    if event.kind == EventKind.TRIAL_DAY:
        for witness in required:
            propose_child_aids(actor, witness, event.case)
    _raise_double_bookings(actor, event)
    _refresh_for_event(event)
    event_changed.send(event, action="moved", actor=actor, old_starts_at=old_start, old_ends_at=old_end)
    return event


def _raise_double_bookings(actor: User, event: CourtEvent) -> None:
    """A court moves a hearing when it decides to, so the move stands; but anyone booked for it
    who now has an overlapping booking is double-booked without having agreed to it. Each such
    booking becomes a task for the witness's liaison officers (else the person who moved it)."""
    for booking in event.attendance:
        clashes = overlapping_events(booking.user, event.starts_at, event.ends_at, exclude_event_id=event.id)
        if not clashes:
            continue
        audit.record("court_event.double_booked", event, actor=actor, witness_id=booking.witness_id,
                     details={"user_id": booking.user_id, "overlaps": [e.id for e in clashes]})
        witness = booking.witness
        when = court_local(event.starts_at, event.case.court_timezone)
        for officer_id in liaison_officers_of(witness) or [actor.id]:
            create_task(
                officer_id,
                "double_booking",
                f"{booking.user.display_name} ({booking.role.replace('_', ' ')} for {witness.reference}) is now "
                f"booked for overlapping events after event {event.id} moved to {when:%d %b %Y %H:%M}: "
                f"rebook one of them (events {', '.join(str(e.id) for e in clashes)})",
                witness_id=witness.id,
                case_id=event.case_id,
                urgent=True,
                source=("court_event", event.id),
                dedup_key=f"double-booking-{event.id}-r{event.revision}-u{booking.user_id}-w{witness.id}-{officer_id}",
                actor=actor,
                due_at=event.starts_at,
            )


def cancel_event(actor: User, event: CourtEvent, reason: str) -> CourtEvent:
    """Cancel; the event stays visible as cancelled and its history and attendance are kept."""
    reason = (reason or "").strip()
    if event.status == EventStatus.CANCELLED:
        raise Conflict("This event is already cancelled.")
    if event.status == EventStatus.HELD:
        raise Conflict("This event has already been held; it cannot be cancelled.")
    if not reason:
        raise ValidationFailed({"reason": "Say why the event was cancelled."})
    old_status = event.status
    event.status = EventStatus.CANCELLED
    _bump(event)
    _record_change(actor, event, "cancelled", reason=reason, old_status=old_status,
                   old_starts_at=event.starts_at, old_ends_at=event.ends_at)
    db.session.flush()
    audit.record("court_event.cancel", event, actor=actor, details={"reason": reason[:2000]})
    _refresh_for_event(event)
    event_changed.send(event, action="cancelled", actor=actor)
    return event


def mark_event_held(actor: User, event: CourtEvent, note: str = "", *, now: datetime | None = None) -> CourtEvent:
    """Record that the event took place. The calendar entry itself does not change, so neither do
    revision and updated_at."""
    if not event.is_open:
        raise Conflict(f"This event is {event.status}; only a scheduled or moved event can be marked held.")
    if event.starts_at > (now or utc_now()):
        raise OperationError("An event cannot be marked held before it has started.",
                             {"status": "The event has not started yet."})
    old_status = event.status
    event.status = EventStatus.HELD
    _record_change(actor, event, "held", reason=(note or "").strip(), old_status=old_status)
    db.session.flush()
    audit.record("court_event.held", event, actor=actor)
    _refresh_for_event(event)
    event_changed.send(event, action="held", actor=actor)
    return event


def update_event_details(
    actor: User, event: CourtEvent, *, room: str | None = None, court_name: str | None = None,
    remote_link: bool | None = None, interpreter_language: str | None | type = ..., reason: str = "",
) -> CourtEvent:
    """Change place or practical details; a change people would see in their calendar bumps the revision."""
    if not event.is_open:
        raise Conflict(f"This event is {event.status}; its details can no longer change.")
    changed: list[str] = []
    errors: dict[str, str] = {}
    if room is not None and room.strip() != event.room:
        if len(room.strip()) > 100:
            errors["room"] = "At most 100 characters."
        changed.append("room")
    if court_name is not None and court_name.strip() != event.court_name:
        if not court_name.strip():
            errors["court_name"] = "Give the court's name."
        elif len(court_name.strip()) > 200:
            errors["court_name"] = "At most 200 characters."
        changed.append("court_name")
    if remote_link is not None and bool(remote_link) != event.remote_link:
        changed.append("remote_link")
    if interpreter_language is not ...:
        language = (interpreter_language or "").strip() or None
        if language is not None and len(language) > 35:
            errors["interpreter_language"] = "At most 35 characters."
        if language != event.interpreter_language:
            changed.append("interpreter_language")
    if errors:
        raise ValidationFailed(errors)
    if not changed:
        return event
    if "room" in changed:
        event.room = room.strip()
    if "court_name" in changed:
        event.court_name = court_name.strip()
    if "remote_link" in changed:
        event.remote_link = bool(remote_link)
    if "interpreter_language" in changed:
        event.interpreter_language = (interpreter_language or "").strip() or None
    _bump(event)
    _record_change(actor, event, "updated", reason=(reason or "").strip() or "Changed: " + ", ".join(changed),
                   old_status=event.status)
    db.session.flush()
    audit.record("court_event.update", event, actor=actor, details={"fields": changed})
    event_changed.send(event, action="updated", actor=actor, fields=changed)
    return event


# ---- attendance and double-booking ------------------------------------------------------------


def overlapping_events(user: User, starts_at: datetime, ends_at: datetime, exclude_event_id: int | None = None
                       ) -> list[CourtEvent]:
    """The user's other open events that overlap the given interval (touching ends do not overlap)."""
    query = (
        sa.select(CourtEvent)
        .join(Attendance, Attendance.event_id == CourtEvent.id)
        .where(
            Attendance.user_id == user.id,
            CourtEvent.status.in_([EventStatus.SCHEDULED, EventStatus.MOVED]),
            CourtEvent.starts_at < ends_at,
            CourtEvent.ends_at > starts_at,
        )
        .distinct()
        .order_by(CourtEvent.starts_at)
    )
    if exclude_event_id is not None:
        query = query.where(CourtEvent.id != exclude_event_id)
    return list(db.session.execute(query).scalars())


def _active_assignment(witness: Witness, user: User) -> WitnessAssignment | None:
    return db.session.execute(
        sa.select(WitnessAssignment)
        .where(
            WitnessAssignment.witness_id == witness.id,
            WitnessAssignment.user_id == user.id,
            WitnessAssignment.active_clause(),
        )
        .order_by(WitnessAssignment.id)
        .limit(1)
    ).scalar_one_or_none()


def _check_bookable(event: CourtEvent, witness: Witness) -> None:
    if not event.is_open:
        raise Conflict(f"This event is {event.status}; nobody can be booked for it.")
    if not any(r.witness_id == witness.id for r in event.required):
        raise ValidationFailed({"witness_id": f"{witness.reference} is not required at this event."})


def assign_attendance(
    actor: User, event: CourtEvent, witness: Witness, user: User, override_reason: str = "",
    *, assign_as: str | None = None,
) -> Attendance:
    """Book a support person to attend an event for a witness they are assigned to.

    With `assign_as` (a role), someone who may assign people to witnesses books a person not yet
    assigned to this witness in one step: the assignment is made, and audited, with the booking.
    The caller commits both or, when either is refused, neither. Booking someone into
    overlapping events is refused unless an override reason is given.
    """
    _check_bookable(event, witness)
    assignment = _active_assignment(witness, user)
    assigned_now = False
    if assignment is None:
        if not has_permission(actor, Permission.WITNESS_ASSIGN):
            raise ValidationFailed(
                {"user_id": f"That person is not assigned to {witness.reference}; "
                            "ask the witness's liaison officer to assign them first."}
            )
        if not assign_as:
            raise ValidationFailed({
                "user_id": f"That person is not yet assigned to {witness.reference}.",
                "assign_as": "Choose the role they take for the witness: this booking then assigns them too.",
            })
        try:
            assignment = witness_ops.assign_support(actor, witness, user, assign_as)
        except ValidationFailed as exc:  # the role is the booking form's `assign_as`
            raise ValidationFailed({("assign_as" if k == "role" else k): v
                                    for k, v in exc.field_errors.items()}) from exc
        assigned_now = True
    existing = db.session.execute(
        sa.select(Attendance.id).where(
            Attendance.event_id == event.id, Attendance.witness_id == witness.id, Attendance.user_id == user.id
        )
    ).first()
    if existing:
        raise Conflict("That person already attends this event for this witness.")
    clashes = overlapping_events(user, event.starts_at, event.ends_at, exclude_event_id=event.id)
    override = (override_reason or "").strip()
    if clashes and not override:
        raise Conflict(
            "That person is already booked for an overlapping event (" + ", ".join(
                f"event {e.id} at {court_local(e.starts_at, e.case.court_timezone):%d %b %Y %H:%M}" for e in clashes
            ) + "). Give an override reason to double-book them.",
            {"override_reason": "Required to book someone into overlapping events."},
        )
    attendance = Attendance(
        event_id=event.id,
        witness_id=witness.id,
        user_id=user.id,
        role=assignment.role,
        override_reason=override if clashes else None,
        created_by_id=actor.id,
    )
    db.session.add(attendance)
    db.session.flush()
    details: dict[str, Any] = {"event_id": event.id, "user_id": user.id, "role": assignment.role}
    if assigned_now:
        details["assigned_with_booking"] = assignment.id
    if clashes:
        details["double_booking_override"] = override[:2000]
        details["overlaps"] = [e.id for e in clashes]
    audit.record("court_event.attendance", attendance, actor=actor, details=details)
    return attendance


def events_for_user(
    user: User, *, since: datetime | None = None, limit: int = 200
) -> list[tuple[CourtEvent, Attendance]]:
    """The events a person attends, with the attendance, only while their assignment to that witness
    is active: ending an assignment takes the events off their schedule (and calendar) at once."""
    query = (
        sa.select(CourtEvent, Attendance)
        .join(Attendance, Attendance.event_id == CourtEvent.id)
        .where(
            Attendance.user_id == user.id,
            sa.exists().where(
                WitnessAssignment.witness_id == Attendance.witness_id,
                WitnessAssignment.user_id == user.id,
                WitnessAssignment.active_clause(),
            ),
        )
        .order_by(CourtEvent.starts_at, CourtEvent.id, Attendance.id)
        .limit(limit)
    )
    if since is not None:
        query = query.where(CourtEvent.ends_at >= since)
    return [(event, attendance) for event, attendance in db.session.execute(query).all()]


def find_conflicts(events: list[CourtEvent]) -> dict[int, set[int]]:
    """For each event id, the ids of the other open events in the list that overlap it."""
    open_events = sorted({e.id: e for e in events if e.is_open}.values(), key=lambda e: e.starts_at)
    clashes: dict[int, set[int]] = {}
    for index, first in enumerate(open_events):
        for second in open_events[index + 1:]:
            if second.starts_at >= first.ends_at:
                break
            clashes.setdefault(first.id, set()).add(second.id)
            clashes.setdefault(second.id, set()).add(first.id)
    return clashes


# ---- the first trial day: when a witness's age counts for the child set of aids ----------------


def first_trial_date(case: Case) -> date | None:
    """The court-local date of the case's first trial day that is not cancelled."""
    first = db.session.execute(
        sa.select(sa.func.min(CourtEvent.starts_at)).where(
            CourtEvent.case_id == case.id,
            CourtEvent.kind == EventKind.TRIAL_DAY,
            CourtEvent.status != EventStatus.CANCELLED,
        )
    ).scalar()
    if first is None:
        return None
    if first.tzinfo is None:  # an aggregate bypasses the column type on SQLite
        first = first.replace(tzinfo=ZoneInfo("UTC"))
    return _event_local_date(first, case)


# ---- asking the person who fixes a readiness blocker --------------------------------------------

# What each blocker asks of the person who fixes it, said on the page where a reader asks them.
BLOCKER_REQUESTS = {
    "risk_assessment": "Record a risk assessment for the trial stage",
    "participation": "Confirm the witness's decision to take part in the trial",
    "reflection_period": "Review the trial date against the witness's reflection period",
    "aid_pending": "Get the testimonial aids decided before the trial",
    "no_support_person": "Book a support person to attend the trial day",
    "no_interpreter": "Book an interpreter for the trial day",
    "no_familiarisation_visit": "Arrange a familiarisation visit to the court",
    "child_without_guardian": "Assign a guardian to the child witness",
    "not_explained": "Explain the court process and the testimonial aids in the witness's language",
}


def blocker_fixers(witness: Witness) -> list[User]:
    """Who fixes a witness's readiness blockers: their liaison officers (active assignments), else
    the liaison officers on the witness's cases."""
    officers = list(db.session.execute(
        sa.select(User).join(WitnessAssignment, WitnessAssignment.user_id == User.id)
        .where(WitnessAssignment.witness_id == witness.id, WitnessAssignment.active_clause(),
               WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER, User.active)
        .order_by(User.display_name, User.id).distinct()
    ).scalars())
    if officers:
        return officers
    return list(db.session.execute(
        sa.select(User).join(CaseAssignment, CaseAssignment.user_id == User.id)
        .join(Journey, Journey.case_id == CaseAssignment.case_id)
        .where(Journey.witness_id == witness.id, CaseAssignment.ended_at.is_(None),
               CaseAssignment.role == CaseRole.LIAISON_OFFICER, User.active)
        .order_by(User.display_name, User.id).distinct()
    ).scalars())


def ask_to_fix_blocker(actor: User, witness: Witness, code: str) -> tuple[list[Task], bool]:
    """Raise a task for each person who fixes `code` for this witness, naming the blocker (by the
    witness's reference only). A second ask while the first task is still open raises nothing:
    it answers the open tasks and False."""
    request = BLOCKER_REQUESTS.get(code)
    if request is None:
        raise ValidationFailed("That is not a readiness blocker.")
    fixers = blocker_fixers(witness)
    if not fixers:
        raise Conflict("Nobody is assigned to fix this yet: the witness has no liaison officer.")
    kind = f"blocker_{code}"
    open_tasks = {task.assignee_id: task for task in db.session.execute(
        sa.select(Task).where(Task.witness_id == witness.id, Task.kind == kind, Task.done_at.is_(None))
    ).scalars()}
    created = False
    tasks = []
    for fixer in fixers:
        task = open_tasks.get(fixer.id)
        if task is None:
            task = create_task(fixer, kind, f"{request} for {witness.reference} (asked by {actor.display_name})",
                               witness_id=witness.id, actor=actor)
            created = True
        tasks.append(task)
    audit.record("readiness.ask", witness, actor=actor,
                 details={"blocker": code, "tasks": [t.id for t in tasks], "new": created})
    return tasks, created
