"""Taking a person off a case: through the page and the API, audited with a reason, and effective
at once everywhere the case reached them (pages, API, name search, calendar feed)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from witness_support import access
from witness_support.audit import AuditEvent
from witness_support.auth.models import User
from witness_support.cases import operations as case_ops
from witness_support.cases.models import Case, CaseAssignment
from witness_support.extensions import db
from witness_support.feeds import operations as feed_ops
from witness_support.witnesses.models import Witness

NAME = "Invented Casey Reachedbycase"


@dataclass
class World:
    case: Case
    witness: Witness
    prosecutor: User
    assignment: CaseAssignment
    event_uid: str


@pytest.fixture
def world(officer, prosecutor, make_case, make_witness, make_journey, make_event) -> World:  # noqa: ANN001
    case = make_case()
    witness = make_witness(legal_name=NAME)
    make_journey(witness, case)
    assignment = case_ops.assign_to_case(officer, case, prosecutor)
    db.session.commit()
    event = make_event(case, [witness], kind="pre_trial_hearing", days=10)
    return World(case, witness, prosecutor, assignment, f"court-event-{event.id}@")


def _reaches(client, api, headers: dict[str, str], world: World, feed_token: str) -> dict[str, bool]:  # noqa: ANN001
    """Everything through which the case reached the prosecutor, as they would try it: `client` is
    signed in on the web, `api` carries no session (the API takes tokens only)."""
    search = client.post("/witnesses/search", data={"name": NAME}).get_data(as_text=True)
    listing = api.get("/api/v1/cases", headers=headers)
    assert listing.status_code == 200
    return {
        "case page": client.get(f"/cases/{world.case.id}").status_code == 200,
        "witness page": client.get(f"/witnesses/{world.witness.id}").status_code == 200,
        "witness list": f"/witnesses/{world.witness.id}" in client.get("/witnesses/").get_data(as_text=True),
        "case list": f"/cases/{world.case.id}" in client.get("/cases/").get_data(as_text=True),
        "search": f"/witnesses/{world.witness.id}" in search,
        "api case": api.get(f"/api/v1/cases/{world.case.id}", headers=headers).status_code == 200,
        "api witness": api.get(f"/api/v1/witnesses/{world.witness.id}", headers=headers).status_code == 200,
        "api cases": any(c["id"] == world.case.id
                         for c in listing.get_json()["items"]),
        "api events": api.get(f"/api/v1/cases/{world.case.id}/court-events", headers=headers).status_code
        == 200,
        "feed": world.event_uid in client.get(f"/feeds/{feed_token}.ics").get_data(as_text=True),
    }


@pytest.mark.parametrize("broad", [False, True], ids=["narrow-caseload", "broad-caseload"])
@pytest.mark.parametrize("via", ["web", "api"])
def test_the_person_taken_off_loses_every_way_in_at_once(app, client, auth, api_token, officer, world, monkeypatch,
                                                         via, broad):  # noqa: ANN001
    api = app.test_client()
    if broad:  # every list then takes the per-row shape
        monkeypatch.setattr(access, "BROAD_CASELOAD", 0)
    token = feed_ops.issue_feed_token(world.prosecutor, world.prosecutor)
    db.session.commit()
    headers = api_token(world.prosecutor)
    auth.login(world.prosecutor)
    before = _reaches(client, api, headers, world, token)
    assert all(before.values()), before
    etag = client.get(f"/feeds/{token}.ics").headers["ETag"]
    auth.logout()

    if via == "web":
        auth.login(officer)
        page = client.get(f"/cases/{world.case.id}")
        confirm = f"/cases/{world.case.id}/staff/{world.assignment.id}/end"
        assert confirm in page.get_data(as_text=True)
        assert "Take Pat Prosecutor off" in client.get(confirm).get_data(as_text=True)
        response = client.post(confirm, data={"reason": "Moved to another unit."})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{world.case.id}")
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Pat Prosecutor no longer works on" in shown
        assert confirm not in shown
        auth.logout()
    else:
        response = api.delete(f"/api/v1/cases/{world.case.id}/assignments/{world.assignment.id}",
                                 json={"reason": "Moved to another unit."}, headers=api_token(officer))
        assert response.status_code == 200 and response.get_json()["ended_at"]

    auth.login(world.prosecutor)
    after = _reaches(client, api, headers, world, token)
    assert not any(after.values()), after
    assert client.get(f"/cases/{world.case.id}").status_code == 404
    assert client.get(f"/witnesses/{world.witness.id}").status_code == 404
    assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag}).status_code == 200

    kept = db.session.get(CaseAssignment, world.assignment.id)
    db.session.refresh(kept)
    assert kept.ended_at is not None
    entry = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "case.unassign")).scalar_one()
    assert entry.actor_id == officer.id and entry.object_id == world.case.id
    assert entry.details == {"user_id": world.prosecutor.id, "role": "prosecutor", "reason": "Moved to another unit."}


def test_the_page_asks_for_a_reason_and_changes_nothing_without_one(client, auth, officer, world):
    auth.login(officer)
    url = f"/cases/{world.case.id}/staff/{world.assignment.id}/end"
    response = client.post(url, data={"reason": "  "})
    assert response.status_code == 200
    assert "This field is required" in response.get_data(as_text=True) or "Say why" in response.get_data(
        as_text=True)
    assert db.session.get(CaseAssignment, world.assignment.id).ended_at is None


def test_the_page_refuses_a_post_without_the_csrf_token(app, client, auth, officer, world):
    auth.login(officer)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/cases/{world.case.id}/staff/{world.assignment.id}/end", data={"reason": "Gone."})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(CaseAssignment, world.assignment.id).ended_at is None


def test_the_api_refusals(client, api_token, officer, make_user, make_case, world):  # noqa: ANN001
    url = f"/api/v1/cases/{world.case.id}/assignments/{world.assignment.id}"
    headers = api_token(officer)
    missing = client.delete(url, json={}, headers=headers)
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    other_case = make_case()
    assert client.delete(f"/api/v1/cases/{other_case.id}/assignments/{world.assignment.id}",
                         json={"reason": "x"}, headers=headers).status_code == 404
    listed = client.get(f"/api/v1/cases/{world.case.id}/assignments", headers=headers).get_json()["items"]
    assert {a["user_id"] for a in listed} == {officer.id, world.prosecutor.id}
    assert client.delete(url, json={"reason": "Left."}, headers=headers).status_code == 200
    assert client.delete(url, json={"reason": "Again."}, headers=headers).status_code == 409
    # The last person on a case cannot leave it: nobody could reach the case again.
    own = next(a for a in listed if a["user_id"] == officer.id)
    last = client.delete(f"/api/v1/cases/{world.case.id}/assignments/{own['id']}", json={"reason": "Bye."},
                         headers=headers)
    assert last.status_code == 409
    db.session.expire_all()
    assert db.session.get(CaseAssignment, own["id"]).ended_at is None


@pytest.mark.parametrize("role", ["liaison_officer", "prosecutor", "support_person", "admin"])
def test_who_may_not_end_it_gets_404_on_web_and_api(client, auth, api_token, make_user, world, role):  # noqa: ANN001
    user = make_user(role)  # not on the case
    web = f"/cases/{world.case.id}/staff/{world.assignment.id}/end"
    api = f"/api/v1/cases/{world.case.id}/assignments/{world.assignment.id}"
    assert client.delete(api, json={"reason": "Nosy."}, headers=api_token(user)).status_code == 404
    auth.login(user)
    assert client.get(web).status_code == 404
    assert client.post(web, data={"reason": "Nosy."}).status_code == 404
    db.session.expire_all()
    assert db.session.get(CaseAssignment, world.assignment.id).ended_at is None


def test_a_prosecutor_on_the_case_may_take_a_colleague_off(client, auth, officer, world):
    """Those who may add staff (case:edit on a case they work on) may end an assignment."""
    auth.login(world.prosecutor)
    own_of_officer = db.session.execute(sa.select(CaseAssignment).where(
        CaseAssignment.case_id == world.case.id, CaseAssignment.user_id == officer.id)).scalar_one()
    response = client.post(f"/cases/{world.case.id}/staff/{own_of_officer.id}/end", data={"reason": "Reassigned."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CaseAssignment, own_of_officer.id).ended_at is not None
