"""Handover: an officer's witnesses, cases and open tasks move in one audited step, or not at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from witness_support.audit import AuditEvent
from witness_support.cases.models import CaseAssignment
from witness_support.errors import ValidationFailed
from witness_support.extensions import db
from witness_support.handover import operations as handover_ops
from witness_support.tasks import operations as task_ops
from witness_support.tasks.models import Task
from witness_support.witnesses.models import WitnessAssignment


def _active_witnesses(user) -> set[int]:  # noqa: ANN001
    return set(db.session.execute(sa.select(WitnessAssignment.witness_id).where(
        WitnessAssignment.user_id == user.id, WitnessAssignment.active_clause())).scalars())


@pytest.fixture
def leaver_work(make_user, make_witness, make_case, make_journey):  # noqa: ANN001, ANN201
    leaver = make_user(display_name="Lee Leaver")
    witnesses = [make_witness(by=leaver) for _ in range(4)]
    case = make_case(by=leaver)
    make_journey(witness=witnesses[0], case=case, by=leaver)
    tasks = [task_ops.write_task(leaver, title=f"Call {w.reference}", assignee=leaver, witness_id=w.id)
             for w in witnesses]
    db.session.commit()
    return leaver, witnesses, case, tasks


def test_one_receiver_takes_everything(app, admin, make_user, leaver_work):
    leaver, witnesses, case, tasks = leaver_work
    receiver = make_user(display_name="Rae Receiver")
    moved = handover_ops.hand_over(admin, leaver, [receiver], "leaving")
    db.session.commit()
    assert (moved.witness_assignments, moved.case_assignments, moved.open_tasks) == (4, 1, 4)
    assert _active_witnesses(leaver) == set() and _active_witnesses(receiver) == {w.id for w in witnesses}
    assert db.session.execute(sa.select(CaseAssignment.user_id).where(
        CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None))).scalars().all() == [receiver.id]
    assert {t.assignee_id for t in db.session.execute(sa.select(Task)).scalars()} == {receiver.id}
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "user.handover")).scalar_one()
    assert event.actor_id == admin.id and event.details["witness_assignments"] == 4
    assert not handover_ops.open_work(leaver)


def test_shared_among_a_team_fewest_first_and_tasks_follow_their_witness(
    app, admin, make_user, make_witness, leaver_work
):
    leaver, witnesses, _, _ = leaver_work
    busy, free = make_user(display_name="Busy"), make_user(display_name="Free")
    make_witness(by=busy), make_witness(by=busy)  # busy already holds two
    handover_ops.hand_over(admin, leaver, [busy, free])
    db.session.commit()
    got_busy, got_free = _active_witnesses(busy) & {w.id for w in witnesses}, _active_witnesses(free)
    assert (len(got_busy), len(got_free)) == (1, 3)
    for task in db.session.execute(sa.select(Task)).scalars():
        assert task.witness_id in (_active_witnesses(task.assignee))


def test_a_receiver_who_may_not_take_the_role_refuses_the_whole_handover(app, admin, make_user, leaver_work):
    leaver, witnesses, _, tasks = leaver_work
    officer_ok, support = make_user(), make_user("support_person")
    with pytest.raises(ValidationFailed) as refused:
        handover_ops.hand_over(admin, leaver, [officer_ok, support])
    assert "liaison officer role" in refused.value.field_errors["receivers"]
    db.session.rollback()
    assert _active_witnesses(leaver) == {w.id for w in witnesses}
    assert _active_witnesses(officer_ok) == set()
    assert {t.assignee_id for t in db.session.execute(sa.select(Task)).scalars()} == {leaver.id}
    assert not db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "user.handover")).first()


def test_an_account_with_open_work_cannot_be_disabled_until_handed_over(
    app, client, auth, admin, make_user, leaver_work
):
    leaver, _, _, _ = leaver_work
    receiver = make_user()
    auth.login(admin)
    page = client.get(f"/admin/users/{leaver.id}").get_data(as_text=True)
    assert f"/admin/users/{leaver.id}/handover" in page and "cannot be disabled" in page
    refused = client.post(f"/admin/users/{leaver.id}", data={"role": "liaison_officer", "active": "0",
                                                            "supervisor_id": 0})
    assert refused.status_code == 200 and "hand them over first" in refused.get_data(as_text=True)
    db.session.refresh(leaver)
    assert leaver.active
    response = client.post(f"/admin/users/{leaver.id}/handover", data={"receivers": [receiver.id]})
    assert response.status_code == 302
    client.post(f"/admin/users/{leaver.id}", data={"role": "liaison_officer", "active": "0", "supervisor_id": 0})
    db.session.refresh(leaver)
    assert not leaver.active


def test_the_handover_costs_the_same_statements_however_much_moves(app, admin, make_user, make_witness,
                                                                     count_queries):
    """A leaver's 500 witnesses move in one short transaction: a few set-based statements, not
    one per assignment or task (docs/performance.md)."""
    def statements(witnesses: int) -> int:
        leaver, receiver = make_user(), make_user()
        for witness in [make_witness(by=leaver) for _ in range(witnesses)]:
            task_ops.write_task(leaver, title=f"Call {witness.reference}", assignee=leaver, witness_id=witness.id)
        db.session.commit()
        with count_queries() as ran:
            moved = handover_ops.hand_over(admin, leaver, [receiver])
            db.session.commit()
        assert moved.witness_assignments == moved.open_tasks == witnesses
        assert _active_witnesses(receiver) and not handover_ops.open_work(leaver)
        return len(ran)

    assert statements(2) == statements(9)
