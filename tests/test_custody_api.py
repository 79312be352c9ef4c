"""The custody, protection-plan and enrolment API: record and list custody entries, read and revise a
plan, read and change enrolment; 404 for hidden objects, fields filtered by field group, bad input a
JSON error with nothing saved, and every response matching the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.openapi_util import assert_matches_openapi
from witness_support.cases import operations as case_ops
from witness_support.custody.models import CustodyEvent
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.notifications.models import Notification
from witness_support.protection.queries import plan_for
from witness_support.witnesses import operations as witness_ops


def call(client, method: str, path: str, headers: dict, json=None):  # noqa: ANN001, ANN201
    response = client.open(path, method=method, headers=headers, json=json)
    assert_matches_openapi(client, method, path, response)
    return response


@pytest.fixture
def world(app, officer, prosecutor, make_user, trial_case, api_token):  # noqa: ANN001, ANN201
    setup = trial_case()
    case_ops.assign_to_case(officer, setup.case, prosecutor)
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, setup.witness, interpreter, "interpreter")
    db.session.commit()
    setup.headers = {"officer": api_token(officer), "prosecutor": api_token(prosecutor),
                     "stranger": api_token(make_user("liaison_officer")), "interpreter": api_token(interpreter)}
    return setup


def _bail(world, **extra):  # noqa: ANN001, ANN202
    body = {"kind": "bailed", "occurred_at": (utc_now() - timedelta(hours=2)).isoformat(), "source": "Court clerk",
            "conditions": [{"kind": "no_contact", "witness_id": world.witness.id},
                           {"kind": "exclusion_zone", "text": "Kampung Melayu market"},
                           {"kind": "curfew", "text": "20:00 to 06:00"}]}
    return body | extra


def test_an_officer_records_a_bail_decision_and_the_witness_is_told(client, world):
    path = f"/api/v1/defendants/{world.defendant.id}/custody"
    response = call(client, "POST", path, world.headers["officer"], _bail(world))
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "bailed" and {c["kind"] for c in body["conditions"]} == {
        "no_contact", "exclusion_zone", "curfew"}
    assert db.session.execute(sa.select(Notification.kind).where(
        Notification.witness_id == world.witness.id)).scalars().all() == ["bail"]
    listed = call(client, "GET", path, world.headers["officer"]).get_json()["items"]
    assert [e["id"] for e in listed] == [body["id"]]
    defendants = call(client, "GET", f"/api/v1/cases/{world.case.id}/defendants", world.headers["officer"])
    assert defendants.get_json()["items"][0]["custody_status"] == "bailed"


def test_a_prosecutor_reads_custody_without_the_places(client, world, officer):
    call(client, "POST", f"/api/v1/defendants/{world.defendant.id}/custody", world.headers["officer"], _bail(world))
    response = call(client, "GET", f"/api/v1/cases/{world.case.id}/defendants", world.headers["prosecutor"])
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "20:00 to 06:00" in text
    assert "Kampung Melayu" not in text and "exclusion_zone" not in text


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "sentenced", "release_date": (today_utc() - timedelta(days=30)).isoformat(), "conditions": []},
     "release_date"),
    ({"kind": "parole_hearing", "hearing_on": (today_utc() - timedelta(days=3)).isoformat(), "conditions": []},
     "hearing_on"),
    ({"conditions": [{"kind": "no_contact", "witness_id": 2**31 - 1}]}, "conditions"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"kind": "vanished"}, "kind"),
])
def test_bad_custody_input_is_a_json_error_and_nothing_saved(client, world, body, field):
    response = call(client, "POST", f"/api/v1/defendants/{world.defendant.id}/custody", world.headers["officer"],
                    _bail(world, **body))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(CustodyEvent)).scalar() == 0


@pytest.mark.parametrize("who", ["stranger", "interpreter"])
def test_a_defendant_one_may_not_see_is_404(client, world, who):
    for method, path in (("GET", f"/api/v1/defendants/{world.defendant.id}/custody"),
                         ("POST", f"/api/v1/defendants/{world.defendant.id}/custody"),
                         ("GET", f"/api/v1/cases/{world.case.id}/defendants"),
                         ("POST", "/api/v1/defendants/2147483647/custody")):
        response = call(client, method, path, world.headers[who], _bail(world) if method == "POST" else None)
        assert response.status_code == 404, (method, path)
    assert db.session.execute(sa.select(sa.func.count()).select_from(CustodyEvent)).scalar() == 0


def _revision(world, **extra):  # noqa: ANN001, ANN202
    return {"measures": [{"kind": "relocation", "text": "Safe house in Depok", "responsible": "Police"},
                         {"kind": "police_alarm", "responsible": "Police"}],
            "review_on": (today_utc() + timedelta(days=30)).isoformat(),
            "risk_assessment_id": world.witness.risk_assessments[0].id} | extra


def test_an_officer_revises_the_plan_and_reads_it_back(client, world):
    path = f"/api/v1/witnesses/{world.witness.id}/protection-plan"
    assert call(client, "GET", path, world.headers["officer"]).get_json() == {
        "witness_id": world.witness.id, "revisions": []}
    created = call(client, "POST", path + "/revisions", world.headers["officer"], _revision(world))
    assert created.status_code == 201 and created.get_json()["number"] == 1
    call(client, "POST", path + "/revisions", world.headers["officer"], _revision(world, summary="After bail"))
    revisions = call(client, "GET", path, world.headers["officer"]).get_json()["revisions"]
    assert [r["number"] for r in revisions] == [2, 1]
    assert [m["kind"] for m in revisions[0]["measures"]] == ["relocation", "police_alarm"]


def test_plan_need_to_know(client, world):
    path = f"/api/v1/witnesses/{world.witness.id}/protection-plan"
    call(client, "POST", path + "/revisions", world.headers["officer"], _revision(world))
    seen = call(client, "GET", path, world.headers["prosecutor"])
    assert seen.status_code == 200 and "Depok" not in seen.get_data(as_text=True)
    assert [m["kind"] for m in seen.get_json()["revisions"][0]["measures"]] == ["police_alarm"]
    # Without risk detail, or without seeing the witness: 404; saving needs location too.
    assert call(client, "GET", path, world.headers["interpreter"]).status_code == 404
    assert call(client, "GET", path, world.headers["stranger"]).status_code == 404
    assert call(client, "POST", path + "/revisions", world.headers["prosecutor"], _revision(world)).status_code == 404


def test_bad_plan_input_is_a_json_error_and_nothing_saved(client, world):
    path = f"/api/v1/witnesses/{world.witness.id}/protection-plan/revisions"
    response = call(client, "POST", path, world.headers["officer"], _revision(world, measures=[{"kind": "other"}]))
    assert response.status_code == 422 and "measures" in response.get_json()["error"]["fields"]
    response = call(client, "POST", path, world.headers["officer"], _revision(world, review_on="2020-02-30"))
    assert response.status_code == 422 and "review_on" in response.get_json()["error"]["fields"]
    assert plan_for(world.witness.id) is None


def test_enrolment_read_and_opt_out(client, world):
    path = f"/api/v1/witnesses/{world.witness.id}/enrolments"
    items = call(client, "GET", path, world.headers["officer"]).get_json()["items"]
    assert items == [{"witness_id": world.witness.id, "case_id": world.case.id, "enrolled": True,
                      "changed_at": None, "reason": ""}]
    changed = call(client, "PUT", f"{path}/{world.case.id}", world.headers["officer"],
                   {"enrolled": False, "reason": "Wants to move on"})
    assert changed.status_code == 200 and changed.get_json()["enrolled"] is False
    assert call(client, "GET", path, world.headers["interpreter"]).get_json()["items"][0]["enrolled"] is False
    refused = call(client, "PUT", f"{path}/{world.case.id}", world.headers["officer"], {"enrolled": "no"})
    assert refused.status_code == 422
    assert call(client, "PUT", f"{path}/2147483647", world.headers["officer"], {"enrolled": True}).status_code == 404
    assert call(client, "GET", path, world.headers["stranger"]).status_code == 404
    assert call(client, "PUT", f"{path}/{world.case.id}", world.headers["prosecutor"],
                {"enrolled": True}).status_code == 404
