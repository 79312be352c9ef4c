"""The API fuzzed from its own OpenAPI document (schemathesis, through the WSGI app, bounded).

Every operation gets generated requests, valid and invalid, as a seeded liaison officer with a
bearer token: no answer may be a 500, and every answer (status, content type, headers, body)
must be one the document describes. The operations are read from the document, so routes added
to it later are fuzzed too.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from witness_support.extensions import db

EXAMPLES_PER_OPERATION = 12
# Excluded, both about *which* 4xx is right rather than about crashes or the document:
# - "schema-valid data must be accepted": the operations apply rules a JSON schema cannot state
#   (a real IANA time zone, a reflection period of at most N days, a stage needing a current risk
#   assessment) and answer them with a documented 422;
# - "schema-invalid data must be refused": unknown query parameters are ignored, as HTTP servers
#   do, and the check counts the bearer header we add outside the generated case as missing.
# Every invalid request is still sent: it must not cause a 500 and its answer must be documented.
EXCLUDED_CHECKS = [positive_data_acceptance, negative_data_rejection]


def test_api_conforms_to_its_document(app, officer, make_witness, make_journey, api_token):
    # Seeded data, so that generated ids (small integers) also hit real objects the officer sees.
    for _ in range(2):
        make_journey(witness=make_witness())
    headers = api_token(officer)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:  # noqa: ANN001 - a schemathesis Case
                case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)
                db.session.rollback()

            run()


def test_out_of_range_ids_and_nul_characters_are_refused_not_crashed(client, auth, officer, api_token):
    headers = api_token(officer)
    huge = 2**70
    assert client.get(f"/api/v1/witnesses/{huge}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/witnesses?after={huge}", headers=headers).status_code == 422
    journey = client.post("/api/v1/cases/1/witnesses", headers=headers, json={"witness_id": huge})
    assert journey.status_code in (404, 422)
    nul = client.post("/api/v1/witnesses", headers=headers, json={"legal_name": "a\x00b", "preferred_language": "en"})
    assert nul.status_code == 422 and "legal_name" in nul.get_json()["error"]["fields"]
    auth.login(officer)
    assert client.get(f"/witnesses/{huge}").status_code == 404
    assert client.post("/witnesses/new", data={"legal_name": "a\x00b", "preferred_language": "en"}).status_code == 400
