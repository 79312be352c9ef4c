"""The JSON API: tokens, need-to-know, JSON errors, and responses that match the OpenAPI document."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import future
from tests.openapi_util import assert_matches_openapi
from witness_support.audit import AuditEvent
from witness_support.auth import operations as auth_ops
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import Witness


def call(client, method, path, headers, json=None, **kwargs):  # noqa: ANN001, ANN201
    response = client.open(path, method=method, headers=headers, json=json, **kwargs)
    assert_matches_openapi(client, method, path, response)
    return response


def test_openapi_document_is_public_and_valid_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "summary" in operation and "responses" in operation, (path, method)
    for schema in document["components"]["schemas"].values():
        Draft = __import__("jsonschema").Draft202012Validator
        Draft.check_schema(schema)


def test_every_api_route_is_documented(app, client):
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        template = rule.rule.removeprefix("/api/v1")
        template = __import__("re").sub(r"<(?:\w+:)?(\w+)>", r"{\1}", template)
        assert template in documented, template
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in documented[template], (method, template)


@pytest.mark.parametrize("header", [None, "Bearer wst_not-a-real-token", "Basic dXNlcjpwYXNz"])
def test_api_needs_a_valid_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = call(client, "GET", "/api/v1/witnesses", headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_session_cookie_alone_does_not_open_the_api(client, auth, officer):
    auth.login(officer)
    assert client.get("/api/v1/witnesses").status_code == 401


def test_revoked_token_is_refused(client, officer, api_token):
    headers = api_token(officer)
    assert client.get("/api/v1/witnesses", headers=headers).status_code == 200
    token = officer_token = db.session.execute(sa.select(auth_ops.ApiToken)).scalars().first()
    auth_ops.revoke_api_token(officer, officer_token)
    db.session.commit()
    assert token.revoked_at is not None
    assert client.get("/api/v1/witnesses", headers=headers).status_code == 401


def test_register_link_assess_and_move_a_witness(client, officer, api_token):
    headers = api_token(officer)
    created = call(
        client,
        "POST",
        "/api/v1/witnesses",
        headers,
        json={
            "legal_name": "Invented Api Person",
            "preferred_language": "Thai",
            "presumed_child": False,
            "reflection_start": "2026-01-01",
        },
    )
    assert created.status_code == 201
    witness = created.get_json()
    assert witness["identity"]["legal_name"] == "Invented Api Person"
    assert witness["reflection_end"] == "2026-01-31"
    case = call(
        client,
        "POST",
        "/api/v1/cases",
        headers,
        json={
            "reference": "API-1",
            "court_name": "Invented Court",
            "court_timezone": "Asia/Bangkok",
            "offence_type": "Trafficking in persons",
            "defendants": [{"name": "Invented Accused", "custody_status": "remanded"}],
        },
    )
    assert case.status_code == 201
    assert case.get_json()["defendants"][0]["custody_status"] == "remanded"
    journey = call(
        client, "POST", f"/api/v1/cases/{case.get_json()['id']}/witnesses", headers, json={"witness_id": witness["id"]}
    )
    assert journey.status_code == 201
    journey_id = journey.get_json()["id"]
    refused = call(client, "POST", f"/api/v1/journeys/{journey_id}/transitions", headers, json={"to": "trial"})
    assert refused.status_code == 422
    assert "risk assessment" in refused.get_json()["error"]["message"]
    assessment = call(
        client,
        "POST",
        f"/api/v1/witnesses/{witness['id']}/risk-assessments",
        headers,
        json={"stage": "trial", "level": "high", "next_review_on": future(14).isoformat()},
    )
    assert assessment.status_code == 201
    moved = call(client, "POST", f"/api/v1/journeys/{journey_id}/transitions", headers, json={"to": "trial"})
    assert moved.status_code == 201
    assert (moved.get_json()["from"], moved.get_json()["to"]) == ("pre_trial", "trial")
    listed = call(client, "GET", "/api/v1/witnesses", headers)
    item = listed.get_json()["items"][0]
    assert item["high_risk"] is True and item["stages"][0]["stage"] == "trial"
    assert "identity" not in item
    risks = call(client, "GET", f"/api/v1/witnesses/{witness['id']}/risk-assessments", headers)
    assert [r["level"] for r in risks.get_json()["items"]] == ["high"]
    shown = call(client, "GET", f"/api/v1/cases/{case.get_json()['id']}", headers)
    assert shown.get_json()["journeys"][0]["stage"] == "trial"


def test_patch_changes_only_what_was_sent(client, officer, api_token, make_witness):
    witness = make_witness(gender="female")
    headers = api_token(officer)
    response = call(client, "PATCH", f"/api/v1/witnesses/{witness.id}", headers, json={"participation": "declined"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["participation"] == "declined" and body["gender"] == "female"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"legal_name": "X", "preferred_language": "Thai", "date_of_birth": "2026-02-30"}, "date_of_birth"),
        ({"legal_name": "X", "preferred_language": "Thai", "date_of_birth": 20260101}, "date_of_birth"),
        ({"legal_name": "X" * 201, "preferred_language": "Thai"}, "legal_name"),
        ({"legal_name": "X", "preferred_language": "Thai", "participation": "perhaps"}, "participation"),
        ({"legal_name": "X", "preferred_language": "Thai", "presumed_child": "yes"}, "presumed_child"),
        ({"legal_name": "X", "preferred_language": "Thai", "ssn": "123"}, "ssn"),
        ({"preferred_language": "Thai"}, "legal_name"),
        ({"legal_name": None, "preferred_language": "Thai"}, "legal_name"),
    ],
)
def test_bad_input_is_a_422_by_field_and_changes_nothing(client, officer, api_token, payload, field):
    response = call(client, "POST", "/api/v1/witnesses", api_token(officer), json=payload)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar() == 0


def test_malformed_json_and_non_objects(client, officer, api_token):
    headers = api_token(officer) | {"Content-Type": "application/json"}
    broken = client.post("/api/v1/witnesses", data="{not json", headers=headers)
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "malformed_json"
    listed = client.post("/api/v1/witnesses", data="[1, 2]", headers=headers)
    assert listed.status_code == 422
    plain = client.post("/api/v1/witnesses", data="hello", headers=api_token(officer))
    assert plain.status_code == 415 and plain.get_json()["error"]["code"] == "unsupported_media_type"


def test_oversized_request_is_refused_without_a_500(app, client, officer, api_token):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(
        "/api/v1/witnesses", json={"legal_name": "X" * 5000, "preferred_language": "Thai"}, headers=api_token(officer)
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_unknown_and_unassigned_witnesses_answer_the_same_404(client, officer, make_user, api_token, make_witness):
    witness = make_witness()
    stranger = make_user("liaison_officer")
    headers = api_token(stranger)
    for path in (
        f"/api/v1/witnesses/{witness.id}",
        "/api/v1/witnesses/999999",
        f"/api/v1/witnesses/{witness.id}/risk-assessments",
    ):
        response = call(client, "GET", path, headers)
        assert response.status_code == 404
        assert response.get_json() == {"error": {"code": "not_found", "message": "Not found."}}
    assert (
        call(
            client, "PATCH", f"/api/v1/witnesses/{witness.id}", headers, json={"participation": "declined"}
        ).status_code
        == 404
    )
    db.session.refresh(witness)
    assert witness.participation == "undecided"


def test_roles_without_a_permission_get_404(client, prosecutor, api_token, make_witness, make_journey):
    journey = make_journey()
    case_ops.assign_to_case(journey.case.assignments[0].user, journey.case, prosecutor)
    db.session.commit()
    headers = api_token(prosecutor)
    assert call(client, "GET", f"/api/v1/witnesses/{journey.witness_id}", headers).status_code == 200
    assert (
        call(client, "POST", f"/api/v1/journeys/{journey.id}/transitions", headers, json={"to": "trial"}).status_code
        == 404
    )
    assert (
        call(
            client, "POST", "/api/v1/witnesses", headers, json={"legal_name": "X", "preferred_language": "Thai"}
        ).status_code
        == 404
    )


def test_interpreter_sees_no_identity_and_no_identity_read_is_audited(
    client, officer, make_user, api_token, make_witness
):
    witness = make_witness()
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    db.session.commit()
    body = call(client, "GET", f"/api/v1/witnesses/{witness.id}", api_token(interpreter)).get_json()
    assert body["identity"] is None and body["reference"] == witness.reference
    reads = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "witness.identity.view")).all()
    assert reads == []


def test_methods_not_allowed_answer_json_405(client, officer, api_token, make_witness):
    witness = make_witness()
    response = client.delete(f"/api/v1/witnesses/{witness.id}", headers=api_token(officer))
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
