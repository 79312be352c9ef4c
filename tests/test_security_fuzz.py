"""The API fuzzed from its own OpenAPI document (schemathesis, through the WSGI app, bounded).

Every operation gets generated requests, valid and invalid, as a seeded liaison officer with a
bearer token: no answer may be a 500, and every answer (status, content type, headers, body)
must be one the document describes. The operations are read from the document, so routes added
to it later are fuzzed too.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from werkzeug.routing import IntegerConverter, Rule

from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.tasks.operations import create_task
from witness_support.witnesses import operations as witness_ops

EXAMPLES_PER_OPERATION = 12
# Excluded, both about *which* 4xx is right rather than about crashes or the document:
# - "schema-valid data must be accepted": the operations apply rules a JSON schema cannot state
#   (a real IANA time zone, a reflection period of at most N days, a stage needing a current risk
#   assessment) and answer them with a documented 422;
# - "schema-invalid data must be refused": unknown query parameters are ignored, as HTTP servers
#   do, and the check counts the bearer header we add outside the generated case as missing.
# Every invalid request is still sent: it must not cause a 500 and its answer must be documented.
EXCLUDED_CHECKS = [positive_data_acceptance, negative_data_rejection]


# The operations are fuzzed in a few parts (every operation in exactly one part, in both modes),
# so that pytest-xdist spreads the fuzzing over the workers instead of leaving it to one.
PARTS = 3


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("part", range(PARTS))
def test_api_conforms_to_its_document(app, officer, make_witness, make_journey, api_token, part, mode):
    # Seeded data, so that generated ids (small integers) also hit real objects the officer sees.
    for _ in range(2):
        make_journey(witness=make_witness())
    headers = api_token(officer)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations[part::PARTS]:
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


# ---- the pages: every route, every role, hostile query strings and form posts ------------------------

# One value of each class that has caused a 500 somewhere: line breaks in a redirect target, numbers
# beyond what Decimal quantizes or a column holds, non-numbers, signed zero, non-IANA zones, open-
# redirect spellings, control and bidi characters, very long text, template and SQL syntax.
HOSTILE_VALUES = [
    "/\r\nSet-Cookie: injected=1", "1e308", "nan", "-0", "99999999999999999999", "localtime",
    "/\\evil.invalid", "\u202e\ufeff\t", "x" * 3000, "' OR 1=1 --{{7*7}}", "", "0001-01-01",
]
# Query parameters the pages read (request.args), and every field name of every form.
QUERY_NAMES = ["next", "after", "sort", "kind", "format", "entry", "date", "view", "court", "q", "page",
               "status", "witness", "case", "from", "to"]
# These end the session that walks the pages (they are exercised by the auth tests).
SESSION_ENDING = {"auth.logout", "auth.sign_out_everywhere", "auth.change_password", "admin.reset_mfa",
                  "admin.sign_out_everywhere", "admin.edit_user"}
SKIPPED_PREFIXES = ("/api/", "/static/")


def _form_field_names() -> list[str]:
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    names: set[str] = set()
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        for klass in form.__mro__:
            names.update(n for n, v in vars(klass).items() if isinstance(v, UnboundField))
    return sorted(names)


@pytest.fixture
def page_world(app, officer, prosecutor, admin, support_person, make_witness, make_journey, make_event,
               record_benefit, make_user):  # noqa: ANN001, ANN201 - fixtures
    """One of each object the pages show, all visible to the officer, so that <int:...> ids are real."""
    witness = make_witness()
    journey = make_journey(witness=witness)
    case = journey.case
    case_ops.assign_to_case(officer, case, prosecutor)
    witness_ops.assign_support(officer, witness, support_person, "support_worker")
    event = make_event(case, [witness])
    entry = record_benefit(witness)
    bystander = make_user("liaison_officer")
    task = create_task(officer, "review", "Check the file")
    db.session.commit()
    return {"witness_id": witness.id, "case_id": case.id, "journey_id": journey.id, "event_id": event.id,
            "entry_id": entry.id, "user_id": bystander.id, "task_id": task.id}


def _url(rule: Rule, ids: dict[str, int]) -> str:
    """The rule's path with a real id for every <int:...> and a made-up word for other parts."""
    values = {name: ids.get(name, 1) if isinstance(rule._converters[name], IntegerConverter) else "x"
              for name in rule.arguments}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


ROLES = ["admin", "liaison_officer", "prosecutor", "support_person"]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_500_to_hostile_queries_or_forms(app, client, auth, page_world, officer, prosecutor,
                                                        admin, support_person, role):
    people = {"admin": admin, "liaison_officer": officer, "prosecutor": prosecutor,
              "support_person": support_person}
    auth.login(people[role])
    fields = _form_field_names()
    rules = [r for r in app.url_map.iter_rules()
             if not r.rule.startswith(SKIPPED_PREFIXES) and r.endpoint not in SESSION_ENDING
             and r.endpoint != "feeds.feed"]
    assert len(rules) > 60  # read from the app: a page added later is walked too
    failures, answered = [], 0
    for rule in rules:
        url = _url(rule, page_world)
        for index, value in enumerate(HOSTILE_VALUES):
            # Every role meets every route; each value reaches each route under one of the four roles.
            if (index + ROLES.index(role)) % len(ROLES):
                continue
            if "GET" in rule.methods:
                response = client.get(url, query_string=dict.fromkeys(QUERY_NAMES, value))
                answered += 1
                if response.status_code >= 500:
                    failures.append(("GET", url, value))
            if "POST" in rule.methods:
                response = client.post(url, data=dict.fromkeys(fields, value),
                                       query_string={"next": value})
                answered += 1
                if response.status_code >= 500:
                    failures.append(("POST", url, value))
    assert failures == []
    # Still signed in at the end: the walk really reached the pages, not the login form.
    assert client.get("/account").status_code == 200
    assert answered > 200
