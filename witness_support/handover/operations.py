"""Handover: one step moves a person's witness assignments, case assignments and open tasks to
one receiver, or shares them out among several (each witness to whoever has the fewest now).

All or nothing: every item is checked against every receiver before anything changes, so a
receiver who may not take one of the roles refuses the whole handover."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..cases.models import CaseAssignment
from ..db import today_utc, utc_now
from ..errors import ValidationFailed
from ..extensions import db
from ..permissions import Role
from ..tasks.models import Task
from ..witnesses.models import AssignmentRole, WitnessAssignment


@dataclass(frozen=True)
class OpenWork:
    witness_assignments: int
    case_assignments: int
    open_tasks: int

    def __bool__(self) -> bool:
        return bool(self.witness_assignments or self.case_assignments or self.open_tasks)


def _witness_assignments(user: User) -> sa.Select:
    return sa.select(WitnessAssignment).where(WitnessAssignment.user_id == user.id, WitnessAssignment.active_clause())


def _case_assignments(user: User) -> sa.Select:
    return sa.select(CaseAssignment).where(CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None))


def _open_tasks(user: User) -> sa.Select:
    return sa.select(Task).where(Task.assignee_id == user.id, Task.done_at.is_(None))


def open_work(user: User) -> OpenWork:
    def count(query: sa.Select) -> int:
        return db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()

    return OpenWork(count(_witness_assignments(user)), count(_case_assignments(user)), count(_open_tasks(user)))


def refuse_disabling_with_open_work(user: User) -> None:
    """An account cannot be disabled while work would be left with nobody."""
    work = open_work(user)
    if work:
        raise ValidationFailed({"active": (
            f"This account still has {work.witness_assignments} witness assignments, {work.case_assignments} "
            f"case assignments and {work.open_tasks} open tasks: hand them over first."
        )})


def _may_take(receiver: User, role: str) -> str | None:
    """Why `receiver` may not take an assignment in `role`, or None (the rules of assign_support)."""
    if not receiver.active:
        return f"{receiver.display_name or receiver.email}'s account is disabled."
    if receiver.role == Role.ADMIN:
        return "Administrators cannot take witnesses, cases or tasks."
    if role == AssignmentRole.LIAISON_OFFICER and receiver.role != Role.LIAISON_OFFICER:
        return f"{receiver.display_name or receiver.email} cannot take the liaison officer role."
    if role == "case" and receiver.role not in (Role.LIAISON_OFFICER, Role.PROSECUTOR):
        return f"{receiver.display_name or receiver.email} cannot be assigned to cases."
    return None


def _caseload(user_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(WitnessAssignment.user_id, sa.func.count())
        .where(WitnessAssignment.user_id.in_(user_ids), WitnessAssignment.active_clause())
        .group_by(WitnessAssignment.user_id)
    ).all()
    return dict.fromkeys(user_ids, 0) | dict(rows)


# Ids per statement when tasks are moved by id: well inside every database's parameter limit.
_CHUNK = 5000


def hand_over(actor: User, giver: User, receivers: list[User], reason: str = "") -> OpenWork:
    """Move everything `giver` holds to `receivers`; returns what moved. The caller commits.

    Set-based: a few statements however much moves (ending the giver's assignments, inserting the
    receivers', moving the tasks per receiver), so a leaver's 500 witnesses and their tasks go in
    one short transaction (docs/performance.md)."""
    receivers = [r for r in dict.fromkeys(receivers) if r.id != giver.id]
    if not receivers:
        raise ValidationFailed({"receivers": "Choose at least one person other than the one handing over."})
    today, now = today_utc(), utc_now()
    witness_rows = db.session.execute(
        _witness_assignments(giver).with_only_columns(WitnessAssignment.witness_id, WitnessAssignment.role)
        .order_by(WitnessAssignment.id)).all()
    case_rows = db.session.execute(
        _case_assignments(giver).with_only_columns(CaseAssignment.case_id, CaseAssignment.role)
        .order_by(CaseAssignment.id)).all()
    tasks = db.session.execute(
        _open_tasks(giver).with_only_columns(Task.id, Task.witness_id, Task.case_id).order_by(Task.id)).all()
    needed = {role for _w, role in witness_rows} | ({"case"} if case_rows else set())
    problems = sorted({p for r in receivers for role in needed if (p := _may_take(r, role))})
    if problems:
        raise ValidationFailed({"receivers": " ".join(problems)})  # checked before anything moved

    # Round-robin by current caseload: each witness goes to the receiver holding fewest now.
    load = _caseload([r.id for r in receivers])
    heap = [(load[r.id], r.id) for r in receivers]
    heapq.heapify(heap)
    by_id = {r.id: r for r in receivers}
    witness_to: dict[int, int] = {}
    held = {tuple(row) for row in db.session.execute(
        sa.select(WitnessAssignment.witness_id, WitnessAssignment.user_id, WitnessAssignment.role)
        .where(WitnessAssignment.user_id.in_(list(by_id)), WitnessAssignment.active_clause(today))
    ).all()}
    new_assignments = []
    for witness_id, role in witness_rows:
        receiver_id = witness_to.get(witness_id)
        if receiver_id is None:
            count, receiver_id = heapq.heappop(heap)
            heapq.heappush(heap, (count + 1, receiver_id))
            witness_to[witness_id] = receiver_id
        if (witness_id, receiver_id, role) not in held:
            held.add((witness_id, receiver_id, role))
            new_assignments.append({"witness_id": witness_id, "user_id": receiver_id, "role": role,
                                    "starts_on": today, "created_at": now, "created_by_id": actor.id})
    if witness_rows:
        db.session.execute(
            sa.update(WitnessAssignment)
            .where(WitnessAssignment.user_id == giver.id, WitnessAssignment.active_clause(today))
            .values(ended_at=now, ends_on=today))
    if new_assignments:
        db.session.execute(sa.insert(WitnessAssignment), new_assignments)
    case_to = {case_id: receivers[i % len(receivers)].id for i, (case_id, _role) in enumerate(case_rows)}
    if case_rows:
        db.session.execute(
            sa.update(CaseAssignment)
            .where(CaseAssignment.user_id == giver.id, CaseAssignment.ended_at.is_(None))
            .values(ended_at=now))
        db.session.execute(sa.insert(CaseAssignment), [
            {"case_id": case_id, "user_id": receivers[i % len(receivers)].id, "role": role, "created_at": now}
            for i, (case_id, role) in enumerate(case_rows)])
    task_to: dict[int, list[int]] = {}
    for index, (task_id, witness_id, case_id) in enumerate(tasks):
        receiver_id = witness_to.get(witness_id) or case_to.get(case_id) or receivers[index % len(receivers)].id
        task_to.setdefault(receiver_id, []).append(task_id)
    for receiver_id, ids in task_to.items():
        for start in range(0, len(ids), _CHUNK):
            db.session.execute(sa.update(Task).where(Task.id.in_(ids[start:start + _CHUNK]))
                               .values(assignee_id=receiver_id))
    moved = OpenWork(len(witness_rows), len(case_rows), len(tasks))
    audit.record("user.handover", giver, actor=actor, details={
        "to": sorted(by_id), "witness_assignments": moved.witness_assignments,
        "case_assignments": moved.case_assignments, "open_tasks": moved.open_tasks, "reason": reason[:500],
    })
    db.session.flush()
    return moved
