"""Support assignments (the witnesses area's pages, reused for court support) and the court permissions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from witness_support.extensions import db
from witness_support.permissions import ROLE_PERMISSIONS, Permission, Role
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import WitnessAssignment

COURT_PERMISSIONS = {
    Permission.COURT_EVENT_VIEW, Permission.COURT_EVENT_MANAGE, Permission.COURT_ATTENDANCE_MANAGE,
    Permission.AID_VIEW, Permission.AID_MANAGE, Permission.READINESS_VIEW, Permission.SCHEDULE_VIEW,
}


def test_court_permission_table():
    expected = {
        Role.ADMIN: set(),
        Role.LIAISON_OFFICER: COURT_PERMISSIONS,
        Role.PROSECUTOR: COURT_PERMISSIONS - {Permission.COURT_ATTENDANCE_MANAGE},
        Role.SUPPORT_PERSON: {Permission.SCHEDULE_VIEW},
    }
    assert {role: set(perms) & COURT_PERMISSIONS for role, perms in ROLE_PERMISSIONS.items()} == expected


def test_assign_through_the_page_grants_access(client, auth, officer, support_person, make_witness):
    witness = make_witness()
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}/assignments/new")
    assert page.status_code == 200 and "Sam Support" in page.get_data(as_text=True)
    bad = client.post(f"/witnesses/{witness.id}/assignments/new", data={
        "user_id": support_person.id, "role": "guardian", "starts_on": "2026-05-10", "ends_on": "2026-05-01"})
    assert "The assignment cannot end before it starts." in bad.get_data(as_text=True)
    response = client.post(f"/witnesses/{witness.id}/assignments/new",
                           data={"user_id": support_person.id, "role": "interpreter"})
    assert response.status_code == 302
    auth.logout()
    auth.login(support_person)
    body = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert witness.reference in body and witness.legal_name not in body  # an interpreter works pseudonymously


@pytest.mark.parametrize("role", ["liaison_officer", "prosecutor", "support_person", "admin"])
def test_assignment_pages_answer_404_to_unassigned_users(client, auth, make_user, make_witness, support_person,
                                                         officer, role):
    witness = make_witness()
    assignment = witness_ops.assign_support(officer, witness, support_person, "support_worker")
    db.session.commit()
    auth.login(make_user(role))
    assert client.get(f"/witnesses/{witness.id}/assignments/new").status_code == 404
    assert client.post(f"/witnesses/assignments/{assignment.id}/end", data={}).status_code == 404
    assert db.session.get(WitnessAssignment, assignment.id).ended_at is None


def test_assignment_pages_send_anonymous_users_to_login(client, make_witness):
    witness = make_witness()
    response = client.get(f"/witnesses/{witness.id}/assignments/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_ending_keeps_the_record_and_the_person_gets_404_at_once(client, auth, officer, support_person,
                                                                 make_witness):
    witness = make_witness()
    assignment = witness_ops.assign_support(officer, witness, support_person, "guardian")
    db.session.commit()
    auth.login(support_person)
    assert witness.legal_name in client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    auth.logout()
    auth.login(officer)
    client.post(f"/witnesses/assignments/{assignment.id}/end", data={"reason": "Guardian replaced."})
    auth.logout()
    auth.login(support_person)
    assert client.get(f"/witnesses/{witness.id}").status_code == 404
    kept = db.session.execute(sa.select(WitnessAssignment).where(WitnessAssignment.id == assignment.id)).scalar_one()
    assert kept.ended_at is not None
