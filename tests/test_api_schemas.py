"""The OpenAPI document is what the server enforces: each documented required field, left out of
a request body, is refused with a 422 that names it; responses keep their names across resources."""

from __future__ import annotations

from typing import Any


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


def test_each_documented_required_field_left_out_is_a_422_naming_it(client, officer, api_token, api_ids):
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
                path = "/api/v1" + template.format(**api_ids)
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


def test_readiness_and_court_events_share_the_local_time_names(client, officer, api_token, api_ids):
    headers = api_token(officer)
    event = client.get(f"/api/v1/court-events/{api_ids['event_id']}", headers=headers).get_json()
    readiness = client.get(f"/api/v1/cases/{api_ids['case_id']}/readiness", headers=headers).get_json()
    trial = readiness["trials"][0]
    assert trial["local_starts_at"] == event["local_starts_at"] == trial["local_start"]
    assert trial["local_ends_at"] == event["local_ends_at"]
