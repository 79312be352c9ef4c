"""What every API operation shares: a body sent as anything but JSON answers 415; the document
lists only the errors each operation can give; every list pages the same way."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers import future
from witness_support.api.openapi import document
from witness_support.cases.models import Case
from witness_support.extensions import db
from witness_support.remedies import operations as remedy_ops
from witness_support.witnesses.models import Witness

METHODS = ("get", "post", "put", "patch", "delete")


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document()["paths"].items()
            for method, op in item.items() if method in METHODS]


def _url(path: str, api_ids: dict[str, int]) -> str | None:
    names = re.findall(r"{(\w+)}", path)
    if any(name not in api_ids for name in names):
        return None
    return "/api/v1" + re.sub(r"{(\w+)}", lambda m: str(api_ids[m.group(1)]), path)


# Operations whose path names an object the `api_ids` world does not build (its own API tests cover them).
NOT_BUILT: set[str] = set()


def test_every_operation_with_a_body_answers_415_to_another_content_type(app, officer, api_token, api_ids):
    headers = api_token(officer)
    client = app.test_client()
    tried = 0
    for path, method, op in _operations():
        if "requestBody" not in op:
            continue
        assert {"400", "415", "422"} <= set(op["responses"]), f"{method} {path}"
        url = _url(path, api_ids)
        if url is None:
            assert set(re.findall(r"{(\w+)}", path)) & NOT_BUILT, f"{method} {path}: give the test its object"
            continue
        for content_type in ("text/plain", None):
            sent = {"data": '{"a": 1}', "headers": headers | ({"Content-Type": content_type} if content_type else {})}
            response = client.open(url, method=method.upper(), **sent)
            db.session.rollback()
            assert response.status_code == 415, f"{method} {path} {content_type}: {response.get_data(as_text=True)}"
            assert response.get_json()["error"]["code"] == "unsupported_media_type"
        tried += 1
    assert tried >= 30


def test_only_operations_with_a_body_list_malformed_json_and_415(app):
    """Checked against the answers themselves by the fuzz test, which fails on any status an
    operation gives that its entry does not list."""
    for path, method, op in _operations():
        listed = set(op["responses"])
        where = f"{method} {path}"
        assert {"401", "404"} <= listed, where
        malformed = op["responses"].get("400", {}).get("description", "").startswith("Malformed JSON")
        json_body = "application/json" in op.get("requestBody", {}).get("content", {})
        assert malformed == json_body, where
        if "requestBody" not in op:
            assert "415" not in listed, where
            # A POST may still send an invalid Idempotency-Key; a query, a NUL character.
            assert ("400" in listed) == (method == "post" or bool(op.get("parameters"))), where
        if method == "get":
            assert "409" not in listed, where
            assert ("422" in listed) == bool(op.get("parameters")), where


def test_the_body_refused_with_415_changes_nothing_and_json_still_works(app, officer, api_token, make_witness):
    witness = make_witness()
    headers = api_token(officer)
    client = app.test_client()
    url = f"/api/v1/witnesses/{witness.id}/risk-assessments"
    body = {"stage": "pre_trial", "level": "low", "next_review_on": future(30).isoformat()}
    form = client.post(url, data=body, headers=headers)
    assert form.status_code == 415 and "application/json" in form.get_json()["error"]["message"]
    assert client.get(url, headers=headers).get_json()["items"] == []
    assert client.post(url, json=body, headers=headers).status_code == 201


def _lists() -> list[str]:
    """Every documented GET that answers a list (an `items` array)."""
    doc = document()
    schemas = doc["components"]["schemas"]
    found = []
    for path, method, op in _operations():
        if method != "get":
            continue
        content = op["responses"]["200"].get("content", {}).get("application/json", {})
        ref = content.get("schema", {}).get("$ref", "")
        schema = schemas.get(ref.rsplit("/", 1)[-1], {})
        if schema.get("properties", {}).get("items", {}).get("type") == "array":
            found.append(path)
    return found


def test_every_list_is_documented_with_the_same_paging(app):
    schemas = document()["components"]["schemas"]
    lists = _lists()
    assert {"/cases", "/cases/{case_id}/court-events", "/witnesses", "/organisations"} <= set(lists)
    for path in lists:
        op = document()["paths"][path]["get"]
        names = {p["name"] for p in op.get("parameters", [])}
        assert {"after", "limit"} <= names, path
        ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert "next_after" in schemas[ref]["properties"] and "next_after" in schemas[ref]["required"], path


def test_every_list_pages_through_all_its_items(app, officer, api_token, api_ids, make_event, record_benefit,
                                                prosecutor):
    """Each list, one item a page: the pages hold the whole list, in its order, each item once."""
    case = db.session.get(Case, api_ids["case_id"])
    witness = db.session.get(Witness, api_ids["witness_id"])
    make_event(case, [witness], days=40)
    record_benefit(witness)
    remedy_ops.record_charge(officer, witness, offence="document")
    db.session.commit()
    headers = api_token(officer)
    client = app.test_client()
    checked = 0
    for path in _lists():
        url = _url(path, api_ids)
        if url is None:
            continue
        whole = client.get(f"{url}?limit=200", headers=headers)
        assert whole.status_code == 200, path
        everything = whole.get_json()["items"]
        assert whole.get_json()["next_after"] is None, path
        pages, after = [], None
        for _ in range(len(everything) + 1):
            answer = client.get(url + "?limit=1" + (f"&after={after}" if after is not None else ""),
                                headers=headers).get_json()
            pages += answer["items"]
            after = answer["next_after"]
            if after is None:
                break
        assert pages == everything, path
        checked += 1 if len(everything) > 1 else 0
    db.session.rollback()
    assert checked >= 6  # lists with more than one item really paged


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "after=x", f"after={2**40}"])
def test_paging_parameters_out_of_range_are_refused_by_name(app, officer, api_token, query):
    response = app.test_client().get(f"/api/v1/cases?{query}", headers=api_token(officer))
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {query.split("=")[0]}


def test_cases_page_by_reference(app, officer, make_case, api_token):
    for reference in ("C-3", "C-1", "C-2"):
        make_case(reference=reference)
    headers = api_token(officer)
    client = app.test_client()
    first = client.get("/api/v1/cases?limit=2", headers=headers).get_json()
    assert [c["reference"] for c in first["items"]] == ["C-1", "C-2"] and first["next_after"] is not None
    rest = client.get(f"/api/v1/cases?limit=2&after={first['next_after']}", headers=headers).get_json()
    assert [c["reference"] for c in rest["items"]] == ["C-3"] and rest["next_after"] is None


def test_the_same_thing_has_the_same_name_across_resources(app, officer, api_token, api_ids):
    """Days are `*_on`, people `*_by_id`: the earlier names stay, the consistent ones are added."""
    headers = api_token(officer)
    client = app.test_client()
    witness = client.get(f"/api/v1/witnesses/{api_ids['witness_id']}", headers=headers).get_json()
    assert witness["reflection_starts_on"] == witness["reflection_start"]
    assert witness["reflection_ends_on"] == witness["reflection_end"]
    [entry] = client.get(f"/api/v1/witnesses/{api_ids['witness_id']}/benefits", headers=headers).get_json()["items"]
    assert entry["authorised_by_id"] == entry["authorised_by"]["id"] == officer.id
    assert entry["entered_by_id"] == entry["entered_by"]["id"] == officer.id
    readiness = client.get(f"/api/v1/cases/{api_ids['case_id']}/readiness", headers=headers).get_json()
    assert all(t["local_starts_at"] == t["local_start"] for t in readiness["trials"])
