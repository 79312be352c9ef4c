"""Outcome pages and the preferences form: per role, through the real forms, bad input kept out."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import CANARY_OFFENDER
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.notifications.models import Notification, NotificationPreference
from witness_support.outcomes import operations
from witness_support.outcomes.models import ImpactStatement, Outcome
from witness_support.tasks.models import Task


@pytest.fixture
def setup(app, officer, prosecutor, trial_case):  # noqa: ANN001, ANN201
    world = trial_case()
    case_ops.assign_to_case(officer, world.case, prosecutor)
    db.session.commit()
    return world


def _pages(world, outcome_id: int) -> list[str]:  # noqa: ANN001
    case_id, defendant_id, witness_id = world.case.id, world.defendant.id, world.witness.id
    return [
        f"/outcomes/case/{case_id}",
        f"/outcomes/case/{case_id}/defendant/{defendant_id}/new",
        f"/outcomes/{outcome_id}/edit",
        f"/outcomes/{outcome_id}/custody",
        f"/outcomes/case/{case_id}/statement/{witness_id}",
        f"/notifications/witness/{witness_id}/preferences",
    ]


def test_officer_records_a_verdict_through_the_form(client, auth, officer, setup):
    auth.login(officer)
    page = client.get(f"/outcomes/case/{setup.case.id}").get_data(as_text=True)
    assert "Record the verdict" in page
    response = client.post(f"/outcomes/case/{setup.case.id}/defendant/{setup.defendant.id}/new", data={
        "verdict": "convicted", "sentence_kind": "imprisonment", "sentence_months": "60",
        "proposed_release_date": "2031-01-02", "appeal_lodged_by": "", "appeal_outcome": "", "note": "Read out",
    })
    assert response.status_code == 302
    outcome = db.session.execute(sa.select(Outcome)).scalar_one()
    assert outcome.sentence_months == 60 and outcome.appeal_lodged_by is None
    page = client.get(f"/outcomes/case/{setup.case.id}").get_data(as_text=True)
    assert "Proposed release" in page and "2031-01-02" in page and "Read out" in page
    assert db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar() == 2
    assert db.session.execute(sa.select(Task).where(Task.kind == "revise_protection_plan")).scalar_one()


def test_bad_verdict_form_shows_the_field_error(client, auth, officer, setup):
    auth.login(officer)
    response = client.post(f"/outcomes/case/{setup.case.id}/defendant/{setup.defendant.id}/new", data={
        "verdict": "acquitted", "sentence_kind": "fine", "appeal_lodged_by": "", "appeal_outcome": "",
    })
    assert response.status_code == 200
    assert "Only a conviction carries a sentence." in response.get_data(as_text=True)
    assert db.session.execute(sa.select(Outcome)).first() is None


def test_prosecutor_records_custody_change(client, auth, officer, prosecutor, setup):
    outcome = operations.record_outcome(officer, setup.defendant, verdict="convicted", sentence_kind="imprisonment",
                                        sentence_months=12)
    db.session.commit()
    auth.login(prosecutor)
    response = client.post(f"/outcomes/{outcome.id}/custody", data={"custody": "escaped", "on": "2026-11-28"})
    assert response.status_code == 302
    assert db.session.get(Outcome, outcome.id).custody == "escaped"
    assert db.session.execute(sa.select(Notification).where(Notification.kind == "escaped")).scalar_one()


def test_statement_with_an_opinion_on_the_sentence_is_flagged(client, auth, officer, setup):
    auth.login(officer)
    response = client.post(f"/outcomes/case/{setup.case.id}/statement/{setup.witness.id}", data={
        "status": "drafting", "sentencing_date": "2027-02-01", "text": "I want the maximum sentence for him.",
    }, follow_redirects=True)
    assert "opinion on the sentence" in response.get_data(as_text=True)
    statement = db.session.execute(sa.select(ImpactStatement)).scalar_one()
    assert statement.sentence_opinion_warnings == ["maximum sentence"]


def test_preferences_form(client, auth, officer, setup):
    auth.login(officer)
    path = f"/notifications/witness/{setup.witness.id}/preferences"
    assert "How " in client.get(path).get_data(as_text=True)
    refused = client.post(path, data={"channel": "email", "language": "id"})
    assert refused.status_code == 200 and "Give the email" in refused.get_data(as_text=True)
    assert db.session.execute(sa.select(NotificationPreference)).first() is None
    saved = client.post(path, data={"channel": "email", "language": "id", "email": "safe@example.test",
                                    "contact_is_safe": "y", "opted_out": ["release_upcoming", "hearing_set"]})
    assert saved.status_code == 302
    pref = db.session.execute(sa.select(NotificationPreference)).scalar_one()
    assert pref.contact_is_safe and pref.opted_out == ["hearing_set", "release_upcoming"]


def test_anonymous_goes_to_login(client, officer, setup):
    outcome = operations.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    for path in _pages(setup, outcome.id):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


@pytest.mark.parametrize("role", ["liaison_officer", "prosecutor", "support_person", "admin"])
def test_unassigned_users_get_404(client, auth, officer, make_user, setup, role):
    outcome = operations.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    auth.login(make_user(role))
    for path in _pages(setup, outcome.id):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/outcomes/{outcome.id}/custody", data={"custody": "released", "on": "2026-11-28"})
    assert response.status_code == 404
    assert db.session.get(Outcome, outcome.id).custody is None


def test_prosecutor_cannot_set_preferences(client, auth, prosecutor, setup):
    auth.login(prosecutor)
    assert client.get(f"/notifications/witness/{setup.witness.id}/preferences").status_code == 404
    page = client.get(f"/outcomes/case/{setup.case.id}")
    assert page.status_code == 200 and CANARY_OFFENDER in page.get_data(as_text=True)
