"""The services API: the same rules as the pages, JSON errors, and responses that fit the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

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
    consent = {"purpose": "share_with_organisation", "organisation_id": shelter.id, "service": "accommodation",
               "scope": ["needs"]}
    # How the witness consented is stated, never assumed: without it, nothing is recorded.
    refused = client.post(url, json=consent, headers=headers)
    assert refused.status_code == 422 and "given_how" in refused.get_json()["error"]["fields"]
    assert client.get(f"/api/v1/witnesses/{witness.id}/services", headers=headers).get_json()["consents"] == []
    response = client.post(url, json=consent | {"given_how": "oral"}, headers=headers)
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


def _shelter(officer):  # noqa: ANN001, ANN202
    shelter = ops.save_organisation(officer, name="Invented Shelter", kind="shelter", services=["accommodation"],
                                    country_code="MY", email="intake@shelter.example.org",
                                    confidentiality_agreed_on=today_utc(), confidentiality_document="MoU 1")
    db.session.commit()
    return shelter


def _sent_referral(officer, witness, shelter):  # noqa: ANN001, ANN202
    consent = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                                 service="accommodation", scope=["needs"])
    referral = ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=consent,
                                   field_groups=["needs"])
    db.session.commit()
    return referral


def test_referral_answers_and_progress_over_the_api(client, officer, make_witness, api_token):
    witness = make_witness(country_of_origin="ID")
    referral = _sent_referral(officer, witness, _shelter(officer))
    headers = api_token(officer)
    url = f"/api/v1/referrals/{referral.id}/status"
    refused = client.post(url, json={"status": "declined"}, headers=headers)
    assert refused.status_code == 422 and "reason" in refused.get_json()["error"]["fields"]
    response = client.post(url, json={"status": "accepted", "feedback": "Bed from Monday"}, headers=headers)
    assert response.status_code == 200
    assert_matches_openapi(client, "POST", url, response)
    body = response.get_json()
    assert body["status"] == "accepted" and body["feedback"] == "Bed from Monday" and body["answered_at"]
    response = client.post(url, json={"status": "in_progress", "feedback": "Moved in"}, headers=headers)
    assert response.get_json()["feedback"] == "Bed from Monday\nMoved in"
    response = client.post(url, json={"status": "completed"}, headers=headers)
    assert response.get_json()["status"] == "completed"
    refused = client.post(url, json={"status": "accepted"}, headers=headers)
    assert refused.status_code == 422 and "status" in refused.get_json()["error"]["fields"]
    refused = client.post(url, json={"status": "stopped"}, headers=headers)
    assert refused.status_code == 422 and "status" in refused.get_json()["error"]["fields"]
    response = client.get(f"/api/v1/referrals/{referral.id}", headers=headers)
    assert response.get_json()["status"] == "completed"
    assert_matches_openapi(client, "GET", f"/api/v1/referrals/{referral.id}", response)


def test_a_declined_referral_keeps_its_reason_and_a_pending_one_is_sent(client, officer, make_witness, api_token,
                                                                       smtp_server):
    witness = make_witness(country_of_origin="ID")
    shelter = _shelter(officer)
    referral = _sent_referral(officer, witness, shelter)
    headers = api_token(officer)
    response = client.post(f"/api/v1/referrals/{referral.id}/status",
                           json={"status": "declined", "reason": "No bed for a family of four"}, headers=headers)
    assert response.get_json()["decline_reason"] == "No bed for a family of four"
    consent = ops.record_consent(officer, witness, purpose="share_with_organisation", organisation=shelter,
                                 service="accommodation", scope=["needs"])
    pending = ops.create_referral(officer, witness, organisation=shelter, service="accommodation", consent=consent,
                                  field_groups=["needs"], send=False)
    db.session.commit()
    url = f"/api/v1/referrals/{pending.id}/send"
    response = client.post(url, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "sent"
    assert_matches_openapi(client, "POST", url, response)
    assert smtp_server.messages and {m["To"] for m in smtp_server.messages} == {"intake@shelter.example.org"}
    assert client.post(url, headers=headers).status_code == 409


def test_the_service_plan_over_the_api(client, officer, make_witness, api_token):
    witness = make_witness()
    shelter = _shelter(officer)
    headers = api_token(officer)
    url = f"/api/v1/witnesses/{witness.id}/plan/accommodation"
    review_on = (today_utc() + timedelta(days=20)).isoformat()
    response = client.put(url, json={"status": "offered", "goal": "A safe bed", "organisation_id": shelter.id,
                                     "review_on": review_on}, headers=headers)
    assert response.status_code == 200
    assert_matches_openapi(client, "PUT", url, response)
    body = response.get_json()
    assert (body["status"], body["goal"], body["organisation_id"], body["review_on"], body["area"]) == (
        "offered", "A safe bed", shelter.id, review_on, "basic_needs")
    response = client.put(url, json={"status": "accepted"}, headers=headers)
    assert response.get_json()["id"] == body["id"] and response.get_json()["review_on"] is None
    refused = client.put(url, json={"status": "needed", "review_on": "2001-01-01"}, headers=headers)
    assert refused.status_code == 422 and "review_on" in refused.get_json()["error"]["fields"]
    refused = client.put(url, json={"status": "needed", "organisation_id": 99999}, headers=headers)
    assert refused.status_code == 422 and "organisation_id" in refused.get_json()["error"]["fields"]
    assert client.put(f"/api/v1/witnesses/{witness.id}/plan/spa", json={"status": "needed"},
                      headers=headers).status_code == 404
    response = client.get(f"/api/v1/witnesses/{witness.id}/plan", headers=headers)
    assert_matches_openapi(client, "GET", f"/api/v1/witnesses/{witness.id}/plan", response)
    assert [n["status"] for n in response.get_json()["items"]] == ["accepted"]


def test_sustainable_protection_reviews_over_the_api(client, officer, make_journey, api_token):
    journey = make_journey()
    headers = api_token(officer)
    url = f"/api/v1/journeys/{journey.id}/sustainability-reviews"
    refused = client.post(url, json={"continues_after": "   "}, headers=headers)
    assert refused.status_code == 422 and "continues_after" in refused.get_json()["error"]["fields"]
    response = client.post(url, json={"continues_after": "Counselling continues monthly."}, headers=headers)
    assert response.status_code == 201 and response.get_json()["reviewed_by_id"] == officer.id
    response = client.get(url, headers=headers)
    assert_matches_openapi(client, "GET", url, response)
    assert [r["continues_after"] for r in response.get_json()["items"]] == ["Counselling continues monthly."]
    services = client.get(f"/api/v1/witnesses/{journey.witness_id}/services", headers=headers).get_json()
    assert services["reviews"][0]["journey_id"] == journey.id


def test_admins_and_officers_keep_the_directory_over_the_api(client, officer, admin, make_user, api_token):
    url = "/api/v1/organisations"
    fields = {"name": "Invented Legal Aid", "kind": "legal_aid", "services": ["legal_counselling"],
              "country_code": "my", "email": "help@legal.example.org"}
    response = client.post(url, json=fields, headers=api_token(admin))
    assert response.status_code == 201
    assert_matches_openapi(client, "POST", url, response)
    created = response.get_json()
    assert (created["country_code"], created["country"]) == ("MY", "Malaysia")
    one = f"{url}/{created['id']}"
    refused = client.put(one, json={**fields, "country_code": "ZZ"}, headers=api_token(officer))
    assert refused.status_code == 422 and "country_code" in refused.get_json()["error"]["fields"]
    refused = client.put(one, json={**fields, "confidentiality_agreed_on": today_utc().isoformat()},
                         headers=api_token(officer))
    assert refused.status_code == 422 and "confidentiality_document" in refused.get_json()["error"]["fields"]
    response = client.put(one, json={**fields, "confidentiality_agreed_on": today_utc().isoformat(),
                                     "confidentiality_document": "MoU 9"}, headers=api_token(officer))
    assert response.status_code == 200
    assert_matches_openapi(client, "PUT", one, response)
    assert client.get(one, headers=api_token(officer)).get_json()["confidentiality_document"] == "MoU 9"
    duplicate = client.post(url, json=fields, headers=api_token(officer))
    assert duplicate.status_code == 422 and "name" in duplicate.get_json()["error"]["fields"]
    assert client.get(f"{url}/99999", headers=api_token(officer)).status_code == 404
    # A role without the permission learns nothing of the directory, and changes nothing.
    prosecutor = api_token(make_user("prosecutor"))
    assert client.post(url, json={**fields, "name": "Another"}, headers=prosecutor).status_code == 404
    assert client.put(one, json={**fields, "name": "Renamed"}, headers=prosecutor).status_code == 404
    assert [o["name"] for o in client.get(url, headers=api_token(admin)).get_json()["items"]] == ["Invented Legal Aid"]


def test_services_of_a_witness_one_may_not_see_answer_404(client, officer, make_user, make_witness, make_journey,
                                                         api_token):
    witness = make_witness(country_of_origin="ID")
    journey = make_journey(witness=witness)
    referral = _sent_referral(officer, witness, _shelter(officer))
    stranger = api_token(make_user("liaison_officer"))
    for method, url, json in (
        ("GET", f"/api/v1/referrals/{referral.id}", None),
        ("POST", f"/api/v1/referrals/{referral.id}/status", {"status": "accepted"}),
        ("POST", f"/api/v1/referrals/{referral.id}/send", None),
        ("GET", f"/api/v1/witnesses/{witness.id}/plan", None),
        ("PUT", f"/api/v1/witnesses/{witness.id}/plan/accommodation", {"status": "needed"}),
        ("GET", f"/api/v1/journeys/{journey.id}/sustainability-reviews", None),
        ("POST", f"/api/v1/journeys/{journey.id}/sustainability-reviews", {"continues_after": "x"}),
    ):
        response = client.open(url, method=method, json=json, headers=stranger)
        assert response.status_code == 404, (method, url)
    db.session.expire_all()
    assert referral.status == "sent"
