"""Dates to avoid (a day or a range, with a reason from the list) and what they do to scheduling:
a court event scheduled, moved or given a witness on one is refused until a reason is recorded,
as for the reflection period. And the attendance outcome of each witness at a court event."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import at_local
from witness_support.audit import AuditEvent
from witness_support.availability import operations as ops
from witness_support.availability.models import DateToAvoid
from witness_support.cases import operations as case_ops
from witness_support.contacts import operations as contact_ops
from witness_support.court import operations as court_ops
from witness_support.court.models import CourtEvent, EventWitness
from witness_support.db import today_utc, utc_now
from witness_support.errors import Conflict, OperationError, ValidationFailed
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops


def _count(model: type) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def setup(trial_case):  # noqa: ANN001
    return trial_case()


def _avoid(officer, witness, days: int, until: int | None = None, reason: str = "medical", note: str = ""):  # noqa: ANN001, ANN202
    entry = ops.add_date_to_avoid(officer, witness, first_day=today_utc() + timedelta(days=days),
                                  last_day=today_utc() + timedelta(days=until) if until else None, reason=reason,
                                  note=note)
    db.session.commit()
    return entry


def _schedule(officer, case, witness, days: int, hour: int = 9, hours: int = 6, **extra):  # noqa: ANN001, ANN202
    starts = at_local(days, hour, case.court_timezone)
    return court_ops.schedule_event(officer, case, kind="trial_day", starts_at=starts,
                                    ends_at=starts + timedelta(hours=hours), witness_ids=[witness.id], **extra)


# ---- the dates --------------------------------------------------------------------------------------


def test_a_day_and_a_range_are_kept_and_removal_keeps_the_row(officer, setup):
    day = _avoid(officer, setup.witness, 20, reason="religious")
    span = _avoid(officer, setup.witness, 30, 34, reason="other", note="Invented family wedding abroad")
    assert day.first_day == day.last_day and (span.last_day - span.first_day).days == 4
    ops.remove_date_to_avoid(officer, day)
    db.session.commit()
    with pytest.raises(Conflict):
        ops.remove_date_to_avoid(officer, day)
    assert day.removed_at is not None and _count(DateToAvoid) == 2
    actions = db.session.execute(sa.select(AuditEvent.action, AuditEvent.details)
                                 .where(AuditEvent.action.like("date_to_avoid.%"))).all()
    assert {a for a, _ in actions} == {"date_to_avoid.add", "date_to_avoid.remove"}
    assert not any("wedding" in str(d) for _, d in actions)  # the note never reaches the audit trail


@pytest.mark.parametrize(("changes", "field"), [
    ({"first_day": None}, "first_day"),
    ({"first_day": today_utc() + timedelta(days=365 * 11)}, "first_day"),
    ({"last_day": today_utc() + timedelta(days=5)}, "last_day"),  # before the first day
    ({"last_day": today_utc() + timedelta(days=10 + 400)}, "last_day"),
    ({"reason": "holiday"}, "reason"),
    ({"reason": None}, "reason"),
    ({"reason": "other", "note": "  "}, "note"),
    ({"note": "x" * 2001}, "note"),
])
def test_bad_dates_to_avoid_are_refused_by_field_and_nothing_is_stored(officer, setup, changes, field):
    data = {"first_day": today_utc() + timedelta(days=10), "last_day": None, "reason": "exams", "note": ""}
    data.update(changes)
    with pytest.raises(ValidationFailed) as refused:
        ops.add_date_to_avoid(officer, setup.witness, **data)
    db.session.rollback()
    assert field in refused.value.field_errors and _count(DateToAvoid) == 0


# ---- scheduling on a date to avoid -------------------------------------------------------------------


def test_scheduling_on_a_date_to_avoid_needs_a_reason_that_is_kept_and_audited(officer, setup):
    _avoid(officer, setup.witness, 20, 21, reason="childcare")
    with pytest.raises(OperationError) as refused:
        _schedule(officer, setup.case, setup.witness, 21)
    db.session.rollback()
    assert "avoid_override_reason" in refused.value.field_errors
    assert setup.witness.reference in refused.value.message
    assert "childcare" not in refused.value.message  # the scheduler learns the days, not why
    assert _count(CourtEvent) == 0
    event = _schedule(officer, setup.case, setup.witness, 21, avoid_override_reason="Only day the court sits")
    db.session.commit()
    assert event.required[0].avoid_override_reason == "Only day the court sits"
    audit = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "court_event.avoid_override")
                               ).scalar_one()
    assert audit.witness_id == setup.witness.id and audit.details["reason"] == "Only day the court sits"
    # The days around it, and a date to avoid once removed, need nothing.
    assert _schedule(officer, setup.case, setup.witness, 22).required[0].avoid_override_reason is None
    removed = _avoid(officer, setup.witness, 40)
    ops.remove_date_to_avoid(officer, removed)
    assert _schedule(officer, setup.case, setup.witness, 40).required[0].avoid_override_reason is None


def test_the_days_are_the_court_s_calendar_days(officer, setup):
    # 23:00 to 01:00 in Jakarta touches the next day there, which the witness must avoid.
    _avoid(officer, setup.witness, 26)
    with pytest.raises(OperationError):
        _schedule(officer, setup.case, setup.witness, 25, hour=23, hours=2)
    db.session.rollback()
    assert _count(CourtEvent) == 0


def test_both_overrides_are_asked_for_at_once(officer, make_case, make_witness, make_journey):
    case = make_case()
    witness = make_witness(reflection_start=today_utc(), reflection_end=today_utc() + timedelta(days=60))
    make_journey(witness, case)
    _avoid(officer, witness, 20)
    with pytest.raises(OperationError) as refused:
        _schedule(officer, case, witness, 20)
    db.session.rollback()
    assert set(refused.value.field_errors) == {"reflection_override_reason", "avoid_override_reason"}
    with pytest.raises(OperationError) as refused:
        _schedule(officer, case, witness, 20, reflection_override_reason="Court's date")
    db.session.rollback()
    assert set(refused.value.field_errors) == {"avoid_override_reason"}
    link = _schedule(officer, case, witness, 20, reflection_override_reason="Court's date",
                     avoid_override_reason="Court's date").required[0]
    assert link.reflection_override_reason == link.avoid_override_reason == "Court's date"


def test_moving_or_adding_a_witness_onto_a_date_to_avoid_needs_a_reason(officer, setup, make_witness, make_journey):
    event = _schedule(officer, setup.case, setup.witness, 10)
    db.session.commit()
    _avoid(officer, setup.witness, 15)
    starts = at_local(15, 9, setup.case.court_timezone)
    with pytest.raises(OperationError) as refused:
        court_ops.move_event(officer, event, starts_at=starts, ends_at=starts + timedelta(hours=4),
                             reason="Adjourned")
    db.session.rollback()
    assert "avoid_override_reason" in refused.value.field_errors
    assert db.session.get(CourtEvent, event.id).starts_at == at_local(10, 9, setup.case.court_timezone)
    court_ops.move_event(officer, event, starts_at=starts, ends_at=starts + timedelta(hours=4), reason="Adjourned",
                         avoid_override_reason="Judge's only free day")
    db.session.commit()
    assert event.required[0].avoid_override_reason == "Judge's only free day"
    other = make_witness()
    make_journey(other, setup.case)
    _avoid(officer, other, 15, reason="exams")
    with pytest.raises(OperationError) as refused:
        court_ops.add_required_witness(officer, event, other)
    db.session.rollback()
    assert "avoid_override_reason" in refused.value.field_errors
    assert _count(EventWitness) == 1
    link = court_ops.add_required_witness(officer, event, other, avoid_override_reason="Exam moved by school")
    assert link.avoid_override_reason == "Exam moved by school"


def test_the_schedule_form_shows_the_warning_beside_its_field(client, auth, officer, setup):
    _avoid(officer, setup.witness, 20)
    auth.login(officer)
    day = (today_utc() + timedelta(days=20)).isoformat()
    form = {"kind": "trial_day", "starts_at": f"{day}T09:00", "ends_at": f"{day}T15:00",
            "witness_ids": [setup.witness.id]}
    refused = client.post(f"/cases/{setup.case.id}/court-events/new", data=form)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="avoid_override_reason-error"' in body
    assert "asked not to attend" in body and _count(CourtEvent) == 0
    done = client.post(f"/cases/{setup.case.id}/court-events/new",
                       data=form | {"avoid_override_reason": "Fixed by court"})
    assert done.status_code == 302 and _count(CourtEvent) == 1
    event = db.session.execute(sa.select(CourtEvent)).scalar_one()
    assert "Kept on a date to avoid: Fixed by court" in client.get(f"/court-events/{event.id}").get_data(as_text=True)


def test_the_court_event_api_names_the_override_and_keeps_it(client, officer, setup, api_token):
    _avoid(officer, setup.witness, 20)
    headers = api_token(officer)
    day = (today_utc() + timedelta(days=20)).isoformat()
    body = {"kind": "trial_day", "starts_at": f"{day}T09:00", "ends_at": f"{day}T15:00",
            "witness_ids": [setup.witness.id]}
    refused = client.post(f"/api/v1/cases/{setup.case.id}/court-events", headers=headers, json=body)
    assert refused.status_code == 422 and "avoid_override_reason" in refused.json["error"]["fields"]
    assert _count(CourtEvent) == 0
    done = client.post(f"/api/v1/cases/{setup.case.id}/court-events", headers=headers,
                       json=body | {"avoid_override_reason": "Court fixed it"})
    assert done.status_code == 201
    assert done.json["witnesses"][0]["avoid_override_reason"] == "Court fixed it"
    # Moving it onto another date to avoid, through PATCH.
    _avoid(officer, setup.witness, 24)
    later = (today_utc() + timedelta(days=24)).isoformat()
    move = {"starts_at": f"{later}T09:00", "ends_at": f"{later}T12:00", "reason": "Adjourned"}
    url = f"/api/v1/court-events/{done.json['id']}"
    refused = client.patch(url, headers=headers, json=move)
    assert refused.status_code == 422 and "avoid_override_reason" in refused.json["error"]["fields"]
    assert client.patch(url, headers=headers, json=move | {"avoid_override_reason": "Again"}).status_code == 200


# ---- the pages and the API of dates to avoid -----------------------------------------------------------


def test_officer_adds_and_removes_dates_on_the_contacts_page(client, auth, officer, setup):
    auth.login(officer)
    url = f"/witnesses/{setup.witness.id}/dates-to-avoid/new"
    refused = client.post(url, data={"first_day": (today_utc() + timedelta(days=9)).isoformat(),
                                     "last_day": (today_utc() + timedelta(days=8)).isoformat(), "reason": "other"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="last_day-error"' in body and 'id="note-error"' in body
    assert _count(DateToAvoid) == 0
    done = client.post(url, data={"first_day": (today_utc() + timedelta(days=9)).isoformat(), "reason": "exams"})
    assert done.status_code == 302 and done.headers["Location"].endswith("#dates")
    entry = db.session.execute(sa.select(DateToAvoid)).scalar_one()
    page = client.get(f"/witnesses/{setup.witness.id}/contacts").get_data(as_text=True)
    assert entry.days_words in page and "Exams" in page
    assert client.post(f"/dates-to-avoid/{entry.id}/remove").status_code == 302
    assert db.session.get(DateToAvoid, entry.id).removed_at is not None


def test_dates_to_avoid_api_shows_reasons_only_to_those_who_see_needs(client, officer, prosecutor, make_user, setup,
                                                                     api_token):
    case_ops.assign_to_case(officer, setup.case, prosecutor)
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, setup.witness, interpreter, "interpreter")
    db.session.commit()
    url = f"/api/v1/witnesses/{setup.witness.id}/dates-to-avoid"
    headers = api_token(officer)
    day = (today_utc() + timedelta(days=12)).isoformat()
    refused = client.post(url, headers=headers, json={"first_day": day, "reason": "holiday"})
    assert refused.status_code == 422 and "reason" in refused.json["error"]["fields"]
    refused = client.post(url, headers=headers, json={"first_day": day, "reason": "other"})
    assert refused.status_code == 422 and "note" in refused.json["error"]["fields"]
    assert _count(DateToAvoid) == 0
    added = client.post(url, headers=headers, json={"first_day": day, "reason": "medical", "note": "Invented surgery"})
    assert added.status_code == 201 and added.json["last_day"] == day
    seen = client.get(url, headers=api_token(prosecutor)).json["items"][0]
    assert seen["reason"] == "medical" and seen["note"] == "Invented surgery"
    seen = client.get(url, headers=api_token(interpreter)).json["items"][0]
    assert seen["first_day"] == day and "reason" not in seen and "note" not in seen
    # Only those who see the reasons may write them; a stranger's witness is not found.
    assert client.post(url, headers=api_token(make_user("liaison_officer")),
                       json={"first_day": day, "reason": "exams"}).status_code == 404
    assert client.delete(f"/api/v1/dates-to-avoid/{added.json['id']}",
                         headers=api_token(make_user("liaison_officer"))).status_code == 404
    removed = client.delete(f"/api/v1/dates-to-avoid/{added.json['id']}", headers=headers)
    assert removed.status_code == 200 and removed.json["removed_at"]
    assert client.get(url, headers=headers).json["items"] == []
    assert client.delete(f"/api/v1/dates-to-avoid/{added.json['id']}", headers=headers).status_code == 409


# ---- attendance outcomes ---------------------------------------------------------------------------------


@pytest.fixture
def held(officer, setup, make_event):  # noqa: ANN001
    """A trial day that began yesterday, with the witness required."""
    return make_event(setup.case, [setup.witness], days=-1)


def test_outcomes_need_the_event_to_have_begun_and_a_reason_for_not_attending(officer, setup, held, make_event):
    link = held.required[0]
    with pytest.raises(ValidationFailed) as refused:
        contact_ops.record_attendance_outcome(officer, link, outcome="did_not_attend", reason=" ")
    assert "outcome_reason" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        contact_ops.record_attendance_outcome(officer, link, outcome="asleep")
    assert "outcome" in refused.value.field_errors
    db.session.rollback()
    assert db.session.get(EventWitness, link.id).outcome is None
    contact_ops.record_attendance_outcome(officer, link, outcome="did_not_attend", reason="Invented bus strike")
    db.session.commit()
    contact_ops.record_attendance_outcome(officer, link, outcome="excused")
    db.session.commit()
    assert link.outcome == "excused" and link.outcome_reason is None and link.outcome_recorded_by_id == officer.id
    trail = db.session.execute(sa.select(AuditEvent.details).where(
        AuditEvent.action == "court_event.attendance_outcome").order_by(AuditEvent.id)).scalars().all()
    assert [(d["outcome"], d["previous"]) for d in trail] == [("did_not_attend", None), ("excused", "did_not_attend")]
    assert not any("strike" in str(d) for d in trail)
    upcoming = make_event(setup.case, [setup.witness], days=3)
    with pytest.raises(Conflict):
        contact_ops.record_attendance_outcome(officer, upcoming.required[0], outcome="attended")
    cancelled = make_event(setup.case, [setup.witness], days=-3, kind="mention")
    court_ops.cancel_event(officer, cancelled, "Not needed")
    with pytest.raises(Conflict):
        contact_ops.record_attendance_outcome(officer, cancelled.required[0], outcome="attended", now=utc_now())


def test_outcome_on_the_court_event_page_and_on_the_timeline(client, auth, officer, setup, held):
    auth.login(officer)
    page = client.get(f"/court-events/{held.id}").get_data(as_text=True)
    url = f"/court-events/{held.id}/witnesses/{setup.witness.id}/outcome"
    assert url in page
    refused = client.post(url, data={"outcome": "did_not_attend", "outcome_reason": ""})
    assert refused.status_code == 200 and 'id="outcome_reason-error"' in refused.get_data(as_text=True)
    assert held.required[0].outcome is None
    done = client.post(url, data={"outcome": "gave_evidence"})
    assert done.status_code == 302
    assert "Gave evidence" in client.get(f"/court-events/{held.id}").get_data(as_text=True)
    timeline = client.get(f"/witnesses/{setup.witness.id}").get_data(as_text=True)
    assert f"Court attendance: gave evidence (trial day, {setup.case.reference})" in timeline
    # Someone who may not see the event, or a witness not required at it: not found.
    assert client.get(f"/court-events/{held.id}/witnesses/999999/outcome").status_code == 404


def test_outcome_api(client, officer, prosecutor, make_user, setup, held, api_token):
    url = f"/api/v1/court-events/{held.id}/witnesses/{setup.witness.id}/outcome"
    headers = api_token(officer)
    refused = client.put(url, headers=headers, json={"outcome": "did_not_attend"})
    assert refused.status_code == 422 and "outcome_reason" in refused.json["error"]["fields"]
    done = client.put(url, headers=headers, json={"outcome": "did_not_attend", "outcome_reason": "Invented illness"})
    assert done.status_code == 200
    assert done.json == done.json | {"outcome": "did_not_attend", "outcome_reason": "Invented illness",
                                     "event_id": held.id, "witness_id": setup.witness.id,
                                     "recorded_by_id": officer.id}
    event = client.get(f"/api/v1/court-events/{held.id}", headers=headers).json
    assert event["witnesses"][0]["outcome"] == "did_not_attend"
    # A prosecutor not on the case, and a support person (no permission), get 404.
    assert client.put(url, headers=api_token(make_user("prosecutor")), json={"outcome": "attended"}).status_code == 404
    assert client.put(url, headers=api_token(make_user("support_person")),
                      json={"outcome": "attended"}).status_code == 404
    case_ops.assign_to_case(officer, setup.case, prosecutor)
    db.session.commit()
    assert client.put(url, headers=api_token(prosecutor), json={"outcome": "attended"}).json["outcome"] == "attended"
