"""The protection plan as a record: revisions kept and never edited, bad input refused with nothing
saved, a plan task completed by the revision that answers it, the pages (witness, plan, timeline)
showing the revisions, and need-to-know per measure."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from witness_support.cases import operations as case_ops
from witness_support.db import today_utc
from witness_support.errors import ValidationFailed
from witness_support.extensions import db
from witness_support.outcomes import operations as outcome_ops
from witness_support.protection import operations as protection_ops
from witness_support.protection.models import PlanMeasure, PlanRevision
from witness_support.protection.queries import plan_for
from witness_support.tasks.models import Task

ESCORT = {"kind": "escort_to_court", "text": "Police car from the shelter", "responsible": "Insp. Rahma"}
MOVED = {"kind": "relocation", "text": "Moved to Bogor, Jl. Melati 4", "responsible": "Witness protection unit"}


def _revise(officer, witness, **fields):  # noqa: ANN001, ANN202
    fields.setdefault("measures", [ESCORT])
    fields.setdefault("review_on", today_utc() + timedelta(days=30))
    fields.setdefault("risk_assessment_id", witness.risk_assessments[0].id)
    revision = protection_ops.revise_plan(officer, witness, **fields)
    db.session.commit()
    return revision


def test_revisions_are_kept_in_order_and_the_latest_is_current(app, officer, trial_case):
    witness = trial_case().witness
    first = _revise(officer, witness, summary="First plan")
    second = _revise(officer, witness, measures=[ESCORT, MOVED, {"kind": "other", "text": "Daily prayer escort",
                                                                  "responsible": "Imam"}])
    plan = plan_for(witness.id)
    assert [r.number for r in plan.revisions] == [2, 1]
    assert plan.current.id == second.id
    assert [m.kind for m in plan.current.measures] == ["escort_to_court", "relocation", "other"]
    assert [m.kind for m in first.measures] == ["escort_to_court"]  # the earlier revision is untouched


def test_a_revision_is_never_edited_nor_deleted(app, officer, trial_case):
    revision = _revise(officer, trial_case().witness)
    measure_id = revision.measures[0].id
    with pytest.raises(DatabaseError):
        db.session.execute(sa.update(PlanMeasure).where(PlanMeasure.id == measure_id).values(text="changed"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(sa.delete(PlanRevision).where(PlanRevision.id == revision.id))
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"measures": []}, "measures", "List at least one measure."),
    ({"measures": [{"kind": "teleport", "responsible": "X"}]}, "measures", "Measure 1: choose one of"),
    ({"measures": [{"kind": "other", "responsible": "X"}]}, "measures", "Measure 1: describe the measure."),
    ({"measures": [{"kind": "police_alarm"}]}, "measures", "Measure 1: say who is responsible for it."),
    ({"review_on": None}, "review_on", "Give the date the plan is next reviewed."),
    ({"review_on": today_utc() - timedelta(days=1)}, "review_on", "The review date is in the past."),
    ({"review_on": today_utc() + timedelta(days=365 * 30)}, "review_on", ""),
    ({"risk_assessment_id": 0}, "risk_assessment_id", "Choose the risk assessment this plan answers."),
    ({"task_id": 2**31 - 1}, "task_id", "Choose an open task about this witness's protection plan."),
])
def test_bad_input_is_refused_and_nothing_saved(app, officer, trial_case, fields, field, message):
    witness = trial_case().witness
    with pytest.raises(ValidationFailed) as refused:
        _revise(officer, witness, **fields)
    assert field in refused.value.field_errors
    assert refused.value.field_errors[field].startswith(message)
    db.session.rollback()
    assert plan_for(witness.id) is None


def test_another_witnesss_risk_assessment_is_refused(app, officer, trial_case):
    one, other = trial_case(witnesses=2).witnesses
    with pytest.raises(ValidationFailed) as refused:
        _revise(officer, one, risk_assessment_id=other.risk_assessments[0].id)
    assert "risk_assessment_id" in refused.value.field_errors


def test_the_revise_task_after_a_verdict_is_completed_by_the_revision(app, officer, trial_case):
    setup = trial_case()
    outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    task = db.session.execute(sa.select(Task).where(Task.kind == "revise_protection_plan",
                                                    Task.witness_id == setup.witness.id)).scalar_one()
    assert task.done_at is None
    revision = _revise(officer, setup.witness, task_id=task.id)
    db.session.refresh(task)
    assert task.done_at is not None and revision.task_id == task.id
    with pytest.raises(ValidationFailed) as again:
        _revise(officer, setup.witness, task_id=task.id)
    assert again.value.field_errors["task_id"] == "That task is already done."


def test_someone_elses_task_is_refused(app, officer, make_user, trial_case):
    setup = trial_case()
    outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    task = db.session.execute(sa.select(Task).where(Task.kind == "revise_protection_plan")).scalar_one()
    colleague = make_user("liaison_officer")
    with pytest.raises(ValidationFailed) as refused:
        _revise(colleague, setup.witness, task_id=task.id)
    assert "another person's" in refused.value.field_errors["task_id"]


def _form(witness, **extra):  # noqa: ANN001, ANN202
    data = {"measures-0-kind": "escort_to_court", "measures-0-text": "Police car", "measures-0-responsible": "Insp. R",
            "measures-1-kind": "relocation", "measures-1-text": "Moved to Bogor", "measures-1-responsible": "WPU",
            "review_on": (today_utc() + timedelta(days=30)).isoformat(),
            "risk_assessment_id": str(witness.risk_assessments[0].id), "task_id": "0", "summary": "After the verdict"}
    data.update(extra)
    return data


def test_the_officer_revises_through_the_form_completing_the_task(app, client, auth, officer, trial_case):
    setup = trial_case()
    outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    task = db.session.execute(sa.select(Task).where(Task.kind == "revise_protection_plan")).scalar_one()
    auth.login(officer)
    form_page = client.get(f"/witnesses/{setup.witness.id}/protection-plan/revise?task={task.id}")
    assert form_page.status_code == 200 and f'selected value="{task.id}"' in form_page.get_data(as_text=True)
    response = client.post(f"/witnesses/{setup.witness.id}/protection-plan/revise",
                           data=_form(setup.witness, task_id=str(task.id)))
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.done_at is not None
    plan_page = client.get(f"/witnesses/{setup.witness.id}/protection-plan").get_data(as_text=True)
    assert "escort to court" in plan_page and "Moved to Bogor" in plan_page and "Completed a task" in plan_page
    witness_page = client.get(f"/witnesses/{setup.witness.id}").get_data(as_text=True)
    assert "Protection plan revised (revision 1)" in witness_page  # the timeline
    assert "Moved to Bogor" in witness_page  # the current plan


def test_bad_form_input_is_shown_next_to_the_field_and_nothing_saved(app, client, auth, officer, trial_case):
    witness = trial_case().witness
    auth.login(officer)
    response = client.post(f"/witnesses/{witness.id}/protection-plan/revise",
                           data=_form(witness, **{"measures-0-responsible": "", "review_on": ""}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Measure 1: say who is responsible for it." in page
    assert "Give the date the plan is next reviewed." in page
    assert plan_for(witness.id) is None


def test_a_prosecutor_sees_the_plan_but_not_where_the_witness_moved(app, client, auth, officer, prosecutor,
                                                                   trial_case):
    setup = trial_case()
    case_ops.assign_to_case(officer, setup.case, prosecutor)
    _revise(officer, setup.witness, measures=[ESCORT, MOVED])
    auth.login(prosecutor)
    page = client.get(f"/witnesses/{setup.witness.id}/protection-plan").get_data(as_text=True)
    assert "Police car from the shelter" in page
    assert "Bogor" not in page and "relocation" not in page
    # Revising shows every measure: not for a reader without the location group.
    assert client.get(f"/witnesses/{setup.witness.id}/protection-plan/revise").status_code == 404


def test_a_hidden_witness_plan_is_404(app, client, auth, make_user, officer, trial_case):
    witness = trial_case().witness
    _revise(officer, witness)
    auth.login(make_user("liaison_officer"))
    assert client.get(f"/witnesses/{witness.id}/protection-plan").status_code == 404
    assert client.get(f"/witnesses/{witness.id}/protection-plan/revise").status_code == 404
