"""The ledger's API: every route per role, 404 for the unassigned, 401 anonymous, 405 for changes,
bad input as JSON field errors with nothing changed, CSV by Accept, responses against OpenAPI."""

from __future__ import annotations

import csv
import io

import jsonschema
import pytest
import sqlalchemy as sa

from tests.helpers import past
from witness_support.api.openapi import document
from witness_support.audit import AuditEvent
from witness_support.extensions import db
from witness_support.ledger.models import BenefitConcern, BenefitEntry

BENEFIT = {
    "kind": "travel", "description": "Bus to the counselling centre", "amount": "12.50", "currency": "IDR",
    "provided_on": past(3).isoformat(), "provider": "Invented Shelter Foundation",
    "rationale": "The witness attends weekly counselling in the city.",
}


def check(response, path: str, method: str, status: int = 200) -> dict:  # noqa: ANN001 - test response
    """The response has the status and matches the OpenAPI document's schema for it."""
    assert response.status_code == status, response.get_data(as_text=True)
    doc = document()
    responses = doc["paths"][path][method]["responses"]
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    jsonschema.validate(response.get_json(), {**schema, "components": doc["components"]})
    return response.get_json()


def _count(model) -> int:  # noqa: ANN001 - a model class
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


@pytest.fixture
def headers(ledger_world, api_token):  # noqa: ANN001, ANN201 - fixture
    return {name: api_token(getattr(ledger_world, name)) for name in
            ("officer", "colleague", "prosecutor", "support", "supervisor", "stranger", "admin")}


def test_record_list_and_get_a_benefit(client, ledger_world, headers):
    w = ledger_world
    url = f"/api/v1/witnesses/{w.witness.id}/benefits"
    created = check(client.post(url, json=BENEFIT, headers=headers["officer"]), "/witnesses/{witness_id}/benefits",
                    "post", 201)
    assert (created["sequence"], created["amount"], created["authorised_by"]["id"]) == (1, "12.50", w.officer.id)
    for who in ("officer", "colleague", "prosecutor", "support"):
        listing = check(client.get(url, headers=headers[who]), "/witnesses/{witness_id}/benefits", "get")
        assert [e["id"] for e in listing["items"]] == [1]
        assert listing["totals"] == [{"kind": "travel", "currency": "IDR", "amount": "12.50", "entries": 1}]
        check(client.get(f"/api/v1/benefits/{created['id']}", headers=headers[who]), "/benefits/{entry_id}", "get")


@pytest.mark.parametrize("who", ["stranger", "supervisor", "admin"])
def test_unassigned_users_get_404_everywhere(client, ledger_world, headers, record_benefit, who):
    w = ledger_world
    entry = record_benefit(w.witness)
    for method, url, body in (
        ("get", f"/api/v1/witnesses/{w.witness.id}/benefits", None),
        ("post", f"/api/v1/witnesses/{w.witness.id}/benefits", BENEFIT),
        ("get", f"/api/v1/benefits/{entry.id}", None),
        ("post", f"/api/v1/benefits/{entry.id}/corrections", {"correction_type": "reversal", "reason": "x" * 30}),
        ("post", f"/api/v1/benefits/{entry.id}/concerns", {"description": "Looks like misuse of support."}),
        ("post", f"/api/v1/witnesses/{w.witness.id}/concerns", {"description": "Looks like misuse of support."}),
        ("get", f"/api/v1/cases/{w.case.id}/disclosure", None),
        ("get", f"/api/v1/witnesses/{w.witness.id}/disclosure", None),
    ):
        response = getattr(client, method)(url, json=body, headers=headers[who])
        assert response.status_code == 404, (url, response.status_code)
        assert response.get_json()["error"]["code"] == "not_found"
    assert _count(BenefitEntry) == 1 and _count(BenefitConcern) == 0


def test_anonymous_gets_401(client, ledger_world):
    w = ledger_world
    for url in (f"/api/v1/witnesses/{w.witness.id}/benefits", f"/api/v1/cases/{w.case.id}/disclosure"):
        assert client.get(url).status_code == 401
    assert client.post(f"/api/v1/witnesses/{ledger_world.witness.id}/benefits", json=BENEFIT).status_code == 401


@pytest.mark.parametrize("who", ["prosecutor", "support"])
def test_only_liaison_officers_record_benefits(client, ledger_world, headers, who):
    response = client.post(f"/api/v1/witnesses/{ledger_world.witness.id}/benefits", json=BENEFIT, headers=headers[who])
    assert response.status_code == 404
    assert _count(BenefitEntry) == 0


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_benefits_cannot_be_changed_or_deleted(client, ledger_world, headers, record_benefit, method):
    entry = record_benefit(ledger_world.witness)
    response = getattr(client, method)(f"/api/v1/benefits/{entry.id}", json={"amount": "1.00"},
                                       headers=headers["officer"])
    body = check(response, "/benefits/{entry_id}", method, 405)
    assert "correction" in body["error"]["message"]
    assert "PUT" not in response.headers["Allow"]
    db.session.expire_all()
    assert db.session.get(BenefitEntry, entry.id).amount == entry.amount


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (BENEFIT | {"kind": "cash"}, "kind"),
        (BENEFIT | {"amount": 12.345}, "amount"),
        (BENEFIT | {"amount": True}, "amount"),
        (BENEFIT | {"amount": {"value": 1}}, "amount"),
        (BENEFIT | {"currency": "ZZZ"}, "currency"),
        (BENEFIT | {"rationale": "because"}, "rationale"),
        (BENEFIT | {"provided_on": "yesterday"}, "provided_on"),
        (BENEFIT | {"colour": "red"}, "colour"),
        ({k: v for k, v in BENEFIT.items() if k != "provider"}, "provider"),
        (BENEFIT | {"authorised_by_id": 99999}, "authorised_by_id"),
        (BENEFIT | {"kind": "visa_or_stay_permit"}, "authorised_by_id"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_recorded(client, ledger_world, headers, body, field):
    response = client.post(f"/api/v1/witnesses/{ledger_world.witness.id}/benefits", json=body,
                           headers=headers["officer"])
    error = check(response, "/witnesses/{witness_id}/benefits", "post", 422)["error"]
    assert field in error["fields"], error
    assert _count(BenefitEntry) == 0


def test_malformed_json_is_400(client, ledger_world, headers):
    response = client.post(f"/api/v1/witnesses/{ledger_world.witness.id}/benefits", data="{not json",
                           content_type="application/json", headers=headers["officer"])
    assert response.status_code == 400


def test_second_person_through_the_api(client, ledger_world, headers):
    w = ledger_world
    body = BENEFIT | {"kind": "livelihood_grant", "amount": 300, "authorised_by_id": w.colleague.id}
    created = check(client.post(f"/api/v1/witnesses/{w.witness.id}/benefits", json=body, headers=headers["officer"]),
                    "/witnesses/{witness_id}/benefits", "post", 201)
    assert created["amount"] == "300.00" and created["authorised_by"]["id"] == w.colleague.id


def test_corrections_through_the_api(client, ledger_world, headers, record_benefit):
    entry = record_benefit(ledger_world.witness)
    url = f"/api/v1/benefits/{entry.id}/corrections"
    reversal = check(client.post(url, json={"correction_type": "reversal", "reason": "Entered against the wrong week."},
                                 headers=headers["officer"]), "/benefits/{entry_id}/corrections", "post", 201)
    assert (reversal["corrects_id"], reversal["amount"]) == (entry.id, "-40.00")
    again = client.post(url, json={"correction_type": "reversal", "reason": "Entered against the wrong week."},
                        headers=headers["officer"])
    check(again, "/benefits/{entry_id}/corrections", "post", 409)
    bad = client.post(url, json={"correction_type": "adjustment", "reason": "short"}, headers=headers["officer"])
    assert set(check(bad, "/benefits/{entry_id}/corrections", "post", 422)["error"]["fields"]) >= {"reason"}
    assert _count(BenefitEntry) == 2
    assert client.post(url, json={"correction_type": "reversal", "reason": "x" * 30},
                       headers=headers["prosecutor"]).status_code == 404


@pytest.mark.parametrize("who", ["officer", "prosecutor", "support"])
def test_anyone_assigned_raises_concerns(client, ledger_world, headers, record_benefit, who):
    entry = record_benefit(ledger_world.witness)
    on_entry = check(client.post(f"/api/v1/benefits/{entry.id}/concerns", json={"description": "The phone is resold."},
                                 headers=headers[who]), "/benefits/{entry_id}/concerns", "post", 201)
    assert (on_entry["entry_id"], on_entry["status"]) == (entry.id, "open")
    on_witness = check(client.post(f"/api/v1/witnesses/{ledger_world.witness.id}/concerns",
                                   json={"description": "Cash is being handed to a third person."},
                                   headers=headers[who]), "/witnesses/{witness_id}/concerns", "post", 201)
    assert on_witness["entry_id"] is None
    bad = client.post(f"/api/v1/benefits/{entry.id}/concerns", json={"description": "hm"}, headers=headers[who])
    assert bad.status_code == 422
    assert _count(BenefitConcern) == 2


def test_case_disclosure_as_json_and_csv_is_audited(client, ledger_world, headers, record_benefit):
    w = ledger_world
    record_benefit(w.witness, description="=HYPERLINK(\"http://evil\")")
    url = f"/api/v1/cases/{w.case.id}/disclosure"
    for who in ("prosecutor", "officer"):
        body = check(client.get(url, headers=headers[who]), "/cases/{case_id}/disclosure", "get")
        assert body["witnesses"][0]["witness_reference"] == w.witness.reference
        assert body["totals"][0]["amount"] == "40.00"
    response = client.get(url, headers=headers["prosecutor"] | {"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["record"] == "entry" and rows[0]["amount"] == "40.00"
    assert rows[0]["description"].startswith("'=")  # no formula injection into the defence's spreadsheet
    assert any(r["record"] == "total" for r in rows)
    views = db.session.execute(
        sa.select(AuditEvent.details).where(AuditEvent.action == "benefit.disclosure.view")
    ).scalars().all()
    assert [v["format"] for v in views] == ["api-json", "api-json", "api-csv"]
    # A support person sees benefits but not the disclosure schedule.
    assert client.get(url, headers=headers["support"]).status_code == 404
    witness_url = f"/api/v1/witnesses/{w.witness.id}/disclosure"
    check(client.get(witness_url, headers=headers["colleague"]), "/witnesses/{witness_id}/disclosure", "get")
    assert client.get(witness_url, headers=headers["support"]).status_code == 404


def test_every_ledger_route_is_in_the_openapi_document(app):
    paths = document()["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or "ledger" not in app.view_functions[rule.endpoint].__module__:
            continue
        path = rule.rule.removeprefix("/api/v1")
        for converter in ("witness_id", "entry_id", "case_id"):
            path = path.replace(f"<int:{converter}>", "{" + converter + "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], (path, method)
