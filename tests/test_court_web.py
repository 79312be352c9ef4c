"""Court support pages: every route per role (allowed, 404 when unassigned, login when anonymous),
the forms, the schedule page's need-to-know, and the home pages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.aids import operations as aid_ops
from witness_support.aids.models import TestimonialAid
from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.court import operations as court_ops
from witness_support.court.models import Attendance, CourtEvent
from witness_support.extensions import db
from witness_support.tasks.models import Task
from witness_support.witnesses import operations as witness_ops


@dataclass
class World:
    case: object
    witness: object
    event: object
    aid: object


@pytest.fixture
def world(officer, prosecutor, make_case, make_witness, make_journey, make_event) -> World:
    case = make_case()
    case_ops.assign_to_case(officer, case, prosecutor)
    witness = make_witness(participation="participating")
    make_journey(witness, case)
    event = make_event(case, [witness], kind="trial_day", days=20, room="3A", interpreter_language="Khmer")
    aid = aid_ops.propose_aid(officer, witness, case, "screen")
    db.session.commit()
    return World(case, witness, event, aid)


def _pages(w: World) -> list[str]:
    return [
        f"/cases/{w.case.id}/court-events",
        f"/cases/{w.case.id}/court-events/new",
        f"/court-events/{w.event.id}",
        f"/witnesses/{w.witness.id}/aids",
        f"/cases/{w.case.id}/readiness",
        f"/witnesses/{w.witness.id}/readiness",
    ]


@pytest.mark.parametrize("index", range(6))
def test_staff_on_the_case_see_each_page(client, auth, officer, prosecutor, world, index):
    for user in (officer, prosecutor):
        auth.login(user)
        response = client.get(_pages(world)[index])
        assert response.status_code == 200, (user.role, _pages(world)[index])
        assert response.headers["Cache-Control"] == "no-store"
        auth.logout()


@pytest.mark.parametrize("role", ["liaison_officer", "prosecutor", "support_person", "admin"])
def test_unassigned_users_get_404_on_every_page(client, auth, make_user, world, role):
    auth.login(make_user(role))
    for page in _pages(world):
        assert client.get(page).status_code == 404, (role, page)
    for action in ("move", "cancel", "held", "attendance", "witnesses"):
        assert client.post(f"/court-events/{world.event.id}/{action}", data={}).status_code == 404
    assert client.post(f"/aids/{world.aid.id}/status", data={"status": "applied"}).status_code == 404
    assert client.post(f"/witnesses/{world.witness.id}/aids",
                       data={"case_id": world.case.id, "kind": "video_link"}).status_code == 404
    assert client.post(f"/cases/{world.case.id}/court-events/new", data={}).status_code == 404
    assert db.session.get(TestimonialAid, world.aid.id).status == "needed"
    assert db.session.execute(sa.select(sa.func.count()).select_from(TestimonialAid)).scalar() == 1
    if role in ("support_person", "admin"):
        assert client.get("/court/readiness").status_code == 404
    if role == "admin":
        assert client.get("/court/schedule").status_code == 404
    else:
        assert "You are not booked" in client.get("/court/schedule").get_data(as_text=True)


def test_anonymous_users_are_sent_to_login(client, world):
    for page in [*_pages(world), "/court/readiness", "/court/schedule"]:
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_support_person_assigned_to_the_witness_still_gets_404_on_staff_pages(
    client, auth, officer, support_person, world
):
    witness_ops.assign_support(officer, world.witness, support_person, "support_worker")
    db.session.commit()
    auth.login(support_person)
    for page in _pages(world):
        assert client.get(page).status_code == 404
    assert client.get("/court/readiness").status_code == 404
    assert client.get("/court/schedule").status_code == 200


def test_create_event_in_the_court_time_zone(client, auth, officer, world):
    auth.login(officer)
    page = client.get(f"/cases/{world.case.id}/court-events/new?kind=familiarisation_visit")
    body = page.get_data(as_text=True)
    assert "Asia/Jakarta" in body and '<option selected value="familiarisation_visit">' in body
    response = client.post(f"/cases/{world.case.id}/court-events/new", data={
        "kind": "mention", "starts_at": "2031-03-02T09:30", "ends_at": "2031-03-02T10:30",
        "room": "7", "witness_ids": [str(world.witness.id)],
    })
    assert response.status_code == 302
    event = db.session.execute(sa.select(CourtEvent).where(CourtEvent.kind == "mention")).scalar_one()
    assert event.starts_at.isoformat() == "2031-03-02T02:30:00+00:00"  # Jakarta is UTC+7
    listing = client.get(f"/cases/{world.case.id}/court-events").get_data(as_text=True)
    assert "Sun 02 Mar 2031 09:30 WIB" in listing


def test_create_event_errors_keep_the_input(client, auth, officer, world):
    auth.login(officer)
    response = client.post(f"/cases/{world.case.id}/court-events/new", data={
        "kind": "mention", "starts_at": "2031-03-02T09:30", "ends_at": "2031-03-02T08:00", "room": "Room kept",
    })
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The event must end after it starts." in body and 'value="Room kept"' in body
    assert db.session.execute(sa.select(sa.func.count()).select_from(CourtEvent)).scalar() == 1


def test_reflection_override_through_the_form(client, auth, officer, world):
    witness_ops.update_witness(officer, world.witness, reflection_start=past(2), reflection_end=future(60))
    db.session.commit()
    auth.login(officer)
    day = future(10).isoformat()
    data = {"kind": "mention", "starts_at": f"{day}T09:00", "ends_at": f"{day}T10:00",
            "witness_ids": [str(world.witness.id)]}
    response = client.post(f"/cases/{world.case.id}/court-events/new", data=data)
    assert response.status_code == 200 and "reflection period" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(CourtEvent)).scalar() == 1
    data["reflection_override_reason"] = "Witness asked for an early mention."
    assert client.post(f"/cases/{world.case.id}/court-events/new", data=data).status_code == 302
    assert db.session.execute(sa.select(sa.func.count()).select_from(CourtEvent)).scalar() == 2


def test_event_page_shows_history_attendance_and_time_zone(client, auth, officer, support_person, world):
    witness_ops.assign_support(officer, world.witness, support_person, "interpreter")
    court_ops.assign_attendance(officer, world.event, world.witness, support_person)
    db.session.commit()
    auth.login(officer)
    body = client.get(f"/court-events/{world.event.id}").get_data(as_text=True)
    for text in ("Asia/Jakarta", "Created", "Sam Support (Interpreter) for " + world.witness.reference,
                 "Khmer", "3A", "Move this event"):
        assert text in body


def test_move_cancel_and_hold_through_the_forms(client, auth, officer, world, make_event):
    auth.login(officer)
    url = f"/court-events/{world.event.id}"
    response = client.post(url + "/move", data={"starts_at": "2031-05-05T13:00", "ends_at": "2031-05-05T17:00",
                                                 "room": "9", "reason": ""})
    assert response.status_code == 422 and world.event.revision == 1
    response = client.post(url + "/move", data={"starts_at": "2031-05-05T13:00", "ends_at": "2031-05-05T17:00",
                                                 "room": "9", "reason": "Judge unwell."})
    assert response.status_code == 302
    db.session.refresh(world.event)
    assert (world.event.status, world.event.revision, world.event.room) == ("moved", 2, "9")
    body = client.get(url).get_data(as_text=True)
    assert "Judge unwell." in body and "Mon 05 May 2031 13:00 WIB" in body
    assert client.post(url + "/cancel", data={"reason": "Plea entered."}).status_code == 302
    db.session.refresh(world.event)
    assert world.event.status == "cancelled"
    assert "Cancelled" in client.get(f"/cases/{world.case.id}/court-events").get_data(as_text=True)
    visit = make_event(world.case, [world.witness], kind="familiarisation_visit", days=-1)
    assert client.post(f"/court-events/{visit.id}/held", data={"note": "Shown the video room."}).status_code == 302
    db.session.refresh(visit)
    assert visit.status == "held"


def test_book_attendance_and_double_booking_override_through_the_form(
    client, auth, officer, support_person, world, make_event
):
    witness_ops.assign_support(officer, world.witness, support_person, "support_worker")
    clash = make_event(world.case, [world.witness], kind="mention", days=20, hour=10)
    db.session.commit()
    auth.login(officer)
    data = {"witness_id": world.witness.id, "user_id": support_person.id}
    assert client.post(f"/court-events/{world.event.id}/attendance", data=data).status_code == 302
    refused = client.post(f"/court-events/{clash.id}/attendance", data=data)
    assert refused.status_code == 422 and "overlapping" in refused.get_data(as_text=True)
    data["override_reason"] = "Short mention, same building."
    assert client.post(f"/court-events/{clash.id}/attendance", data=data).status_code == 302
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attendance)).scalar() == 2


def test_prosecutor_cannot_book_attendance(client, auth, prosecutor, world):
    auth.login(prosecutor)
    assert client.post(f"/court-events/{world.event.id}/attendance", data={}).status_code == 404


def test_aids_page_and_status_change(client, auth, officer, world):
    auth.login(officer)
    body = client.get(f"/witnesses/{world.witness.id}/aids").get_data(as_text=True)
    assert "Screen" in body and "Needed" in body
    response = client.post(f"/witnesses/{world.witness.id}/aids",
                           data={"case_id": world.case.id, "kind": "video_link", "note": "Fear of defendant."})
    assert response.status_code == 302
    refused = client.post(f"/aids/{world.aid.id}/status",  # invalid: needed → granted
                          data={"status": "granted", "order_reference": "TYPED-1"})
    assert db.session.get(TestimonialAid, world.aid.id).status == "needed"
    page = refused.get_data(as_text=True)
    # The reason is given at the top and by the form, and what was typed is still there.
    assert refused.status_code == 422
    assert "An aid cannot go from needed to granted." in page
    assert 'value="TYPED-1"' in page and f'href="#status-{world.aid.id}"' in page
    client.post(f"/aids/{world.aid.id}/status", data={"status": "applied"})
    client.post(f"/aids/{world.aid.id}/status", data={"status": "granted", "order_reference": "SM-12"})
    db.session.expire_all()
    aid = db.session.get(TestimonialAid, world.aid.id)
    assert (aid.status, aid.order_reference) == ("granted", "SM-12")
    task = db.session.execute(sa.select(Task)).scalar_one()
    home = client.get("/").get_data(as_text=True)
    assert task.title in home and world.witness.legal_name not in task.title


def test_schedule_shows_pseudonym_to_an_interpreter_and_identity_to_a_guardian(
    client, auth, officer, make_user, world, make_event
):
    interpreter, guardian = make_user("support_person"), make_user("support_person")
    witness_ops.assign_support(officer, world.witness, interpreter, "interpreter")
    witness_ops.assign_support(officer, world.witness, guardian, "guardian")
    court_ops.assign_attendance(officer, world.event, world.witness, interpreter)
    court_ops.assign_attendance(officer, world.event, world.witness, guardian)
    aid_ops.change_aid_status(officer, world.aid, "applied")
    aid_ops.change_aid_status(officer, world.aid, "granted")
    clash = make_event(world.case, [world.witness], kind="mention", days=20, hour=11)
    court_ops.assign_attendance(officer, clash, world.witness, interpreter, "Agreed with the court.")
    later = make_event(world.case, [world.witness], kind="verdict", days=25)
    court_ops.assign_attendance(officer, later, world.witness, guardian)
    db.session.commit()

    auth.login(interpreter)
    body = client.get("/court/schedule").get_data(as_text=True)
    assert world.witness.reference in body and world.witness.legal_name not in body
    for text in ("3A", "Interpreter: Khmer", "Aids granted: Screen", world.case.court_name,
                 "Conflict with another of your events"):
        assert text in body
    home = client.get("/").get_data(as_text=True)
    assert "Your court schedule" in home and world.witness.reference in home
    auth.logout()

    auth.login(guardian)
    before = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "witness.identity.view")).scalar()
    body = client.get("/court/schedule").get_data(as_text=True)
    assert world.witness.legal_name in body and "Conflict" not in body
    after = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "witness.identity.view")).scalar()
    assert after == before + 1


def test_schedule_lists_only_my_events(client, auth, officer, make_user, world):
    mine, other = make_user("support_person"), make_user("support_person")
    for person in (mine, other):
        witness_ops.assign_support(officer, world.witness, person, "interpreter")
    court_ops.assign_attendance(officer, world.event, world.witness, other)
    db.session.commit()
    auth.login(mine)
    body = client.get("/court/schedule").get_data(as_text=True)
    assert "You are not booked for any court event." in body


def test_ending_an_assignment_removes_access_at_once(client, auth, officer, support_person, world):
    assignment = witness_ops.assign_support(officer, world.witness, support_person, "support_worker")
    court_ops.assign_attendance(officer, world.event, world.witness, support_person)
    db.session.commit()
    auth.login(support_person)
    assert client.get(f"/witnesses/{world.witness.id}").status_code == 200
    assert world.witness.reference in client.get("/court/schedule").get_data(as_text=True)
    auth.logout()
    auth.login(officer)
    assert client.post(f"/witnesses/assignments/{assignment.id}/end", data={"reason": "Done"}).status_code == 302
    auth.logout()
    auth.login(support_person)
    assert client.get(f"/witnesses/{world.witness.id}").status_code == 404
    assert world.witness.reference not in client.get("/court/schedule").get_data(as_text=True)


def test_prosecutor_home_and_dashboard_answer_who_is_not_ready(client, auth, prosecutor, world):
    auth.login(prosecutor)
    home = client.get("/").get_data(as_text=True)
    assert "Open the readiness dashboard" in home and world.case.reference in home
    body = client.get("/court/readiness").get_data(as_text=True)
    assert "Not ready: 0/1 ready" in body and world.witness.reference in body
    assert "No risk assessment for the trial stage" in body
    assert "An interpreter for Khmer is needed but none is booked." in body
    assert f'href="/court-events/{world.event.id}#attendance"' in body


def test_add_a_required_witness_through_the_form(client, auth, officer, world, make_witness, make_journey,
                                                 make_event):
    other = make_witness()
    make_journey(other, world.case)
    mention = make_event(world.case, kind="mention", days=15)
    auth.login(officer)
    body = client.get(f"/court-events/{mention.id}").get_data(as_text=True)
    assert other.reference in body and "Add witness" in body
    response = client.post(f"/court-events/{mention.id}/witnesses", data={"witness_id": other.id})
    assert response.status_code == 302
    db.session.refresh(mention)
    assert [r.witness_id for r in mention.required] == [other.id]
    stranger = make_witness()  # not in the case: not a choice
    refused = client.post(f"/court-events/{mention.id}/witnesses", data={"witness_id": stranger.id})
    assert refused.status_code == 422
    case_page = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert f"/cases/{world.case.id}/court-events" in case_page
    witness_page = client.get(f"/witnesses/{world.witness.id}").get_data(as_text=True)
    assert f"/witnesses/{world.witness.id}/aids" in witness_page


def test_witness_readiness_drill_down(client, auth, prosecutor, world, make_case, make_journey, make_event):
    other_case = make_case()  # the prosecutor does not work on it: its trial is not shown
    make_journey(world.witness, other_case)
    make_event(other_case, [world.witness], kind="trial_day", days=12)
    auth.login(prosecutor)
    dashboard = client.get("/court/readiness").get_data(as_text=True)
    assert f'href="/witnesses/{world.witness.id}/readiness"' in dashboard
    body = client.get(f"/witnesses/{world.witness.id}/readiness").get_data(as_text=True)
    assert body.count('class="trial trial-') == 1 and world.case.reference in body
    assert other_case.reference not in body
    assert "No familiarisation visit to the court has been held." in body
