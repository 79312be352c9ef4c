"""Every date and time the app accepts is range-checked for its meaning (witness_support/dates.py):
just outside either end of its range, in year 9999 and in year 1 (with a +14:00 offset for times),
each form and API endpoint refuses it by the field, never with a 500, and saves nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from witness_support.aids import operations as aid_ops
from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.dates import RULES
from witness_support.extensions import db
from witness_support.outcomes import operations as outcome_ops


@dataclass
class World:
    witness: Any
    case: Any
    event: Any
    aid: Any
    outcome: Any
    defendant: Any
    support: Any


@pytest.fixture
def world(officer, support_person, make_witness, make_case, make_journey, make_event) -> World:  # noqa: ANN001
    witness, case = make_witness(), make_case()
    make_journey(witness, case)
    event = make_event(case, [witness], kind="pre_trial_hearing", days=20)
    aid = aid_ops.propose_aid(officer, witness, case, "screen", "")
    sentenced = case_ops.add_defendant(officer, case, name="Invented Defendant One", custody_status="remanded")
    outcome = outcome_ops.record_outcome(officer, sentenced, verdict="convicted")
    defendant = case_ops.add_defendant(officer, case, name="Invented Defendant Two", custody_status="remanded")
    db.session.commit()
    return World(witness, case, event, aid, outcome, defendant, support_person)


def _outside(rule: str) -> list[tuple[str, str]]:
    low, high = RULES[rule].bounds()
    return [("before", (low - timedelta(days=1)).isoformat()), ("after", (high + timedelta(days=1)).isoformat()),
            ("year-9999", "9999-12-31"), ("year-1", "0001-01-01")]


_BENEFIT = {"kind": "subsistence", "description": "Food", "amount": "10.00", "currency": "USD",
            "provider": "Invented Foundation", "rationale": "No income while in the shelter."}

# (name, method, url, base body, date field, rule); urls are filled from the world.
API_DATES = [
    ("witness-create", "post", "/api/v1/witnesses", {"legal_name": "Invented Name", "preferred_language": "Thai"},
     "date_of_birth", "birth"),
    ("witness-create", "post", "/api/v1/witnesses", {"legal_name": "Invented Name", "preferred_language": "Thai"},
     "reflection_start", "reflection"),
    ("witness-patch", "patch", "/api/v1/witnesses/{w}", {}, "date_of_birth", "birth"),
    ("witness-patch", "patch", "/api/v1/witnesses/{w}", {"reflection_start": "{today}"}, "reflection_end",
     "reflection"),
    ("risk", "post", "/api/v1/witnesses/{w}/risk-assessments",
     {"stage": "trial", "level": "low", "next_review_on": "{next_year}"}, "assessed_on", "risk_assessed"),
    ("risk", "post", "/api/v1/witnesses/{w}/risk-assessments",
     {"stage": "trial", "level": "low", "assessed_on": "{today}"}, "next_review_on", "risk_review"),
    ("assignment", "post", "/api/v1/witnesses/{w}/assignments", {"user_id": "{support}", "role": "interpreter"},
     "starts_on", "assignment"),
    ("assignment", "post", "/api/v1/witnesses/{w}/assignments", {"user_id": "{support}", "role": "interpreter"},
     "ends_on", "assignment"),
    ("aid", "patch", "/api/v1/aids/{aid}", {"status": "applied"}, "on", "court_past"),
    ("benefit", "post", "/api/v1/witnesses/{w}/benefits", _BENEFIT, "provided_on", "benefit"),
    ("benefit", "post", "/api/v1/witnesses/{w}/benefits", {**_BENEFIT, "provided_on": "{today}"},
     "provided_until", "benefit_until"),
    *[("outcome-create", "post", "/api/v1/cases/{c}/outcomes",
       {"defendant_id": "{d}", "verdict": "convicted"}, name, rule)
      for name, rule in outcome_ops.DATE_RULES.items()],
    *[("outcome-patch", "patch", "/api/v1/outcomes/{o}", {}, name, rule)
      for name, rule in outcome_ops.DATE_RULES.items()],
    ("custody", "patch", "/api/v1/outcomes/{o}", {"custody": "released"}, "custody_changed_on", "court_past"),
]


def _fill(value: Any, world: World) -> Any:
    if not isinstance(value, str):
        return value
    today = date.today()
    table = {"{w}": world.witness.id, "{c}": world.case.id, "{aid}": world.aid.id, "{o}": world.outcome.id,
             "{d}": world.defendant.id, "{support}": world.support.id, "{e}": world.event.id,
             "{today}": today.isoformat(), "{next_year}": (today + timedelta(days=300)).isoformat()}
    if value in table and value.startswith("{") and value not in ("{today}", "{next_year}"):
        return table[value]
    for key, replacement in table.items():
        value = value.replace(key, str(replacement))
    return value


def _audit_count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar()


def _cases(table: list[tuple]) -> list:
    return [pytest.param(*row, value, id=f"{row[0]}-{row[4]}-{label}")
            for row in table for label, value in _outside(row[5])]


@pytest.mark.parametrize(("name", "method", "url", "body", "field", "rule", "value"), _cases(API_DATES))
def test_api_refuses_a_date_out_of_range_by_the_field(client, api_token, officer, world, name, method, url,
                                                      body, field, rule, value):  # noqa: ANN001
    headers = api_token(officer)
    before = _audit_count()
    payload = {k: _fill(v, world) for k, v in body.items()} | {field: value}
    response = getattr(client, method)(_fill(url, world), json=payload, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert _audit_count() == before


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_range_accepts_its_own_ends(rule):
    """The ends themselves are in range (the refusals above are one day outside them)."""
    from witness_support.dates import date_error

    low, high = RULES[rule].bounds()
    assert date_error(low, rule) is None and date_error(high, rule) is None
    assert date_error(low - timedelta(days=1), rule) and date_error(high + timedelta(days=1), rule)


def _instants(rule: str = "court_event") -> list[tuple[str, str]]:
    low, high = RULES[rule].bounds()
    return [("before", f"{(low - timedelta(days=1)).isoformat()}T09:00"),
            ("after", f"{(high + timedelta(days=1)).isoformat()}T09:00"),
            ("year-9999", "9999-12-31T23:00"), ("year-9999-minus-14", "9999-12-31T23:00-14:00"),
            ("year-1", "0001-01-01T00:00"), ("year-1-plus-14", "0001-01-01T00:00+14:00")]


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
@pytest.mark.parametrize(("label", "value"), _instants())
@pytest.mark.parametrize("how", ["create", "move"])
def test_api_court_event_times_out_of_range(client, api_token, officer, world, field, label, value, how):  # noqa: ANN001
    other = "ends_at" if field == "starts_at" else "starts_at"
    day = (date.today() + timedelta(days=40)).isoformat()
    payload = {other: f"{day}T{'09:00' if other == 'starts_at' else '10:00'}", field: value}
    headers = api_token(officer)
    before = _audit_count()
    if how == "create":
        response = client.post(f"/api/v1/cases/{world.case.id}/court-events", json={"kind": "mention", **payload},
                               headers=headers)
    else:
        response = client.patch(f"/api/v1/court-events/{world.event.id}", json={"reason": "Adjourned.", **payload},
                                headers=headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert _audit_count() == before


# ---- the web forms ------------------------------------------------------------------------------

WEB_DATES = [
    ("/witnesses/new", {"legal_name": "Invented Name", "preferred_language": "Thai", "participation": "undecided",
                        "age_assessment": "none"}, "date_of_birth", "birth"),
    ("/witnesses/new", {"legal_name": "Invented Name", "preferred_language": "Thai", "participation": "undecided",
                        "age_assessment": "none"}, "reflection_start", "reflection"),
    ("/witnesses/{w}/risk-assessments/new", {"stage": "trial", "level": "low", "next_review_on": "{next_year}"},
     "assessed_on", "risk_assessed"),
    ("/witnesses/{w}/risk-assessments/new", {"stage": "trial", "level": "low", "assessed_on": "{today}"},
     "next_review_on", "risk_review"),
    ("/witnesses/{w}/assignments/new", {"user_id": "{support}", "role": "interpreter"}, "starts_on", "assignment"),
    ("/witnesses/{w}/assignments/new", {"user_id": "{support}", "role": "interpreter"}, "ends_on", "assignment"),
    ("/witnesses/{w}/benefits/new", _BENEFIT, "provided_on", "benefit"),
    ("/witnesses/{w}/benefits/new", {**_BENEFIT, "provided_on": "{today}"}, "provided_until", "benefit_until"),
    ("/outcomes/case/{c}/defendant/{d}/new", {"verdict": "convicted"}, "sentenced_on", "court_past"),
    ("/outcomes/case/{c}/defendant/{d}/new", {"verdict": "convicted"}, "appeal_deadline", "court_future"),
    ("/outcomes/{o}/edit", {"verdict": "convicted"}, "earliest_release_date", "release"),
    ("/outcomes/{o}/edit", {"verdict": "convicted"}, "proposed_release_date", "release"),
    ("/outcomes/case/{c}/statement/{w}", {"status": "offered"}, "sentencing_date", "court_future"),
    ("/outcomes/case/{c}/statement/{w}", {"status": "offered"}, "due_date", "court_future"),
    ("/outcomes/{o}/custody", {"custody": "released"}, "on", "court_past"),
    ("/aids/{aid}/status", {"status": "applied"}, "on", "court_past"),
]


@pytest.mark.parametrize(("url", "body", "field", "rule", "value"),
                         [pytest.param(*row, value, id=f"{row[0]}-{row[2]}-{label}")
                          for row in WEB_DATES for label, value in _outside(row[3])])
def test_forms_refuse_a_date_out_of_range_and_save_nothing(client, auth, officer, world, url, body, field, rule,
                                                           value):  # noqa: ANN001
    auth.login(officer)
    before = _audit_count()
    response = client.post(_fill(url, world), data={k: _fill(v, world) for k, v in body.items()} | {field: value})
    assert response.status_code in (200, 302, 422), response.status_code
    page = response.get_data(as_text=True) if response.status_code != 302 else client.get(
        response.headers["Location"]).get_data(as_text=True)
    # The range's own message, or an earlier rule's (an end before its start, a benefit not yet given).
    message_shown = any(m in page for m in (RULES[rule].too_early, RULES[rule].too_late))
    assert message_shown or "There is a problem" in page, page[:200]
    assert _audit_count() == before


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
@pytest.mark.parametrize(("label", "value"), [v for v in _instants() if "14" not in v[0]])
@pytest.mark.parametrize("how", ["new", "move"])
def test_event_forms_refuse_times_out_of_range(client, auth, officer, world, field, label, value, how):  # noqa: ANN001
    auth.login(officer)
    other = "ends_at" if field == "starts_at" else "starts_at"
    day = (date.today() + timedelta(days=40)).isoformat()
    data = {other: f"{day}T{'09:00' if other == 'starts_at' else '10:00'}", field: value}
    before = _audit_count()
    if how == "new":
        response = client.post(f"/cases/{world.case.id}/court-events/new", data={"kind": "mention", **data})
    else:
        response = client.post(f"/court-events/{world.event.id}/move", data={"reason": "Adjourned.", **data})
    assert response.status_code in (200, 302, 422)
    page = response.get_data(as_text=True) if response.status_code != 302 else client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert "within 10 years of today" in page
    assert _audit_count() == before


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31"])
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_filters_with_far_dates_answer_with_a_message(client, auth, admin, field, value):  # noqa: ANN001
    auth.login(admin)
    response = client.get("/admin/audit", query_string={field: value})
    assert response.status_code == 400  # the filter form again, with the message by the field
    assert "No earlier than 1900" in response.get_data(as_text=True) or "At most 10 years ahead" in \
        response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_calendar_around_far_dates_shows_this_month(client, auth, officer, world, value):  # noqa: ANN001
    auth.login(officer)
    assert client.get("/court/calendar", query_string={"date": value}).status_code == 200
    assert client.get("/court/calendar", query_string={"date": value, "view": "week"}).status_code == 200
