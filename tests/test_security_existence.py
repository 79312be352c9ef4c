"""A hidden object and a missing one are told apart by nothing: the same 404 and the same SQL.

The timing itself is measured apart from the suite (bench/timing_oracle.py, a statistical test
over interleaved requests); here the deterministic part: both paths run the same number of
statements, and the same statements."""

from __future__ import annotations

import re

import pytest

MISSING = 987654


def _shape(statements: list[str]) -> list[str]:
    # Bound values differ (the ids); the statements themselves must not.
    return [re.sub(r"\s+", " ", s) for s in statements]


@pytest.fixture
def hidden(make_witness, make_case, make_event, make_journey):  # noqa: ANN001, ANN201
    witness = make_witness()
    case = make_case()
    make_journey(witness, case)
    event = make_event(case, [witness])
    return {"witness": witness.id, "case": case.id, "event": event.id}


WEB = [("/witnesses/{}", "witness"), ("/cases/{}", "case"), ("/court-events/{}", "event")]
API = [("/api/v1/witnesses/{}", "witness"), ("/api/v1/cases/{}", "case")]


@pytest.mark.parametrize(("template", "kind"), WEB)
def test_pages_answer_hidden_and_missing_ids_with_the_same_statements(
    client, auth, make_user, hidden, count_queries, template, kind
):
    auth.login(make_user("liaison_officer"))  # not assigned to anything
    client.get(template.format(MISSING))  # warm: first-request bookkeeping is not what we compare
    runs = {}
    for name, object_id in (("hidden", hidden[kind]), ("missing", MISSING), ("hidden again", hidden[kind])):
        with count_queries() as statements:
            assert client.get(template.format(object_id)).status_code == 404
        runs[name] = _shape(statements)
    assert len(runs["hidden"]) == len(runs["missing"]) == len(runs["hidden again"])
    assert runs["hidden"] == runs["missing"]


@pytest.mark.parametrize(("template", "kind"), API)
def test_the_api_answers_hidden_and_missing_ids_with_the_same_statements(
    client, api_token, make_user, hidden, count_queries, template, kind
):
    headers = api_token(make_user("liaison_officer"))
    client.get(template.format(MISSING), headers=headers)  # warm: the token's last use is noted once
    runs = {}
    for name, object_id in (("hidden", hidden[kind]), ("missing", MISSING)):
        with count_queries() as statements:
            response = client.get(template.format(object_id), headers=headers)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
        runs[name] = _shape(statements)
    assert len(runs["hidden"]) == len(runs["missing"])
    assert runs["hidden"] == runs["missing"]


def test_the_owner_still_sees_them(client, auth, officer, hidden):
    auth.login(officer)
    for template, kind in WEB:
        assert client.get(template.format(hidden[kind])).status_code == 200
