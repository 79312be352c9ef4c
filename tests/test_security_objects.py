"""Object-level need-to-know, property-based: any user, any object route, any object id.

Hypothesis draws a user (each role, assigned in different ways or not at all), a GET route that
names a witness or a case (read from `app.url_map`, so new routes are drawn too, pages and API)
and an object id (existing or not). The oracle is `can_view_witness` / `can_view_case`: a user who
may not see the object gets 404. On the plain view routes a user who may see it gets 200.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import AuthActions, IsolatedClient
from witness_support.access import can_view_case, can_view_witness
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.permissions import Permission, has_permission
from witness_support.witnesses import operations as witness_ops

MISSING_ID = 987654
# Routes whose only rule is "may see the object (with the route's permission)": 200 when allowed.
PLAIN_VIEWS = {
    "witnesses.show": Permission.WITNESS_VIEW,
    "api.get_witness_api": Permission.WITNESS_VIEW,
    "api.list_risk_api": Permission.RISK_VIEW,
    "cases.show": Permission.CASE_VIEW,
    "api.get_case_api": Permission.CASE_VIEW,
    "outcomes.case_outcomes": Permission.CASE_VIEW,
    "api.list_outcomes_api": Permission.CASE_VIEW,
}


@pytest.fixture
def population(app, officer, prosecutor, admin, make_user, make_case, make_witness, make_journey, api_token):
    """Two cases, three witnesses, and people around them assigned in every way that matters."""
    case_a, case_b = make_case(), make_case(by=prosecutor)
    w1, w2, w3 = make_witness(), make_witness(), make_witness(by=make_user("liaison_officer"))
    make_journey(witness=w1, case=case_a)
    make_journey(witness=w3, case=case_b)
    guardian, interpreter, stranger = (make_user("support_person") for _ in range(3))
    witness_ops.assign_support(officer, w1, guardian, "guardian")
    witness_ops.assign_support(officer, w2, interpreter, "interpreter")
    ended = make_user("support_person")
    assignment = witness_ops.assign_support(officer, w1, ended, "support_worker")
    witness_ops.end_assignment(officer, assignment, "moved on")
    case_officer = make_user("liaison_officer")
    case_ops.assign_to_case(prosecutor, case_b, case_officer)
    users = [officer, prosecutor, admin, guardian, interpreter, stranger, ended, case_officer,
             make_user("liaison_officer"), make_user("prosecutor")]
    db.session.commit()
    app.test_client_class = IsolatedClient  # each request in its own app context, as in production
    people = []
    for user in users:
        client = app.test_client()
        AuthActions(client).login(user)
        people.append(SimpleNamespace(user=user, client=client, headers=api_token(user)))
    return SimpleNamespace(people=people, witnesses=[w1, w2, w3], cases=[case_a, case_b])


def object_routes(app) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """(endpoint, rule, kind) of every GET route naming exactly one witness or case."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and len(rule.arguments) == 1:
            (argument,) = rule.arguments
            if argument in ("witness_id", "case_id"):
                found.append((rule.endpoint, rule.rule, argument[: -len("_id")]))
    return sorted(found)


def test_the_route_walk_finds_pages_and_api(app):
    endpoints = {endpoint for endpoint, _, _ in object_routes(app)}
    assert set(PLAIN_VIEWS) <= endpoints


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_nobody_sees_an_object_they_may_not_see(app, population, data):
    person = data.draw(st.sampled_from(population.people), label="user")
    endpoint, rule, kind = data.draw(st.sampled_from(object_routes(app)), label="route")
    objects: list[Any] = population.witnesses if kind == "witness" else population.cases
    obj = data.draw(st.sampled_from([*objects, None]), label="object")
    object_id = obj.id if obj is not None else MISSING_ID
    url = re.sub(r"<[^>]+>", str(object_id), rule)
    api = url.startswith("/api/")
    response = app.test_client().get(url, headers=person.headers) if api else person.client.get(url)

    db.session.expire_all()
    may_see = obj is not None and (
        can_view_witness(person.user, obj) if kind == "witness" else can_view_case(person.user, obj)
    )
    where = (person.user.role, person.user.email, url)
    if not may_see:
        assert response.status_code == 404, where
        if url.startswith("/api/"):
            assert response.get_json()["error"]["code"] == "not_found"
    elif endpoint in PLAIN_VIEWS and has_permission(person.user, PLAIN_VIEWS[endpoint]):
        assert response.status_code == 200, where
    else:
        assert response.status_code != 500, where
