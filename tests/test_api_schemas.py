"""The OpenAPI document is what the server enforces: each documented required field, left out of
a request body, is refused with a 422 that names it; responses keep their names across resources."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import past
from witness_support.aids import operations as aid_ops
from witness_support.cases.models import Defendant
from witness_support.extensions import db
from witness_support.remedies import operations as remedies_ops
from witness_support.services import operations as services_ops
from witness_support.tasks import operations as task_ops


def _sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """Some value of the declared type (its validity is beside the point: only presence is tested)."""
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return _sample(schema["anyOf"][0], components)
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if schema.get("format") == "date":
        return "2030-01-15"
    return {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(kind, "x" * 30)


@pytest.fixture
def ids(officer, trial_case, make_event, record_benefit) -> dict[str, int]:  # noqa: ANN001 - fixtures
    setup = trial_case()
    event = make_event(setup.case, [setup.witness])
    aid = aid_ops.propose_aid(officer, setup.witness, setup.case, "screen")
    entry = record_benefit(setup.witness)
    defendant = Defendant(case_id=setup.case.id, name="A. Defendant", custody_status="unknown")
    db.session.add(defendant)
    claim = remedies_ops.open_claim(officer, setup.witness, route="civil_claim", respondent="state",
                                    amount_claimed="100.00", claimed_currency="EUR")
    charge = remedies_ops.record_charge(officer, setup.witness, offence="immigration")
    item = remedies_ops.record_property(officer, setup.witness, kind="passport", taken_on=past(10),
                                        taken_by="Invented Police")
    shelter = services_ops.save_organisation(officer, name="Invented Shelter", kind="shelter",
                                             services=["accommodation"], confidentiality_agreed_on=past(1),
                                             confidentiality_document="MoU 1")
    consent = services_ops.record_consent(officer, setup.witness, purpose="share_with_organisation",
                                          organisation=shelter, service="accommodation", scope=["needs"])
    referral = services_ops.create_referral(officer, setup.witness, organisation=shelter, service="accommodation",
                                            consent=consent, field_groups=["needs"], send=False)
    task = task_ops.create_task(officer, "manual", "Call back", witness_id=setup.witness.id)
    db.session.commit()
    # No consent is needed: withdrawing one has no required field, so its path is never called.
    return {"witness_id": setup.witness.id, "case_id": setup.case.id, "journey_id": setup.journey.id,
            "event_id": event.id, "aid_id": aid.id, "entry_id": entry.id, "defendant_id": defendant.id,
            "consent_id": 0, "claim_id": claim.id, "charge_id": charge.id, "item_id": item.id,
            "referral_id": referral.id, "organisation_id": shelter.id, "service": "accommodation",
            "task_id": task.id}


def test_each_documented_required_field_left_out_is_a_422_naming_it(client, officer, api_token, ids):
    document = client.get("/api/v1/openapi.json").get_json()
    components = document["components"]["schemas"]
    headers = api_token(officer)
    checked = 0
    for template, item in document["paths"].items():
        for method in ("post", "put", "patch"):
            operation = item.get(method)
            if operation is None or "requestBody" not in operation:
                continue
            content = operation["requestBody"]["content"]
            if "application/json" not in content:  # a multipart upload: its fields are tested in test_documents
                continue
            ref = content["application/json"]["schema"]["$ref"]
            schema = components[ref.rsplit("/", 1)[1]]
            required = schema.get("required", [])
            for missing in required:
                path = "/api/v1" + template.format(**ids)
                sent = {name: _sample(schema["properties"][name], components) for name in required if name != missing}
                response = client.open(path, method=method.upper(), headers=headers, json=sent)
                assert response.status_code == 422, (method, template, missing, response.get_json())
                fields = response.get_json()["error"]["fields"]
                assert fields[missing] == "This field is required.", (method, template, missing, fields)
                checked += 1
    # Every resource that takes a body has required fields, but PATCHes (only what is sent changes).
    assert checked >= 30


def test_the_witness_body_documents_what_the_server_requires(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert set(schemas["WitnessInput"]["required"]) == {"legal_name", "preferred_language"}
    assert "required" not in schemas["WitnessPatch"]


def test_unknown_fields_and_wrong_types_are_named(client, officer, api_token):
    response = client.post("/api/v1/witnesses", headers=api_token(officer),
                           json={"legal_name": "A", "preferred_language": "en", "presumed_child": "yes", "shoe": 1})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields["shoe"] == "Unknown field."
    assert set(fields) == {"shoe", "presumed_child"}


def test_readiness_and_court_events_share_the_local_time_names(client, officer, api_token, ids):
    headers = api_token(officer)
    event = client.get(f"/api/v1/court-events/{ids['event_id']}", headers=headers).get_json()
    readiness = client.get(f"/api/v1/cases/{ids['case_id']}/readiness", headers=headers).get_json()
    trial = readiness["trials"][0]
    assert trial["local_starts_at"] == event["local_starts_at"] == trial["local_start"]
    assert trial["local_ends_at"] == event["local_ends_at"]
