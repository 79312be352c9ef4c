"""Witness rules, tested without HTTP."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.audit import AuditEvent
from witness_support.db import today_utc
from witness_support.errors import ValidationFailed
from witness_support.extensions import db
from witness_support.witnesses import operations
from witness_support.witnesses.models import Witness, WitnessAssignment


def test_registration_gives_a_pseudonymous_reference_and_assigns_the_officer(officer, make_witness):
    witness = make_witness(legal_name="Canary Person")
    assert re.fullmatch(r"W-\d{4}-\d{4,}", witness.reference)
    assert witness.reference.startswith(f"W-{today_utc().year}-")
    assignment = db.session.execute(
        sa.select(WitnessAssignment).where(WitnessAssignment.witness_id == witness.id)
    ).scalar_one()
    assert (assignment.user_id, assignment.role) == (officer.id, "liaison_officer")
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "witness.create")).scalar_one()
    assert event.witness_id == witness.id and event.actor_id == officer.id
    assert "Canary" not in repr(witness) and "Canary" not in str(event.details)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"legal_name": "  "}, "legal_name"),
        ({"preferred_language": ""}, "preferred_language"),
        ({"date_of_birth": today_utc() + timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
        ({"participation": "maybe"}, "participation"),
        ({"reflection_start": past(1), "reflection_end": past(10)}, "reflection_end"),
        ({"reflection_start": past(1), "reflection_end": future(120)}, "reflection_end"),
        ({"reflection_end": future(10)}, "reflection_start"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_registration_is_refused_by_field_and_changes_nothing(officer, app, data, field):
    data = {"legal_name": "Invented Person", "preferred_language": "Thai", **data}
    with pytest.raises(ValidationFailed) as caught:
        operations.create_witness(officer, **data)
    db.session.rollback()
    assert field in caught.value.field_errors
    assert db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar() == 0


def test_reflection_period_defaults_to_configured_length(app, make_witness):
    witness = make_witness(reflection_start=past(2))
    assert witness.reflection_end == past(2) + timedelta(days=30)
    assert witness.in_reflection_period()
    app.config["REFLECTION_PERIOD_DEFAULT_DAYS"] = 60
    other = make_witness(reflection_start=past(2))
    assert other.reflection_end == past(2) + timedelta(days=60)


def test_child_by_birth_date_or_presumption_until_assessed_adult(officer, make_witness):
    today = today_utc()
    minor = make_witness(date_of_birth=date(today.year - 16, 1, 1))
    adult = make_witness(date_of_birth=date(today.year - 30, 1, 1))
    presumed = make_witness(presumed_child=True)
    assert minor.is_child and not adult.is_child and presumed.is_child
    # Age is judged on a given day: a 17-year-old is an adult at a trial after their birthday.
    seventeen = make_witness(date_of_birth=date(today.year - 17, today.month, 1) - timedelta(days=1))
    assert seventeen.is_child_on(today)
    assert not seventeen.is_child_on(today + timedelta(days=400))
    operations.update_witness(officer, presumed, age_assessment="adult")
    assert not presumed.is_child


def test_declining_keeps_support_and_risk_reviews(officer, make_witness, assess):
    witness = make_witness()
    assess(witness, stage="pre_trial")
    changed = operations.update_witness(officer, witness, participation="declined")
    db.session.commit()
    assert changed == ["participation"]
    assert witness.assignments and all(a.ended_at is None for a in witness.assignments)
    assert witness.next_review_on is not None
    actions = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.details).where(AuditEvent.witness_id == witness.id)
    ).all()
    assert ("witness.participation", {"from": "undecided", "to": "declined"}) in [(a, d) for a, d in actions]


def test_update_audits_field_names_never_values(officer, make_witness):
    witness = make_witness()
    operations.update_witness(officer, witness, address="12 Canary Street", legal_name="Canary Newname")
    db.session.commit()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "witness.update")).scalar_one()
    assert event.details == {"fields": ["address", "legal_name"]}
    assert "Canary" not in str(event.details)


def test_risk_assessment_keeps_witness_flag_and_review_date_current(officer, make_witness):
    witness = make_witness()
    operations.record_risk_assessment(
        officer, witness, stage="pre_trial", level="critical", assessed_on=past(40), next_review_on=past(10)
    )
    operations.record_risk_assessment(
        officer, witness, stage="pre_trial", level="low", assessed_on=past(1), next_review_on=future(20)
    )
    db.session.commit()
    assert witness.current_risk_level == "low" and not witness.high_risk
    assert witness.next_review_on == future(20) and not witness.review_overdue()
    operations.record_risk_assessment(
        officer, witness, stage="trial", level="high", assessed_on=today_utc(), next_review_on=future(5)
    )
    assert witness.high_risk


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"stage": "closed"}, "stage"),
        ({"level": "extreme"}, "level"),
        ({"assessed_on": future(1)}, "assessed_on"),
        ({"next_review_on": None}, "next_review_on"),
        ({"next_review_on": past(5)}, "next_review_on"),
    ],
)
def test_bad_risk_assessment_is_refused(officer, make_witness, kwargs, field):
    witness = make_witness()
    args = {"stage": "pre_trial", "level": "low", "assessed_on": today_utc(), "next_review_on": future(10), **kwargs}
    with pytest.raises(ValidationFailed) as caught:
        operations.record_risk_assessment(officer, witness, **args)
    assert field in caught.value.field_errors
    db.session.rollback()
    assert witness.risk_assessments == []


def test_ending_an_assignment_is_kept_as_history(officer, make_user, make_witness):
    witness = make_witness()
    helper = make_user("support_person")
    assignment = operations.assign_support(officer, witness, helper, "support_worker")
    db.session.commit()
    assert assignment.is_active_on()
    operations.end_assignment(officer, assignment, "moved on")
    db.session.commit()
    assert not assignment.is_active_on() and assignment.ended_at is not None
    assert db.session.get(WitnessAssignment, assignment.id) is not None


def test_assignment_rules(officer, admin, make_user, make_witness):
    witness = make_witness()
    with pytest.raises(ValidationFailed) as caught:
        operations.assign_support(officer, witness, admin, "support_worker")
    assert "user_id" in caught.value.field_errors
    with pytest.raises(ValidationFailed) as caught:
        operations.assign_support(officer, witness, make_user("support_person"), "liaison_officer")
    assert "role" in caught.value.field_errors
    with pytest.raises(ValidationFailed) as caught:
        operations.assign_support(officer, witness, make_user("support_person"), "guardian", future(5), future(1))
    assert "ends_on" in caught.value.field_errors
