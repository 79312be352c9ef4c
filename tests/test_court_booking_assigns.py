"""Booking a support person for a court event when they are not yet assigned to the witness: one
step for those who may assign, the assignment made and audited with the booking, both or neither."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.court import operations as court_ops
from witness_support.court.models import Attendance
from witness_support.errors import Conflict, ValidationFailed
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import WitnessAssignment


@pytest.fixture
def setup(officer, make_case, make_witness, make_journey, make_event):
    case = make_case()
    witness = make_witness(participation="participating")
    make_journey(witness, case)
    event = make_event(case, [witness], kind="trial_day", days=20)
    db.session.commit()
    return case, witness, event


def _count(model: type) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _assignments_of(user) -> list[WitnessAssignment]:  # noqa: ANN001 - a User
    return list(db.session.execute(sa.select(WitnessAssignment).where(WitnessAssignment.user_id == user.id)).scalars())


def test_the_event_page_offers_people_not_yet_assigned_and_a_role_without_a_default(
    client, auth, officer, support_person, setup
):
    _, _, event = setup
    auth.login(officer)
    page = client.get(f"/court-events/{event.id}").get_data(as_text=True)
    group = re.search(r'<optgroup label="Not yet assigned \(booking assigns them\)">(.*?)</optgroup>', page, re.S)
    assert group and f'value="{support_person.id}"' in group.group(1) and "Sam Support" in group.group(1)
    role_box = re.search(r'<select[^>]*id="assign_as".*?</select>', page, re.S).group(0)
    assert '<option selected value="">Choose…</option>' in role_box or 'value="" selected' in role_box


def test_one_step_booking_assigns_and_books_and_audits_both(client, auth, officer, support_person, setup):
    _, witness, event = setup
    auth.login(officer)
    data = {"witness_id": witness.id, "user_id": support_person.id, "assign_as": "support_worker"}
    booked = client.post(f"/court-events/{event.id}/attendance", data=data)
    assert booked.status_code == 302 and booked.location.endswith(f"/court-events/{event.id}#attendance")
    [assignment] = _assignments_of(support_person)
    attendance = db.session.execute(sa.select(Attendance)).scalar_one()
    assert (assignment.user_id, assignment.witness_id, assignment.role) == (support_person.id, witness.id,
                                                                              "support_worker")
    assert (attendance.user_id, attendance.role) == (support_person.id, "support_worker")
    actions = {(e.action, e.object_id): e for e in db.session.execute(sa.select(AuditEvent)).scalars()}
    assert actions[("assignment.create", assignment.id)].actor_id == officer.id
    assert actions[("court_event.attendance", attendance.id)].details["assigned_with_booking"] == assignment.id
    page = client.get(f"/court-events/{event.id}").get_data(as_text=True)
    assert "Sam Support (Support worker) for " + witness.reference in page
    # The witness's page lists them now, as any assignment.
    assert "Sam Support" in client.get(f"/witnesses/{witness.id}").get_data(as_text=True)


def test_without_a_role_nothing_is_made_and_the_role_box_says_why(client, auth, officer, support_person, setup):
    _, witness, event = setup
    auth.login(officer)
    data = {"witness_id": witness.id, "user_id": support_person.id, "assign_as": ""}
    refused = client.post(f"/court-events/{event.id}/attendance", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Choose the role they take for the witness" in page and 'id="assign_as-error"' in page
    assert _assignments_of(support_person) == [] and _count(Attendance) == 0


def test_a_refused_booking_leaves_no_assignment_behind(client, auth, officer, support_person, setup, make_event):
    case, witness, event = setup
    # Already booked for an overlapping event through another witness: the booking needs an override.
    other_witness = witness_ops.create_witness(officer, legal_name="Invented Other Person", preferred_language="Thai")
    db.session.flush()
    case_ops.start_journey(officer, case, other_witness)
    clash = make_event(case, [other_witness], kind="mention", days=20)
    witness_ops.assign_support(officer, other_witness, support_person, "support_worker")
    court_ops.assign_attendance(officer, clash, other_witness, support_person)
    db.session.commit()
    auth.login(officer)
    data = {"witness_id": witness.id, "user_id": support_person.id, "assign_as": "interpreter"}
    refused = client.post(f"/court-events/{event.id}/attendance", data=data)
    assert refused.status_code == 422 and "overlapping" in refused.get_data(as_text=True)
    assert [a.witness_id for a in _assignments_of(support_person)] == [other_witness.id]
    assert _count(Attendance) == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "assignment.create",
                                     AuditEvent.details["role"].as_string() == "interpreter")).scalar() == 0


def test_the_operation_refuses_an_unknown_role_by_the_role_box(officer, support_person, setup):
    _, witness, event = setup
    with pytest.raises(ValidationFailed) as caught:
        court_ops.assign_attendance(officer, event, witness, support_person, assign_as="bodyguard")
    assert set(caught.value.field_errors) == {"assign_as"}


def test_someone_who_may_not_assign_is_told_to_ask_the_liaison_officer(prosecutor, support_person, setup):
    _, witness, event = setup
    with pytest.raises(ValidationFailed) as caught:
        court_ops.assign_attendance(prosecutor, event, witness, support_person, assign_as="support_worker")
    assert "ask the witness's liaison officer" in caught.value.field_errors["user_id"]
    assert _assignments_of(support_person) == []


def test_an_already_assigned_person_is_booked_in_the_role_they_have(officer, support_person, setup):
    _, witness, event = setup
    witness_ops.assign_support(officer, witness, support_person, "intermediary")
    attendance = court_ops.assign_attendance(officer, event, witness, support_person, assign_as="support_worker")
    assert attendance.role == "intermediary" and len(_assignments_of(support_person)) == 1
    with pytest.raises(Conflict):
        court_ops.assign_attendance(officer, event, witness, support_person)


def test_the_api_books_and_assigns_in_one_step_too(client, api_token, officer, support_person, setup):
    _, witness, event = setup
    headers = api_token(officer)
    url = f"/api/v1/court-events/{event.id}/attendance"
    body = {"witness_id": witness.id, "user_id": support_person.id}
    refused = client.post(url, headers=headers, json=body)
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"user_id", "assign_as"}
    assert _assignments_of(support_person) == []
    wrong = client.post(url, headers=headers, json=body | {"assign_as": "bodyguard"})
    assert wrong.status_code == 422 and "assign_as" in wrong.get_json()["error"]["fields"]
    booked = client.post(url, headers=headers, json=body | {"assign_as": "guardian"})
    assert booked.status_code == 201 and booked.get_json()["role"] == "guardian"
    assert [a.role for a in _assignments_of(support_person)] == ["guardian"]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "assign_as" in schema["AttendanceInput"]["properties"]
