"""Double submission: a form sent twice (double click, Back and resend) and an API POST retried
with the same Idempotency-Key create one record; the replay answers what the first answered."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import AuthActions, future, past
from witness_support.cases.models import Case
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.forms import ALREADY_SENT
from witness_support.idempotency import IdempotencyKey
from witness_support.ledger.models import BenefitEntry
from witness_support.witnesses.models import RiskAssessment, Witness

BENEFIT_FORM = {
    "kind": "subsistence", "description": "Weekly food allowance", "amount": "40.00", "currency": "USD",
    "provider": "Invented Shelter Foundation", "rationale": "The witness has no income while in the shelter.",
}
BENEFIT_JSON = {
    "kind": "travel", "description": "Bus to the counselling centre", "amount": "12.50", "currency": "IDR",
    "provider": "Invented Shelter Foundation", "rationale": "The witness attends weekly counselling in the city.",
}


def _count(model) -> int:  # noqa: ANN001 - a model class
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _key(page: str) -> str:
    found = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page)
    assert found, "the form carries no submission key"
    return found.group(1)


@pytest.fixture
def login(app, client):  # noqa: ANN001, ANN201 - fixture; `client` installs the isolated client class
    def make(user):  # noqa: ANN001, ANN202 - a user; returns a signed-in test client
        browser = app.test_client()
        assert AuthActions(browser).login(user).status_code == 302
        return browser

    return make


# ---- forms ---------------------------------------------------------------------------------------


def test_a_benefit_form_sent_twice_records_one_entry(login, ledger_world):
    w = ledger_world
    browser = login(w.officer)
    url = f"/witnesses/{w.witness.id}/benefits/new"
    key = _key(browser.get(url).get_data(as_text=True))
    data = {**BENEFIT_FORM, "provided_on": past(1).isoformat(), "authorised_by_id": str(w.officer.id),
            "submission_key": key}
    first = browser.post(url, data=data)
    second = browser.post(url, data=data)
    assert first.status_code == 302 and second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(BenefitEntry) == 1
    page = browser.get(second.headers["Location"]).get_data(as_text=True)
    assert ALREADY_SENT in page
    # A fresh form has a fresh key, and a second, deliberate entry is recorded.
    again = _key(browser.get(url).get_data(as_text=True))
    assert again != key
    assert browser.post(url, data={**data, "submission_key": again}).status_code == 302
    assert _count(BenefitEntry) == 2


def test_a_refused_form_keeps_its_key_for_the_corrected_submission(login, ledger_world):
    w = ledger_world
    browser = login(w.officer)
    url = f"/witnesses/{w.witness.id}/benefits/new"
    key = _key(browser.get(url).get_data(as_text=True))
    data = {**BENEFIT_FORM, "provided_on": future(30).isoformat(), "authorised_by_id": str(w.officer.id),
            "submission_key": key}
    refused = browser.post(url, data=data)
    assert refused.status_code == 200 and _key(refused.get_data(as_text=True)) == key
    assert _count(BenefitEntry) == 0 and _count(IdempotencyKey) == 0
    assert browser.post(url, data={**data, "provided_on": past(1).isoformat()}).status_code == 302
    assert _count(BenefitEntry) == 1


def test_another_persons_key_is_not_theirs_to_replay(login, ledger_world):
    """Keys are per person: the same key from someone else is a new submission, not a peek at the first."""
    w = ledger_world
    url = f"/witnesses/{w.witness.id}/benefits/new"
    data = {**BENEFIT_FORM, "provided_on": past(1).isoformat(), "submission_key": "shared-key-0123456789"}
    assert login(w.officer).post(url, data={**data, "authorised_by_id": str(w.officer.id)}).status_code == 302
    assert login(w.colleague).post(url, data={**data, "authorised_by_id": str(w.colleague.id)}).status_code == 302
    assert _count(BenefitEntry) == 2


def test_every_create_form_carries_a_key(login, ledger_world):
    w = ledger_world
    entry_url = f"/witnesses/{w.witness.id}/benefits/new"
    officer = login(w.officer)
    pages = {
        officer: ["/witnesses/new", entry_url, f"/witnesses/{w.witness.id}/risk-assessments/new",
                  f"/witnesses/{w.witness.id}/concerns/new", f"/witnesses/{w.witness.id}/assignments/new"],
        login(w.prosecutor): ["/cases/new", f"/cases/{w.case.id}/court-events/new",
                              f"/cases/{w.case.id}/defendants/new", f"/cases/{w.case.id}/witnesses/new",
                              f"/cases/{w.case.id}/disclosure"],
    }
    for browser, urls in pages.items():
        for url in urls:
            response = browser.get(url)
            assert response.status_code == 200, url
            _key(response.get_data(as_text=True))


def test_a_witness_registration_sent_twice_registers_one_witness(login, officer):
    browser = login(officer)
    key = _key(browser.get("/witnesses/new").get_data(as_text=True))
    data = {"legal_name": "Invented Twice Person", "preferred_language": "Thai", "participation": "participating",
            "age_assessment": "none", "submission_key": key}
    first, second = browser.post("/witnesses/new", data=data), browser.post("/witnesses/new", data=data)
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(Witness) == 1


def test_a_risk_assessment_and_a_case_sent_twice_are_made_once(login, ledger_world):
    w = ledger_world
    officer, prosecutor = login(w.officer), login(w.prosecutor)
    url = f"/witnesses/{w.witness.id}/risk-assessments/new"
    risk = {"stage": "trial", "level": "high", "assessed_on": past(0).isoformat(),
            "next_review_on": future(14).isoformat(), "threats": "Invented threat", "measures": "Invented measure",
            "submission_key": _key(officer.get(url).get_data(as_text=True))}
    before = _count(RiskAssessment)
    assert [officer.post(url, data=risk).status_code for _ in range(2)] == [302, 303]
    assert _count(RiskAssessment) == before + 1
    case = {"reference": "INV-TWICE-1", "court_name": "Invented District Court", "court_timezone": "Asia/Bangkok",
            "offence_type": "Trafficking", "submission_key": _key(prosecutor.get("/cases/new").get_data(as_text=True))}
    cases_before = _count(Case)
    assert [prosecutor.post("/cases/new", data=case).status_code for _ in range(2)] == [302, 303]
    assert _count(Case) == cases_before + 1


# ---- the API -------------------------------------------------------------------------------------


@pytest.fixture
def api(ledger_world, api_token):  # noqa: ANN001, ANN201 - fixture
    return {"officer": api_token(ledger_world.officer), "colleague": api_token(ledger_world.colleague)}


def _benefit(**extra: str) -> dict:
    return {**BENEFIT_JSON, "provided_on": past(3).isoformat(), **extra}


def test_the_same_key_and_body_get_the_first_answer_again(client, ledger_world, api):
    url = f"/api/v1/witnesses/{ledger_world.witness.id}/benefits"
    headers = {**api["officer"], "Idempotency-Key": "3f1c0f7e-retry-1"}
    first = client.post(url, json=_benefit(), headers=headers)
    second = client.post(url, json=_benefit(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.get_data() == first.get_data()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert _count(BenefitEntry) == 1


def test_the_same_key_with_another_body_is_refused(client, ledger_world, api):
    url = f"/api/v1/witnesses/{ledger_world.witness.id}/benefits"
    headers = {**api["officer"], "Idempotency-Key": "k-1"}
    assert client.post(url, json=_benefit(), headers=headers).status_code == 201
    refused = client.post(url, json=_benefit(amount="99.00"), headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "idempotency_key_reused"
    assert _count(BenefitEntry) == 1


def test_keys_are_per_caller_and_kept_24_hours(client, ledger_world, api):
    url = f"/api/v1/witnesses/{ledger_world.witness.id}/benefits"
    assert client.post(url, json=_benefit(), headers={**api["officer"], "Idempotency-Key": "k"}).status_code == 201
    other = client.post(url, json=_benefit(), headers={**api["colleague"], "Idempotency-Key": "k"})
    assert other.status_code == 201 and other.headers.get("Idempotent-Replayed") is None
    assert _count(BenefitEntry) == 2
    db.session.execute(sa.update(IdempotencyKey).values(created_at=utc_now() - timedelta(hours=24, minutes=1)))
    db.session.commit()
    later = client.post(url, json=_benefit(), headers={**api["officer"], "Idempotency-Key": "k"})
    assert later.status_code == 201 and later.headers.get("Idempotent-Replayed") is None
    assert _count(BenefitEntry) == 3


def test_a_refused_request_does_not_use_up_its_key(client, ledger_world, api):
    url = f"/api/v1/witnesses/{ledger_world.witness.id}/benefits"
    headers = {**api["officer"], "Idempotency-Key": "k-refused"}
    assert client.post(url, json=_benefit(kind="no such kind"), headers=headers).status_code == 422
    assert client.post(url, json=_benefit(), headers=headers).status_code == 201
    assert _count(BenefitEntry) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "with space"])
def test_a_malformed_key_is_refused_and_changes_nothing(client, ledger_world, api, key):
    url = f"/api/v1/witnesses/{ledger_world.witness.id}/benefits"
    response = client.post(url, json=_benefit(), headers={**api["officer"], "Idempotency-Key": key})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"
    assert _count(BenefitEntry) == 0


def test_without_a_key_each_post_acts(client, ledger_world, api):
    url = f"/api/v1/witnesses/{ledger_world.witness.id}/benefits"
    for _ in range(2):
        assert client.post(url, json=_benefit(), headers=api["officer"]).status_code == 201
    assert _count(BenefitEntry) == 2


# Two threads, each on a connection of its own: the data they race on must be committed for real.
@pytest.mark.real_commits
def test_two_identical_posts_at_once_create_one_record(app, client, ledger_world, api):
    """Two connections, released together: the second waits on the key, then replays or says 409."""
    url = f"/api/v1/witnesses/{ledger_world.witness.id}/benefits"
    headers = {**api["officer"], "Idempotency-Key": "at-once"}
    db.session.commit()
    barrier = threading.Barrier(2)
    results: list[tuple[int, bytes]] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            with app.app_context():  # each thread its own context, session and connection
                browser = app.test_client()
                barrier.wait()
                response = browser.post(url, json=_benefit(), headers=headers)
                results.append((response.status_code, response.get_data()))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = sorted(status for status, _ in results)
    assert statuses in ([201, 201], [201, 409]), results
    if statuses == [201, 201]:
        assert results[0][1] == results[1][1]
    assert _count(BenefitEntry) == 1
