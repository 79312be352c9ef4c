"""Tasks people write, reassign, comment on and complete; the tasks page; system tasks grouped."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.audit import AuditEvent
from witness_support.auth.models import Team
from witness_support.cases import operations as case_ops
from witness_support.errors import NotFound, ValidationFailed
from witness_support.extensions import db
from witness_support.outcomes import operations as outcome_ops
from witness_support.tasks import operations as task_ops
from witness_support.tasks.models import Task
from witness_support.tasks.queries import TaskFilters, assignable_people, list_tasks
from witness_support.witnesses import operations as witness_ops


@pytest.fixture
def colleague(make_user):  # noqa: ANN001, ANN201
    return make_user(display_name="Cora Colleague")


def test_write_a_task_for_a_colleague_who_may_see_the_witness(app, officer, colleague, make_user, make_witness):
    witness = make_witness()
    stranger = make_user(display_name="Stan Stranger")
    with pytest.raises(ValidationFailed) as refused:
        task_ops.write_task(officer, title="Call back", assignee=stranger, witness_id=witness.id)
    assert "assignee_id" in refused.value.field_errors
    assert [u.id for u in assignable_people(witness.id)] == [officer.id]
    witness_ops.assign_support(officer, witness, colleague, "liaison_officer")
    task = task_ops.write_task(officer, title=f"Call {witness.reference} back", assignee=colleague,
                               witness_id=witness.id, due_on=future(2))
    db.session.commit()
    assert task.kind == "manual" and task.created_by_id == officer.id and task.assignee_id == colleague.id
    assert {u.id for u in assignable_people(witness.id)} == {officer.id, colleague.id}
    with pytest.raises(NotFound):  # a witness the writer may not see answers as if missing
        task_ops.write_task(stranger, title="Peek", assignee=stranger, witness_id=witness.id)
    with pytest.raises(ValidationFailed) as empty:
        task_ops.write_task(officer, title="  ", assignee=officer)
    assert {"title", "witness_id"} <= set(empty.value.field_errors)


def test_a_liaison_officer_of_the_witness_may_complete_and_the_trail_says_who(
    app, officer, colleague, make_user, make_witness
):
    witness = make_witness()
    witness_ops.assign_support(officer, witness, colleague, "liaison_officer")
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    task = task_ops.write_task(officer, title="Book a room", assignee=officer, witness_id=witness.id)
    db.session.commit()
    with pytest.raises(ValidationFailed):  # sees the witness, but is not a liaison officer
        task_ops.complete_task(interpreter, task)
    with pytest.raises(NotFound):
        task_ops.complete_task(make_user(), task)
    task_ops.complete_task(colleague, task, "Booked")
    db.session.commit()
    assert task.done_by_id == colleague.id
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "task.done")).scalar_one()
    assert event.actor_id == colleague.id and event.details["assignee_id"] == officer.id


def test_reassign_and_comment(app, officer, colleague, make_user, make_witness):
    witness = make_witness()
    task = task_ops.write_task(officer, title="Check travel", assignee=officer, witness_id=witness.id)
    with pytest.raises(ValidationFailed):
        task_ops.reassign_task(officer, task, colleague)  # not assigned to the witness yet
    witness_ops.assign_support(officer, witness, colleague, "support_worker")
    task_ops.reassign_task(officer, task, colleague)
    task_ops.comment_on_task(colleague, task, "Tickets booked for Tuesday")
    with pytest.raises(ValidationFailed):
        task_ops.comment_on_task(colleague, task, " ")
    with pytest.raises(NotFound):
        task_ops.comment_on_task(make_user(), task, "nosy")
    db.session.commit()
    assert task.assignee_id == colleague.id and [c.body for c in task.comments] == ["Tickets booked for Tuesday"]
    actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.object_type == "task")).scalars().all()
    assert {"task.create", "task.reassign", "task.comment"} <= set(actions)


def test_the_tasks_page_lists_mine_my_teams_and_overdue(app, client, auth, officer, colleague, make_witness):
    witness = make_witness()
    witness_ops.assign_support(officer, witness, colleague, "liaison_officer")
    mine = task_ops.write_task(officer, title="Mine to do", assignee=officer, witness_id=witness.id, due_on=future(3))
    theirs = task_ops.write_task(officer, title="Theirs to do", assignee=colleague, witness_id=witness.id,
                                 due_on=past(2))
    team = Team(name="North unit")
    team.members = [officer, colleague]
    db.session.add(team)
    db.session.commit()
    assert [t.id for t in list_tasks(officer, TaskFilters("mine"))] == [mine.id]
    assert {t.id for t in list_tasks(officer, TaskFilters("team"))} == {mine.id, theirs.id}
    assert [t.id for t in list_tasks(officer, TaskFilters("overdue"))] == [theirs.id]
    auth.login(officer)
    page = client.get("/tasks/", query_string={"view": "team", "kind": "manual"}).get_data(as_text=True)
    assert "Mine to do" in page and "Theirs to do" in page
    page = client.get("/tasks/", query_string={"view": "overdue"}).get_data(as_text=True)
    assert "Theirs to do" in page and "Mine to do" not in page


def test_web_write_reassign_comment_complete(app, client, auth, officer, colleague, make_user, make_witness):
    witness = make_witness()
    witness_ops.assign_support(officer, witness, colleague, "liaison_officer")
    stranger = make_user()
    db.session.commit()
    auth.login(officer)
    bad = client.post(f"/tasks/new?witness={witness.id}", data={"title": "Visit", "assignee_id": stranger.id})
    assert bad.status_code == 200 and "Not a valid choice" in bad.get_data(as_text=True)
    response = client.post(f"/tasks/new?witness={witness.id}",
                           data={"title": "Visit the shelter", "assignee_id": colleague.id})
    assert response.status_code == 302
    task = db.session.execute(sa.select(Task).where(Task.title == "Visit the shelter")).scalar_one()
    client.post(f"/tasks/{task.id}/comments", data={"body": "Shelter says Thursday"})
    client.post(f"/tasks/{task.id}/reassign", data={"assignee_id": officer.id})
    client.post(f"/tasks/{task.id}/done", data={"note": "Visited"})
    db.session.refresh(task)
    assert task.assignee_id == officer.id and task.done_by_id == officer.id and len(task.comments) == 1
    auth.logout()
    auth.login(stranger)
    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert client.get(f"/tasks/new?witness={witness.id}").status_code == 404


def test_one_verdict_per_defendant_raises_one_task_per_witness(app, officer, trial_case):
    setup = trial_case(witnesses=2)
    second = case_ops.add_defendant(officer, setup.case, name="Second Invented Defendant", custody_status="remanded")
    db.session.commit()
    for defendant in (setup.defendant, second):
        outcome_ops.record_outcome(officer, defendant, verdict="convicted", charges="Trafficking in persons")
        db.session.commit()
    tasks = db.session.execute(sa.select(Task).where(Task.kind == "revise_protection_plan")).scalars().all()
    assert sorted(t.witness_id for t in tasks) == sorted(w.id for w in setup.witnesses)
