"""The remedies API: list, create, award, pay, decide and return through the same rules as the
pages (JSON errors by field, nothing saved); fields absent for callers who do not see their group;
hidden witnesses and records answer 404; every route in the OpenAPI document."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.audit import AuditEvent
from witness_support.extensions import db
from witness_support.remedies import operations as ops
from witness_support.remedies.models import CompensationPayment, PropertyItem
from witness_support.witnesses import operations as witness_ops


def _api(client, headers):  # noqa: ANN001, ANN202
    api = client.application.test_client()

    def call(method: str, url: str, body: dict | None = None):  # noqa: ANN202
        return api.open(f"/api/v1{url}", method=method, json=body, headers=headers)

    return call


def test_claim_award_and_payments_through_the_api(app, client, officer, make_witness, api_token):
    witness = make_witness()
    call = _api(client, api_token(officer))
    response = call("POST", f"/witnesses/{witness.id}/compensation-claims", {
        "route": "labour_claim", "respondent": "employer", "respondent_name": "Invented Fishing Co.",
        "heads_of_loss": ["unpaid_wages"], "amount_claimed": "2000.00", "claimed_currency": "EUR",
        "hearing_on": future(30).isoformat()})
    assert response.status_code == 201, response.get_json()
    claim = response.get_json()
    assert claim["amount_claimed"] == "2000.00" and claim["status"] == "preparing"
    response = call("POST", f"/compensation-claims/{claim['id']}/award",
                    {"amount_awarded": 2500, "awarded_currency": "EUR"})
    assert response.status_code == 422
    assert "more than was claimed" in response.get_json()["error"]["fields"]["award_reason"]
    response = call("POST", f"/compensation-claims/{claim['id']}/award", {"amount_awarded": "1500.00",
                                                                          "awarded_currency": "EUR"})
    assert response.status_code == 200 and response.get_json()["status"] == "awarded"
    response = call("POST", f"/compensation-claims/{claim['id']}/payments", {
        "amount": "1500.00", "currency": "EUR", "paid_on": past(0).isoformat()})
    assert response.status_code == 201 and response.get_json()["status"] == "paid"
    response = call("POST", f"/compensation-claims/{claim['id']}/payments", {
        "amount": "1.00", "currency": "EUR", "paid_on": past(0).isoformat()})
    assert response.status_code == 422 and "fully paid" in response.get_json()["error"]["fields"]["amount"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(CompensationPayment)).scalar_one() == 1
    [listed] = call("GET", f"/witnesses/{witness.id}/compensation-claims").get_json()["items"]
    assert listed["amount_paid"] == "1500.00" and len(listed["payments"]) == 1


def test_bad_json_is_refused_by_field(app, client, officer, make_witness, api_token):
    witness = make_witness()
    call = _api(client, api_token(officer))
    response = call("POST", f"/witnesses/{witness.id}/compensation-claims", {
        "route": "lottery", "respondent": "state", "amount_claimed": True, "claimed_currency": "EUR"})
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422 and {"route", "amount_claimed"} <= set(fields)
    response = call("POST", f"/witnesses/{witness.id}/residence-permits", {
        "kind": "humanitarian", "issued_on": past(1).isoformat(), "expires_on": past(2).isoformat(),
        "depends_on_case": "independent"})
    assert response.status_code == 422
    assert "before it was issued" in response.get_json()["error"]["fields"]["expires_on"]


def test_permit_charge_and_property_return_and_their_reads_are_audited(app, client, officer, make_witness,
                                                                       api_token):
    witness = make_witness()
    call = _api(client, api_token(officer))
    assert call("POST", f"/witnesses/{witness.id}/residence-permits", {
        "kind": "temporary_witness", "number": "INV-77", "issued_on": past(5).isoformat(),
        "expires_on": future(100).isoformat(), "depends_on_case": "proceedings"}).status_code == 201
    charge = call("POST", f"/witnesses/{witness.id}/charges",
                  {"offence": "immigration", "decision": "pending"}).get_json()
    assert charge["decision"] == "pending"
    decided = call("POST", f"/charges/{charge['id']}/decision", {"decision": "not_prosecuted",
                                                                 "decided_on": past(0).isoformat()})
    assert decided.status_code == 200 and decided.get_json()["decision"] == "not_prosecuted"
    item = call("POST", f"/witnesses/{witness.id}/property", {
        "kind": "passport", "taken_on": past(10).isoformat(), "taken_by": "Invented Police",
        "needed_urgently": True}).get_json()
    response = call("POST", f"/property/{item['id']}/return", {"returned_on": past(11).isoformat()})
    assert response.status_code == 422
    assert "before it was taken" in response.get_json()["error"]["fields"]["returned_on"]
    assert db.session.get(PropertyItem, item["id"]).returned_on is None
    response = call("POST", f"/property/{item['id']}/return", {"returned_on": past(1).isoformat()})
    assert response.status_code == 200 and response.get_json()["returned_on"] == past(1).isoformat()
    [permit] = call("GET", f"/witnesses/{witness.id}/residence-permits").get_json()["items"]
    assert permit["number"] == "INV-77"
    views = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "witness.identity.view")).scalars()
    assert any(e.details.get("via") == "api:remedies" for e in views)


def test_fields_of_a_group_the_caller_does_not_see_are_absent(app, client, officer, make_witness, make_user,
                                                              api_token):
    witness = make_witness()
    ops.open_claim(officer, witness, route="state_fund", respondent="state", amount_claimed="10",
                   claimed_currency="EUR")
    ops.record_permit(officer, witness, kind="humanitarian", issued_on=past(3))
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    guardian = make_user("support_person")
    witness_ops.assign_support(officer, witness, guardian, "support_worker")
    db.session.commit()
    call = _api(client, api_token(interpreter))
    for url in (f"/witnesses/{witness.id}/compensation-claims", f"/witnesses/{witness.id}/residence-permits",
                f"/witnesses/{witness.id}/property", "/witnesses/999999/charges"):
        assert call("GET", url).status_code == 404, url
    [claim] = _api(client, api_token(guardian))("GET", f"/witnesses/{witness.id}/compensation-claims").get_json()[
        "items"]
    assert claim["amount_claimed"] == "10.00"


def test_a_stranger_gets_404_for_records_of_a_witness_they_cannot_see(app, client, officer, make_witness, make_user,
                                                                      api_token):
    witness = make_witness()
    item = ops.record_property(officer, witness, kind="phone", taken_on=past(2), taken_by="Invented Police")
    claim = ops.open_claim(officer, witness, route="state_fund", respondent="state")
    db.session.commit()
    call = _api(client, api_token(make_user("liaison_officer")))
    assert call("POST", f"/property/{item.id}/return", {"returned_on": past(0).isoformat()}).status_code == 404
    assert call("POST", f"/compensation-claims/{claim.id}/award", {"amount_awarded": "5"}).status_code == 404


def test_every_remedies_route_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/witnesses/{witness_id}/compensation-claims", "/compensation-claims/{claim_id}/payments",
                 "/witnesses/{witness_id}/residence-permits", "/charges/{charge_id}/decision",
                 "/property/{item_id}/return"):
        assert path in document["paths"], path
    claim = document["components"]["schemas"]["CompensationClaim"]["properties"]["amount_claimed"]
    assert claim["x-field-group"] == "benefits_summary"
    permit = document["components"]["schemas"]["ResidencePermit"]["properties"]["number"]
    assert permit["x-field-group"] == "identity"
