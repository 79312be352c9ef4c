"""The court support API: every route against the OpenAPI document's schemas, per role, with bad input."""

from __future__ import annotations

from dataclasses import dataclass

import jsonschema
import pytest
import sqlalchemy as sa

from tests.helpers import at_local
from witness_support.aids import operations as aid_ops
from witness_support.aids.models import TestimonialAid
from witness_support.cases import operations as case_ops
from witness_support.court.models import CourtEvent
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import WitnessAssignment

ROUTES = [
    ("get", "/cases/{case_id}/court-events"),
    ("post", "/cases/{case_id}/court-events"),
    ("get", "/court-events/{event_id}"),
    ("patch", "/court-events/{event_id}"),
    ("post", "/court-events/{event_id}/attendance"),
    ("get", "/witnesses/{witness_id}/aids"),
    ("post", "/witnesses/{witness_id}/aids"),
    ("patch", "/aids/{aid_id}"),
    ("get", "/witnesses/{witness_id}/assignments"),
    ("post", "/witnesses/{witness_id}/assignments"),
    ("delete", "/assignments/{assignment_id}"),
    ("get", "/cases/{case_id}/readiness"),
]


@dataclass
class World:
    case: object
    witness: object
    event: object
    aid: object
    assignment: object

    def url(self, template: str) -> str:
        return "/api/v1" + template.format(
            case_id=self.case.id, event_id=self.event.id, witness_id=self.witness.id, aid_id=self.aid.id,
            assignment_id=self.assignment.id,
        )


@pytest.fixture
def world(officer, prosecutor, support_person, make_case, make_witness, make_journey, make_event) -> World:
    case = make_case()
    case_ops.assign_to_case(officer, case, prosecutor)
    witness = make_witness(participation="participating")
    make_journey(witness, case)
    event = make_event(case, [witness], kind="trial_day", days=20)
    aid = aid_ops.propose_aid(officer, witness, case, "screen")
    assignment = witness_ops.assign_support(officer, witness, support_person, "support_worker")
    db.session.commit()
    return World(case, witness, event, aid, assignment)


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def check(document: dict, method: str, template: str, response, status: int) -> dict:  # noqa: ANN001
    """The response has the status and matches the schema the document declares for it."""
    assert response.status_code == status, response.get_json()
    declared = document["paths"][template][method]["responses"][str(status)]
    schema = declared["content"]["application/json"]["schema"]
    body = response.get_json()
    jsonschema.validate(body, {**schema, "components": document["components"]})
    return body


def test_every_route_is_in_the_openapi_document(document):
    for name in ("CourtEvent", "CourtEventInput", "CourtEventPatch", "Attendance", "AttendanceInput", "Aid",
                 "AidInput", "AidPatch", "Assignment", "AssignmentInput", "Readiness"):
        jsonschema.Draft202012Validator.check_schema(document["components"]["schemas"][name])
    for method, template in ROUTES:
        assert method in document["paths"][template], (method, template)
        operation = document["paths"][template][method]
        if method in ("post", "patch"):
            assert "requestBody" in operation


def test_court_events_round_trip(client, api_token, officer, world, document):
    headers = api_token(officer)
    created = check(document, "post", "/cases/{case_id}/court-events", client.post(
        world.url("/cases/{case_id}/court-events"), headers=headers,
        json={"kind": "familiarisation_visit", "starts_at": "2031-02-03T10:00", "ends_at": "2031-02-03T11:00",
              "room": "Witness suite", "witness_ids": [world.witness.id], "remote_link": True}), 201)
    assert created["starts_at"] == "2031-02-03T03:00:00+00:00"  # court-local 10:00 in Jakarta
    assert created["local_starts_at"] == "2031-02-03T10:00:00+07:00"
    assert (created["revision"], created["court_name"]) == (1, world.case.court_name)
    offset = check(document, "post", "/cases/{case_id}/court-events", client.post(
        world.url("/cases/{case_id}/court-events"), headers=headers,
        json={"kind": "mention", "starts_at": "2031-02-04T10:00+00:00", "ends_at": "2031-02-04T11:00+00:00"}), 201)
    assert offset["local_starts_at"] == "2031-02-04T17:00:00+07:00"
    listing = check(document, "get", "/cases/{case_id}/court-events",
                    client.get(world.url("/cases/{case_id}/court-events"), headers=headers), 200)
    assert [e["id"] for e in listing["items"]] == [world.event.id, created["id"], offset["id"]]
    one = check(document, "get", "/court-events/{event_id}",
                client.get(f"/api/v1/court-events/{created['id']}", headers=headers), 200)
    assert one["witnesses"][0]["reference"] == world.witness.reference


def test_patch_moves_cancels_and_holds(client, api_token, officer, world, document, make_event):
    headers = api_token(officer)
    url = world.url("/court-events/{event_id}")
    moved = check(document, "patch", "/court-events/{event_id}", client.patch(url, headers=headers, json={
        "starts_at": "2031-06-01T09:00", "ends_at": "2031-06-01T16:00", "reason": "Adjourned."}), 200)
    assert (moved["status"], moved["revision"]) == ("moved", 2)
    assert moved["history"][-1]["old_starts_at"] == world.event.changes[0].new_starts_at.isoformat()
    detail = check(document, "patch", "/court-events/{event_id}", client.patch(url, headers=headers, json={
        "room": "12", "interpreter_language": "Thai"}), 200)
    assert (detail["room"], detail["interpreter_language"], detail["revision"]) == ("12", "Thai", 3)
    mixed = client.patch(url, headers=headers, json={"status": "cancelled", "starts_at": "2031-06-02T09:00"})
    check(document, "patch", "/court-events/{event_id}", mixed, 422)
    check(document, "patch", "/court-events/{event_id}", client.patch(url, headers=headers, json={}), 422)
    early = client.patch(url, headers=headers, json={"status": "held"})
    assert check(document, "patch", "/court-events/{event_id}", early, 422)["error"]["fields"]["status"]
    cancelled = check(document, "patch", "/court-events/{event_id}", client.patch(url, headers=headers, json={
        "status": "cancelled", "reason": "Plea."}), 200)
    assert (cancelled["status"], cancelled["revision"]) == ("cancelled", 4)
    again = client.patch(url, headers=headers, json={"status": "cancelled", "reason": "Plea."})
    check(document, "patch", "/court-events/{event_id}", again, 409)
    visit = make_event(world.case, [world.witness], kind="familiarisation_visit", days=-1)
    held = client.patch(f"/api/v1/court-events/{visit.id}", headers=headers, json={"status": "held"})
    assert check(document, "patch", "/court-events/{event_id}", held, 200)["status"] == "held"


def test_bad_event_input_changes_nothing(client, api_token, officer, world, document, make_witness):
    headers = api_token(officer)
    url = world.url("/cases/{case_id}/court-events")
    template = "/cases/{case_id}/court-events"
    bad = client.post(url, headers=headers, json={"kind": "party", "starts_at": "soon", "ends_at": "2031-01-01T10:00"})
    fields = check(document, "post", template, bad, 422)["error"]["fields"]
    assert set(fields) == {"kind"}
    bad_time = client.post(url, headers=headers, json={"kind": "mention", "starts_at": "soon",
                                                       "ends_at": "2031-01-01T10:00"})
    assert "starts_at" in check(document, "post", template, bad_time, 422)["error"]["fields"]
    malformed = client.post(url, headers={**headers, "Content-Type": "application/json"}, data="{nope")
    check(document, "post", template, malformed, 400)
    hidden = make_witness(by=None)  # registered by the officer, but not in this case
    not_in_case = client.post(url, headers=headers, json={"kind": "mention", "starts_at": "2031-01-01T09:00",
                                                          "ends_at": "2031-01-01T10:00", "witness_ids": [hidden.id]})
    check(document, "post", template, not_in_case, 422)
    unknown = client.post(url, headers=headers, json={"kind": "mention", "starts_at": "2031-01-01T09:00",
                                                      "ends_at": "2031-01-01T10:00", "witness_ids": [99999]})
    check(document, "post", template, unknown, 404)
    too_long = client.post(url, headers=headers, json={"kind": "mention", "starts_at": "2031-01-01T09:00",
                                                       "ends_at": "2031-01-01T10:00", "room": "x" * 101})
    check(document, "post", template, too_long, 422)
    assert db.session.execute(sa.select(sa.func.count()).select_from(CourtEvent)).scalar() == 1


def test_reflection_override_over_the_api(client, api_token, officer, world, document):
    witness_ops.update_witness(officer, world.witness, reflection_start=at_local(-1).date(),
                               reflection_end=at_local(40).date())
    db.session.commit()
    headers = api_token(officer)
    start = at_local(10).replace(tzinfo=None).isoformat()
    end = at_local(10, 11).replace(tzinfo=None).isoformat()
    body = {"kind": "mention", "starts_at": start, "ends_at": end, "witness_ids": [world.witness.id]}
    template = "/cases/{case_id}/court-events"
    refused = client.post(world.url(template), headers=headers, json=body)
    assert "reflection_override_reason" in check(document, "post", template, refused, 422)["error"]["fields"]
    body["reflection_override_reason"] = "The witness asked to be heard early."
    created = check(document, "post", template, client.post(world.url(template), headers=headers, json=body), 201)
    assert created["witnesses"][0]["reflection_override_reason"] == "The witness asked to be heard early."


def test_attendance_and_double_booking(client, api_token, officer, support_person, world, document, make_event):
    headers = api_token(officer)
    template = "/court-events/{event_id}/attendance"
    body = {"witness_id": world.witness.id, "user_id": support_person.id}
    booked = check(document, "post", template, client.post(world.url(template), headers=headers, json=body), 201)
    assert booked["role"] == "support_worker"
    clash = make_event(world.case, [world.witness], kind="mention", days=20, hour=10)
    url = f"/api/v1/court-events/{clash.id}/attendance"
    check(document, "post", template, client.post(url, headers=headers, json=body), 409)
    body["override_reason"] = "Short mention."
    overridden = check(document, "post", template, client.post(url, headers=headers, json=body), 201)
    assert overridden["override_reason"] == "Short mention."
    nobody = client.post(world.url(template), headers=headers, json={"witness_id": world.witness.id, "user_id": 999})
    check(document, "post", template, nobody, 422)


def test_aids_over_the_api(client, api_token, officer, world, document):
    headers = api_token(officer)
    listing = check(document, "get", "/witnesses/{witness_id}/aids",
                    client.get(world.url("/witnesses/{witness_id}/aids"), headers=headers), 200)
    assert [a["kind"] for a in listing["items"]] == ["screen"]
    created = check(document, "post", "/witnesses/{witness_id}/aids", client.post(
        world.url("/witnesses/{witness_id}/aids"), headers=headers,
        json={"case_id": world.case.id, "kind": "intermediary", "note": "Limited literacy."}), 201)
    assert created["status"] == "needed"
    template = "/aids/{aid_id}"
    skipped = client.patch(world.url(template), headers=headers, json={"status": "granted"})
    error = check(document, "patch", template, skipped, 422)["error"]
    assert "from needed to granted" in error["message"]
    applied = client.patch(world.url(template), headers=headers, json={"status": "applied", "on": "2026-01-05"})
    assert check(document, "patch", template, applied, 200)["applied_on"] == "2026-01-05"
    granted = client.patch(world.url(template), headers=headers,
                           json={"status": "granted", "order_reference": "ORD-1"})
    body = check(document, "patch", template, granted, 200)
    assert [h["to"] for h in body["history"]] == ["needed", "applied", "granted"]
    check(document, "patch", template,
          client.patch(world.url(template), headers=headers, json={"status": "maybe"}), 422)
    assert db.session.get(TestimonialAid, world.aid.id).status == "granted"


def test_assignments_over_the_api_and_ending_removes_access_at_once(
    client, api_token, officer, make_user, world, document
):
    headers = api_token(officer)
    interpreter = make_user("support_person")
    template = "/witnesses/{witness_id}/assignments"
    created = check(document, "post", template, client.post(world.url(template), headers=headers, json={
        "user_id": interpreter.id, "role": "interpreter"}), 201)
    assert created["active"] is True
    duplicate = client.post(world.url(template), headers=headers, json={"user_id": interpreter.id,
                                                                        "role": "interpreter"})
    check(document, "post", template, duplicate, 409)
    wrong = client.post(world.url(template), headers=headers, json={"user_id": interpreter.id,
                                                                    "role": "liaison_officer"})
    check(document, "post", template, wrong, 422)
    listing = check(document, "get", template, client.get(world.url(template), headers=headers), 200)
    assert {a["role"] for a in listing["items"]} == {"liaison_officer", "support_worker", "interpreter"}

    their_headers = api_token(interpreter)
    assert client.get(world.url("/witnesses/{witness_id}"), headers=their_headers).status_code == 200
    ended = client.delete(f"/api/v1/assignments/{created['id']}", headers=headers)
    body = check(document, "delete", "/assignments/{assignment_id}", ended, 200)
    assert body["active"] is False and body["ended_at"]
    assert client.get(world.url("/witnesses/{witness_id}"), headers=their_headers).status_code == 404
    assert db.session.get(WitnessAssignment, created["id"]) is not None  # the record is kept
    check(document, "delete", "/assignments/{assignment_id}",
          client.delete(f"/api/v1/assignments/{created['id']}", headers=headers), 409)


def test_readiness_over_the_api(client, api_token, prosecutor, world, document):
    template = "/cases/{case_id}/readiness"
    body = check(document, "get", template, client.get(world.url(template), headers=api_token(prosecutor)), 200)
    [trial] = body["trials"]
    assert (trial["event_id"], trial["ready"], trial["total"], trial["state"]) == (world.event.id, 0, 1, "not_ready")
    codes = {b["code"] for b in trial["witnesses"][0]["blockers"]}
    assert {"risk_assessment", "no_support_person", "no_familiarisation_visit"} <= codes


@pytest.mark.parametrize("role", ["liaison_officer", "prosecutor", "support_person", "admin"])
def test_unassigned_users_get_404_on_every_route(client, api_token, make_user, world, document, role):
    headers = api_token(make_user(role))
    for method, template in ROUTES:
        response = getattr(client, method)(world.url(template), headers=headers, json={})
        check(document, method, template, response, 404)


def test_the_assigned_support_person_reaches_only_the_assignment_list(client, api_token, support_person, world,
                                                                     document):
    headers = api_token(support_person)
    for method, template in ROUTES:
        response = getattr(client, method)(world.url(template), headers=headers, json={})
        expected = 200 if (method, template) == ("get", "/witnesses/{witness_id}/assignments") else 404
        check(document, method, template, response, expected)


def test_prosecutor_on_the_case_can_read_and_schedule_but_not_book_or_assign(
    client, api_token, prosecutor, support_person, world, document
):
    headers = api_token(prosecutor)
    for template in ("/cases/{case_id}/court-events", "/court-events/{event_id}", "/witnesses/{witness_id}/aids",
                     "/cases/{case_id}/readiness", "/witnesses/{witness_id}/assignments"):
        assert client.get(world.url(template), headers=headers).status_code == 200
    booking = client.post(world.url("/court-events/{event_id}/attendance"), headers=headers,
                          json={"witness_id": world.witness.id, "user_id": support_person.id})
    check(document, "post", "/court-events/{event_id}/attendance", booking, 404)
    check(document, "delete", "/assignments/{assignment_id}",
          client.delete(world.url("/assignments/{assignment_id}"), headers=headers), 404)


def test_event_list_reads_a_fixed_number_of_queries(
    client, api_token, officer, world, make_case, make_witness, make_journey, make_event, count_queries
):
    busy, witness = make_case(), make_witness()
    make_journey(witness, busy)
    for day in range(6):
        make_event(busy, [witness], kind="mention", days=40 + day)
    headers = api_token(officer)
    client.get("/api/v1/cases", headers=headers)  # a token's first use notes it (a write): not counted here
    urls = [world.url("/cases/{case_id}/court-events"), f"/api/v1/cases/{busy.id}/court-events"]
    # A token's first use writes its last-use note (bookkeeping, not the list's work): done here,
    # so that both measured requests read the same way apart from the number of events.
    client.get(urls[0], headers=headers)
    counts = []
    for url in urls:
        db.session.remove()  # the test and its requests share a session: start each from an empty one
        with count_queries() as statements:
            client.get(url, headers=headers)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_anonymous_gets_401_everywhere(client, world, document):
    for method, template in ROUTES:
        check(document, method, template, getattr(client, method)(world.url(template), json={}), 401)
