"""The outcome and notification API: per role, bad input, and responses matching the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from tests.helpers import CANARY_OFFENDER
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.notifications.models import NotificationPreference
from witness_support.outcomes.models import Outcome
from witness_support.witnesses import operations as witness_ops


def _matches_openapi(client: Any, method: str, path: str, response: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    relative = path.removeprefix("/api/v1")
    templates = [t for t in document["paths"] if re.match("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$", relative)]
    assert templates, relative
    operation = document["paths"][templates[0]][method.lower()]
    content = operation["responses"][str(response.status_code)].get("content", {})
    if "application/json" in content:
        schema = {**content["application/json"]["schema"], "components": document["components"]}
        Draft202012Validator(schema).validate(response.get_json())


def call(client, method: str, path: str, headers: dict | None = None, json: Any = None):  # noqa: ANN001, ANN201
    response = client.open(path, method=method, headers=headers or {}, json=json)
    _matches_openapi(client, method, path, response)
    return response


@pytest.fixture
def world(app, officer, prosecutor, make_user, trial_case, api_token):  # noqa: ANN001, ANN201
    setup = trial_case()
    case_ops.assign_to_case(officer, setup.case, prosecutor)
    db.session.commit()
    stranger = make_user("liaison_officer")
    support = make_user("support_person")
    witness_ops.assign_support(officer, setup.witness, support, "interpreter")
    db.session.commit()
    setup.headers = {
        "officer": api_token(officer), "prosecutor": api_token(prosecutor),
        "stranger": api_token(stranger), "support": api_token(support), "anonymous": {},
    }
    return setup


def _outcome_count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Outcome)).scalar()


@pytest.mark.parametrize("who", ["officer", "prosecutor"])
def test_record_list_and_change_outcomes(client, world, who):
    headers = world.headers[who]
    path = f"/api/v1/cases/{world.case.id}/outcomes"
    created = call(client, "POST", path, headers, {
        "defendant_id": world.defendant.id, "verdict": "convicted", "charges": "Trafficking",
        "sentence_kind": "imprisonment", "sentence_months": 72, "sentenced_on": "2026-11-20",
        "proposed_release_date": "2032-11-20", "appeal_deadline": "2026-12-04",
    })
    assert created.status_code == 201, created.get_json()
    outcome = created.get_json()
    assert outcome["verdict"] == "convicted" and outcome["history"][0]["kind"] == "verdict"
    listed = call(client, "GET", path, headers)
    assert [o["id"] for o in listed.get_json()["items"]] == [outcome["id"]]
    changed = call(client, "PATCH", f"/api/v1/outcomes/{outcome['id']}", headers,
                   {"appeal_lodged_by": "defence", "appeal_lodged_on": "2026-11-25", "note": "Filed at noon"})
    assert changed.status_code == 200
    assert [h["kind"] for h in changed.get_json()["history"]] == ["verdict", "appeal_lodged"]
    custody = call(client, "PATCH", f"/api/v1/outcomes/{outcome['id']}", headers, {"custody": "escaped"})
    assert custody.get_json()["custody"] == "escaped"


@pytest.mark.parametrize("who, status", [("stranger", 404), ("support", 404), ("anonymous", 401)])
def test_outcomes_hidden_from_others(client, world, officer, who, status):
    from witness_support.outcomes import operations

    outcome_id = operations.record_outcome(officer, world.defendant, verdict="acquitted").id
    db.session.commit()
    headers = world.headers[who]
    assert call(client, "GET", f"/api/v1/cases/{world.case.id}/outcomes", headers).status_code == status
    response = call(client, "POST", f"/api/v1/cases/{world.case.id}/outcomes", headers,
                    {"defendant_id": world.defendant.id, "verdict": "convicted"})
    assert response.status_code == status
    response = call(client, "PATCH", f"/api/v1/outcomes/{outcome_id}", headers, {"appeal_outcome": "allowed"})
    assert response.status_code == status
    assert db.session.get(Outcome, outcome_id).appeal_outcome is None


@pytest.mark.parametrize("body, field", [
    ({"verdict": "convicted"}, "defendant_id"),
    ({"defendant_id": 1, "verdict": "maybe"}, "verdict"),
    ({"defendant_id": 1, "verdict": "acquitted", "sentence_kind": "fine"}, "sentence_kind"),
    ({"defendant_id": 1, "verdict": "convicted", "sentence_months": "ten"}, "sentence_months"),
    ({"defendant_id": 1, "verdict": "convicted", "proposed_release_date": "2030-02-30"}, "proposed_release_date"),
    ({"defendant_id": 999, "verdict": "convicted"}, "defendant_id"),
    ({"defendant_id": 1, "verdict": "convicted", "sentence_kind": "imprisonment"}, "sentence_months"),
])
def test_bad_outcome_input_is_refused_by_field(client, world, body, field):
    if body.get("defendant_id") == 1:
        body = {**body, "defendant_id": world.defendant.id}
    response = call(client, "POST", f"/api/v1/cases/{world.case.id}/outcomes", world.headers["officer"], body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert _outcome_count() == 0


def test_preferences_read_and_replace(client, world):
    path = f"/api/v1/witnesses/{world.witness.id}/notification-preferences"
    defaults = call(client, "GET", path, world.headers["officer"]).get_json()
    assert defaults["channel"] == "in_person" and defaults["stored"] is False and defaults["language"] == "id"
    body = {"channel": "email", "language": "id", "email": "safe@example.test", "contact_is_safe": True,
            "opted_out": ["release_upcoming"], "third_party_name": "A trusted friend"}
    saved = call(client, "PUT", path, world.headers["officer"], body)
    assert saved.status_code == 200 and saved.get_json()["stored"] is True
    assert call(client, "GET", path, world.headers["officer"]).get_json()["email"] == "safe@example.test"
    # A prosecutor on the case reads how the witness hears news, not how to reach them.
    seen_by_prosecutor = call(client, "GET", path, world.headers["prosecutor"]).get_json()
    assert seen_by_prosecutor["channel"] == "email" and "email" not in seen_by_prosecutor
    refused = call(client, "PUT", path, world.headers["officer"], {"channel": "sms", "language": "en"})
    assert refused.status_code == 422 and "phone" in refused.get_json()["error"]["fields"]
    unknown_kind = call(client, "PUT", path, world.headers["officer"],
                        {"channel": "in_person", "language": "en", "opted_out": ["gossip"]})
    assert unknown_kind.status_code == 422 and "opted_out" in unknown_kind.get_json()["error"]["fields"]
    pref = db.session.execute(sa.select(NotificationPreference)).scalar_one()
    assert pref.channel == "email" and pref.opted_out == ["release_upcoming"]


@pytest.mark.parametrize("who, get_status, put_status", [
    ("prosecutor", 200, 404), ("stranger", 404, 404), ("support", 404, 404), ("anonymous", 401, 401),
])
def test_preferences_per_role(client, world, who, get_status, put_status):
    path = f"/api/v1/witnesses/{world.witness.id}/notification-preferences"
    assert call(client, "GET", path, world.headers[who]).status_code == get_status
    response = call(client, "PUT", path, world.headers[who], {"channel": "in_person", "language": "en"})
    assert response.status_code == put_status
    assert db.session.execute(sa.select(NotificationPreference)).first() is None


@pytest.mark.parametrize("who, status", [
    ("officer", 200), ("prosecutor", 200), ("stranger", 404), ("support", 404), ("anonymous", 401),
])
def test_notification_list_per_role(client, world, officer, who, status):
    from witness_support.outcomes import operations

    operations.record_outcome(officer, world.defendant, verdict="convicted")
    db.session.commit()
    response = call(client, "GET", f"/api/v1/witnesses/{world.witness.id}/notifications", world.headers[who])
    assert response.status_code == status
    if status == 200:
        [item] = response.get_json()["items"]
        assert item["kind"] == "verdict" and item["status"] == "pending"
        assert CANARY_OFFENDER not in response.get_data(as_text=True)


def test_malformed_json_is_a_400(client, world):
    response = client.post(f"/api/v1/cases/{world.case.id}/outcomes", headers={**world.headers["officer"],
                           "Content-Type": "application/json"}, data="{nope")
    assert response.status_code == 400
