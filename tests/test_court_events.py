"""Court events as operations: scheduling in the court's time zone, moving, cancelling, holding,
the reflection-period override, required witnesses, attendance and double-booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import at_local, future, past
from witness_support.audit import AuditEvent
from witness_support.court import operations as court_ops
from witness_support.court.models import Attendance, CourtEvent, CourtEventChange
from witness_support.errors import Conflict, OperationError, ValidationFailed
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops


def _count(model) -> int:  # noqa: ANN001
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_times_typed_for_the_court_are_stored_in_utc(officer, make_case, make_journey):
    case = make_case(court_timezone="Australia/Sydney")
    naive = datetime(2031, 1, 15, 10, 0)  # summer time in Sydney: UTC+11
    event = court_ops.schedule_event(
        officer, case, kind="mention", starts_at=court_ops.from_court_local(naive, case.court_timezone),
        ends_at=court_ops.from_court_local(naive + timedelta(hours=1), case.court_timezone),
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(CourtEvent, event.id)
    assert stored.starts_at == datetime(2031, 1, 14, 23, 0, tzinfo=UTC)
    assert court_ops.court_local(stored.starts_at, case.court_timezone).hour == 10
    assert stored.court_name == case.court_name  # defaults to the case's court
    assert stored.revision == 1 and stored.status == "scheduled"
    assert [c.action for c in stored.changes] == ["created"]


def test_schedule_refuses_bad_input_and_changes_nothing(officer, make_case, make_witness):
    case = make_case()
    start = at_local(10)
    with pytest.raises(ValidationFailed) as caught:
        court_ops.schedule_event(officer, case, kind="picnic", starts_at=start, ends_at=start - timedelta(hours=1))
    assert set(caught.value.field_errors) == {"kind", "ends_at"}
    stranger = make_witness()  # not a witness in this case
    with pytest.raises(ValidationFailed) as caught:
        court_ops.schedule_event(officer, case, kind="mention", starts_at=start, ends_at=start + timedelta(hours=1),
                                 witness_ids=[stranger.id])
    assert "witness_ids" in caught.value.field_errors
    with pytest.raises(ValidationFailed):
        court_ops.schedule_event(officer, case, kind="mention", starts_at=start, ends_at=start + timedelta(days=20))
    with pytest.raises(ValidationFailed) as caught:
        court_ops.schedule_event(officer, case, kind="mention", starts_at=start, ends_at=start + timedelta(hours=1),
                                 room="r" * 101, interpreter_language="x" * 36)
    assert set(caught.value.field_errors) == {"room", "interpreter_language"}
    db.session.rollback()
    assert _count(CourtEvent) == 0


def test_reflection_period_needs_an_audited_override(officer, make_case, make_witness, make_journey, make_event):
    case = make_case()
    witness = make_witness(reflection_start=past(5), reflection_end=future(40))
    make_journey(witness, case)
    with pytest.raises(OperationError) as caught:
        make_event(case, [witness], days=20)
    assert "reflection_override_reason" in caught.value.field_errors
    assert witness.reference in caught.value.message
    db.session.rollback()
    assert _count(CourtEvent) == 0
    # After the reflection period ends, no override is needed.
    make_event(case, [witness], days=45, kind="mention")
    event = make_event(case, [witness], days=20, reflection_override_reason="Court fixed the date; witness agrees.")
    assert event.required[0].reflection_override_reason == "Court fixed the date; witness agrees."
    audits = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "court_event.reflection_override")
    ).scalars().all()
    assert len(audits) == 1
    assert audits[0].witness_id == witness.id and audits[0].details["reason"].startswith("Court fixed")


def test_move_keeps_history_and_bumps_revision_and_stamp(officer, make_case, make_event):
    case = make_case()
    event = make_event(case, kind="pre_trial_hearing")
    stamp, old_start = event.updated_at, event.starts_at
    new_start = old_start + timedelta(days=7)
    with pytest.raises(ValidationFailed) as caught:
        court_ops.move_event(officer, event, starts_at=new_start, ends_at=new_start + timedelta(hours=2), reason="")
    assert "reason" in caught.value.field_errors
    db.session.rollback()
    court_ops.move_event(officer, event, starts_at=new_start, ends_at=new_start + timedelta(hours=2),
                         reason="Adjourned by the court.", room="4B")
    db.session.commit()
    assert event.status == "moved" and event.revision == 2 and event.room == "4B"
    assert event.updated_at > stamp
    moved = event.changes[-1]
    assert (moved.action, moved.old_starts_at, moved.new_starts_at) == ("moved", old_start, new_start)
    assert moved.actor_id == officer.id and moved.reason == "Adjourned by the court." and moved.revision == 2


def test_cancel_keeps_the_event_visible_and_refuses_twice(officer, make_case, make_event):
    event = make_event(make_case(), kind="mention")
    with pytest.raises(ValidationFailed):
        court_ops.cancel_event(officer, event, "  ")
    court_ops.cancel_event(officer, event, "Defendant pleaded guilty.")
    db.session.commit()
    assert event.status == "cancelled" and event.revision == 2
    assert db.session.get(CourtEvent, event.id) is not None
    with pytest.raises(Conflict):
        court_ops.cancel_event(officer, event, "again")
    with pytest.raises(Conflict):
        court_ops.move_event(officer, event, starts_at=event.starts_at, ends_at=event.ends_at, reason="x")


def test_mark_held_only_once_started_and_does_not_touch_the_calendar(officer, make_case, make_event):
    case = make_case()
    upcoming = make_event(case, kind="mention")
    with pytest.raises(OperationError):
        court_ops.mark_event_held(officer, upcoming)
    past_event = make_event(case, kind="familiarisation_visit", days=-2)
    revision, stamp = past_event.revision, past_event.updated_at
    court_ops.mark_event_held(officer, past_event, "Went well.")
    db.session.commit()
    assert past_event.status == "held"
    assert (past_event.revision, past_event.updated_at) == (revision, stamp)
    assert past_event.changes[-1].action == "held"
    with pytest.raises(Conflict):
        court_ops.cancel_event(officer, past_event, "too late")


def test_detail_changes_bump_revision_only_when_something_changed(officer, make_case, make_event):
    event = make_event(make_case(), kind="mention", room="1")
    court_ops.update_event_details(officer, event, room="1")
    assert event.revision == 1
    court_ops.update_event_details(officer, event, room="2", interpreter_language="Thai", remote_link=True)
    db.session.commit()
    assert (event.revision, event.room, event.interpreter_language, event.remote_link) == (2, "2", "Thai", True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(CourtEventChange)
                              .where(CourtEventChange.event_id == event.id)).scalar() == 2


def test_attendance_needs_an_assignment_and_a_required_witness(
    officer, support_person, make_case, make_witness, make_journey, make_event
):
    case = make_case()
    witness, other = make_witness(), make_witness()
    make_journey(witness, case)
    make_journey(other, case)
    event = make_event(case, [witness])
    with pytest.raises(ValidationFailed) as caught:
        court_ops.assign_attendance(officer, event, witness, support_person)
    assert "user_id" in caught.value.field_errors
    witness_ops.assign_support(officer, witness, support_person, "support_worker")
    witness_ops.assign_support(officer, other, support_person, "support_worker")
    with pytest.raises(ValidationFailed) as caught:
        court_ops.assign_attendance(officer, event, other, support_person)
    assert "witness_id" in caught.value.field_errors
    attendance = court_ops.assign_attendance(officer, event, witness, support_person)
    db.session.commit()
    assert attendance.role == "support_worker"
    with pytest.raises(Conflict):
        court_ops.assign_attendance(officer, event, witness, support_person)


def test_double_booking_is_refused_unless_overridden(
    officer, support_person, make_case, make_witness, make_journey, make_event
):
    first_case, second_case = make_case(), make_case()
    a, b = make_witness(), make_witness()
    make_journey(a, first_case)
    make_journey(b, second_case)
    for witness in (a, b):
        witness_ops.assign_support(officer, witness, support_person, "support_worker")
    morning = make_event(first_case, [a], hour=9, hours=3)
    overlapping = make_event(second_case, [b], hour=11, hours=3)
    afterwards = make_event(second_case, [b], hour=12, hours=2, kind="mention", days=31)
    court_ops.assign_attendance(officer, morning, a, support_person)
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        court_ops.assign_attendance(officer, overlapping, b, support_person)
    assert "override_reason" in caught.value.field_errors
    db.session.rollback()
    court_ops.assign_attendance(officer, afterwards, b, support_person)  # no overlap: fine
    booked = court_ops.assign_attendance(officer, overlapping, b, support_person, "No one else speaks Khmer.")
    db.session.commit()
    assert booked.override_reason == "No one else speaks Khmer."
    audit = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "court_event.attendance").order_by(AuditEvent.id.desc())
    ).scalars().first()
    assert audit.details["overlaps"] == [morning.id]
    conflicts = court_ops.find_conflicts([morning, overlapping, afterwards])
    assert conflicts == {morning.id: {overlapping.id}, overlapping.id: {morning.id}}


def test_moving_an_event_onto_someones_other_booking_raises_a_task_for_their_officers(
    officer, make_user, support_person, make_case, make_witness, make_journey, make_event
):
    """The court's move stands, but the interpreter now booked twice is a task for the officers."""
    from witness_support.tasks.models import Task

    other = make_user("liaison_officer")
    first_case, second_case = make_case(), make_case()
    a, b = make_witness(), make_witness(by=other)  # b's liaison officer is the other one
    make_journey(a, first_case)
    make_journey(b, second_case)
    for witness in (a, b):
        witness_ops.assign_support(officer, witness, support_person, "interpreter")
    morning = make_event(first_case, [a], hour=9, hours=3)
    later = make_event(second_case, [b], hour=14, hours=2)
    court_ops.assign_attendance(officer, morning, a, support_person)
    court_ops.assign_attendance(officer, later, b, support_person)
    db.session.commit()
    court_ops.move_event(officer, later, starts_at=morning.starts_at + timedelta(hours=1),
                         ends_at=morning.starts_at + timedelta(hours=2), reason="Stood down to the morning list.")
    db.session.commit()
    tasks = db.session.execute(sa.select(Task).where(Task.kind == "double_booking")).scalars().all()
    assert [(t.assignee_id, t.witness_id, t.urgent) for t in tasks] == [(other.id, b.id, True)]
    assert str(morning.id) in tasks[0].title and b.reference in tasks[0].title
    assert b.legal_name not in tasks[0].title
    audit = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "court_event.double_booked")
    ).scalar_one()
    assert audit.details == {"user_id": support_person.id, "overlaps": [morning.id]}
    # Moving it again to a free afternoon raises nothing more.
    court_ops.move_event(officer, later, starts_at=morning.starts_at + timedelta(hours=6),
                         ends_at=morning.starts_at + timedelta(hours=7), reason="Back to the afternoon.")
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Task).where(
        Task.kind == "double_booking")).scalar() == 1


def test_cancelled_events_do_not_count_as_double_booking(
    officer, support_person, make_case, make_witness, make_journey, make_event
):
    case = make_case()
    a = make_witness()
    make_journey(a, case)
    witness_ops.assign_support(officer, a, support_person, "interpreter")
    first = make_event(case, [a], kind="mention")
    second = make_event(case, [a])
    court_ops.assign_attendance(officer, first, a, support_person)
    court_ops.cancel_event(officer, first, "Vacated.")
    court_ops.assign_attendance(officer, second, a, support_person)
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attendance)).scalar() == 2


def test_ending_an_assignment_takes_events_off_the_schedule(
    officer, support_person, make_case, make_witness, make_journey, make_event
):
    case = make_case()
    witness = make_witness()
    make_journey(witness, case)
    assignment = witness_ops.assign_support(officer, witness, support_person, "support_worker")
    event = make_event(case, [witness])
    court_ops.assign_attendance(officer, event, witness, support_person)
    db.session.commit()
    assert [e.id for e, _ in court_ops.events_for_user(support_person)] == [event.id]
    witness_ops.end_assignment(officer, assignment, "Moved on.")
    db.session.commit()
    assert court_ops.events_for_user(support_person) == []


def test_adding_a_required_witness_later(officer, make_case, make_witness, make_journey, make_event):
    case = make_case()
    witness = make_witness(reflection_start=past(1), reflection_end=future(60))
    make_journey(witness, case)
    event = make_event(case, kind="mention")
    with pytest.raises(OperationError):
        court_ops.add_required_witness(officer, event, witness)
    court_ops.add_required_witness(officer, event, witness, "Mention only; witness not called.")
    db.session.commit()
    assert [r.witness_id for r in event.required] == [witness.id]
    with pytest.raises(Conflict):
        court_ops.add_required_witness(officer, event, witness, "again")


def test_signals_tell_other_areas_about_every_calendar_change(officer, make_case, make_event):
    from witness_support.court.signals import event_changed

    seen: list[tuple[int, str]] = []

    def receiver(event, **extra) -> None:  # noqa: ANN001
        seen.append((event.id, extra["action"]))

    event_changed.connect(receiver)
    try:
        event = make_event(make_case(), kind="mention")
        later = event.starts_at + timedelta(days=1)
        court_ops.move_event(officer, event, starts_at=later, ends_at=later + timedelta(hours=1), reason="Moved.")
        court_ops.update_event_details(officer, event, room="5")
        court_ops.cancel_event(officer, event, "Vacated.")
    finally:
        event_changed.disconnect(receiver)
    assert seen == [(event.id, "created"), (event.id, "moved"), (event.id, "updated"), (event.id, "cancelled")]


def test_moving_into_the_reflection_period_needs_an_override(officer, make_case, make_witness, make_journey,
                                                             make_event):
    case = make_case()
    witness = make_witness(reflection_start=past(1), reflection_end=future(20))
    make_journey(witness, case)
    event = make_event(case, [witness], kind="mention", days=30)
    earlier = at_local(10)
    with pytest.raises(OperationError) as caught:
        court_ops.move_event(officer, event, starts_at=earlier, ends_at=earlier + timedelta(hours=1),
                             reason="Brought forward.")
    assert "reflection_override_reason" in caught.value.field_errors
    db.session.rollback()
    court_ops.move_event(officer, event, starts_at=earlier, ends_at=earlier + timedelta(hours=1),
                         reason="Brought forward.", reflection_override_reason="Witness asked for it.")
    db.session.commit()
    assert event.required[0].reflection_override_reason == "Witness asked for it."
