"""The rules about tasks: raising them (the system, grouped per event), writing, reassigning,
commenting on and completing them (people)."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from .. import audit
from ..auth.models import User
from ..db import utc_now
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..permissions import Role
from .models import Task, TaskComment
from .queries import may_see_task, may_take_task


def create_task(
    assignee: User | int,
    kind: str,
    title: str,
    *,
    due_at: datetime | None = None,
    witness_id: int | None = None,
    case_id: int | None = None,
    urgent: bool = False,
    source: tuple[str, int] | None = None,
    dedup_key: str | None = None,
    group_open: bool = False,
    actor: User | None = None,
) -> Task:
    """Raise a task; with a dedup_key an existing task with that key is returned instead.

    `group_open`: an open task of the same kind for the same witness and case is returned
    instead of a new one, so that one event touching a witness several times (a verdict on each
    of eight defendants) leaves that witness's officer one task, not eight."""
    existing = None
    if dedup_key:
        existing = db.session.execute(sa.select(Task).where(Task.dedup_key == dedup_key)).scalar_one_or_none()
    if existing is None and group_open:
        existing = db.session.execute(
            sa.select(Task).where(Task.kind == kind, Task.witness_id == witness_id, Task.case_id == case_id,
                                  Task.done_at.is_(None)).order_by(Task.id).limit(1)
        ).scalar_one_or_none()
    if existing is not None:
        if urgent and not existing.urgent:
            existing.urgent = True
        return existing
    task = Task(
        assignee_id=assignee if isinstance(assignee, int) else assignee.id,
        kind=kind,
        title=title[:300],
        due_at=due_at,
        witness_id=witness_id,
        case_id=case_id,
        urgent=urgent,
        source_type=source[0] if source else None,
        source_id=source[1] if source else None,
        dedup_key=dedup_key,
    )
    db.session.add(task)
    db.session.flush()
    audit.record("task.create", task, actor=actor, details={"kind": kind})
    return task


def _due_at(due_on: date | None) -> datetime | None:
    """A due date means the end of that day (UTC): a task due today is not overdue this morning."""
    return None if due_on is None else datetime.combine(due_on, time(23, 59, 59), tzinfo=UTC)


def write_task(
    actor: User, *, title: str, assignee: User | None, due_on: date | None = None,
    witness_id: int | None = None, case_id: int | None = None, urgent: bool = False,
) -> Task:
    """A task a person writes: linked to a witness or a case the writer may see, for someone who
    may see it too (or for the writer)."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Say what needs doing."
    elif len(title) > 300:
        errors["title"] = "At most 300 characters."
    if (witness_id is None) == (case_id is None):
        errors["witness_id"] = "Link the task to one witness or one case."
    if assignee is None:
        errors["assignee_id"] = "Choose who will do it."
    if errors:
        raise ValidationFailed(errors)
    probe = Task(witness_id=witness_id, case_id=case_id, created_by_id=actor.id)
    if not may_see_task(actor, probe):
        raise NotFound()  # a witness or case the writer may not see answers as if missing
    if not assignee.active or not may_take_task(assignee, probe):
        raise ValidationFailed({"assignee_id": "That person may not see this witness or case."})
    task = Task(assignee_id=assignee.id, kind="manual", title=title, due_at=_due_at(due_on),
                witness_id=witness_id, case_id=case_id, urgent=urgent, created_by_id=actor.id)
    db.session.add(task)
    db.session.flush()
    audit.record("task.create", task, actor=actor, details={"kind": "manual", "assignee_id": assignee.id})
    return task


def may_complete(user: User, task: Task) -> bool:
    """The assignee; or, for a task on a witness, any liaison officer who may see that witness
    (colleagues cover for each other); the audit trail says who did it."""
    if task.assignee_id == user.id:
        return True
    if user.role != Role.LIAISON_OFFICER or not user.active:
        return False
    return (task.witness_id is not None or task.case_id is not None) and may_take_task(user, task)


def complete_task(actor: User, task: Task, note: str = "") -> Task:
    if not may_see_task(actor, task):
        raise NotFound()
    if not may_complete(actor, task):
        raise ValidationFailed({"task": "Only the assignee or a liaison officer of the witness can complete it."})
    if task.done_at is not None:
        raise Conflict("This task is already done.")
    task.done_at = utc_now()
    task.done_by_id = actor.id
    task.note = (note or "")[:2000]
    audit.record("task.done", task, actor=actor,
                 details={"assignee_id": task.assignee_id} if task.assignee_id != actor.id else None)
    db.session.flush()
    return task


def reassign_task(actor: User, task: Task, assignee: User | None) -> Task:
    if not may_see_task(actor, task):
        raise NotFound()
    if task.done_at is not None:
        raise Conflict("This task is already done.")
    if assignee is None or not assignee.active or not may_take_task(assignee, task):
        raise ValidationFailed({"assignee_id": "That person may not see this witness or case."})
    if assignee.id == task.assignee_id:
        return task
    before = task.assignee_id
    task.assignee_id = assignee.id
    audit.record("task.reassign", task, actor=actor, details={"from": before, "to": assignee.id})
    db.session.flush()
    return task


def comment_on_task(actor: User, task: Task, body: str) -> TaskComment:
    if not may_see_task(actor, task):
        raise NotFound()
    body = (body or "").strip()
    if not body:
        raise ValidationFailed({"body": "Write the comment."})
    if len(body) > 2000:
        raise ValidationFailed({"body": "At most 2,000 characters."})
    comment = TaskComment(task_id=task.id, author_id=actor.id, body=body)
    db.session.add(comment)
    db.session.flush()
    audit.record("task.comment", task, actor=actor, details={"comment_id": comment.id})
    return comment


@functools.cache
def _open_tasks_statement() -> sa.Select:
    return (sa.select(Task)
            .where(Task.assignee_id == sa.bindparam("user_id", type_=sa.Integer), Task.done_at.is_(None))
            .order_by(Task.urgent.desc(), Task.due_at.is_(None), Task.due_at, Task.id)
            .limit(sa.bindparam("limit", type_=sa.Integer)))


def open_tasks_for(user: User, limit: int = 100) -> list[Task]:
    """Urgent first, then by due date (undated last); the statement is built once (home page)."""
    return list(db.session.execute(_open_tasks_statement(), {"user_id": user.id, "limit": limit}).scalars())
