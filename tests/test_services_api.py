"""The services API: the same rules as the pages, JSON errors, and responses that fit the OpenAPI document."""

from __future__ import annotations

from tests.openapi_util import assert_matches_openapi
from witness_support.db import today_utc
from witness_support.extensions import db
from witness_support.services import operations as ops
from witness_support.witnesses import operations as witness_ops


def test_consent_referral_and_listing_over_the_api(client, officer, make_witness, api_token):
    witness = make_witness()
    shelter = ops.save_organisation(officer, name="Invented Shelter", kind="shelter", services=["accommodation"],
                                    confidentiality_agreed_on=today_utc(), confidentiality_document="MoU 1")
    db.session.commit()
    headers = api_token(officer)
    url = f"/api/v1/witnesses/{witness.id}/information"
    response = client.post(url, json={"topic": "court_process", "method": "both", "language": "Indonesian"},
                           headers=headers)
    assert response.status_code == 201
    assert_matches_openapi(client, "POST", url, response)
    url = f"/api/v1/witnesses/{witness.id}/consents"
    response = client.post(url, json={"purpose": "share_with_organisation", "organisation_id": shelter.id,
                                      "service": "accommodation", "scope": ["needs"]}, headers=headers)
    assert response.status_code == 201
    assert_matches_openapi(client, "POST", url, response)
    consent_id = response.get_json()["id"]
    url = f"/api/v1/witnesses/{witness.id}/referrals"
    refused = client.post(url, json={"organisation_id": shelter.id, "service": "accommodation",
                                     "consent_id": consent_id, "field_groups": ["identity"]}, headers=headers)
    assert refused.status_code == 422 and "identity" in refused.get_json()["error"]["message"]
    response = client.post(url, json={"organisation_id": shelter.id, "service": "accommodation",
                                      "consent_id": consent_id, "field_groups": ["needs"], "send": False},
                           headers=headers)
    assert response.status_code == 201 and response.get_json()["status"] == "pending"
    url = f"/api/v1/consents/{consent_id}/withdraw"
    response = client.post(url, json={}, headers=headers)
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert_matches_openapi(client, "POST", url, response)
    url = f"/api/v1/witnesses/{witness.id}/services"
    response = client.get(url, headers=headers)
    assert_matches_openapi(client, "GET", url, response)
    body = response.get_json()
    assert body["referrals"][0]["status"] == "stopped" and len(body["information"]) == 1
    response = client.get("/api/v1/organisations", headers=headers)
    assert_matches_openapi(client, "GET", "/api/v1/organisations", response)


def test_the_api_hides_services_from_those_without_the_needs_group(client, officer, make_user, make_witness,
                                                                   api_token):
    witness = make_witness()
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    db.session.commit()
    assert client.get(f"/api/v1/witnesses/{witness.id}/services", headers=api_token(interpreter)).status_code == 404
