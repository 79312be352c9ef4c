"""Testimonial aids: the lifecycle, the decision task, and the child set proposed automatically."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from tests.helpers import future, past
from witness_support.aids import operations as aid_ops
from witness_support.aids.models import CHILD_AID_KINDS, TestimonialAid
from witness_support.cases import operations as case_ops
from witness_support.errors import Conflict, OperationError, ValidationFailed
from witness_support.extensions import db
from witness_support.tasks.models import Task
from witness_support.witnesses import operations as witness_ops

CHILD_SET = sorted(k.value for k in CHILD_AID_KINDS)


def _aids(witness) -> list[TestimonialAid]:  # noqa: ANN001
    return list(db.session.execute(
        sa.select(TestimonialAid).where(TestimonialAid.witness_id == witness.id).order_by(TestimonialAid.id)
    ).scalars())


def test_lifecycle_needed_applied_granted_with_history(officer, make_journey):
    journey = make_journey()
    aid = aid_ops.propose_aid(officer, journey.witness, journey.case, "screen", "Defendant's family in court.")
    aid_ops.change_aid_status(officer, aid, "applied", on=past(3))
    aid_ops.change_aid_status(officer, aid, "granted", on=past(1), order_reference="ORD-77")
    db.session.commit()
    assert (aid.status, aid.applied_on, aid.decided_on, aid.order_reference) == ("granted", past(3), past(1), "ORD-77")
    assert [(h.from_status, h.to_status) for h in aid.history] == [
        (None, "needed"), ("needed", "applied"), ("applied", "granted")]


@pytest.mark.parametrize(("path", "bad"), [
    ([], "granted"), ([], "refused"), (["applied"], "needed"), (["applied", "granted"], "withdrawn"),
    (["withdrawn"], "applied"), (["applied", "refused"], "granted"),
])
def test_invalid_moves_are_refused_with_a_clear_message(officer, make_journey, path, bad):
    journey = make_journey()
    aid = aid_ops.propose_aid(officer, journey.witness, journey.case, "closed_court")
    for status in path:
        aid_ops.change_aid_status(officer, aid, status)
    db.session.commit()
    before = aid.status
    with pytest.raises(OperationError) as caught:
        aid_ops.change_aid_status(officer, aid, bad)
    assert f"from {before} to {bad}" in caught.value.message
    db.session.rollback()
    assert db.session.get(TestimonialAid, aid.id).status == before


def test_withdrawn_from_needed_and_from_applied(officer, make_journey):
    journey = make_journey()
    first = aid_ops.propose_aid(officer, journey.witness, journey.case, "intermediary")
    aid_ops.change_aid_status(officer, first, "withdrawn")
    second = aid_ops.propose_aid(officer, journey.witness, journey.case, "communication_aid")
    aid_ops.change_aid_status(officer, second, "applied")
    aid_ops.change_aid_status(officer, second, "withdrawn")
    assert (first.status, second.status) == ("withdrawn", "withdrawn")


def test_bad_aid_input(officer, make_journey, make_case):
    journey = make_journey()
    with pytest.raises(ValidationFailed) as caught:
        aid_ops.propose_aid(officer, journey.witness, journey.case, "teleportation")
    assert "kind" in caught.value.field_errors
    with pytest.raises(ValidationFailed) as caught:
        aid_ops.propose_aid(officer, journey.witness, make_case(), "screen")
    assert "case_id" in caught.value.field_errors
    aid = aid_ops.propose_aid(officer, journey.witness, journey.case, "screen")
    with pytest.raises(Conflict):
        aid_ops.propose_aid(officer, journey.witness, journey.case, "screen")
    with pytest.raises(ValidationFailed) as caught:
        aid_ops.change_aid_status(officer, aid, "applied", on=future(2))
    assert "on" in caught.value.field_errors


def test_decision_raises_a_task_for_each_liaison_officer_titled_by_reference(
    officer, make_user, make_journey
):
    journey = make_journey()
    witness = journey.witness
    second_officer = make_user("liaison_officer")
    witness_ops.assign_support(officer, witness, second_officer, "liaison_officer")
    aid = aid_ops.propose_aid(officer, witness, journey.case, "video_link")
    aid_ops.change_aid_status(officer, aid, "applied")
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Task)).scalar() == 0
    aid_ops.change_aid_status(officer, aid, "refused", note="Judge found no need.")
    db.session.commit()
    tasks = db.session.execute(sa.select(Task).order_by(Task.assignee_id)).scalars().all()
    assert sorted(t.assignee_id for t in tasks) == sorted([officer.id, second_officer.id])
    for task in tasks:
        assert task.kind == "aid_decision" and (task.source_type, task.source_id) == ("aid", aid.id)
        assert witness.reference in task.title and "refused" in task.title
        assert witness.legal_name not in task.title
        assert task.witness_id == witness.id and task.due_at is not None


def test_child_set_proposed_when_a_child_is_linked_to_a_case(officer, make_case, make_witness):
    child = make_witness(presumed_child=True)
    case = make_case()
    case_ops.start_journey(officer, case, child)
    db.session.commit()
    aids = _aids(child)
    assert sorted(a.kind for a in aids) == CHILD_SET
    assert all(a.status == "needed" and a.proposed_automatically and a.case_id == case.id for a in aids)


def test_adult_gets_no_child_set(officer, make_case, make_witness):
    adult = make_witness(date_of_birth=date(1990, 5, 1))
    case_ops.start_journey(officer, make_case(), adult)
    assert _aids(adult) == []


@pytest.mark.parametrize("change", [
    {"presumed_child": True},
    {"age_assessment": "child"},
    {"date_of_birth": "sixteen"},
])
def test_child_set_proposed_when_a_witness_becomes_a_child(officer, make_journey, change):
    journey = make_journey()
    witness = journey.witness
    assert _aids(witness) == []
    if change.get("date_of_birth") == "sixteen":
        today = date.today()
        change = {"date_of_birth": today.replace(year=today.year - 16, day=1)}
    witness_ops.update_witness(officer, witness, **change)
    db.session.commit()
    assert sorted(a.kind for a in _aids(witness)) == CHILD_SET


def test_child_set_is_not_proposed_twice(officer, make_case, make_witness):
    child = make_witness(presumed_child=True)
    case = make_case()
    case_ops.start_journey(officer, case, child)
    aid = _aids(child)[0]
    aid_ops.change_aid_status(officer, aid, "withdrawn")
    witness_ops.update_witness(officer, child, age_assessment="child")  # becomes a child "again"
    aid_ops.propose_child_aids(officer, child)
    db.session.commit()
    assert len(_aids(child)) == 3
    # A second case gets its own set.
    case_ops.start_journey(officer, make_case(), child)
    assert len(_aids(child)) == 6


def test_date_of_birth_decides_on_the_first_trial_date(officer, make_case, make_witness, make_journey, make_event):
    today = date.today()
    # 17 today, 18 in 20 days: a child now, an adult on a trial in 30 days.
    turning = today - relativedelta(years=18) + timedelta(days=20)
    witness = make_witness(date_of_birth=turning)
    case = make_case()
    make_event(case, kind="trial_day", days=30)
    make_journey(witness, case)
    assert _aids(witness) == []
    # A witness under 18 on the trial date gets the child set when the trial day is set.
    young = make_witness(date_of_birth=today.replace(year=today.year - 15, day=1))
    later_case = make_case()
    journey = case_ops.start_journey(officer, later_case, young)
    db.session.commit()
    assert len(_aids(young)) == 3
    assert journey is not None


def test_scheduling_a_trial_day_proposes_for_a_child_who_was_not_yet(officer, make_case, make_witness, make_journey,
                                                                    make_event):
    witness = make_witness()
    case = make_case()
    make_journey(witness, case)
    witness.presumed_child = True  # changed behind the operations' back: the trial day still catches it
    db.session.commit()
    make_event(case, [witness], kind="trial_day")
    assert sorted(a.kind for a in _aids(witness)) == CHILD_SET


def test_a_child_cannot_reach_trial_without_a_guardian(officer, support_person, make_case, make_witness, assess):
    child = make_witness(presumed_child=True)
    journey = case_ops.start_journey(officer, make_case(), child)
    assess(child, "trial")
    with pytest.raises(OperationError) as caught:
        case_ops.transition_journey(officer, journey, "trial")
    assert "guardian" in caught.value.message
    db.session.rollback()
    witness_ops.assign_support(officer, child, support_person, "guardian")
    case_ops.transition_journey(officer, journey, "trial")
    db.session.commit()
    assert journey.stage == "trial"


def test_an_ended_guardian_does_not_count(officer, support_person, make_case, make_witness, assess):
    child = make_witness(presumed_child=True)
    journey = case_ops.start_journey(officer, make_case(), child)
    assess(child, "trial")
    guardian = witness_ops.assign_support(officer, child, support_person, "guardian")
    witness_ops.end_assignment(officer, guardian)
    with pytest.raises(OperationError):
        case_ops.transition_journey(officer, journey, "trial")
