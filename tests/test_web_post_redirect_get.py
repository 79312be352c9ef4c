"""Post/redirect/get: every main form that changes something answers a successful POST with a
redirect to a page that opens, so going back never meets "Method Not Allowed" and reloading
never sends the form again."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.aids.models import TestimonialAid
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.tasks.models import Task
from witness_support.witnesses.models import Witness


def _follow(client, response, path: str) -> None:  # noqa: ANN001 - test client and response
    assert response.status_code in (302, 303), f"POST {path} answered {response.status_code}, not a redirect"
    landed = client.get(response.location)
    assert landed.status_code == 200, f"POST {path} led to {response.location}: {landed.status_code}"


def test_the_officers_main_forms_redirect_after_a_successful_post(
    client, auth, officer, support_person, trial_case, make_event
):
    setup = trial_case()
    case, witness, defendant = setup.case, setup.witness, setup.defendant
    event = make_event(case, [witness], kind="trial_day", days=20)
    db.session.commit()
    auth.login(officer)
    steps: list[tuple[str, dict]] = [
        ("/witnesses/new", {"legal_name": "Invented Walk Person", "preferred_language": "Thai",
                            "participation": "participating", "age_assessment": "none"}),
        (f"/witnesses/{witness.id}/risk-assessments/new", {
            "stage": "trial", "level": "medium", "assessed_on": future(0).isoformat(),
            "next_review_on": future(14).isoformat(), "threats": "Invented threat", "measures": "Invented measure"}),
        (f"/witnesses/{witness.id}/assignments/new", {"user_id": support_person.id, "role": "support_worker"}),
        (f"/cases/{case.id}/court-events/new", {"kind": "mention", "starts_at": "2031-03-02T09:30",
                                                "ends_at": "2031-03-02T10:30", "room": "7",
                                                "witness_ids": [str(witness.id)]}),
        (f"/court-events/{event.id}/attendance", {"witness_id": witness.id, "user_id": support_person.id}),
        (f"/witnesses/{witness.id}/aids", {"case_id": case.id, "kind": "screen"}),
        (f"/witnesses/{witness.id}/benefits/new", {
            "kind": "travel", "description": "Bus fare", "amount": "3.00", "currency": "USD",
            "provided_on": past(1).isoformat(), "provider": "Invented NGO",
            "rationale": "To reach the counselling appointment in town.", "authorised_by_id": str(officer.id)}),
        (f"/outcomes/case/{case.id}/defendant/{defendant.id}/new", {
            "verdict": "convicted", "sentence_kind": "imprisonment", "sentence_months": "60",
            "sentenced_on": past(1).isoformat(), "proposed_release_date": "2031-01-02",
            "appeal_lodged_by": "", "appeal_outcome": "", "note": "Read out"}),
        (f"/tasks/new?witness={witness.id}", {"title": "Visit the shelter", "assignee_id": officer.id}),
        ("/calendar-feed/rotate", {}),
    ]
    for path, data in steps:
        _follow(client, client.post(path, data=data), path)
    # Each step did what it says (so the walk cannot pass by being refused politely).
    assert db.session.execute(sa.select(Witness).where(Witness.preferred_language == "Thai")).first()
    assert db.session.execute(sa.select(TestimonialAid)).scalar_one().kind == "screen"
    task = db.session.execute(sa.select(Task).where(Task.title == "Visit the shelter")).scalar_one()
    for path, data in [(f"/tasks/{task.id}/comments", {"body": "Shelter says Thursday"}),
                       (f"/tasks/{task.id}/done", {"note": "Visited"})]:
        _follow(client, client.post(path, data=data), path)


def test_the_prosecutors_and_admins_forms_redirect_too(client, auth, officer, prosecutor, admin, trial_case):
    setup = trial_case()
    case_ops.assign_to_case(officer, setup.case, prosecutor)  # the prosecutor works on the case
    db.session.commit()
    auth.login(prosecutor)
    path = f"/outcomes/case/{setup.case.id}/defendant/{setup.defendant.id}/new"
    _follow(client, client.post(path, data={"verdict": "acquitted", "sentence_kind": "none",
                                            "appeal_lodged_by": "", "appeal_outcome": ""}), path)
    auth.logout()
    auth.login(admin)
    _follow(client, client.post("/admin/users/new", data={"email": "walk.person@example.test",
                                                          "role": "liaison_officer"}), "/admin/users/new")
