"""Case and journey rules, tested without HTTP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import future, past, review_before_closing
from witness_support.audit import AuditEvent
from witness_support.cases import operations
from witness_support.cases.models import CaseAssignment, JourneyTransition
from witness_support.errors import Conflict, OperationError, ValidationFailed
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops


def test_case_creator_is_assigned(prosecutor, make_case):
    case = make_case(by=prosecutor)
    assignment = db.session.execute(sa.select(CaseAssignment).where(CaseAssignment.case_id == case.id)).scalar_one()
    assert (assignment.user_id, assignment.role) == (prosecutor.id, "prosecutor")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"court_timezone": "Mars/Olympus"}, "court_timezone"),
        ({"court_timezone": ""}, "court_timezone"),
        ({"reference": " "}, "reference"),
        ({"court_name": ""}, "court_name"),
        ({"offence_type": ""}, "offence_type"),
    ],
)
def test_bad_case_is_refused(officer, app, data, field):
    args = {"reference": "C-1", "court_name": "Court", "court_timezone": "Asia/Bangkok", "offence_type": "TIP", **data}
    with pytest.raises(ValidationFailed) as caught:
        operations.create_case(officer, **args)
    assert field in caught.value.field_errors


def test_duplicate_case_reference_is_refused(officer, make_case):
    make_case(reference="DUP-1")
    with pytest.raises(ValidationFailed) as caught:
        make_case(reference="DUP-1")
    assert "reference" in caught.value.field_errors


def test_a_witness_is_linked_to_a_case_once(officer, make_case, make_witness, make_journey):
    case, witness = make_case(), make_witness()
    journey = make_journey(witness=witness, case=case)
    assert journey.stage == "pre_trial"
    assert [(t.from_stage, t.to_stage) for t in journey.transitions] == [(None, "pre_trial")]
    with pytest.raises(Conflict):
        operations.start_journey(officer, case, witness)
    # ...but the same witness can be in several cases.
    assert make_journey(witness=witness).witness_id == witness.id


def test_entering_a_stage_needs_a_current_assessment_for_that_stage(officer, make_journey, assess):
    journey = make_journey()
    with pytest.raises(OperationError, match="risk assessment for the trial stage"):
        operations.transition_journey(officer, journey, "trial")
    assess(journey.witness, stage="pre_trial")  # the wrong stage does not count
    with pytest.raises(OperationError):
        operations.transition_journey(officer, journey, "trial")
    assess(journey.witness, stage="trial", days_ago=31)  # too old
    with pytest.raises(OperationError):
        operations.transition_journey(officer, journey, "trial")
    db.session.rollback()
    assert journey.stage == "pre_trial"
    assess(journey.witness, stage="trial", days_ago=30)
    transition = operations.transition_journey(officer, journey, "trial")
    db.session.commit()
    assert journey.stage == "trial" and transition.actor_id == officer.id


def test_assessment_age_is_a_setting(app, officer, make_journey, assess):
    journey = make_journey()
    assess(journey.witness, stage="trial", days_ago=10)
    app.config["RISK_ASSESSMENT_MAX_AGE_DAYS"] = 7
    with pytest.raises(OperationError, match="last 7 days"):
        operations.transition_journey(officer, journey, "trial")


def test_reflection_period_needs_an_audited_override(officer, make_witness, make_journey, assess):
    witness = make_witness(reflection_start=past(5), reflection_end=future(25))
    journey = make_journey(witness=witness)
    assess(witness, stage="trial")
    with pytest.raises(OperationError) as caught:
        operations.transition_journey(officer, journey, "trial")
    assert "override_reason" in caught.value.field_errors
    operations.transition_journey(officer, journey, "trial", override_reason="Court fixed the date; witness agrees.")
    db.session.commit()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "journey.transition")).scalar_one()
    assert event.details["reflection_override"] == "Court fixed the date; witness agrees."
    assert journey.transitions[-1].override_reason == "Court fixed the date; witness agrees."


def test_a_child_needs_a_guardian_to_reach_trial(officer, make_user, make_witness, make_journey, assess):
    child = make_witness(presumed_child=True)
    journey = make_journey(witness=child)
    assess(child, stage="trial")
    with pytest.raises(OperationError, match="guardian"):
        operations.transition_journey(officer, journey, "trial")
    witness_ops.assign_support(officer, child, make_user("support_person"), "guardian")
    operations.transition_journey(officer, journey, "trial")
    assert journey.stage == "trial"


def test_going_back_skipping_or_closing_needs_a_reason(officer, make_journey, assess):
    journey = make_journey()
    assess(journey.witness, stage="trial")
    assess(journey.witness, stage="pre_trial")
    operations.transition_journey(officer, journey, "trial")
    with pytest.raises(ValidationFailed) as caught:
        operations.transition_journey(officer, journey, "pre_trial")
    assert "reason" in caught.value.field_errors
    operations.transition_journey(officer, journey, "pre_trial", reason="Trial adjourned to next term.")
    with pytest.raises(ValidationFailed):
        operations.transition_journey(officer, journey, "closed")
    review_before_closing(officer, journey)
    operations.transition_journey(officer, journey, "closed", reason="Charges withdrawn by the prosecution.")
    db.session.commit()
    stages = [(t.from_stage, t.to_stage, t.reason) for t in journey.transitions]
    assert stages[-2:] == [
        ("trial", "pre_trial", "Trial adjourned to next term."),
        ("pre_trial", "closed", "Charges withdrawn by the prosecution."),
    ]


def test_unknown_or_same_stage_is_refused(officer, make_journey):
    journey = make_journey()
    for target in ("verdict", "pre_trial"):
        with pytest.raises(ValidationFailed) as caught:
            operations.transition_journey(officer, journey, target)
        assert "to" in caught.value.field_errors
    assert db.session.execute(sa.select(sa.func.count()).select_from(JourneyTransition)).scalar() == 1


def test_declined_witness_journey_stays_open(officer, make_journey):
    journey = make_journey()
    witness_ops.update_witness(officer, journey.witness, participation="withdrawn")
    db.session.commit()
    assert journey.stage == "pre_trial"


def test_custody_status_is_validated_and_audited(officer, make_case):
    case = make_case()
    with pytest.raises(ValidationFailed):
        operations.add_defendant(officer, case, name="Invented Accused", custody_status="free")
    defendant = operations.add_defendant(officer, case, name="Invented Accused", custody_status="remanded")
    operations.set_custody_status(officer, defendant, "bailed")
    db.session.commit()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "defendant.custody")).scalar_one()
    assert event.details == {"from": "remanded", "to": "bailed"}


def test_only_active_prosecutors_and_officers_work_on_cases(officer, make_user, make_case):
    case = make_case()
    with pytest.raises(ValidationFailed):
        operations.assign_to_case(officer, case, make_user("support_person"))
    colleague = make_user("prosecutor")
    operations.assign_to_case(officer, case, colleague)
    with pytest.raises(Conflict):
        operations.assign_to_case(officer, case, colleague)
