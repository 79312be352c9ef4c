"""The API an integrator needs for the officer's day: who am I, find a witness, the tasks, and the
people a task or an assignment may go to. Same rules as the pages; search never tells of a
witness the caller may not see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import future
from tests.openapi_util import assert_matches_openapi
from witness_support.audit import AuditEvent
from witness_support.auth.models import Team
from witness_support.cases import operations as case_ops
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.tasks import operations as task_ops
from witness_support.witnesses import operations as witness_ops


@pytest.fixture
def colleague(make_user):  # noqa: ANN001, ANN201
    return make_user(display_name="Cora Colleague")


@pytest.fixture
def stranger(make_user):  # noqa: ANN001, ANN201
    return make_user(display_name="Stan Stranger")


def test_me_says_who_the_token_speaks_for(client, officer, make_user, api_token):
    team = Team(name="Invented Unit")
    db.session.add(team)
    team.members.append(officer)
    make_user(display_name="Under Study").supervisor_id = officer.id
    db.session.commit()
    response = client.get("/api/v1/me", headers=api_token(officer))
    assert response.status_code == 200
    me = response.get_json()
    assert me["id"] == officer.id and me["display_name"] == "Olive Officer" and me["role"] == "liaison_officer"
    assert me["teams"] == [{"id": team.id, "name": "Invented Unit"}]
    assert "witness:assign" in me["permissions"] and "user:manage" not in me["permissions"]
    assert me["supervises"] is True and me["supervisor_id"] is None
    assert_matches_openapi(client, "GET", "/api/v1/me", response)
    assert client.get("/api/v1/me").status_code == 401


def test_search_by_name_and_reference_never_tells_of_a_hidden_witness(client, officer, stranger, make_user,
                                                                      make_witness, api_token):
    mine = make_witness(legal_name="Ana María Quispe López")
    hidden = make_witness(by=stranger, legal_name="Ana Quispe")  # same words, not the officer's
    headers = api_token(officer)
    url = "/api/v1/witnesses/search"
    response = client.post(url, json={"q": "QUISPE ana"}, headers=headers)
    assert response.status_code == 200
    found = response.get_json()
    assert [w["id"] for w in found["items"]] == [mine.id] and found["by"] == "name" and found["more"] is False
    assert "legal_name" not in str(found) and "Quispe" not in response.get_data(as_text=True)
    assert_matches_openapi(client, "POST", url, response)
    # The hidden witness answers exactly as a name nobody has.
    alone = client.post(url, json={"q": "Quispe Ana", "limit": 5}, headers=api_token(stranger)).get_json()
    assert [w["id"] for w in alone["items"]] == [hidden.id]
    by_ref = client.post(url, json={"q": hidden.reference.lower()}, headers=headers).get_json()
    nobody = client.post(url, json={"q": "W-1999-0000001"}, headers=headers).get_json()
    assert by_ref == nobody == {"items": [], "by": "reference", "more": False}
    mine_ref = client.post(url, json={"q": mine.reference.lower()}, headers=headers).get_json()
    assert [w["id"] for w in mine_ref["items"]] == [mine.id]
    # An interpreter sees the witness but not the identity: a name finds nothing, the reference does.
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, mine, interpreter, "interpreter")
    db.session.commit()
    theirs = api_token(interpreter)
    assert client.post(url, json={"q": "Quispe"}, headers=theirs).get_json()["items"] == []
    assert [w["id"] for w in client.post(url, json={"q": mine.reference}, headers=theirs).get_json()["items"]] == [
        mine.id]
    searches = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "witness.identity.search")).all()
    assert searches and "Quispe" not in str([row[0].details for row in searches])


@pytest.mark.parametrize(("sent", "field"), [
    ({"q": ""}, "q"), ({"q": 5}, "q"), ({"q": "x" * 201}, "q"), ({}, "q"), ({"q": "ana", "limit": 0}, "limit"),
    ({"q": "ana", "limit": 201}, "limit"), ({"q": "ana", "page": 2}, "page"),
])
def test_search_refuses_bad_input_naming_the_field(client, officer, api_token, sent, field):
    response = client.post("/api/v1/witnesses/search", json=sent, headers=api_token(officer))
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_write_reassign_comment_complete_over_the_api(client, officer, colleague, stranger, make_witness, api_token):
    witness = make_witness()
    witness_ops.assign_support(officer, witness, colleague, "liaison_officer")
    db.session.commit()
    headers = api_token(officer)
    people = client.get(f"/api/v1/witnesses/{witness.id}/assignable-people", headers=headers)
    assert {p["id"] for p in people.get_json()["items"]} == {officer.id, colleague.id}
    assert_matches_openapi(client, "GET", f"/api/v1/witnesses/{witness.id}/assignable-people", people)
    refused = client.post("/api/v1/tasks", json={"title": "Call back", "witness_id": witness.id,
                                                 "assignee_id": stranger.id}, headers=headers)
    assert refused.status_code == 422 and "assignee_id" in refused.get_json()["error"]["fields"]
    response = client.post("/api/v1/tasks", json={
        "title": f"Call {witness.reference} back", "witness_id": witness.id, "assignee_id": colleague.id,
        "due_on": future(2).isoformat(), "urgent": True}, headers=headers)
    assert response.status_code == 201
    assert_matches_openapi(client, "POST", "/api/v1/tasks", response)
    task = response.get_json()
    assert task["assignee_id"] == colleague.id and task["created_by_id"] == officer.id and task["comments"] == []
    url = f"/api/v1/tasks/{task['id']}"
    theirs = api_token(colleague)
    mine = client.get("/api/v1/tasks?view=mine", headers=theirs).get_json()
    assert [t["id"] for t in mine["items"]] == [task["id"]]
    response = client.post(url + "/comments", json={"body": "Tried twice, no answer."}, headers=theirs)
    assert response.status_code == 201 and response.get_json()["author_id"] == colleague.id
    assert_matches_openapi(client, "POST", url + "/comments", response)
    response = client.post(url + "/reassign", json={"assignee_id": officer.id}, headers=theirs)
    assert response.status_code == 200 and response.get_json()["assignee_id"] == officer.id
    assert response.get_json()["comments"][0]["body"] == "Tried twice, no answer."
    assert client.post(url + "/reassign", json={"assignee_id": stranger.id}, headers=theirs).status_code == 422
    assert client.post(url + "/reassign", json={"assignee_id": 999999}, headers=theirs).status_code == 422
    # A colleague who is a liaison officer of the witness may complete it; the trail says who.
    response = client.post(url + "/complete", json={"note": "Called."}, headers=theirs)
    assert response.status_code == 200 and response.get_json()["done_by_id"] == colleague.id
    assert_matches_openapi(client, "POST", url + "/complete", response)
    assert client.post(url + "/complete", json={}, headers=theirs).status_code == 409
    done = client.get("/api/v1/tasks?view=done", headers=headers).get_json()
    assert [t["id"] for t in done["items"]] == [task["id"]]
    # Someone who may not see the witness: the task is not there.
    outsider = api_token(stranger)
    assert client.get(url, headers=outsider).status_code == 404
    assert client.post(url + "/comments", json={"body": "hello"}, headers=outsider).status_code == 404
    assert client.get(f"/api/v1/witnesses/{witness.id}/assignable-people", headers=outsider).status_code == 404
    assert client.post("/api/v1/tasks", json={"title": "Peek", "witness_id": witness.id,
                                              "assignee_id": stranger.id}, headers=outsider).status_code == 404


def test_overdue_and_paging(client, officer, make_witness, api_token):
    witness = make_witness()
    late = [task_ops.create_task(officer, "manual", f"Late {i}", witness_id=witness.id,
                                 due_at=utc_now().replace(year=2020)) for i in range(3)]
    task_ops.create_task(officer, "manual", "Not yet", witness_id=witness.id, due_at=utc_now().replace(year=2099))
    db.session.commit()
    headers = api_token(officer)
    first = client.get("/api/v1/tasks?view=overdue&limit=2", headers=headers)
    assert_matches_openapi(client, "GET", "/api/v1/tasks", first)
    page = first.get_json()
    assert [t["id"] for t in page["items"]] == [late[0].id, late[1].id] and page["items"][0]["overdue"] is True
    rest = client.get(f"/api/v1/tasks?view=overdue&limit=2&after={page['next_after']}", headers=headers).get_json()
    assert [t["id"] for t in rest["items"]] == [late[2].id] and rest["next_after"] is None
    mine = client.get(f"/api/v1/tasks?assignee_id={officer.id}&limit=200", headers=headers).get_json()
    assert len(mine["items"]) == 4


@pytest.mark.parametrize(("query", "field"), [
    ("view=someone", "view"), ("limit=0", "limit"), ("limit=201", "limit"), ("after=x", "after"),
    ("witness_id=99999999999", "witness_id"), ("kind=" + "k" * 41, "kind"),
])
def test_task_list_refuses_bad_parameters(client, officer, api_token, query, field):
    response = client.get(f"/api/v1/tasks?{query}", headers=api_token(officer))
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_bad_task_bodies(client, officer, make_witness, make_case, api_token):
    witness, case = make_witness(), make_case()
    headers = api_token(officer)
    both = client.post("/api/v1/tasks", json={"title": "x", "witness_id": witness.id, "case_id": case.id,
                                              "assignee_id": officer.id}, headers=headers)
    assert both.status_code == 422 and "witness_id" in both.get_json()["error"]["fields"]
    late = client.post("/api/v1/tasks", json={"title": "x", "witness_id": witness.id, "assignee_id": officer.id,
                                              "due_on": "tomorrow"}, headers=headers)
    assert late.status_code == 422 and "due_on" in late.get_json()["error"]["fields"]
    assert client.post("/api/v1/tasks", data="{", headers={**headers, "Content-Type": "application/json"}
                       ).status_code == 400
    assert client.get("/api/v1/tasks/999999", headers=headers).status_code == 404
    on_case = client.post("/api/v1/tasks", json={"title": "File the statement", "case_id": case.id,
                                                 "assignee_id": officer.id}, headers=headers)
    assert on_case.status_code == 201 and on_case.get_json()["case_id"] == case.id


def test_people_an_assignment_may_go_to(client, officer, prosecutor, stranger, make_user, make_witness, make_case,
                                        api_token):
    witness, case = make_witness(), make_case()
    case_ops.assign_to_case(officer, case, prosecutor)
    disabled = make_user(display_name="Gone Away")
    disabled.active = False
    db.session.commit()
    headers = api_token(officer)
    url = f"/api/v1/witnesses/{witness.id}/assignable-people?purpose=assignment&limit=200"
    people = {p["id"]: p for p in client.get(url, headers=headers).get_json()["items"]}
    assert stranger.id in people and prosecutor.id in people and disabled.id not in people
    assert people[stranger.id] == {"id": stranger.id, "display_name": "Stan Stranger", "role": "liaison_officer"}
    first = client.get(url.replace("limit=200", "limit=1"), headers=headers).get_json()
    assert len(first["items"]) == 1 and first["next_after"] == first["items"][0]["id"]
    on_case = client.get(f"/api/v1/cases/{case.id}/assignable-people", headers=headers)
    assert {p["id"] for p in on_case.get_json()["items"]} == {officer.id, prosecutor.id}
    assert_matches_openapi(client, "GET", f"/api/v1/cases/{case.id}/assignable-people", on_case)
    assert client.get(f"/api/v1/cases/{case.id}/assignable-people",
                      headers=api_token(stranger)).status_code == 404
    bad = client.get(f"/api/v1/witnesses/{witness.id}/assignable-people?purpose=friends", headers=headers)
    assert bad.status_code == 422 and "purpose" in bad.get_json()["error"]["fields"]
    # Whoever may not assign people is not shown the staff list.
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    db.session.commit()
    assert client.get(url, headers=api_token(interpreter)).status_code == 404
    own = client.get(f"/api/v1/witnesses/{witness.id}/assignable-people", headers=api_token(interpreter))
    assert interpreter.id in {p["id"] for p in own.get_json()["items"]}


def test_search_says_when_more_matched_than_the_limit(client, officer, make_witness, api_token):
    older, newer = make_witness(legal_name="Siti Rahma"), make_witness(legal_name="Rahma Siti Aminah")
    headers = api_token(officer)
    first = client.post("/api/v1/witnesses/search", json={"q": "rahma", "limit": 1}, headers=headers).get_json()
    assert [w["id"] for w in first["items"]] == [newer.id] and first["more"] is True
    both = client.post("/api/v1/witnesses/search", json={"q": "siti rahma", "limit": 2}, headers=headers).get_json()
    assert [w["id"] for w in both["items"]] == [newer.id, older.id] and both["more"] is False
